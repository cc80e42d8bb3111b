/**
 * Lowering of SLOAD and SSTORE with a per-frame cache of storage slots in
 * linear memory. A slot this frame has read or written is warm for the rest of
 * the frame (a child's revert only undoes the child's own accesses), and its
 * value changes only by this frame's SSTORE (which updates the entry) or inside
 * a call or creation (after which the cache is emptied, by a new generation).
 * A hit costs what a warm SLOAD costs: its static gas, already charged.
 */
import type { Instr } from "./analysis.ts";
import { type Expr, L_GAS, type Lowerer, type Val } from "./lower_context.ts";
import { hostCall } from "./lower_host.ts";
import { storageCacheGeneration } from "./storage_cache.ts";
import {
  GAS_ADDR, IMPORT_SLOAD, SCRATCH_A, SCRATCH_OUT, SLOAD_CACHE, SLOAD_CACHE_ENTRIES, SLOAD_ENTRY,
  STACK_BASE,
} from "./layout.ts";

/** The byte address of the cache entry for a key (i32). */
function entryAddr(cx: Lowerer, key: Val): Expr {
  const m = cx.m;
  let h = cx.limb(key, 0);
  for (let i = 1; i < 4; i++) if (!cx.zeroLimb(key, i)) h = m.i64.xor(h, cx.limb(key, i));
  return m.i32.add(
    m.i32.mul(m.i32.and(m.i32.wrap(h), cx.c32(SLOAD_CACHE_ENTRIES - 1)), cx.c32(SLOAD_ENTRY)),
    cx.c32(SLOAD_CACHE),
  );
}

const gen = storageCacheGeneration;

function sload(cx: Lowerer): void {
  const m = cx.m;
  const key = cx.materialise(cx.pop());
  const e = cx.local(); // the entry address, as i64 (locals of the pool are i64)
  const e32 = () => m.i32.wrap(cx.get(e));
  cx.emit(cx.set(e, m.i64.extend_u(entryAddr(cx, key))));
  let hit: Expr = m.i32.eq(m.i32.load(64, 4, e32()), gen(cx));
  for (let i = 0; i < 4; i++) hit = m.i32.and(hit, m.i64.eq(m.i64.load(8 * i, 8, e32()), cx.limb(key, i)));
  const r = [cx.local(), cx.local(), cx.local(), cx.local()];
  const fromEntry = cx.capture(() => {
    for (let i = 0; i < 4; i++) cx.emit(cx.set(r[i], m.i64.load(32 + 8 * i, 8, e32())));
  });
  const miss = cx.capture(() => {
    cx.storeWord(SCRATCH_A, key);
    cx.emit(m.i64.store(0, 8, cx.c32(GAS_ADDR), cx.gas()));
    cx.emit(m.call(IMPORT_SLOAD, [cx.c32(SCRATCH_A), cx.c32(SCRATCH_OUT)], cx.none));
    cx.emit(m.local.set(L_GAS, m.i64.load(0, 8, cx.c32(GAS_ADDR))));
    for (let i = 0; i < 4; i++) {
      cx.emit(cx.set(r[i], m.i64.load(8 * i, 8, cx.c32(SCRATCH_OUT))));
      cx.emit(m.i64.store(8 * i, 8, e32(), cx.limb(key, i)));
      cx.emit(m.i64.store(32 + 8 * i, 8, e32(), cx.get(r[i])));
    }
    cx.emit(m.i32.store(64, 4, e32(), gen(cx)));
  });
  cx.emit(m.if(hit, fromEntry, miss));
  cx.release(e);
  cx.drop(key);
  cx.push({ k: "l", l: r, rc: 0 });
}

function sstore(cx: Lowerer, pc: number): void {
  const m = cx.m;
  hostCall(cx, 0x55, pc);
  // The operands are still in their slots just above the new top: key at +32, value at +0.
  const key: Val = { k: "m", slot: 1, rc: 1 };
  const value: Val = { k: "m", slot: 0, rc: 1 };
  const e = cx.local();
  const e32 = () => m.i32.wrap(cx.get(e));
  cx.emit(cx.set(e, m.i64.extend_u(entryAddr(cx, key))));
  for (let i = 0; i < 4; i++) {
    cx.emit(m.i64.store(8 * i, 8, e32(), m.i64.load(STACK_BASE + 32 + 8 * i, 8, cx.spb())));
    cx.emit(m.i64.store(32 + 8 * i, 8, e32(), m.i64.load(STACK_BASE + 8 * i, 8, cx.spb())));
  }
  cx.emit(m.i32.store(64, 4, e32(), gen(cx)));
  cx.release(e);
  void value;
}

export function lowerStorage(cx: Lowerer, ins: Instr): boolean {
  if (ins.op === 0x54) sload(cx);
  else if (ins.op === 0x55) sstore(cx, ins.pc);
  else return false;
  return true;
}
