/** Lowering of comparisons and bitwise instructions: LT GT SLT SGT EQ ISZERO AND OR XOR NOT BYTE SHL SHR SAR CLZ. */
import type { Instr } from "./analysis.ts";
import { type Expr, type Lowerer, type Val } from "./lower_context.ts";
import { SCRATCH_OUT, SHIFT_AREA } from "./layout.ts";
import { toSigned } from "../../src/primitives/u256.ts";

const M = (1n << 256n) - 1n;
const SIGN = 1n << 255n;
const M64 = (1n << 64n) - 1n;

export function lowerBitwise(cx: Lowerer, ins: Instr): boolean {
  switch (ins.op) {
    case 0x10: return compare(cx, false, false, (a, b) => a < b);
    case 0x11: return compare(cx, true, false, (a, b) => a > b);
    case 0x12: return compare(cx, false, true, (a, b) => toSigned(a) < toSigned(b));
    case 0x13: return compare(cx, true, true, (a, b) => toSigned(a) > toSigned(b));
    case 0x14: return eq(cx);
    case 0x15: return iszero(cx);
    case 0x16: return limbwise(cx, "and");
    case 0x17: return limbwise(cx, "or");
    case 0x18: return limbwise(cx, "xor");
    case 0x19: return not(cx);
    case 0x1a: return byte(cx);
    case 0x1b: return shift(cx, "shl");
    case 0x1c: return shift(cx, "shr");
    case 0x1d: return shift(cx, "sar");
    case 0x1e: return clz(cx);
  }
  return false;
}

/** i32: a < b over four limbs (signed: the top limb compares signed). Limbs known zero on both sides drop out. */
function lessThan(cx: Lowerer, a: Val, b: Val, isSigned: boolean): Expr {
  const m = cx.m;
  let r: Expr | null = null;
  for (let i = 0; i < 4; i++) {
    if (cx.zeroLimb(a, i) && cx.zeroLimb(b, i)) continue;
    const lt = i === 3 && isSigned ? m.i64.lt_s(cx.limb(a, i), cx.limb(b, i)) : m.i64.lt_u(cx.limb(a, i), cx.limb(b, i));
    r = r === null ? lt : m.i32.or(lt, m.i32.and(m.i64.eq(cx.limb(a, i), cx.limb(b, i)), r));
  }
  return r ?? cx.c32(0);
}

function compare(cx: Lowerer, swapped: boolean, isSigned: boolean, fold: (a: bigint, b: bigint) => boolean): boolean {
  const a = cx.pop(), b = cx.pop();
  if (a.k === "c" && b.k === "c") {
    cx.push(cx.const(fold(a.v, b.v) ? 1n : 0n));
    return true;
  }
  cx.materialise(a);
  cx.materialise(b);
  const r = cx.fromBool(swapped ? lessThan(cx, b, a, isSigned) : lessThan(cx, a, b, isSigned));
  cx.drop(a);
  cx.drop(b);
  cx.push(r);
  return true;
}

function eq(cx: Lowerer): boolean {
  const m = cx.m;
  const a = cx.pop(), b = cx.pop();
  if (a.k === "c" && b.k === "c") {
    cx.push(cx.const(a.v === b.v ? 1n : 0n));
    return true;
  }
  let x: Expr | null = null;
  for (let i = 0; i < 4; i++) {
    if (cx.zeroLimb(a, i) && cx.zeroLimb(b, i)) continue;
    const d = m.i64.xor(cx.limb(a, i), cx.limb(b, i));
    x = x === null ? d : m.i64.or(x, d);
  }
  const r = cx.fromBool(x === null ? cx.c32(1) : m.i64.eqz(x));
  cx.drop(a);
  cx.drop(b);
  cx.push(r);
  return true;
}

function iszero(cx: Lowerer): boolean {
  const a = cx.pop();
  if (a.k === "c") {
    cx.push(cx.const(a.v === 0n ? 1n : 0n));
    return true;
  }
  const r = cx.fromBool(cx.m.i32.eqz(cx.nonZero(a)));
  cx.drop(a);
  cx.push(r);
  return true;
}

function limbwise(cx: Lowerer, kind: "and" | "or" | "xor"): boolean {
  const m = cx.m;
  const a = cx.pop(), b = cx.pop();
  if (a.k === "c" && b.k === "c") {
    cx.push(cx.const(kind === "and" ? a.v & b.v : kind === "or" ? a.v | b.v : a.v ^ b.v));
    return true;
  }
  const limbs: (Expr | null)[] = [];
  for (let i = 0; i < 4; i++) {
    const za = cx.zeroLimb(a, i), zb = cx.zeroLimb(b, i);
    if (kind === "and") {
      if (za || zb) limbs.push(null);
      else if (a.k === "c" && ((a.v >> BigInt(64 * i)) & M64) === M64) limbs.push(cx.limb(b, i));
      else if (b.k === "c" && ((b.v >> BigInt(64 * i)) & M64) === M64) limbs.push(cx.limb(a, i));
      else limbs.push(m.i64.and(cx.limb(a, i), cx.limb(b, i)));
    } else {
      if (za && zb) limbs.push(null);
      else if (za) limbs.push(cx.limb(b, i));
      else if (zb) limbs.push(cx.limb(a, i));
      else limbs.push(kind === "or" ? m.i64.or(cx.limb(a, i), cx.limb(b, i)) : m.i64.xor(cx.limb(a, i), cx.limb(b, i)));
    }
  }
  const r = cx.fromLimbs(limbs);
  cx.drop(a);
  cx.drop(b);
  cx.push(r);
  return true;
}

function not(cx: Lowerer): boolean {
  const a = cx.pop();
  if (a.k === "c") {
    cx.push(cx.const(M ^ a.v));
    return true;
  }
  const r = cx.fromLimbs([0, 1, 2, 3].map((i) => cx.m.i64.xor(cx.limb(a, i), cx.c64(M64))));
  cx.drop(a);
  cx.push(r);
  return true;
}

function byte(cx: Lowerer): boolean {
  const m = cx.m;
  const i = cx.pop(), x = cx.pop();
  if (i.k === "c") {
    if (i.v >= 32n) cx.push(cx.const(0n));
    else if (x.k === "c") cx.push(cx.const((x.v >> (248n - i.v * 8n)) & 0xffn));
    else {
      const n = Number(i.v);
      const limb = 3 - (n >> 3), shift = 56 - 8 * (n & 7);
      cx.push(cx.fromU64(m.i64.and(m.i64.shr_u(cx.limb(x, limb), cx.c64(BigInt(shift))), cx.c64(0xffn))));
    }
    cx.drop(x);
    return true;
  }
  cx.materialise(i);
  cx.materialise(x);
  let hi = m.i64.shr_u(cx.limb(i, 0), cx.c64(5n)); // nonzero when i >= 32
  for (let k = 1; k < 4; k++) hi = m.i64.or(hi, cx.limb(i, k));
  const q = () => m.i64.shr_u(cx.limb(i, 0), cx.c64(3n)); // byte 0..7 is in limb 3
  const sel = m.select(m.i64.eq(q(), cx.c64(0n)), cx.limb(x, 3),
    m.select(m.i64.eq(q(), cx.c64(1n)), cx.limb(x, 2), m.select(m.i64.eq(q(), cx.c64(2n)), cx.limb(x, 1), cx.limb(x, 0))));
  const shift = m.i64.sub(cx.c64(56n), m.i64.shl(m.i64.and(cx.limb(i, 0), cx.c64(7n)), cx.c64(3n)));
  const v = m.i64.and(m.i64.shr_u(sel, shift), cx.c64(0xffn));
  const r = cx.fromU64(m.select(m.i64.ne(hi, cx.c64(0n)), cx.c64(0n), v));
  cx.drop(i);
  cx.drop(x);
  cx.push(r);
  return true;
}

/** Limbs of a shift by a constant amount 0 < s < 256. */
function constShift(cx: Lowerer, kind: "shl" | "shr" | "sar", x: Val, s: number): (Expr | null)[] {
  const m = cx.m;
  const q = s >> 6, r = BigInt(s & 63);
  const out: (Expr | null)[] = [];
  const sign = () => m.i64.shr_s(cx.limb(x, 3), cx.c64(63n));
  for (let i = 0; i < 4; i++) {
    if (kind === "shl") {
      const j = i - q;
      if (j < 0) {
        out.push(null);
        continue;
      }
      let e = r === 0n ? cx.limb(x, j) : m.i64.shl(cx.limb(x, j), cx.c64(r));
      if (r !== 0n && j - 1 >= 0) e = m.i64.or(e, m.i64.shr_u(cx.limb(x, j - 1), cx.c64(64n - r)));
      out.push(e);
    } else {
      const j = i + q;
      const arith = kind === "sar";
      if (j > 3) {
        out.push(arith ? sign() : null);
        continue;
      }
      let e: Expr;
      if (j === 3) e = r === 0n ? cx.limb(x, 3) : arith ? m.i64.shr_s(cx.limb(x, 3), cx.c64(r)) : m.i64.shr_u(cx.limb(x, 3), cx.c64(r));
      else {
        e = r === 0n ? cx.limb(x, j) : m.i64.shr_u(cx.limb(x, j), cx.c64(r));
        if (r !== 0n) e = m.i64.or(e, m.i64.shl(cx.limb(x, j + 1), cx.c64(64n - r)));
      }
      out.push(e);
    }
  }
  return out;
}

function shift(cx: Lowerer, kind: "shl" | "shr" | "sar"): boolean {
  const m = cx.m;
  const n = cx.pop(), x0 = cx.pop();
  if (n.k === "c" && x0.k === "c") {
    const s = n.v;
    let v: bigint;
    if (kind === "shl") v = s < 256n ? (x0.v << s) & M : 0n;
    else if (kind === "shr") v = s < 256n ? x0.v >> s : 0n;
    else v = s < 256n ? (toSigned(x0.v) >> s) & M : x0.v >= SIGN ? M : 0n;
    cx.push(cx.const(v));
    return true;
  }
  const x = cx.materialise(x0);
  if (n.k === "c") {
    const s = n.v >= 256n ? (kind === "sar" ? 255 : 256) : Number(n.v);
    if (s === 0) {
      cx.push(x);
      cx.drop(x);
      return true;
    }
    const r = s === 256 ? cx.const(0n) : cx.fromLimbs(constShift(cx, kind, x, s));
    // SAR by 192 or more leaves a 64-bit signed value: limbs 1-3 are limb 0's sign.
    if (kind === "sar" && s >= 192 && r.k === "l") r.signed64 = true;
    cx.drop(x);
    cx.push(r);
    return true;
  }
  const nm = cx.materialise(n);
  let hi = m.i64.shr_u(cx.limb(nm, 0), cx.c64(8n)); // nonzero when n >= 256
  for (let k = 1; k < 4; k++) hi = m.i64.or(hi, cx.limb(nm, k));
  const big = cx.local();
  cx.emit(cx.set(big, m.i64.extend_u(m.i64.ne(hi, cx.c64(0n)))));
  const bigI32 = () => m.i64.ne(cx.get(big), cx.c64(0n));
  // Amount as i32; past 255 a logical shift gives 0 (selected below) and an arithmetic one behaves as 255.
  const amount = m.select(bigI32(), cx.c32(kind === "sar" ? 255 : 0), m.i32.wrap(cx.limb(nm, 0)));
  for (let i = 0; i < 4; i++) cx.emit(m.i64.store(32 + 8 * i, 8, cx.c32(SHIFT_AREA), cx.limb(x, i)));
  if (kind === "shl") cx.emit(m.call("shift_left", [amount], cx.none));
  else {
    const fill = kind === "sar" ? m.i64.shr_s(cx.limb(x, 3), cx.c64(63n)) : cx.c64(0n);
    cx.emit(m.call("shift_right", [amount, fill], cx.none));
  }
  const limbs = [0, 1, 2, 3].map((i) => {
    const v = m.i64.load(8 * i, 8, cx.c32(SCRATCH_OUT));
    return kind === "sar" ? v : m.select(bigI32(), cx.c64(0n), v);
  });
  const r = cx.fromLimbs(limbs);
  cx.release(big);
  cx.drop(nm);
  cx.drop(x);
  cx.push(r);
  return true;
}

function clz(cx: Lowerer): boolean {
  const m = cx.m;
  const a = cx.pop();
  if (a.k === "c") {
    cx.push(cx.const(a.v === 0n ? 256n : BigInt(256 - a.v.toString(2).length)));
    return true;
  }
  cx.materialise(a);
  // From the top limb down: the first nonzero limb decides.
  let e: Expr = m.i64.add(cx.c64(192n), m.i64.clz(cx.limb(a, 0))); // clz(0) = 64 gives 256 when all are zero
  for (let i = 1; i < 4; i++) {
    e = m.select(m.i64.ne(cx.limb(a, i), cx.c64(0n)), m.i64.add(cx.c64(BigInt(192 - 64 * i)), m.i64.clz(cx.limb(a, i))), e);
  }
  const r = cx.fromU64(e);
  cx.drop(a);
  cx.push(r);
  return true;
}
