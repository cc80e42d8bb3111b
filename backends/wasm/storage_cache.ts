/**
 * The generation of the per-frame SLOAD cache (lower_storage.ts): an entry of another generation is empty, so
 * a new generation empties the cache at once. Host operations that may change storage anywhere start one.
 */
import { Op } from "../../src/forks/opcodes.ts";
import type { Lowerer } from "./lower_context.ts";
import { SLOAD_GEN_ADDR } from "./layout.ts";

/** Host operations after which storage may have changed anywhere: calls and creations. */
const INVALIDATING = new Set<number>([Op.CREATE, Op.CALL, Op.CALLCODE, Op.DELEGATECALL, Op.CREATE2, Op.STATICCALL]);

export function invalidatesStorageCache(op: number): boolean {
  return INVALIDATING.has(op);
}

/** The current generation (i32). */
export const storageCacheGeneration = (cx: Lowerer) => cx.m.i32.load(0, 4, cx.c32(SLOAD_GEN_ADDR));

export function emptyStorageCache(cx: Lowerer): void {
  const m = cx.m;
  cx.emit(m.i32.store(0, 4, cx.c32(SLOAD_GEN_ADDR), m.i32.add(storageCacheGeneration(cx), cx.c32(1))));
}
