/**
 * Lowering of EVM memory access: MLOAD, MSTORE, MSTORE8 and KECCAK256 work
 * directly on the instance's linear memory (EVM memory at MEM_BASE, words
 * big-endian there), with expansion charged inside WebAssembly.
 */
import { KECCAK256_WORD_GAS } from "../../src/forks/opcodes.ts";
import type { Instr } from "./analysis.ts";
import { type Expr, type Lowerer, type Val } from "./lower_context.ts";
import {
  CALLDATA_BASE, CD_IN_MEMORY_ADDR, CDSIZE_ADDR, IMPORT_CALLDATALOAD, MEM_BASE, SCRATCH_A, SCRATCH_OUT,
} from "./layout.ts";

export function lowerMemory(cx: Lowerer, ins: Instr): boolean {
  switch (ins.op) {
    case 0x51: return mload(cx);
    case 0x52: return mstore(cx, 32);
    case 0x53: return mstore(cx, 1);
    case 0x20: return keccak(cx);
  }
  return false;
}

/** Checks that off < 2^32 and makes [off, off + size) active memory; returns the offset as an i32 thunk. */
function access(cx: Lowerer, off: Val, size: number): () => Expr {
  const m = cx.m;
  cx.requireU32(off);
  if (off.k === "c") {
    cx.ensureMemoryTo(off.v + BigInt(size));
    const o = Number(off.v & 0xffffffffn);
    return () => cx.c32(o);
  }
  const o = cx.materialise(off);
  cx.ensureMemory(m.i64.add(cx.limb(o, 0), cx.c64(BigInt(size))));
  return () => m.i32.wrap(cx.limb(o, 0));
}

function mload(cx: Lowerer): boolean {
  const off = cx.pop();
  const addr = access(cx, off, 32);
  // A word that the next instruction pops is not read: only the expansion (and its gas) is observable.
  const r = cx.nextOp === 0x50 ? cx.const(0n) : cx.loadWordBE(MEM_BASE, addr);
  cx.drop(off);
  cx.push(r);
  return true;
}

function mstore(cx: Lowerer, size: number): boolean {
  const m = cx.m;
  const off = cx.pop(), v = cx.pop();
  const addr = access(cx, off, size);
  if (size === 1) cx.emit(m.i64.store8(MEM_BASE, 1, addr(), cx.limb(v, 0)));
  else {
    cx.storeWordBE(MEM_BASE, addr, v);
  }
  cx.drop(off);
  cx.drop(v);
  return true;
}

/**
 * For an (offset, length) pair of words: nothing when length is 0; else out
 * of gas unless both are below 2^32, then `perWord` gas per 32-byte word, then
 * expansion. Returns i32 thunks for the absolute address and the length.
 */
export function memoryRange(cx: Lowerer, off: Val, len: Val, perWord: number): { addr: () => Expr; len: () => Expr } {
  const m = cx.m;
  if (len.k === "c" && len.v === 0n) return { addr: () => cx.c32(MEM_BASE), len: () => cx.c32(0) };
  if (off.k === "c" && len.k === "c") {
    // Known at compile time (KECCAK256 of a mapping key at 0..64): the checks and costs fold away.
    if (off.v > 0xffffffffn || len.v > 0xffffffffn) cx.emit(cx.outOfGas());
    else {
      if (perWord) cx.chargeConst(Number((len.v + 31n) >> 5n) * perWord);
      cx.ensureMemoryTo(off.v + len.v);
    }
    const o = Number(off.v & 0xffffffffn) + MEM_BASE, n = Number(len.v & 0xffffffffn);
    return { addr: () => cx.c32(o), len: () => cx.c32(n) };
  }
  cx.materialise(off);
  cx.materialise(len);
  const body = cx.capture(() => {
    let bad: Expr = m.i64.or(m.i64.shr_u(cx.limb(off, 0), cx.c64(32n)), m.i64.shr_u(cx.limb(len, 0), cx.c64(32n)));
    for (let i = 1; i < 4; i++) {
      if (!cx.zeroLimb(off, i)) bad = m.i64.or(bad, cx.limb(off, i));
      if (!cx.zeroLimb(len, i)) bad = m.i64.or(bad, cx.limb(len, i));
    }
    cx.emit(m.if(m.i64.ne(bad, cx.c64(0n)), cx.outOfGas()));
    if (perWord) {
      cx.chargeDynamic(m.i64.mul(m.i64.shr_u(m.i64.add(cx.limb(len, 0), cx.c64(31n)), cx.c64(5n)), cx.c64(BigInt(perWord))));
    }
    cx.ensureMemory(m.i64.add(cx.limb(off, 0), cx.limb(len, 0)));
  });
  cx.emit(len.k === "c" ? body : m.if(cx.nonZero(len), body));
  return {
    addr: () => m.i32.add(m.i32.wrap(cx.limb(off, 0)), cx.c32(MEM_BASE)),
    len: () => m.i32.wrap(cx.limb(len, 0)),
  };
}

function keccak(cx: Lowerer): boolean {
  const off = cx.pop(), len = cx.pop();
  const r = memoryRange(cx, off, len, KECCAK256_WORD_GAS);
  // With length 0 the address is never read.
  cx.emit(cx.m.call("keccak256", [r.addr(), r.len(), cx.c32(SCRATCH_OUT)], cx.none));
  const out = cx.loadWord(SCRATCH_OUT);
  cx.drop(off);
  cx.drop(len);
  cx.push(out);
  return true;
}

/** CALLDATALOAD and CALLDATASIZE from the copy of the calldata in linear memory (else through the host). */
export function lowerCalldata(cx: Lowerer, ins: Instr): boolean {
  const m = cx.m;
  if (ins.op === 0x36) {
    cx.push(cx.fromU64(m.i64.extend_u(m.i32.load(0, 4, cx.c32(CDSIZE_ADDR)))));
    return true;
  }
  if (ins.op !== 0x35) return false;
  const inMemory = m.i32.load(0, 4, cx.c32(CD_IN_MEMORY_ADDR));
  const off = cx.pop();
  // An offset at or past the size (any offset with high bits) reads zero; below it the 32 bytes that follow
  // are calldata then the zero padding.
  const o = cx.materialise(off);
  let big: Expr = m.i64.ge_u(cx.limb(o, 0), m.i64.extend_u(m.i32.load(0, 4, cx.c32(CDSIZE_ADDR))));
  for (let i = 1; i < 4; i++) if (!cx.zeroLimb(o, i)) big = m.i32.or(big, m.i64.ne(cx.limb(o, i), cx.c64(0n)));
  const r = [cx.local(), cx.local(), cx.local(), cx.local()];
  const addr = () => m.i32.wrap(cx.limb(o, 0));
  const load = cx.capture(() => void cx.loadWordBE(CALLDATA_BASE, addr, r));
  const zero = cx.capture(() => {
    for (let i = 0; i < 4; i++) cx.emit(cx.set(r[i], cx.c64(0n)));
  });
  // Calldata too large for its region (rare): the host reads the word.
  const viaHost = cx.capture(() => {
    cx.storeWord(SCRATCH_A, o);
    cx.emit(m.call(IMPORT_CALLDATALOAD, [cx.c32(SCRATCH_A), cx.c32(SCRATCH_OUT)], cx.none));
    for (let i = 0; i < 4; i++) cx.emit(cx.set(r[i], m.i64.load(8 * i, 8, cx.c32(SCRATCH_OUT))));
  });
  cx.emit(m.if(inMemory, m.if(big, zero, load), viaHost));
  cx.drop(off);
  cx.push({ k: "l", l: r, rc: 0 });
  return true;
}
