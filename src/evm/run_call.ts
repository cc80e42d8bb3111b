/** A single message call against a world state, outside any transaction (scripts, `run`, benchmarks). */
import type { Backend } from "../../backends/backend.ts";
import { Fork, type ForkId } from "../forks/fork.ts";
import { rulesFor } from "../forks/rules.ts";
import { WorldState, type Log } from "../state/world.ts";
import { Account } from "../state/account.ts";
import type { BlockEnv } from "./env.ts";
import { Evm, type EvmTracer } from "./evm.ts";
import { CallKind } from "./message.ts";
import { precompileAddressSet } from "./precompiles/index.ts";
import { EMPTY_BYTES as EMPTY } from "../primitives/byte_slab.ts";

export const DEFAULT_CALLER = 0x1000n;
export const DEFAULT_TARGET = 0xc0de0000n;

export interface CallOptions {
  backend: Backend;
  world?: WorldState;
  fork?: ForkId;
  /** Code placed at `to` before the call (replacing what is there). */
  code?: Uint8Array;
  to?: bigint;
  caller?: bigint;
  input?: Uint8Array;
  value?: bigint;
  gas?: bigint;
  block?: Partial<BlockEnv>;
  tracer?: EvmTracer;
}

export interface CallResult {
  success: boolean;
  reverted: boolean;
  output: Uint8Array;
  gasUsed: bigint;
  logs: Log[];
  error?: string;
}

/** Field by field rather than a spread: runCall builds one per call, and a spread costs more than a simple call's code. */
export function defaultBlockEnv(o: Partial<BlockEnv> = {}): BlockEnv {
  return {
    coinbase: o.coinbase ?? 0n,
    number: o.number ?? 1n,
    timestamp: o.timestamp ?? 1n,
    gasLimit: o.gasLimit ?? 30_000_000n,
    difficulty: o.difficulty ?? 0n,
    prevRandao: o.prevRandao ?? 0n,
    baseFee: o.baseFee ?? 0n,
    blobBaseFee: o.blobBaseFee ?? 1n,
    chainId: o.chainId ?? 31337n,
    blockHash: o.blockHash ?? unknownBlockHash,
  };
}

const unknownBlockHash = () => 0n;
/** A call outside a transaction carries no blobs; one shared (never written) list, not one per call. */
const NO_BLOB_HASHES: bigint[] = [];

/** Runs one call (no intrinsic gas, no fee) and commits its effects to the world state. */
export function runCall(opts: CallOptions): CallResult {
  const world = opts.world ?? new WorldState();
  const rules = rulesFor(opts.fork ?? Fork.Osaka);
  const to = opts.to ?? DEFAULT_TARGET;
  const caller = opts.caller ?? DEFAULT_CALLER;
  const value = opts.value ?? 0n;
  if (opts.code) {
    const acc = world.getAccount(to) ?? new Account();
    acc.code = opts.code;
    world.setAccountDirect(to, acc);
  }
  if (value > 0n && world.getBalance(caller) < value) world.setBalance(caller, value);
  const block = defaultBlockEnv(opts.block);
  const evm = new Evm(world, rules, block, { origin: caller, gasPrice: 0n, blobHashes: NO_BLOB_HASHES }, opts.backend);
  evm.tracer = opts.tracer;
  if (rules.accessLists) {
    world.prewarmAddress(caller);
    world.prewarmAddress(to);
    world.setAlwaysWarm(precompileAddressSet(rules.id));
  }
  const gas = opts.gas ?? 30_000_000n;
  const parent = {
    kind: CallKind.Call, caller, address: caller, codeAddress: caller, value: 0n, transfersValue: false,
    input: EMPTY, gas, isStatic: false, depth: -1, code: EMPTY, disablePrecompiles: false,
  } as const;
  const msg = evm.callMessage(parent, CallKind.Call, to, value, opts.input ?? EMPTY, gas);
  const result = evm.executeMessage(msg);
  const logs = result.status === "success" ? world.logs : [];
  world.finishTransaction();
  return {
    success: result.status === "success",
    reverted: result.status === "revert",
    output: result.output,
    gasUsed: gas - result.gasLeft,
    logs,
    error: result.error,
  };
}
