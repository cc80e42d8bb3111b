/**
 * The engine runs a fresh node's code unoptimised until it has seen it run a while: a contract's first few
 * dozen calls on a fresh node took 10-20 ms where the same call took 1 ms later. While a freshly started node
 * is idle, `warmUpNode` sends it synthetic eth_calls of one program, one per turn of the event loop. The first
 * calls run on the interpreter, as any contract's first calls do; on a compiling backend the program then tiers
 * up (one compilation) and the later calls, spread out to outlast the compilation, run compiled code and its
 * host calls.
 */
import { Op, staticGasTable } from "../forks/opcodes.ts";
import { opcodeSweep } from "../forks/opcode_sweep.ts";
import { Fork } from "../forks/fork.ts";
import { bytesToHex, hexToBytes } from "../primitives/hex.ts";

/** Answers one JSON-RPC body, unlogged. */
export type BodyHandler = (body: string) => Promise<unknown>;

export interface WarmUpOptions {
  /** Calls back to back. */
  quick?: number;
  /** Calls after those, 10 ms apart. */
  spread?: number;
  /** Stops after this long (ms) whatever is left. */
  budgetMs?: number;
  /** The static gas of each opcode in the node's fork (negative: not in the fork); by default Osaka's. */
  staticGas?: ArrayLike<number>;
  /** Stops when this returns true (the node is closing). */
  stopped?: () => boolean;
  /**
   * How long (ms) since the node last answered someone else: the warm-up fills idle time only (clients that keep
   * the node busy warm it up themselves, and their requests should not wait behind synthetic ones).
   */
  idleMs?: () => number;
}

/** The warm-up waits until the node has been idle this long (ms). */
const IDLE_MS = 100;

/** An account no one has: what a warm-up runs is given to it as a state override, so fork mode fetches nothing. */
export const WARM_UP_ADDRESS = "0x00000000000000000000000000000000005741e1";

/** The account the warm-up program calls (a state override too): a frame inside a frame, as most contracts make. */
export const WARM_UP_CALLEE = "0x00000000000000000000000000000000005741e2";

/**
 * Waits until the node has been idle IDLE_MS (`idleMs`: since it last answered a user); false when `giveUp`
 * says to stop first.
 */
export async function untilIdle(idleMs: () => number, giveUp: () => boolean): Promise<boolean> {
  for (let idle = idleMs(); idle < IDLE_MS; idle = idleMs()) {
    if (giveUp()) return false;
    await new Promise((r) => setTimeout(r, IDLE_MS - idle));
  }
  return !giveUp();
}

/** Returns how many calls were answered (all unless stopped or out of time). */
export async function warmUpNode(handle: BodyHandler, options: WarmUpOptions = {}): Promise<number> {
  const { quick = 150, spread = 200, budgetMs = 5_000, stopped = () => false, idleMs = () => Infinity } = options;
  const staticGas = options.staticGas ?? staticGasTable(Fork.Osaka);
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const end = performance.now() + budgetMs;
  if (await untilIdle(idleMs, () => stopped() || performance.now() > end)) await warmUpSigning(handle);
  const code = bytesToHex(warmUpContract(4, staticGas));
  const callee = bytesToHex(warmUpCallee());
  let calls = 0;
  for (let i = 0; i < quick + spread; i++) {
    await new Promise((r) => setTimeout(r, i < quick ? 0 : 10));
    if (!(await untilIdle(idleMs, () => stopped() || performance.now() > end))) break;
    const body = JSON.stringify({
      jsonrpc: "2.0",
      id: i,
      method: "eth_call",
      params: [{ to: WARM_UP_ADDRESS, data: "0x" }, "latest", {
        [WARM_UP_ADDRESS]: { code, balance: "0xde0b6b3a7640000" },
        [WARM_UP_CALLEE]: { code: callee, state: {} },
      }],
    });
    const answer = await handle(body);
    // An answer that is not the program's 32 bytes: something is wrong with the node; its users will see it.
    if (!JSON.stringify(answer).includes('"result":"0x')) break;
    calls++;
  }
  return calls;
}

/** Transactions signed by warmUpSigning. */
const SIGNINGS = 20;

/**
 * Signs a few transactions with the first dev account (eth_signTransaction, which changes nothing and reads no
 * state when every field is given): a node's first transaction otherwise loads the platform's crypto (about 10
 * ms) and runs the signing code cold (a first eth_sendTransaction took 32 ms, the next ones 2-6). Returns how
 * many were signed (none without dev accounts).
 */
export async function warmUpSigning(handle: BodyHandler): Promise<number> {
  const accounts = await handle(JSON.stringify({ jsonrpc: "2.0", id: 0, method: "eth_accounts", params: [] }));
  const from = (accounts as { result?: string[] }).result?.[0];
  if (from === undefined) return 0;
  const tx = {
    from,
    to: WARM_UP_ADDRESS,
    value: "0x0",
    nonce: "0x0",
    gas: "0x5208",
    maxFeePerGas: "0x1",
    maxPriorityFeePerGas: "0x1",
  };
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_signTransaction", params: [tx] });
  let signed = 0;
  for (let i = 0; i < SIGNINGS; i++) {
    // A turn of the event loop between signings: a user's request waits for one at most.
    if (i > 0) await new Promise((r) => setTimeout(r, 0));
    if ((await handle(body) as { result?: string }).result !== undefined) signed++;
  }
  return signed;
}

/** Enough for the callee on every fork (a cold SLOAD is the most of it), and for ECRECOVER (3,000). */
const CALLEE_GAS = 0x1000;

/**
 * A signature (of the EIP-191 message 0x1234, by the first account of the default mnemonic), for ECRECOVER to
 * run a whole recovery: the engine optimises that code only after a few hundred calls, and a contract's first
 * signature checks took 10-40 ms a call where they take 0.5 ms later.
 */
export const WARM_UP_SIGNATURE = {
  hash: "0x456d81ecedeaa272a18e100870c4def2ef78a70e3e077ba40e0a92114b5865c5",
  v: 28,
  r: "0x87b638f4675a39ef49eb0379a7f5d248affd109cc6cb5b69457d7e8394d7d852",
  s: "0x74c8b407ca2b2b37ba4cc9c3bcfde488f7f59748175764b928324bd31c0f9385",
  signer: "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
};

/** ECRECOVER of WARM_UP_SIGNATURE (memory 0-127 its input, 0-31 its answer), stack left as it was. */
function ecrecoverCall(staticGas: ArrayLike<number>): number[] {
  const { hash, v, r, s } = WARM_UP_SIGNATURE;
  const store = (word: number[], at: number) => [...word, Op.PUSH1, at, Op.MSTORE];
  const out = [
    ...store([Op.PUSH1 + 31, ...hexToBytes(hash)], 0x00),
    ...store([Op.PUSH1, v], 0x20),
    ...store([Op.PUSH1 + 31, ...hexToBytes(r)], 0x40),
    ...store([Op.PUSH1 + 31, ...hexToBytes(s)], 0x60),
  ];
  const op = staticGas[Op.STATICCALL] >= 0 ? Op.STATICCALL : Op.CALL;
  return [...out, ...callOf(op, [Op.PUSH1, 0x01], 0x80)];
}

/**
 * A call of kind `op` to the address `pushAddress` pushes, with CALLEE_GAS, no value: its input memory from 0 for
 * `argsSize` bytes, its first 32 bytes of answer written at 0, its success flag popped.
 */
function callOf(op: number, pushAddress: number[], argsSize: number): number[] {
  // retSize retOffset argsSize argsOffset [value] address gas
  const out = [Op.PUSH1, 0x20, Op.PUSH1, 0x00, Op.PUSH1, argsSize, Op.PUSH1, 0x00];
  if (op === Op.CALL || op === Op.CALLCODE) out.push(Op.PUSH1, 0x00);
  out.push(...pushAddress, Op.PUSH1 + 1, CALLEE_GAS >> 8, CALLEE_GAS & 0xff, op, Op.POP);
  return out;
}

/**
 * Each kind of call the fork has, to WARM_UP_CALLEE with CALLEE_GAS, and the last answer copied back: the host's
 * way into a nested frame and out (the sweep's calls go to an empty account, which runs no frame).
 */
function callsToCallee(staticGas: ArrayLike<number>): number[] {
  const callee = [Op.PUSH1 + 19, ...hexToBytes(WARM_UP_CALLEE)];
  const out: number[] = [];
  for (const op of [Op.CALL, Op.CALLCODE, Op.DELEGATECALL, Op.STATICCALL]) {
    if (staticGas[op] >= 0) out.push(...callOf(op, callee, 0x20));
  }
  // All of the last answer (none when the callee has no code, as where the program runs alone).
  if (staticGas[Op.RETURNDATACOPY] >= 0) {
    out.push(Op.RETURNDATASIZE, Op.PUSH1, 0x00, Op.PUSH1, 0x00, Op.RETURNDATACOPY);
  }
  return out;
}

/**
 * The callee: reads its input and a storage slot, writes their sum to memory and returns it. The slot is the
 * one the sweep writes (under DELEGATECALL and CALLCODE the caller's), and the callee's own storage is given
 * in the override: in fork mode no read goes upstream.
 */
export function warmUpCallee(): Uint8Array {
  return new Uint8Array([
    Op.PUSH1, 0x00, Op.CALLDATALOAD, Op.PUSH1, 0x20, Op.SLOAD, Op.ADD,
    Op.PUSH1, 0x00, Op.MSTORE, Op.PUSH1, 0x20, Op.PUSH1, 0x00, Op.RETURN,
  ]);
}

/** Creations are left out of the loop: a failed one burns the gas the rest needs. */
const NOT_IN_LOOP = new Set<number>([Op.CREATE, Op.CREATE2]);

/**
 * One ECRECOVER, then a loop of `iterations` rounds over every opcode the fork has but control flow and
 * creations (an opcode sweep: inputs pushed, the opcode run, outputs popped), then each kind of call to
 * WARM_UP_CALLEE; then a JUMP and a JUMPI back to the loop's head while rounds are left. The sweep's calls go to an
 * empty account; storage, transient storage, memory and logs are written.
 */
export function warmUpContract(iterations: number, staticGas: ArrayLike<number>): Uint8Array {
  const out: number[] = [Op.PUSH1, iterations & 0xff, ...ecrecoverCall(staticGas)];
  const loop = out.length;
  out.push(Op.JUMPDEST);
  // RETURNDATACOPY's range must lie in the return data: zeros.
  out.push(...opcodeSweep(staticGas, { input: (op) => op === Op.RETURNDATACOPY ? 0x00 : 0x20, skip: NOT_IN_LOOP }));
  out.push(...callsToCallee(staticGas));
  const next = out.length + 4; // PUSH2 hi lo JUMP, then the JUMPDEST it goes to
  out.push(Op.PUSH1 + 1, next >> 8, next & 0xff, Op.JUMP, Op.JUMPDEST);
  // rounds left - 1; back to the head while some are left
  out.push(Op.PUSH1, 0x01, Op.SWAP1, Op.SUB, Op.DUP1, Op.PUSH1, loop, Op.JUMPI);
  out.push(Op.PUSH1, 0x20, Op.PUSH1, 0x00, Op.RETURN);
  return new Uint8Array(out);
}
