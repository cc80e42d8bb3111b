/**
 * What running code may ask of the world, in the manner of revm's `Host`: accounts and storage (read and
 * written through the journal), warmth, logs, the block and transaction environment, the active rules, and
 * nested calls and creations. A backend sees only this (`Backend.run(frame, host)`); `Evm` implements it, and
 * the instructions that use it are written once, in host_ops.ts.
 */
import type { ForkRules } from "../forks/rules.ts";
import type { Log, WorldState } from "../state/world.ts";
import type { BlockEnv, TxEnv } from "./env.ts";
import type { Frame } from "./frame.ts";
import type { CallKind, ExecResult, Message } from "./message.ts";

/** Calls nest at most this deep. */
export const STACK_DEPTH_LIMIT = 1024;

/** Observes execution (tracers). Kept optional so the hot path pays one null check. */
export interface EvmTracer {
  onStep?(frame: Frame, pc: number, op: number, gas: number, stack: readonly bigint[], depth: number): void;
  onEnter?(msg: Message): void;
  onExit?(msg: Message, result: ExecResult): void;
  /** A LOG instruction's log (kept even if its frame reverts later). */
  onLog?(log: Log): void;
  /** SELFDESTRUCT of `address`, its `balance` going to `beneficiary`. */
  onSelfDestruct?(address: bigint, beneficiary: bigint, balance: bigint): void;
}

/** The journaled state as running code reaches it: accounts, storage, transient storage, warmth, logs, refunds. */
export type HostWorld = Pick<
  WorldState,
  | "getAccount" | "exists" | "isDead" | "touch" | "getBalance" | "setBalance" | "addBalance" | "getNonce"
  | "setNonce" | "getCode" | "getStorage" | "setStorage" | "hasStorage" | "recordedOriginal" | "getTransient"
  | "setTransient" | "warmAddress" | "warmSlot" | "addLog" | "addRefund" | "createdInTx" | "markSelfDestruct"
  | "selfDestructs"
>;

export interface Host {
  readonly world: HostWorld;
  /** The active fork's rules (with the node's limits). */
  readonly rules: ForkRules;
  readonly block: BlockEnv;
  readonly tx: TxEnv;
  readonly tracer: EvmTracer | undefined;
  /** False when nothing reads the logs (an eth_call): LOG then charges its gas and records nothing. */
  readonly keepLogs: boolean;
  /** BLOCKHASH: one of the 256 blocks before the current one, else 0. */
  blockHash(number: bigint): bigint;
  /** The child message of a CALL-family instruction (following an EIP-7702 delegation). */
  callMessage(parent: Message, kind: CallKind, target: bigint, value: bigint, input: Uint8Array, gas: bigint): Message;
  /** Runs a call's message (value transfer, then precompile or code); its state changes are undone on failure. */
  executeMessage(msg: Message): ExecResult;
  /** Runs a creation's message (fresh account, init code, code deposit). */
  executeCreate(msg: Message): ExecResult;
}
