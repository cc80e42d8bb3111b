// 256-bit multiplication on 64-bit limbs, column by column. The low half of a limb product is a plain
// i64.mul; the high half is one i64.mul_wide_u in wide-arithmetic builds, otherwise (WebAssembly MVP has no
// 64x64->128 multiply) four 32x32 products.
import binaryen from "../binaryen.ts";
import { BuildOptions, entryFn, Fn, Local, Ops, Word, X } from "./ir.ts";

/** Locals a product needs; allocate once per function and reuse for every product it emits. */
export class MulScratch {
  readonly aLo: Local[];
  readonly aHi: Local[];
  readonly bLo: Local[];
  readonly bHi: Local[];
  readonly column: Local[];
  readonly term: Local;
  readonly t: Local;
  readonly w: Local;
  readonly carry: Local;
  constructor(f: Fn) {
    this.aLo = f.i64s(4);
    this.aHi = f.i64s(4);
    this.bLo = f.i64s(4);
    this.bHi = f.i64s(4);
    this.column = f.i64s(8);
    this.term = f.i64();
    this.t = f.i64();
    this.w = f.i64();
    this.carry = f.i32();
  }
}

/**
 * Emits out = a * b, keeping the low `out.length` limbs: 4 for the product mod 2^256, 8 for the full
 * 512-bit product. `out` may be `a` or `b`. With `aLimbs` (and `bLimbs`, by default the same) below 4, a is
 * taken to be below 2^(64 aLimbs) and b below 2^(64 bLimbs) (their upper limbs are not read), and out has at
 * most aLimbs + bLimbs limbs.
 */
export function emitMul(
  o: Ops,
  s: MulScratch,
  a: Word,
  b: Word,
  out: readonly Local[],
  aLimbs = 4,
  bLimbs = aLimbs,
): X[] {
  const limbs = out.length;
  const square = a === b && aLimbs === bLimbs;
  const bLo = square ? s.aLo : s.bLo, bHi = square ? s.aHi : s.bHi;
  const body: X[] = [];
  // Halves are needed only for the limbs that take part in a high-half product: limb i's with b_0 lands in
  // column i + 1, which must be one of the kept limbs.
  const aHalves = o.wide ? 0 : Math.min(aLimbs, limbs - 1);
  const bHalves = o.wide || square ? 0 : Math.min(bLimbs, limbs - 1);
  for (let i = 0; i < aHalves; i++) body.push(s.aLo[i].set(o.lo32(a[i].get())), s.aHi[i].set(o.hi32(a[i].get())));
  for (let j = 0; j < bHalves; j++) body.push(s.bLo[j].set(o.lo32(b[j].get())), s.bHi[j].set(o.hi32(b[j].get())));
  const lowHalf = (i: number, j: number) => o.mul(a[i].get(), b[j].get());
  const highHalf = (i: number, j: number): X[] => {
    if (o.wide) return [s.term.set(o.mulHighWide(a[i].get(), b[j].get()))];
    // Hacker's Delight mulhu: no intermediate sum can overflow 64 bits.
    const [x0, x1, y0, y1] = [s.aLo[i], s.aHi[i], bLo[j], bHi[j]];
    return [
      s.t.set(o.add(o.mul(x1.get(), y0.get()), o.hi32(o.mul(x0.get(), y0.get())))),
      s.w.set(o.add(o.lo32(s.t.get()), o.mul(x0.get(), y1.get()))),
      s.term.set(o.add(o.add(o.mul(x1.get(), y1.get()), o.hi32(s.t.get())), o.hi32(s.w.get()))),
    ];
  };
  for (let k = 0; k < limbs; k++) {
    const acc = s.column[k];
    const top = k === limbs - 1; // its carry out is discarded (or, for the full product, zero)
    // Terms of column k: low halves of a_i*b_j with i+j = k, high halves with i+j = k-1. A square
    // computes each mirrored pair once and adds it twice.
    const terms: { compute: X[]; times: number }[] = [];
    const pairs = (sum: number, make: (i: number, j: number) => X[]) => {
      for (let i = Math.max(0, sum - bLimbs + 1); i <= Math.min(sum, aLimbs - 1); i++) {
        const j = sum - i;
        if (square && i > j) continue;
        terms.push({ compute: make(i, j), times: square && i < j ? 2 : 1 });
      }
    };
    pairs(k, (i, j) => [s.term.set(lowHalf(i, j))]);
    if (k > 0) pairs(k - 1, highHalf);
    // s.carry (i32) counts the wraps of the previous column; columns 0 and 1 have no carry in.
    body.push(acc.set(k < 2 ? o.k(0) : o.bit(s.carry.get())));
    if (!top) body.push(s.carry.set(o.m.i32.const(0)));
    let first = true;
    for (const term of terms) {
      body.push(...term.compute);
      for (let t = 0; t < term.times; t++) {
        body.push(acc.set(o.add(acc.get(), s.term.get())));
        if (!top && !(k < 2 && first)) {
          body.push(s.carry.set(o.m.i32.add(s.carry.get(), o.ltU(acc.get(), s.term.get()))));
        }
        first = false;
      }
    }
  }
  body.push(...out.map((l, k) => l.set(s.column[k].get())));
  return body;
}

/**
 * Emits out = a * b0 mod 2^256 for a 64-bit b0: four low halves and three high halves instead of
 * ten and six; with `negative`, out = a * (b0 - 2^64), the product with a b whose limbs 1-3 are all ones.
 * `out` may be `a`, or hold b0.
 */
export function emitMulU64(o: Ops, s: MulScratch, a: Word, b0: Local, out: readonly Local[], negative = false): X[] {
  const body: X[] = [];
  if (!o.wide) body.push(s.bLo[0].set(o.lo32(b0.get())), s.bHi[0].set(o.hi32(b0.get())));
  // s.term = high 64 bits of a[i] * b0.
  const highHalf = (i: number): X[] => {
    if (o.wide) return [s.term.set(o.mulHighWide(a[i].get(), b0.get()))];
    const [x0, x1, y0, y1] = [s.aLo[i], s.aHi[i], s.bLo[0], s.bHi[0]];
    return [
      x0.set(o.lo32(a[i].get())),
      x1.set(o.hi32(a[i].get())),
      s.t.set(o.add(o.mul(x1.get(), y0.get()), o.hi32(o.mul(x0.get(), y0.get())))),
      s.w.set(o.add(o.lo32(s.t.get()), o.mul(x0.get(), y1.get()))),
      s.term.set(o.add(o.add(o.mul(x1.get(), y1.get()), o.hi32(s.t.get())), o.hi32(s.w.get()))),
    ];
  };
  body.push(s.column[0].set(o.mul(a[0].get(), b0.get())), ...highHalf(0));
  for (let k = 1; k < 4; k++) {
    body.push(s.column[k].set(o.add(o.mul(a[k].get(), b0.get()), s.term.get())));
    if (k < 3) {
      // The high half of a 64x64 product is at most 2^64 - 2, so adding the carry cannot wrap.
      body.push(s.carry.set(o.ltU(s.column[k].get(), s.term.get())), ...highHalf(k));
      body.push(s.term.set(o.add(s.term.get(), o.bit(s.carry.get()))));
    }
  }
  if (negative) {
    // b = b0 - 2^64 (mod 2^256): subtract a << 64, limb by limb with a borrow.
    body.push(s.t.set(s.column[1].get()));
    body.push(s.column[1].set(o.sub(s.t.get(), a[0].get())));
    body.push(s.carry.set(o.m.i32.wrap(o.bit(o.ltU(s.t.get(), a[0].get())))));
    for (let k = 2; k < 4; k++) {
      body.push(s.t.set(o.sub(s.column[k].get(), a[k - 1].get())));
      const next = o.m.i32.or(o.ltU(s.column[k].get(), a[k - 1].get()), o.ltU(s.t.get(), o.bit(s.carry.get())));
      if (k < 3) body.push(s.w.set(o.bit(next)));
      body.push(s.column[k].set(o.sub(s.t.get(), o.bit(s.carry.get()))));
      if (k < 3) body.push(s.carry.set(o.m.i32.wrap(s.w.get())));
    }
  }
  body.push(...out.map((l, k) => l.set(s.column[k].get())));
  return body;
}

/**
 * u256_mul(a, b, out): out = a * b mod 2^256; an operand that is a sign-extended 64-bit value takes a shorter path,
 * and one below 2^128 a shorter one than the full product.
 */
export function addMul(m: binaryen.Module, name: string, options: BuildOptions, fixed?: readonly number[]): void {
  const { f, ptrs: [aPtr, bPtr, outPtr] } = entryFn(m, 3, options, fixed);
  const o = new Ops(m, options);
  const a = f.word(), b = f.word();
  const s = new MulScratch(f);
  f.add(name, binaryen.none, [
    ...f.loadWord(aPtr, a),
    ...f.loadWord(bPtr, b),
    // Shorter products first: an operand of 64 bits, then one below 2^128 (a product of 128-bit values, or a
    // 64-bit lane spread over two limbs: twelve limb products instead of sixteen), then a sign-extended 64-bit one.
    m.if(
      o.eqz(o.or(b[1].get(), b[2].get(), b[3].get())),
      m.block(null, emitMulU64(o, s, a, b[0], a)),
      m.if(
        o.eqz(o.or(a[1].get(), a[2].get(), a[3].get())),
        m.block(null, emitMulU64(o, s, b, a[0], a)),
        m.if(
          o.eqz(o.or(a[2].get(), a[3].get())),
          m.block(null, emitMul(o, s, a, b, a, 2, 4)),
          m.if(
            o.eqz(o.or(b[2].get(), b[3].get())),
            m.block(null, emitMul(o, s, b, a, a, 2, 4)),
            m.if(
              o.eqz(o.not(o.and(o.and(b[1].get(), b[2].get()), b[3].get()))),
              m.block(null, emitMulU64(o, s, a, b[0], a, true)),
              m.if(
                o.eqz(o.not(o.and(o.and(a[1].get(), a[2].get()), a[3].get()))),
                m.block(null, emitMulU64(o, s, b, a[0], a, true)),
                m.block(null, emitMul(o, s, a, b, a)),
              ),
            ),
          ),
        ),
      ),
    ),
    ...f.storeWord(outPtr, a.map((l) => l.get())),
  ]);
}
