/**
 * Lowering of everything that reaches the environment, state or other frames:
 * the virtual stack is written back, gas and memory size are handed over, and
 * the one `host` import runs the shared semantics (src/evm/host_ops.ts) on the
 * operands it reads from the stack in linear memory.
 */
import { ENV_OPS, Op, runsOnHost, STACK_IN, STACK_OUT } from "../../src/forks/opcodes.ts";
import type { Instr } from "./analysis.ts";
import { type Lowerer } from "./lower_context.ts";
import { ENV_BASE, ENV_MASK_ADDR, IMPORT_ENV, IMPORT_HOST } from "./layout.ts";
import { emptyStorageCache, invalidatesStorageCache } from "./storage_cache.ts";

/** Emits a host call for op; the stack in memory changes by its pops and pushes. */
export function hostCall(cx: Lowerer, op: number, pc: number): void {
  const m = cx.m;
  cx.flush();
  const consts = cx.flushedConsts;
  cx.syncOut();
  cx.emit(m.call(IMPORT_HOST, [cx.c32(op), cx.spb(), cx.c32(pc)], cx.none));
  cx.syncIn();
  const delta = STACK_OUT[op] - STACK_IN[op];
  cx.moveBase(delta * 32);
  // Constants below the operands are still in their slots.
  for (const p of consts.keys()) if (p >= -STACK_IN[op]) consts.delete(p);
  cx.keepConsts(consts, -delta);
  if (invalidatesStorageCache(op)) emptyStorageCache(cx);
}

/** Environment word slots by opcode (-1: not one). */
const ENV_SLOT = new Int8Array(256).fill(-1);
ENV_OPS.forEach((op, k) => (ENV_SLOT[op] = k));

export function isEnvOp(op: number): boolean {
  return ENV_SLOT[op] >= 0;
}

/**
 * ADDRESS, CALLER, CALLVALUE, the block fields and the like: the same all frame long, so each is fetched
 * once (the `env` import writes it to its slot) and then read from linear memory, with no host call, flush
 * or gas hand-over.
 */
export function lowerEnv(cx: Lowerer, ins: Instr): boolean {
  const k = ENV_SLOT[ins.op];
  if (k < 0) return false;
  const m = cx.m;
  const mask = m.i32.load(0, 4, cx.c32(ENV_MASK_ADDR));
  cx.emit(m.if(m.i32.eqz(m.i32.and(mask, cx.c32(1 << k))), m.call(IMPORT_ENV, [cx.c32(k)], cx.none)));
  cx.push(cx.loadWord(ENV_BASE + 32 * k));
  return true;
}

export function lowerHost(cx: Lowerer, ins: Instr): boolean {
  if (!runsOnHost(ins.op) || ins.op === Op.SELFDESTRUCT) return false; // SELFDESTRUCT: lower_control.ts
  hostCall(cx, ins.op, ins.pc);
  return true;
}
