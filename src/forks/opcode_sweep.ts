/**
 * A straight run over the opcodes of a fork, each with its inputs pushed and its outputs popped: what the
 * warm-up programs (the compiler thread's and the node's) are made of.
 */
import { IMMEDIATE_SIZE, Op, OPCODES, STACK_IN, STACK_OUT } from "./opcodes.ts";

/** Opcodes a sweep leaves out: control flow and those that end the frame. */
const CONTROL = new Set<number>([
  Op.STOP,
  Op.JUMP,
  Op.JUMPI,
  Op.JUMPDEST,
  Op.RETURN,
  Op.REVERT,
  Op.INVALID,
  Op.SELFDESTRUCT,
]);

export interface SweepOptions {
  /** Rotates the order: opcode (k + rotate) & 0xff comes k-th. */
  rotate?: number;
  /** The value pushed for each input of `op` (default 0x20). */
  input?: (op: number) => number;
  /** The immediate bytes of PUSHn (default 0x01). */
  immediate?: number;
  /** Left out besides control flow. */
  skip?: ReadonlySet<number>;
}

/** Every opcode the fork has (`staticGas[op] >= 0`), control flow and `skip` aside. */
export function opcodeSweep(staticGas: ArrayLike<number>, options: SweepOptions = {}): number[] {
  const { rotate = 0, input = () => 0x20, immediate = 0x01, skip } = options;
  const out: number[] = [];
  for (let k = 0; k < 256; k++) {
    const op = (k + rotate) & 0xff;
    if (staticGas[op] < 0 || OPCODES[op] === undefined || CONTROL.has(op) || skip?.has(op)) continue;
    const value = input(op);
    for (let i = 0; i < STACK_IN[op]; i++) out.push(Op.PUSH1, value);
    out.push(op, ...new Array(IMMEDIATE_SIZE[op]).fill(immediate));
    for (let i = 0; i < STACK_OUT[op]; i++) out.push(Op.POP);
  }
  return out;
}
