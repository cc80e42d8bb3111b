/**
 * Lowering of everything that reaches the environment, state or other frames:
 * the virtual stack is written back, gas and memory size are handed over, and
 * the one `host` import runs the shared semantics (src/evm/host_ops.ts) on the
 * operands it reads from the stack in linear memory.
 */
import { STACK_IN, STACK_OUT, type Instr } from "./analysis.ts";
import { L_SPB, type Lowerer } from "./lower_context.ts";
import { IMPORT_HOST } from "./layout.ts";
import { emptyStorageCache, invalidatesStorageCache } from "./lower_storage.ts";

const HOST_OPS = new Uint8Array(256);
for (const op of [
  0x30, 0x31, 0x32, 0x33, 0x34, 0x37, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
  0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a,
  0x54, 0x55, 0x5c, 0x5d, 0x5e, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4,
  0xf0, 0xf1, 0xf2, 0xf4, 0xf5, 0xfa, 0xff,
]) HOST_OPS[op] = 1;

export function isHostOp(op: number): boolean {
  return HOST_OPS[op] === 1;
}

/** Emits a host call for op; the stack in memory changes by its pops and pushes. */
export function hostCall(cx: Lowerer, op: number, pc: number): void {
  const m = cx.m;
  cx.flush();
  const consts = cx.flushedConsts;
  cx.syncOut();
  cx.emit(m.call(IMPORT_HOST, [cx.c32(op), cx.spb(), cx.c32(pc)], cx.none));
  cx.syncIn();
  const delta = STACK_OUT[op] - STACK_IN[op];
  if (delta !== 0) cx.emit(m.local.set(L_SPB, m.i32.add(cx.spb(), cx.c32(delta * 32))));
  // Constants below the operands are still in their slots.
  for (const p of consts.keys()) if (p >= -STACK_IN[op]) consts.delete(p);
  cx.keepConsts(consts, -delta);
  if (invalidatesStorageCache(op)) emptyStorageCache(cx);
}

export function lowerHost(cx: Lowerer, ins: Instr): boolean {
  if (!isHostOp(ins.op) || ins.op === 0xff) return false;
  hostCall(cx, ins.op, ins.pc);
  return true;
}
