/**
 * A program that uses every opcode of a fork, for the compiler thread to compile once at start-up and throw
 * away: the engine compiles Binaryen's own WebAssembly function by function as it is first used (with the
 * optimising compiler when the baseline one is off, seconds in all), and this moves that work ahead of the
 * first contract that gets hot. The program is compiled, never run.
 */
import type { ForkRules } from "../../src/forks/rules.ts";
import { Op } from "../../src/forks/opcodes.ts";
import { opcodeSweep } from "../../src/forks/opcode_sweep.ts";

/**
 * Variant `round` orders the opcodes differently and adds a selector dispatch (as compilers of contract
 * languages emit) of its own size, so that each round is another program.
 */
export function warmUpProgram(rules: ForkRules, round = 0): Uint8Array {
  const out: number[] = [];
  // A loop (a static JUMPI back to its head) and a dynamic jump through the table, around every other opcode.
  out.push(Op.JUMPDEST);
  out.push(...opcodeSweep(rules.staticGas, { rotate: round * 37, input: () => 0x20 + round, immediate: 0x01 + round }));
  out.push(Op.PUSH1, 0x00, Op.CALLDATALOAD, Op.PUSH1, 0x00, Op.JUMPI);
  out.push(Op.PUSH1, 0x20, Op.CALLDATALOAD, Op.JUMP, Op.JUMPDEST, Op.PUSH1, 0x20, Op.PUSH1, 0x00, Op.RETURN);
  if (round > 0) dispatch(out, 4 * round);
  return new Uint8Array(out);
}

/** A selector dispatch over `n` functions, each reading and writing a storage slot and memory. */
function dispatch(out: number[], n: number): void {
  const head = [Op.JUMPDEST, Op.PUSH1, 0x00, Op.CALLDATALOAD, Op.PUSH1, 0xe0, Op.SHR];
  const CASE = 11; // DUP1 PUSH4 sel EQ PUSH2 dest JUMPI
  const bodyStart = out.length + head.length + n * CASE + 4; // PUSH1 0 DUP1 REVERT after the cases
  const BODY = 22;
  out.push(...head);
  for (let k = 0; k < n; k++) {
    const dest = bodyStart + k * BODY;
    out.push(Op.DUP1, (Op.PUSH1 + 3), 0x12, 0x34, k >> 8, k & 0xff, Op.EQ, (Op.PUSH1 + 1), dest >> 8, dest & 0xff, Op.JUMPI);
  }
  out.push(Op.PUSH1, 0x00, Op.DUP1, Op.REVERT);
  for (let k = 0; k < n; k++) {
    out.push(
      Op.JUMPDEST, Op.PUSH1, k & 0xff, Op.SLOAD, Op.PUSH1, 0x01, Op.ADD, Op.DUP1, Op.PUSH1, k & 0xff, Op.SSTORE,
      Op.PUSH1, 0x00, Op.MSTORE, Op.PUSH1, 0x20, Op.PUSH1, 0x00, Op.KECCAK256, Op.POP, Op.STOP, Op.INVALID,
    );
  }
}
