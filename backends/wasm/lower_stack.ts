/** Lowering of stack and machine-state instructions: PUSH, DUP, SWAP, POP, JUMPDEST, PC, CODESIZE, MSIZE, GAS. */
import type { Instr } from "./analysis.ts";
import { L_GAS, type Lowerer } from "./lower_context.ts";

export function lowerStack(cx: Lowerer, ins: Instr): boolean {
  const op = ins.op;
  if (op >= 0x5f && op <= 0x7f) { // PUSH0..PUSH32
    cx.push(cx.const(ins.imm));
    return true;
  }
  if (op >= 0x80 && op <= 0x8f) { // DUP1..DUP16
    cx.push(cx.peek(op - 0x80));
    return true;
  }
  if (op >= 0x90 && op <= 0x9f) { // SWAP1..SWAP16
    cx.swap(op - 0x8f);
    return true;
  }
  switch (op) {
    case 0x50: // POP
      cx.drop(cx.pop());
      return true;
    case 0x5b: // JUMPDEST
      return true;
    case 0x58: // PC
      cx.push(cx.const(BigInt(ins.pc)));
      return true;
    case 0x38: // CODESIZE
      cx.push(cx.const(BigInt(cx.code.length)));
      return true;
    case 0x59: // MSIZE
      cx.push(cx.fromU64(cx.msize()));
      return true;
    case 0x5a: // GAS (the segment ending here has charged everything up to this instruction)
      cx.push(cx.fromU64(cx.m.local.get(L_GAS, cx.i64)));
      return true;
  }
  return false;
}
