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
  const code = bytesToHex(warmUpContract(4, staticGas));
  let calls = 0;
  for (let i = 0; i < quick + spread; i++) {
    await new Promise((r) => setTimeout(r, i < quick ? 0 : 10));
    if (!(await untilIdle(idleMs, () => stopped() || performance.now() > end))) break;
    const body = JSON.stringify({
      jsonrpc: "2.0",
      id: i,
      method: "eth_call",
      params: [{ to: WARM_UP_ADDRESS, data: "0x" }, "latest", { [WARM_UP_ADDRESS]: { code, balance: "0xde0b6b3a7640000" } }],
    });
    const answer = await handle(body);
    // An answer that is not the program's 32 bytes: something is wrong with the node; its users will see it.
    if (!JSON.stringify(answer).includes('"result":"0x')) break;
    calls++;
  }
  return calls;
}

/** Creations are left out of the loop: a failed one burns the gas the rest needs. */
const NOT_IN_LOOP = new Set<number>([Op.CREATE, Op.CREATE2]);

/**
 * A loop of `iterations` rounds over every opcode the fork has but control flow and creations (an opcode
 * sweep: inputs pushed, the opcode run, outputs popped); then a JUMP and a JUMPI back to the loop's head while
 * rounds are left. Calls go to an empty account; storage, transient storage, memory and logs are written.
 */
export function warmUpContract(iterations: number, staticGas: ArrayLike<number>): Uint8Array {
  const out: number[] = [Op.PUSH1, iterations & 0xff];
  const loop = out.length;
  out.push(Op.JUMPDEST);
  // RETURNDATACOPY's range must lie in the return data: zeros.
  out.push(...opcodeSweep(staticGas, { input: (op) => op === Op.RETURNDATACOPY ? 0x00 : 0x20, skip: NOT_IN_LOOP }));
  const next = out.length + 4; // PUSH2 hi lo JUMP, then the JUMPDEST it goes to
  out.push(Op.PUSH1 + 1, next >> 8, next & 0xff, Op.JUMP, Op.JUMPDEST);
  // rounds left - 1; back to the head while some are left
  out.push(Op.PUSH1, 0x01, Op.SWAP1, Op.SUB, Op.DUP1, Op.PUSH1, loop, Op.JUMPI);
  out.push(Op.PUSH1, 0x20, Op.PUSH1, 0x00, Op.RETURN);
  return new Uint8Array(out);
}
