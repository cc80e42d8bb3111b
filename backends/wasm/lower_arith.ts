/**
 * Lowering of arithmetic: ADD and SUB inline as carry chains over four i64
 * limbs, SIGNEXTEND inline, the rest through the u256 runtime helpers
 * (operands in scratch words, result read back into locals).
 */
import type { Instr } from "./analysis.ts";
import { type Expr, type Lowerer, type Val } from "./lower_context.ts";
import { lowerBitwise } from "./lower_bitwise.ts";
import { toSigned } from "../../src/primitives/u256.ts";
import { expCost } from "../../src/evm/gas.ts";
import { SCRATCH_A, SCRATCH_B, SCRATCH_C, SCRATCH_OUT, SCRATCH_OUT2 } from "./layout.ts";
import { U256_SCRATCH_FUNCS } from "./runtime/entry_points.ts";

const M = (1n << 256n) - 1n;
/** The runtime's scratch variants (operands in SCRATCH_A, B, C; result in SCRATCH_OUT) by opcode. */
const RUNTIME_BINARY: Record<number, string> = {
  0x02: U256_SCRATCH_FUNCS.mul, 0x04: U256_SCRATCH_FUNCS.div, 0x05: U256_SCRATCH_FUNCS.sdiv,
  0x06: U256_SCRATCH_FUNCS.mod, 0x07: U256_SCRATCH_FUNCS.smod, 0x0a: U256_SCRATCH_FUNCS.exp,
};

export function lowerArith(cx: Lowerer, ins: Instr): boolean {
  switch (ins.op) {
    case 0x01: return binary(cx, add, (a, b) => (a + b) & M);
    case 0x03: return binary(cx, sub, (a, b) => (a - b) & M);
    case 0x02:
      return mulOfKnownProduct(cx) || mulByConstant(cx) || multiplication(cx);
    case 0x04: case 0x05: case 0x06: case 0x07:
      return division(cx, ins.op);
    case 0x08: return runtimeCall(cx, U256_SCRATCH_FUNCS.addmod, 3);
    case 0x09: return mulmodMax(cx) || runtimeCall(cx, U256_SCRATCH_FUNCS.mulmod, 3);
    case 0x0a: return exp(cx);
    case 0x0b: return signextend(cx);
  }
  return false;
}

/** Pops a (top) and b, pushes f(a, b); folds constants. */
function binary(cx: Lowerer, f: (cx: Lowerer, a: Val, b: Val) => Val, fold: (a: bigint, b: bigint) => bigint): boolean {
  const a = cx.pop(), b = cx.pop();
  if (a.k === "c" && b.k === "c") {
    cx.push(cx.const(fold(a.v, b.v)));
    return true;
  }
  const r = f(cx, cx.materialise(a), cx.materialise(b));
  cx.drop(a);
  cx.drop(b);
  cx.push(r);
  return true;
}

/**
 * Carry chain over the limbs, skipping the work for limbs known to be zero in one or both operands (common:
 * offsets and counters below 2^64); the result's limbs above both operands' are known zero but for a carry.
 */
function add(cx: Lowerer, a: Val, b: Val): Val {
  const m = cx.m;
  const r: number[] = [];
  let carry = -1; // local holding the carry into this limb (0 or 1); -1: none
  const temps: number[] = [];
  const temp = () => {
    const t = cx.local();
    temps.push(t);
    return t;
  };
  for (let i = 0; i < 4; i++) {
    const last = i === 3;
    const az = cx.zeroLimb(a, i), bz = cx.zeroLimb(b, i);
    if (az && bz) {
      r.push(carry < 0 ? -1 : carry);
      if (carry >= 0) temps.splice(temps.indexOf(carry), 1); // the carry local becomes the result limb
      carry = -1;
      continue;
    }
    const x = cx.local();
    r.push(x);
    if (az || bz) {
      const y = () => (az ? cx.limb(b, i) : cx.limb(a, i));
      if (carry < 0) cx.emit(cx.set(x, y()));
      else {
        cx.emit(cx.set(x, m.i64.add(y(), cx.get(carry))));
        if (!last) cx.emit(cx.set(carry, m.i64.extend_u(m.i64.lt_u(cx.get(x), cx.get(carry)))));
      }
      continue;
    }
    if (carry < 0) {
      cx.emit(cx.set(x, m.i64.add(cx.limb(a, i), cx.limb(b, i))));
      if (!last) {
        carry = temp();
        cx.emit(cx.set(carry, m.i64.extend_u(m.i64.lt_u(cx.get(x), cx.limb(a, i)))));
      }
    } else if (last) {
      cx.emit(cx.set(x, m.i64.add(m.i64.add(cx.limb(a, i), cx.limb(b, i)), cx.get(carry))));
    } else {
      const t = temp();
      cx.emit(cx.set(t, m.i64.add(cx.limb(a, i), cx.limb(b, i))));
      cx.emit(cx.set(x, m.i64.add(cx.get(t), cx.get(carry))));
      cx.emit(cx.set(carry, m.i64.or(
        m.i64.extend_u(m.i64.lt_u(cx.get(t), cx.limb(a, i))),
        m.i64.extend_u(m.i64.lt_u(cx.get(x), cx.get(t))),
      )));
    }
  }
  for (const t of temps) cx.release(t);
  return { k: "l", l: r, rc: 0 };
}

/** Borrow chain; a limb of b known to be zero only propagates the borrow. */
function sub(cx: Lowerer, a: Val, b: Val): Val {
  const m = cx.m;
  const r = [cx.local(), cx.local(), cx.local(), cx.local()];
  let bw = -1; // local holding the borrow into this limb; -1: none
  const t = cx.local();
  const bwLocal = cx.local();
  for (let i = 0; i < 4; i++) {
    const last = i === 3;
    if (cx.zeroLimb(b, i)) {
      if (bw < 0) cx.emit(cx.set(r[i], cx.limb(a, i)));
      else {
        cx.emit(cx.set(r[i], m.i64.sub(cx.limb(a, i), cx.get(bw))));
        if (!last) cx.emit(cx.set(bw, m.i64.extend_u(m.i64.lt_u(cx.limb(a, i), cx.get(bw)))));
      }
      continue;
    }
    if (bw < 0) {
      cx.emit(cx.set(r[i], m.i64.sub(cx.limb(a, i), cx.limb(b, i))));
      if (!last) {
        bw = bwLocal;
        cx.emit(cx.set(bw, m.i64.extend_u(m.i64.lt_u(cx.limb(a, i), cx.limb(b, i)))));
      }
    } else if (last) {
      cx.emit(cx.set(r[i], m.i64.sub(m.i64.sub(cx.limb(a, i), cx.limb(b, i)), cx.get(bw))));
    } else {
      cx.emit(cx.set(t, m.i64.sub(cx.limb(a, i), cx.limb(b, i))));
      cx.emit(cx.set(r[i], m.i64.sub(cx.get(t), cx.get(bw))));
      cx.emit(cx.set(bw, m.i64.or(
        m.i64.extend_u(m.i64.lt_u(cx.limb(a, i), cx.limb(b, i))),
        m.i64.extend_u(m.i64.lt_u(cx.get(t), cx.get(bw))),
      )));
    }
  }
  cx.release(t);
  cx.release(bwLocal);
  return { k: "l", l: r, rc: 0 };
}

const MIN64 = -(1n << 63n);

/** DIV, SDIV, MOD, SMOD of two constants (x / 0 and x % 0 are 0; signed results truncate toward zero). */
function foldDivision(op: number, a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  switch (op) {
    case 0x04: return a / b;
    case 0x06: return a % b;
    case 0x05: return (toSigned(a) / toSigned(b)) & M;
    default: return (toSigned(a) % toSigned(b)) & M;
  }
}

/** Whether a word is a 64-bit value: unsigned (upper limbs zero) or signed (upper limbs the sign of limb 0). */
function fits64(v: bigint, signed: boolean): boolean {
  return signed ? toSigned(v) >= MIN64 && toSigned(v) < -MIN64 : v < 1n << 64n;
}

/**
 * DIV, SDIV, MOD and SMOD: when both operands are 64-bit values (checked at run time unless known),
 * one i64 instruction inline; otherwise the runtime's 256-bit division. Signed division also leaves
 * -2^63 / -1 (whose quotient does not fit) to the runtime.
 */
function division(cx: Lowerer, op: number): boolean {
  const m = cx.m;
  const signed = op === 0x05 || op === 0x07, rem = op === 0x06 || op === 0x07;
  const a0 = cx.pop(), b0 = cx.pop();
  if (a0.k === "c" && b0.k === "c") {
    cx.push(cx.const(foldDivision(op, a0.v, b0.v)));
    return true;
  }
  // (2^255 is negative to SDIV.)
  if (b0.k === "c" && b0.v > 1n && (b0.v & (b0.v - 1n)) === 0n && op !== 0x07 && !(op === 0x05 && b0.v >> 255n)) {
    cx.drop(b0);
    byPowerOfTwo(cx, op, a0, BigInt(b0.v.toString(2).length - 1));
    return true;
  }
  const a = cx.materialise(a0), b = cx.materialise(b0);
  const r = [cx.local(), cx.local(), cx.local(), cx.local()];
  const slow = runtimeInto(cx, RUNTIME_BINARY[op], a, b, r);
  const fits = fitTest(cx, [a, b].map((x) => word64(cx, x, signed)));
  if (fits === false) {
    cx.emit(slow);
  } else {
    let ok: Expr = fits === true ? cx.c32(1) : fits;
    if (op === 0x05) ok = m.i32.and(ok, m.i64.ne(cx.limb(a, 0), cx.c64(MIN64)));
    const fast = cx.capture(() => {
      const x = cx.limb(a, 0), y = () => cx.limb(b, 0);
      const zero = () => m.i64.eqz(y());
      const divisor = m.select(zero(), cx.c64(1n), y());
      const f = signed ? (rem ? m.i64.rem_s : m.i64.div_s) : (rem ? m.i64.rem_u : m.i64.div_u);
      cx.emit(cx.set(r[0], m.select(zero(), cx.c64(0n), f(x, divisor))));
      for (let i = 1; i < 4; i++) cx.emit(cx.set(r[i], signed ? m.i64.shr_s(cx.get(r[0]), cx.c64(63n)) : cx.c64(0n)));
    });
    cx.emit(m.if(ok, fast, slow));
  }
  cx.drop(a);
  cx.drop(b);
  cx.push({ k: "l", l: r, rc: 0 });
  return true;
}

/**
 * DIV, MOD and SDIV by a constant 2^k (k >= 1), as the equivalent shifts and masks, lowered by the bitwise
 * instructions' own code on the virtual stack (Solidity and hand-written code divide by powers of two to
 * shift): DIV is SHR k, MOD is AND 2^k - 1, SDIV rounds toward zero: SAR k of a + (2^k - 1 if a < 0).
 */
function byPowerOfTwo(cx: Lowerer, op: number, a: Val, k: bigint): void {
  const run = (o: number) => {
    if (!lowerBitwise(cx, { pc: cx.pc, op: o, imm: 0n }) && !lowerArith(cx, { pc: cx.pc, op: o, imm: 0n })) {
      throw new Error(`compiler: no lowering for opcode 0x${o.toString(16)}`);
    }
  };
  cx.push(a);
  cx.drop(a); // pushed back: the stack's reference replaces the one popped
  if (op === 0x04) {
    cx.push(cx.const(k));
    run(0x1c); // SHR
  } else if (op === 0x06) {
    cx.push(cx.const((1n << k) - 1n));
    run(0x16); // AND
  } else {
    cx.push(cx.peek(0)); // a, a
    cx.push(cx.const(255n));
    run(0x1d); // a, (a < 0 ? -1 : 0)
    cx.push(cx.const((1n << k) - 1n));
    run(0x16); // a, bias
    run(0x01); // a + bias
    cx.push(cx.const(k));
    run(0x1d); // SAR k
  }
}

/**
 * MUL with a constant operand: of two constants, their product; by 0, 0; by 2^k, SHL k on the virtual stack
 * (code written by hand, and older compilers' packing of fields, multiply by powers of two to shift).
 */
function mulByConstant(cx: Lowerer): boolean {
  const a = cx.peek(0), b = cx.peek(1);
  const c = a.k === "c" ? a : b.k === "c" ? b : undefined;
  if (c === undefined) return false;
  const other = c === a ? b : a;
  if (other.k === "c") {
    cx.pop();
    cx.pop();
    cx.push(cx.const((c.v * other.v) & M));
    return true;
  }
  if (c.v !== 0n && (c.v & (c.v - 1n)) !== 0n) return false;
  cx.pop();
  cx.pop();
  if (c.v === 0n) {
    cx.drop(other);
    cx.push(cx.const(0n));
    return true;
  }
  cx.push(other);
  cx.drop(other); // pushed back: the stack's reference replaces the one popped
  cx.push(cx.const(BigInt(c.v.toString(2).length - 1)));
  if (!lowerBitwise(cx, { pc: cx.pc, op: 0x1b, imm: 0n })) throw new Error("compiler: no lowering for SHL");
  return true;
}

/**
 * MUL where an operand is known to be a 64-bit value (a constant, a masked value, a signed value from SAR or
 * SIGNEXTEND): when the other is one too (checked at run time unless known), unsigned or signed as the known
 * one, the 128-bit product inline; otherwise the runtime's 256-bit product, as for operands nothing is known of
 * (a test at every MUL costs code whose products are wide more than it saves the rest). Fixed-point code
 * multiplies small signed values this way (an on-chain model's dot products of int8 and int16 weights).
 */
function multiplication(cx: Lowerer): boolean {
  const m = cx.m;
  // Values still in their stack slots stay there (the test reads their limbs, the runtime call copies them): in
  // locals they would all be live across the call.
  const a = cx.pop(), b = cx.pop();
  const r = [cx.local(), cx.local(), cx.local(), cx.local()];
  const slow = () => runtimeInto(cx, RUNTIME_BINARY[0x02], a, b, r);
  const product = (signed: boolean) =>
    cx.capture(() => {
      cx.emit(mulWide64(cx, a, b, r[0], r[1], signed));
      cx.emit(cx.set(r[2], signed ? m.i64.shr_s(cx.get(r[1]), cx.c64(63n)) : cx.c64(0n)));
      cx.emit(cx.set(r[3], signed ? cx.get(r[2]) : cx.c64(0n)));
    });
  const unsigned = [a, b].map((x) => word64(cx, x, false)), signed = [a, b].map((x) => word64(cx, x, true));
  if (unsigned[0] === true && unsigned[1] === true) {
    cx.emit(mulWide64(cx, a, b, r[0], r[1], false));
    cx.release(r[2]);
    cx.release(r[3]);
    r[2] = r[3] = -1;
  } else if (signed[0] === true && signed[1] === true) {
    cx.emit(product(true));
  } else {
    // The known operand's kind (signed first: it takes negative values too); the other is tested.
    const asSigned = signed.includes(true), fits = asSigned ? signed : unsigned;
    const test = fits.includes(true) ? fitTest(cx, fits) : false;
    if (typeof test === "boolean") cx.emit(slow());
    else cx.emit(m.if(test, product(asSigned), slow()));
  }
  cx.drop(a);
  cx.drop(b);
  cx.push({ k: "l", l: r, rc: 0 });
  return true;
}

/**
 * Whether x is a 64-bit value, unsigned (limbs 1-3 zero) or signed (limbs 1-3 copies of limb 0's sign): true or
 * false when known, else an i64 expression that is zero when it is.
 */
function word64(cx: Lowerer, x: Val, signed: boolean): boolean | Expr {
  const m = cx.m;
  if (x.k === "c") return fits64(x.v, signed);
  if (signed && x.k === "l" && x.signed64) return true;
  const upperZero = cx.zeroLimb(x, 1) && cx.zeroLimb(x, 2) && cx.zeroLimb(x, 3);
  if (!signed) {
    if (upperZero) return true;
    let e: Expr | null = null;
    for (let i = 1; i < 4; i++) if (!cx.zeroLimb(x, i)) e = e === null ? cx.limb(x, i) : m.i64.or(e, cx.limb(x, i));
    return e!;
  }
  const sign = () => m.i64.shr_s(cx.limb(x, 0), cx.c64(63n));
  if (upperZero) return sign();
  let e = m.i64.xor(cx.limb(x, 1), sign());
  for (let i = 2; i < 4; i++) e = m.i64.or(e, m.i64.xor(cx.limb(x, i), sign()));
  return e;
}

/** Whether every one of `fits` (word64's answers) holds: true or false when known, else an i32 test. */
function fitTest(cx: Lowerer, fits: (boolean | Expr)[]): boolean | Expr {
  if (fits.includes(false)) return false;
  const checks = fits.filter((f): f is Expr => f !== true);
  if (checks.length === 0) return true;
  return cx.m.i64.eqz(checks.reduce((x, y) => cx.m.i64.or(x, y)));
}

/** The runtime's scratch variant `fn` of a and b (scratch words A and B), its result into the locals r. */
function runtimeInto(cx: Lowerer, fn: string, a: Val, b: Val, r: number[]): Expr {
  return cx.capture(() => {
    cx.storeWord(SCRATCH_A, a);
    cx.storeWord(SCRATCH_B, b);
    cx.emit(cx.m.call(fn, [], cx.none));
    for (let i = 0; i < 4; i++) cx.emit(cx.set(r[i], cx.m.i64.load(8 * i, 8, cx.c32(SCRATCH_OUT))));
  });
}

/**
 * lo, hi = limb 0 of a times limb 0 of b, a 128-bit product, unsigned or (`signed`) of the limbs as signed
 * values: the unsigned high half from four 32x32-bit products, less y when x < 0 and x when y < 0 for the signed.
 */
function mulWide64(cx: Lowerer, a: Val, b: Val, lo: number, hi: number, signed: boolean): Expr {
  const m = cx.m, k = (v: bigint) => cx.c64(v);
  const low32 = (e: Expr) => m.i64.and(e, k(0xffffffffn)), high32 = (e: Expr) => m.i64.shr_u(e, k(32n));
  const t = cx.local(), w = cx.local();
  const temps = [t, w];
  const body: Expr[] = [];
  // Limb 0 of a value in its stack slot into a local, read once.
  const limb0 = (v: Val) => {
    if (v.k !== "m") return () => cx.limb(v, 0);
    const l = cx.local();
    temps.push(l);
    body.push(cx.set(l, cx.limb(v, 0)));
    return () => cx.get(l);
  };
  const x = limb0(a), y = limb0(b);
  body.push(
    // t = xh*yl + (xl*yl >> 32); w = (t mod 2^32) + xl*yh; hi = xh*yh + (t >> 32) + (w >> 32): no sum overflows.
    cx.set(t, m.i64.add(m.i64.mul(high32(x()), low32(y())), high32(m.i64.mul(low32(x()), low32(y()))))),
    cx.set(w, m.i64.add(low32(cx.get(t)), m.i64.mul(low32(x()), high32(y())))),
    cx.set(hi, m.i64.add(m.i64.add(m.i64.mul(high32(x()), high32(y())), high32(cx.get(t))), high32(cx.get(w)))),
    cx.set(lo, m.i64.mul(x(), y())),
  );
  if (signed) {
    const sign = (e: Expr) => m.i64.shr_s(e, k(63n));
    body.push(cx.set(hi, m.i64.sub(m.i64.sub(cx.get(hi), m.i64.and(sign(x()), y())), m.i64.and(sign(y()), x()))));
  }
  for (const l of temps) cx.release(l);
  return m.block(null, body, cx.none);
}

/** Pops n operands (top first) into scratch words A, B, C; calls fn, the scratch variant; pushes OUT. */
function runtimeCall(cx: Lowerer, fn: string, n: number): boolean {
  const addrs = [SCRATCH_A, SCRATCH_B, SCRATCH_C].slice(0, n);
  const vals = addrs.map(() => cx.pop());
  vals.forEach((v, i) => cx.storeWord(addrs[i], v));
  vals.forEach((v) => cx.drop(v));
  cx.emit(cx.m.call(fn, [], cx.none));
  cx.push(cx.loadWord(SCRATCH_OUT));
  return true;
}

/**
 * MULMOD by the constant 2^256 - 1, which 512-bit mulDiv code (Uniswap's FullMath and its copies) computes
 * before the MUL of the same operands: one runtime call gives both, and the product is kept for that MUL.
 */
function mulmodMax(cx: Lowerer): boolean {
  const n = cx.peek(2);
  if (n.k !== "c" || n.v !== M) return false;
  const a = cx.pop(), b = cx.pop();
  cx.drop(cx.pop());
  cx.storeWord(SCRATCH_A, a);
  cx.storeWord(SCRATCH_B, b);
  cx.emit(cx.m.call(U256_SCRATCH_FUNCS.mulmodMax, [], cx.none));
  const result = cx.loadWord(SCRATCH_OUT);
  cx.knownProducts.push({ a, b, product: cx.keep(cx.loadWord(SCRATCH_OUT2)) });
  cx.drop(a);
  cx.drop(b);
  cx.push(result);
  return true;
}

/** MUL of the operands of an earlier mulmodMax in this block (the same values, in either order): its product. */
function mulOfKnownProduct(cx: Lowerer): boolean {
  const a = cx.peek(0), b = cx.peek(1);
  const known = cx.knownProducts.find((p) => (p.a === a && p.b === b) || (p.a === b && p.b === a));
  if (!known) return false;
  cx.drop(cx.pop());
  cx.drop(cx.pop());
  cx.push(cx.fromLimbs([0, 1, 2, 3].map((i) => cx.limb(known.product, i))));
  return true;
}

/** EXP: dynamic gas per byte of the exponent, charged before the result is computed. */
function exp(cx: Lowerer): boolean {
  const e = cx.peek(1);
  if (e.k === "c") cx.chargeConst(expCost(cx.rules, e.v));
  else {
    cx.storeWord(SCRATCH_B, e);
    const len = cx.m.call("u256_byte_len", [cx.c32(SCRATCH_B)], cx.i32);
    cx.chargeDynamic(cx.m.i64.mul(cx.m.i64.extend_u(len), cx.c64(BigInt(cx.rules.expByteGas))));
  }
  return runtimeCall(cx, U256_SCRATCH_FUNCS.exp, 2);
}

function signextend(cx: Lowerer): boolean {
  const m = cx.m;
  const b = cx.pop(), x0 = cx.pop();
  if (b.k === "c" && x0.k === "c") {
    let v = x0.v;
    if (b.v < 31n) {
      const bit = b.v * 8n + 7n;
      const mask = (1n << (bit + 1n)) - 1n;
      v = (v >> bit) & 1n ? (v | ~mask) & M : v & mask;
    }
    cx.push(cx.const(v));
    return true;
  }
  const x = cx.materialise(x0);
  if (b.k === "c") {
    if (b.v >= 31n) {
      cx.push(x);
      cx.drop(x);
      return true;
    }
    const t = Number(b.v) * 8 + 7, q = t >> 6, s = BigInt(63 - (t & 63));
    const e = cx.local();
    cx.emit(cx.set(e, m.i64.shr_s(m.i64.shl(cx.limb(x, q), cx.c64(s)), cx.c64(s))));
    const limbs: (Expr | null)[] = [];
    for (let i = 0; i < 4; i++) {
      limbs.push(i < q ? cx.limb(x, i) : i === q ? cx.get(e) : m.i64.shr_s(cx.get(e), cx.c64(63n)));
    }
    const r = cx.fromLimbs(limbs);
    // From a byte below the eighth, limbs 1-3 are limb 0's sign.
    if (q === 0 && r.k === "l") r.signed64 = true;
    cx.release(e);
    cx.drop(x);
    cx.push(r);
    return true;
  }
  const bm = cx.materialise(b);
  // big: b >= 31, the value is unchanged.
  let hi = cx.limb(bm, 1);
  for (let i = 2; i < 4; i++) hi = m.i64.or(hi, cx.limb(bm, i));
  const big = cx.local(), tq = cx.local(), s = cx.local(), e = cx.local(), sign = cx.local();
  cx.emit(cx.set(big, m.i64.extend_u(m.i32.or(m.i64.ne(hi, cx.c64(0n)), m.i64.ge_u(cx.limb(bm, 0), cx.c64(31n))))));
  // t = 8b + 7 (only meaningful when not big); q = t >> 6; s = 63 - (t & 63)
  cx.emit(cx.set(tq, m.i64.add(m.i64.shl(m.i64.and(cx.limb(bm, 0), cx.c64(31n)), cx.c64(3n)), cx.c64(7n))));
  cx.emit(cx.set(s, m.i64.sub(cx.c64(63n), m.i64.and(cx.get(tq), cx.c64(63n)))));
  cx.emit(cx.set(tq, m.i64.shr_u(cx.get(tq), cx.c64(6n))));
  const q = () => cx.get(tq);
  const xq = m.select(m.i64.eq(q(), cx.c64(0n)), cx.limb(x, 0),
    m.select(m.i64.eq(q(), cx.c64(1n)), cx.limb(x, 1), m.select(m.i64.eq(q(), cx.c64(2n)), cx.limb(x, 2), cx.limb(x, 3))));
  cx.emit(cx.set(e, m.i64.shr_s(m.i64.shl(xq, cx.get(s)), cx.get(s))));
  cx.emit(cx.set(sign, m.i64.shr_s(cx.get(e), cx.c64(63n))));
  const limbs: Expr[] = [];
  for (let i = 0; i < 4; i++) {
    const ext = m.select(m.i64.lt_u(cx.c64(BigInt(i)), q()), cx.limb(x, i),
      m.select(m.i64.eq(cx.c64(BigInt(i)), q()), cx.get(e), cx.get(sign)));
    limbs.push(m.select(m.i64.ne(cx.get(big), cx.c64(0n)), cx.limb(x, i), ext));
  }
  const r = cx.fromLimbs(limbs);
  for (const l of [big, tq, s, e, sign]) cx.release(l);
  cx.drop(bm);
  cx.drop(x);
  cx.push(r);
  return true;
}
