/**
 * The engine runs a fresh node's code unoptimised until it has seen it run a while: a contract's first few
 * dozen calls on a fresh node took 10-20 ms where the same call took 1 ms later. While a freshly started node
 * is idle, `warmUpNode` sends it synthetic eth_calls of one program, one per turn of the event loop. The first
 * run on the interpreter, as any contract's first calls do; on a compiling backend the program then tiers up
 * (one compilation) and the later calls, spread out to outlast the compilation, run compiled code and its host
 * calls.
 */
import { Op } from "../forks/opcodes.ts";
import { bytesToHex } from "../primitives/hex.ts";

/** Answers one JSON-RPC body, unlogged. */
export type BodyHandler = (body: string) => Promise<unknown>;

export interface WarmUpOptions {
  /** Calls back to back. */
  quick?: number;
  /** Calls after those, 10 ms apart. */
  spread?: number;
  /** Stops after this long (ms) whatever is left. */
  budgetMs?: number;
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

/** An account no one has: the program is given to it as a state override. */
const WARM_UP_ADDRESS = "0x00000000000000000000000000000000005741e1";

/** Returns how many calls were answered (all unless stopped or out of time). */
export async function warmUpNode(handle: BodyHandler, options: WarmUpOptions = {}): Promise<number> {
  const { quick = 150, spread = 200, budgetMs = 5_000, stopped = () => false, idleMs = () => Infinity } = options;
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const end = performance.now() + budgetMs;
  const code = bytesToHex(warmUpContract(6));
  let calls = 0;
  for (let i = 0; i < quick + spread; i++) {
    await new Promise((r) => setTimeout(r, i < quick ? 0 : 10));
    for (let idle = idleMs(); idle < IDLE_MS; idle = idleMs()) {
      if (stopped() || performance.now() > end) return calls;
      await new Promise((r) => setTimeout(r, IDLE_MS - idle));
    }
    if (stopped() || performance.now() > end) break;
    const body = JSON.stringify({
      jsonrpc: "2.0",
      id: i,
      method: "eth_call",
      params: [{ to: WARM_UP_ADDRESS, data: "0x" }, "latest", { [WARM_UP_ADDRESS]: { code } }],
    });
    const answer = await handle(body);
    // An answer that is not the program's 32 bytes: something is wrong with the node; its users will see it.
    if (!JSON.stringify(answer).includes('"result":"0x')) break;
    calls++;
  }
  return calls;
}

/**
 * A loop of `iterations` rounds of arithmetic, comparisons, stack and memory operations, hashing, storage,
 * a log, environment reads and a call to the identity precompile.
 */
export function warmUpContract(iterations: number): Uint8Array {
  const p = (n: number) => [Op.PUSH1, n & 0xff];
  const drop = (...ops: number[]) => ops.flatMap((op) => [op, Op.POP]);
  const body = [
    Op.JUMPDEST,
    ...[Op.DUP1, ...p(7), Op.MUL, ...p(3), Op.ADD, ...p(5), Op.SWAP1, Op.DIV, ...p(11), Op.MOD, ...p(2), Op.EXP],
    ...[...p(1), Op.SHL, ...p(1), Op.SHR, Op.NOT, ...p(0xff), Op.AND, ...p(0x0f), Op.OR, ...p(0x33), Op.XOR],
    ...[Op.ISZERO, Op.POP],
    ...[Op.DUP1, Op.DUP1, Op.LT, Op.POP, Op.DUP1, Op.DUP1, Op.GT, Op.POP, Op.DUP1, Op.DUP1, Op.EQ, Op.POP],
    ...[Op.DUP1, Op.DUP1, Op.SLT, Op.POP, Op.DUP1, ...p(0), Op.BYTE, Op.POP, Op.DUP1, ...p(1), Op.SIGNEXTEND, Op.POP],
    ...[Op.DUP1, ...p(0), Op.MSTORE, ...p(0), Op.MLOAD, Op.POP, ...p(0x20), ...p(0), Op.KECCAK256],
    ...[Op.DUP1, ...p(1), Op.SSTORE, ...p(1), Op.SLOAD, Op.POP, ...p(0x20), ...p(0), Op.LOG0 + 1],
    ...drop(Op.CALLER, Op.CALLVALUE, Op.ADDRESS, Op.GAS, Op.NUMBER, Op.TIMESTAMP, Op.CALLDATASIZE, Op.MSIZE),
    // STATICCALL(gas, 4, 0, 32, 0, 32)
    ...[...p(0x20), ...p(0), ...p(0x20), ...p(0), ...p(4), Op.GAS, Op.STATICCALL, Op.POP],
    ...[...p(1), Op.SWAP1, Op.SUB, Op.DUP1],
  ];
  const head = [...p(iterations)];
  const loop = head.length;
  return new Uint8Array([
    ...head,
    ...body,
    ...p(loop),
    Op.JUMPI,
    ...p(0x20),
    ...p(0),
    Op.RETURN,
  ]);
}
