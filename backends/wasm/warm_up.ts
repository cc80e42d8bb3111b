/**
 * A program that uses every opcode of a fork, for the compiler thread to compile once at start-up and throw
 * away: the engine compiles Binaryen's own WebAssembly function by function as it is first used (with the
 * optimising compiler when the baseline one is off, seconds in all), and this moves that work ahead of the
 * first contract that gets hot. The program is compiled, never run.
 */
import type { ForkRules } from "../../src/forks/rules.ts";
import { Op, STACK_IN, STACK_OUT } from "../../src/forks/opcodes.ts";

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

export function warmUpProgram(rules: ForkRules): Uint8Array {
  const out: number[] = [];
  // A loop (a static JUMPI back to its head) and a dynamic jump through the table, around every other opcode.
  out.push(Op.JUMPDEST);
  for (let op = 0; op < 256; op++) {
    if (rules.staticGas[op] < 0 || CONTROL.has(op)) continue;
    const push = op >= Op.PUSH1 && op <= Op.PUSH32 ? op - Op.PUSH1 + 1 : 0;
    for (let i = 0; i < STACK_IN[op]; i++) out.push(Op.PUSH1, 0x20);
    out.push(op, ...new Array(push).fill(0x01));
    for (let i = 0; i < STACK_OUT[op]; i++) out.push(Op.POP);
  }
  out.push(Op.PUSH1, 0x00, Op.CALLDATALOAD, Op.PUSH1, 0x00, Op.JUMPI);
  out.push(Op.PUSH1, 0x20, Op.CALLDATALOAD, Op.JUMP, Op.JUMPDEST, Op.PUSH1, 0x20, Op.PUSH1, 0x00, Op.RETURN);
  return new Uint8Array(out);
}
