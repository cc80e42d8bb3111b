// Division and modular arithmetic. One core, u256_divrem, divides a 512-bit dividend by a 256-bit divisor:
// - divisor < 2^32: schoolbook division by one 32-bit digit, two i64.div_u per dividend limb;
// - otherwise long division on 64-bit limbs (Knuth's algorithm D as in intx), one rolled loop per divisor
//   limb count n = 1..4 since locals cannot be indexed at run time. Quotient limbs come from the
//   Möller-Granlund 2-by-1 / 3-by-2 divisions by a precomputed reciprocal: multiplies instead of
//   i64.div_u, whose latency (about 10x a multiply) dominates any chain of them.
// The entry points add fast paths (operands below 2^64, dividend below divisor, powers of two).
import binaryen from "../binaryen.ts";
import { BuildOptions, entryFn, Fn, Local, Ops, Ptr, Word, X } from "./ir.ts";
import { emitMul, MulScratch } from "./mul.ts";
import { Wide } from "./wide.ts";

export const DIVREM_CORE = "u256_divrem";

/**
 * One-entry reciprocal caches (mutable i64 globals, not exported): contracts divide by the same
 * divisors over and over (1e18, a total supply, a field prime), and a reciprocal costs about as much
 * as four quotient limbs. Zero never matches a normalised divisor.
 */
export const RECIPROCAL_CACHE_GLOBALS = {
  divisor1: "u256_recip1_d",
  reciprocal1: "u256_recip1_v",
  divisor2High: "u256_recip2_d1",
  divisor2Low: "u256_recip2_d0",
  reciprocal2: "u256_recip2_v",
} as const;

const i32 = binaryen.i32, i64 = binaryen.i64;

/** u256_divrem(u0..u7, v0..v3, out, wantRemainder): writes u / v (mod 2^256) or u % v to out. v != 0. */
export function addDivRemCore(m: binaryen.Module, options: BuildOptions): void {
  const f = new Fn(m, [...Array(12).fill(i64), i32, i32], options);
  const o = new Ops(m, options);
  const u = f.params.slice(0, 8);
  const v = f.params.slice(8, 12) as unknown as Word;
  const [outPtr, wantRem] = f.params.slice(12);
  const k = new DivLocals(f, o);
  for (const name of Object.values(RECIPROCAL_CACHE_GLOBALS)) m.addGlobal(name, i64, true, o.k(0));

  const limbCount = m.if(
    o.ne(v[3].get(), o.k(0)),
    m.i32.const(4),
    m.if(o.ne(v[2].get(), o.k(0)), m.i32.const(3), m.if(o.ne(v[1].get(), o.k(0)), m.i32.const(2), m.i32.const(1))),
  );
  const labels = [1, 2, 3, 4].map((n) => `limbs${n}`);
  let dispatch = m.block(labels[0], [m.switch(labels, labels[3], m.i32.sub(k.limbs.get(), m.i32.const(1)))]);
  for (let n = 1; n <= 4; n++) {
    const caseCode = emitLongDivision(f, o, k, n, u, v, outPtr, wantRem);
    dispatch = m.block(n < 4 ? labels[n] : null, [dispatch, ...caseCode, ...(n < 4 ? [m.return()] : [])]);
  }
  f.add(DIVREM_CORE, binaryen.none, [
    k.limbs.set(limbCount),
    m.if(
      m.i32.and(m.i32.eq(k.limbs.get(), m.i32.const(1)), o.eqz(o.hi32(v[0].get()))),
      m.block(null, [...emitDivByDigit(f, o, k, u, v[0], outPtr, wantRem), m.return()]),
    ),
    dispatch,
  ]);
}

/** Locals shared by the division loops. */
class DivLocals {
  readonly wide: Wide;
  readonly limbs: Local; // i32: divisor limb count
  readonly shift: Local; // normalisation shift, 0..63
  readonly d: Local[]; // normalised divisor
  readonly reciprocal: Local;
  readonly window: Local[]; // the n+1 dividend limbs being divided, then the remainder
  readonly q: Local[];
  readonly qhat: Local;
  readonly t: Local;
  readonly high: Local;
  readonly borrow: Local;
  readonly steps: Local; // i32
  readonly skipped: Local; // i32: zero dividend limbs skipped
  constructor(f: Fn, o: Ops) {
    this.wide = new Wide(f, o);
    this.limbs = f.i32();
    this.shift = f.i64();
    this.d = f.i64s(4);
    this.reciprocal = f.i64();
    this.window = f.i64s(5);
    this.q = f.i64s(4);
    this.qhat = f.i64();
    this.t = f.i64();
    this.high = f.i64();
    this.borrow = f.i64();
    this.steps = f.i32();
    this.skipped = f.i32();
  }
}

/** Division by a single digit v < 2^32: each step divides a 64-bit value (remainder:digit) exactly. */
function emitDivByDigit(f: Fn, o: Ops, k: DivLocals, u: Local[], v: Local, outPtr: Ptr, wantRem: Local): X[] {
  const m = f.m;
  const r = k.t, x = k.high, qh = k.qhat, ql = k.borrow;
  const body: X[] = [r.set(o.k(0))];
  for (let i = 7; i >= 0; i--) {
    const halfStep = (q: Local, digit: X) => [
      x.set(o.or(o.shl(r.get(), 32), digit)),
      q.set(o.divU(x.get(), v.get())),
      r.set(o.sub(x.get(), o.mul(q.get(), v.get()))),
    ];
    // Leading limbs smaller than v leave a zero quotient limb: skip their two divisions.
    body.push(m.if(
      m.i32.and(o.eqz(r.get()), o.ltU(u[i].get(), v.get())),
      m.block(null, [r.set(u[i].get()), u[i].set(o.k(0))]),
      m.block(null, [
        ...halfStep(qh, o.hi32(u[i].get())),
        ...halfStep(ql, o.lo32(u[i].get())),
        u[i].set(o.or(o.shl(qh.get(), 32), ql.get())),
      ]),
    ));
  }
  const quotient = u.slice(0, 4).map((l) => l.get());
  const remainder = [r.get(), o.k(0), o.k(0), o.k(0)];
  body.push(
    m.if(wantRem.get(), m.block(null, f.storeWord(outPtr, remainder)), m.block(null, f.storeWord(outPtr, quotient))),
  );
  return body;
}

/** x[0..len) -= y[0..len) * multiplier; leaves the borrow out of the top limb in k.borrow (intx submul). */
function emitSubMul(o: Ops, k: DivLocals, x: Local[], y: Local[], multiplier: Local): X[] {
  const out: X[] = [k.borrow.set(o.k(0))];
  x.forEach((xi, i) => {
    out.push(
      k.t.set(o.sub(xi.get(), k.borrow.get())),
      ...k.wide.mulHigh(k.high, y[i], multiplier),
      k.borrow.set(o.add(k.high.get(), o.bit(o.ltU(xi.get(), k.t.get())))),
      xi.set(o.sub(k.t.get(), o.mul(y[i].get(), multiplier.get()))),
      k.borrow.set(o.add(k.borrow.get(), o.bit(o.ltU(k.t.get(), xi.get())))),
    );
  });
  return out;
}

/** x[0..len) += y[0..len); leaves the carry out in k.borrow. */
function emitAddLimbs(o: Ops, k: DivLocals, x: Local[], y: Local[]): X[] {
  const out: X[] = [k.borrow.set(o.k(0))];
  x.forEach((xi, i) => {
    out.push(
      k.t.set(o.add(xi.get(), k.borrow.get())),
      k.borrow.set(o.bit(o.ltU(k.t.get(), k.borrow.get()))),
      xi.set(o.add(k.t.get(), y[i].get())),
      k.borrow.set(o.or(k.borrow.get(), o.bit(o.ltU(xi.get(), k.t.get())))),
    );
  });
  return out;
}

/**
 * One quotient limb: divides the window w[0..n] by d, leaving the remainder in w[0..n-1] and the
 * quotient limb in k.qhat. Requires w[1..n] < d (the Knuth invariant).
 */
function emitQuotientLimb(f: Fn, o: Ops, k: DivLocals, n: number): X[] {
  const m = f.m, w = k.window, d = k.d, wide = k.wide;
  if (n === 1) return wide.divRem2by1(k.qhat, w[0], w[1], w[0], d[0], k.reciprocal);
  if (n === 2) return wide.divRem3by2(k.qhat, w[1], w[0], w[2], w[1], w[0], d[1], d[0], k.reciprocal);
  // Knuth D on limbs: estimate from the top three with the 3-by-2 division (exact on them), subtract
  // qhat times the lower divisor limbs, add back once in the rare case the estimate was one too big.
  const low = w.slice(0, n - 2), dLow = d.slice(0, n - 2);
  const [r0, r1] = [w[n - 2], w[n - 1]];
  const estimate = [
    ...wide.divRem3by2(k.qhat, r1, r0, w[n], r1, r0, d[n - 1], d[n - 2], k.reciprocal),
    ...emitSubMul(o, k, low, dLow, k.qhat),
    // r1:r0 -= borrow
    k.t.set(o.bit(o.ltU(r0.get(), k.borrow.get()))),
    r0.set(o.sub(r0.get(), k.borrow.get())),
    k.high.set(o.bit(o.ltU(r1.get(), k.t.get()))),
    r1.set(o.sub(r1.get(), k.t.get())),
    m.if(
      o.ne(k.high.get(), o.k(0)),
      m.block(null, [
        k.qhat.set(o.sub(k.qhat.get(), o.k(1))),
        ...emitAddLimbs(o, k, w.slice(0, n - 1), d.slice(0, n - 1)),
        r1.set(o.add(o.add(r1.get(), d[n - 1].get()), k.borrow.get())),
      ]),
    ),
  ];
  // Top two window limbs equal to the divisor's: the 3-by-2 division would overflow; qhat = 2^64 - 1
  // is then exact.
  const overflow = [k.qhat.set(o.k(-1)), ...emitSubMul(o, k, w.slice(0, n), d.slice(0, n), k.qhat)];
  return [
    m.if(
      m.i32.and(o.eq(w[n].get(), d[n - 1].get()), o.eq(w[n - 1].get(), d[n - 2].get())),
      m.block(null, overflow),
      m.block(null, estimate),
    ),
  ];
}

/** k.reciprocal = the 2-by-1 (n = 1) or 3-by-2 reciprocal of the normalised divisor, through the cache. */
function emitCachedReciprocal(f: Fn, o: Ops, k: DivLocals, n: number): X {
  const m = f.m, g = RECIPROCAL_CACHE_GLOBALS;
  const global = (name: string) => m.global.get(name, i64);
  const hit = n === 1
    ? o.eq(k.d[0].get(), global(g.divisor1))
    : m.i32.and(o.eq(k.d[n - 1].get(), global(g.divisor2High)), o.eq(k.d[n - 2].get(), global(g.divisor2Low)));
  const compute = n === 1
    ? [
      ...k.wide.reciprocal2by1(k.reciprocal, k.d[0]),
      m.global.set(g.divisor1, k.d[0].get()),
      m.global.set(g.reciprocal1, k.reciprocal.get()),
    ]
    : [
      ...k.wide.reciprocal3by2(k.reciprocal, k.d[n - 1], k.d[n - 2]),
      m.global.set(g.divisor2High, k.d[n - 1].get()),
      m.global.set(g.divisor2Low, k.d[n - 2].get()),
      m.global.set(g.reciprocal2, k.reciprocal.get()),
    ];
  return m.if(hit, k.reciprocal.set(global(n === 1 ? g.reciprocal1 : g.reciprocal2)), m.block(null, compute));
}

/** Long division by a divisor of exactly n limbs (1..4, >= 2^32 when n = 1). */
function emitLongDivision(
  f: Fn,
  o: Ops,
  k: DivLocals,
  n: number,
  u: Local[],
  v: Word,
  outPtr: Ptr,
  wantRem: Local,
): X[] {
  const m = f.m, w = k.window, s = () => k.shift.get();
  const label = (name: string) => `${name}${n}`; // branch labels must be unique in the function
  const body: X[] = [];

  // Skip zero leading limbs of u (each saves a step), keeping at least one step to run.
  const maxSkip = 8 - n;
  const shiftLimbsUp = (by: number) => [
    ...u.slice(by).reverse().map((l, i) => l.set(u[7 - by - i].get())),
    ...u.slice(0, by).map((l) => l.set(o.k(0))),
  ];
  body.push(
    k.skipped.set(m.i32.const(0)),
    m.if(
      o.eqz(o.or(u[7].get(), u[6].get(), u[5].get(), u[4].get())),
      m.block(null, [...shiftLimbsUp(4), k.skipped.set(m.i32.const(4))]),
    ),
    m.block(label("skipped"), [
      m.loop(
        label("skip"),
        m.block(null, [
          m.br(label("skipped"), m.i32.or(m.i32.ge_u(k.skipped.get(), m.i32.const(maxSkip)), o.ne(u[7].get(), o.k(0)))),
          ...shiftLimbsUp(1),
          k.skipped.set(m.i32.add(k.skipped.get(), m.i32.const(1))),
          m.br(label("skip")),
        ]),
      ),
    ]),
  );

  // Normalise: shift d left until its top bit is set, and u (into 9 limbs) by the same amount.
  body.push(k.shift.set(o.clz(v[n - 1].get())));
  for (let j = n - 1; j >= 0; j--) {
    body.push(k.d[j].set(j === 0 ? o.shlBy(v[0].get(), s()) : o.funnelL(v[j].get(), v[j - 1].get(), s)));
  }
  body.push(w[n].set(o.shrUBy(o.shrU(u[7].get(), 1), o.sub(o.k(63), s()))));
  for (let j = 7; j >= 1; j--) body.push(u[j].set(o.funnelL(u[j].get(), u[j - 1].get(), s)));
  body.push(u[0].set(o.shlBy(u[0].get(), s())));
  body.push(emitCachedReciprocal(f, o, k, n));

  // The window starts with the top n+1 limbs (the shifted-out limb and u7..u[8-n]); u[7-n..0] follow.
  for (let i = 0; i < n; i++) body.push(w[n - 1 - i].set(u[7 - i].get()));
  body.push(
    ...k.q.map((l) => l.set(o.k(0))),
    k.steps.set(m.i32.sub(m.i32.const(9 - n), k.skipped.get())),
  );
  const slide: X[] = [];
  for (let j = n; j > 0; j--) slide.push(w[j].set(w[j - 1].get()));
  slide.push(w[0].set(u[7 - n].get()));
  for (let j = 7 - n; j > 0; j--) slide.push(u[j].set(u[j - 1].get()));
  body.push(m.loop(
    label("step"),
    m.block(null, [
      ...emitQuotientLimb(f, o, k, n),
      k.q[3].set(k.q[2].get()),
      k.q[2].set(k.q[1].get()),
      k.q[1].set(k.q[0].get()),
      k.q[0].set(k.qhat.get()),
      k.steps.set(m.i32.sub(k.steps.get(), m.i32.const(1))),
      m.if(k.steps.get(), m.block(null, [...slide, m.br(label("step"))])),
    ]),
  ));

  // The remainder is w[0..n-1] shifted back.
  const rem = k.d; // free now
  const unnormalise: X[] = [];
  for (let j = 0; j < 4; j++) {
    const limb = j < n - 1
      ? o.funnelR(w[j + 1].get(), w[j].get(), s)
      : j === n - 1
      ? o.shrUBy(w[j].get(), s())
      : o.k(0);
    unnormalise.push(rem[j].set(limb));
  }
  body.push(m.if(
    wantRem.get(),
    m.block(null, [...unnormalise, ...f.storeWord(outPtr, rem.map((l) => l.get()))]),
    m.block(null, f.storeWord(outPtr, k.q.map((l) => l.get()))),
  ));
  return body;
}

/** out = a >> log2(b) (wantRem false) or a & (b - 1) (true), for b a power of two. */
function emitPowerOfTwoDivMod(f: Fn, o: Ops, a: Word, b: Word, outPtr: Ptr, wantRem: boolean): X[] {
  const m = f.m;
  const t = f.word();
  if (wantRem) {
    // b - 1: the borrow runs up to b's set limb.
    const borrow = f.i64();
    const body: X[] = [borrow.set(o.k(1))];
    for (let i = 0; i < 4; i++) {
      body.push(
        t[i].set(o.and(a[i].get(), o.sub(b[i].get(), borrow.get()))),
        borrow.set(o.and(borrow.get(), o.bit(o.eqz(b[i].get())))),
      );
    }
    return [...body, ...f.storeWord(outPtr, t.map((l) => l.get()))];
  }
  const count = f.i64();
  const limbCtz = (i: number) => o.add(o.k(64 * i), o.ctz(b[i].get()));
  let ctz = limbCtz(3);
  for (let i = 2; i >= 0; i--) ctz = m.select(o.ne(b[i].get(), o.k(0)), limbCtz(i), ctz);
  const bits = () => o.and(count.get(), o.k(63));
  const body: X[] = [count.set(ctz)];
  for (let i = 0; i < 4; i++) {
    body.push(t[i].set(i < 3 ? o.funnelR(a[i + 1].get(), a[i].get(), bits) : o.shrUBy(a[3].get(), bits())));
  }
  // Then whole limbs: limb i of the result is t[i + count / 64].
  const limbShift = () => o.shrU(count.get(), 6);
  const limb = (i: number) => {
    let x = o.k(0);
    for (let by = 3; by >= 0; by--) {
      if (i + by < 4) x = m.select(o.eq(limbShift(), o.k(by)), t[i + by].get(), x);
    }
    return x;
  };
  return [...body, ...f.storeWord(outPtr, [0, 1, 2, 3].map(limb))];
}

/**
 * Emits out = a / b or a % b (EVM: zero divisor gives 0), then branches to `done`.
 * Fast paths: both below 2^64 (one i64.div_u), dividend below divisor, divisor a power of two (older
 * Solidity divides by powers of two to shift).
 */
function emitUDivMod(f: Fn, o: Ops, a: Word, b: Word, outPtr: Ptr, wantRem: boolean, done: string): X[] {
  const m = f.m;
  const zero = [o.k(0), o.k(0), o.k(0), o.k(0)];
  const small = wantRem ? o.remU(a[0].get(), b[0].get()) : o.divU(a[0].get(), b[0].get());
  const popcount = o.add(
    o.add(o.popcnt(b[0].get()), o.popcnt(b[1].get())),
    o.add(o.popcnt(b[2].get()), o.popcnt(b[3].get())),
  );
  return [
    m.if(
      o.eqz(o.or(b[1].get(), b[2].get(), b[3].get())),
      m.block(null, [
        m.if(o.eqz(b[0].get()), m.block(null, [...f.storeWord(outPtr, zero), m.br(done)])),
        m.if(
          o.eqz(o.or(a[1].get(), a[2].get(), a[3].get())),
          m.block(null, [...f.storeWord(outPtr, [small, o.k(0), o.k(0), o.k(0)]), m.br(done)]),
        ),
      ]),
      m.if(
        o.wordLt(a, b),
        m.block(null, [...f.storeWord(outPtr, wantRem ? a.map((l) => l.get()) : zero), m.br(done)]),
      ),
    ),
    m.if(o.eq(popcount, o.k(1)), m.block(null, [...emitPowerOfTwoDivMod(f, o, a, b, outPtr, wantRem), m.br(done)])),
    // A divisor of 33 to 64 bits: divlu. One below 2^32 goes to the core, whose division by a 32-bit digit
    // takes two i64.div_u a limb and no normalisation.
    m.if(
      m.i32.and(o.eqz(o.or(b[1].get(), b[2].get(), b[3].get())), o.ne(o.hi32(b[0].get()), o.k(0))),
      m.block(null, [...emitDivBy64(f, o, a, b[0], outPtr, wantRem), m.br(done)]),
    ),
    m.call(
      DIVREM_CORE,
      [...a.map((l) => l.get()), ...zero, ...b.map((l) => l.get()), f.addr(outPtr), m.i32.const(wantRem ? 1 : 0)],
      binaryen.none,
    ),
  ];
}

/**
 * out = a / d or a % d for a nonzero 64-bit d (fixed-point code divides by such numbers all the time:
 * snailtracer 130,000 times a frame). Limb by limb from the top, each step Hacker's Delight's divlu: the
 * remainder so far and the next limb, on the normalised divisor, by two 64/32-bit steps whose quotient digits
 * are estimated by i64.div_u and corrected at most twice. No reciprocal to compute, which long division needs
 * for every new divisor. Limbs that are zero at the top are skipped.
 */
function emitDivBy64(f: Fn, o: Ops, a: Word, d: Local, outPtr: Ptr, wantRem: boolean): X[] {
  const m = f.m;
  const [shift, dn, vn1, vn0, rest, un32, un10, un1, un0, d1, d0, rhat, un21] = f.i64s(13);
  const q = f.i64s(4);
  const B = o.k(1n << 32n);
  // Corrects the estimated digit qd of (rhat:un) / dn: while qd >= 2^32 or qd * vn0 > rhat * 2^32 + un.
  // (When qd >= 2^32, qd * vn0 may wrap, but the first test already holds.)
  const correct = (label: string, qd: Local, un: Local) =>
    m.loop(label, m.if(
      m.i32.or(o.geU(qd.get(), B), o.gtU(o.mul(qd.get(), vn0.get()), o.or(o.shl(rhat.get(), 32), un.get()))),
      m.block(null, [
        qd.set(o.sub(qd.get(), o.k(1))),
        rhat.set(o.add(rhat.get(), vn1.get())),
        m.br(label, o.ltU(rhat.get(), B)),
      ]),
    ));
  // q[i] and rest = (rest:a[i]) / d and its remainder, given rest < d.
  const step = (top: number, i: number): X[] => [
    // rest:a[i] << shift; a[i] >> (64 - shift) is 0 when shift is 0 (a wasm shift by 64 would shift by 0).
    un32.set(o.or(
      o.shlBy(rest.get(), shift.get()),
      m.select(o.eqz(shift.get()), o.k(0), o.shrUBy(a[i].get(), o.sub(o.k(64), shift.get()))),
    )),
    un10.set(o.shlBy(a[i].get(), shift.get())),
    un1.set(o.hi32(un10.get())),
    un0.set(o.lo32(un10.get())),
    d1.set(o.divU(un32.get(), vn1.get())),
    rhat.set(o.sub(un32.get(), o.mul(d1.get(), vn1.get()))),
    correct(`divlu${top}_${i}a`, d1, un1),
    un21.set(o.sub(o.add(o.shl(un32.get(), 32), un1.get()), o.mul(d1.get(), dn.get()))),
    d0.set(o.divU(un21.get(), vn1.get())),
    rhat.set(o.sub(un21.get(), o.mul(d0.get(), vn1.get()))),
    correct(`divlu${top}_${i}b`, d0, un0),
    q[i].set(o.or(o.shl(d1.get(), 32), d0.get())),
    rest.set(o.shrUBy(o.sub(o.add(o.shl(un21.get(), 32), un0.get()), o.mul(d0.get(), dn.get())), shift.get())),
  ];
  // The top nonzero limb divides directly; the steps below it take the remainder along.
  const fromTop = (top: number): X => m.block(null, [
    q[top].set(o.divU(a[top].get(), d.get())),
    rest.set(o.sub(a[top].get(), o.mul(q[top].get(), d.get()))),
    ...Array.from({ length: top }, (_, k) => step(top, top - 1 - k)).flat(),
  ]);
  return [
    shift.set(o.clz(d.get())),
    dn.set(o.shlBy(d.get(), shift.get())),
    vn1.set(o.hi32(dn.get())),
    vn0.set(o.lo32(dn.get())),
    ...q.map((l) => l.set(o.k(0))),
    m.if(
      o.ne(a[3].get(), o.k(0)),
      fromTop(3),
      m.if(o.ne(a[2].get(), o.k(0)), fromTop(2), m.if(o.ne(a[1].get(), o.k(0)), fromTop(1), fromTop(0))),
    ),
    ...f.storeWord(outPtr, wantRem ? [rest.get(), o.k(0), o.k(0), o.k(0)] : q.map((l) => l.get())),
  ];
}

/** u256_div / u256_mod (a, b, out). */
export function addUnsignedDivMod(
  m: binaryen.Module, name: string, wantRem: boolean, options: BuildOptions, fixed?: readonly number[],
): void {
  const { f, ptrs: [aPtr, bPtr, outPtr] } = entryFn(m, 3, options, fixed);
  const o = new Ops(m, options);
  const a = f.word(), b = f.word();
  f.add(name, binaryen.none, [
    ...f.loadWord(aPtr, a),
    ...f.loadWord(bPtr, b),
    m.block("done", emitUDivMod(f, o, a, b, outPtr, wantRem, "done")),
  ]);
}

/** u256_sdiv / u256_smod (a, b, out): on magnitudes; the quotient's sign is sa^sb, the remainder's sa. */
export function addSignedDivMod(
  m: binaryen.Module, name: string, wantRem: boolean, options: BuildOptions, fixed?: readonly number[],
): void {
  const { f, ptrs: [aPtr, bPtr, outPtr] } = entryFn(m, 3, options, fixed);
  const o = new Ops(m, options);
  const a = f.word(), b = f.word();
  const negA = f.i32(), negB = f.i32(), carry = f.i64();
  const negateIf = (flag: Local, w: Word) => m.if(flag.get(), m.block(null, o.negate(w, w, carry)));
  const negateResult = wantRem ? negA.get() : m.i32.xor(negA.get(), negB.get());
  f.add(name, binaryen.none, [
    ...f.loadWord(aPtr, a),
    ...f.loadWord(bPtr, b),
    negA.set(o.ltS(a[3].get(), o.k(0))),
    negB.set(o.ltS(b[3].get(), o.k(0))),
    negateIf(negA, a),
    negateIf(negB, b),
    m.block("done", emitUDivMod(f, o, a, b, outPtr, wantRem, "done")),
    m.if(
      negateResult,
      m.block(null, [
        ...f.loadWord(outPtr, a),
        ...o.negate(a, a, carry),
        ...f.storeWord(outPtr, a.map((l) => l.get())),
      ]),
    ),
  ]);
}

/** dst = x + y, returning the carry out in `carry` (i64 0/1). dst may be x or y. */
function emitAdd(o: Ops, dst: Word, x: Word, y: Word, carry: Local, t: Local): X[] {
  const out: X[] = [carry.set(o.k(0))];
  for (let i = 0; i < 4; i++) {
    out.push(
      t.set(o.add(x[i].get(), carry.get())),
      carry.set(o.bit(o.ltU(t.get(), carry.get()))),
      dst[i].set(o.add(t.get(), y[i].get())),
      carry.set(o.or(carry.get(), o.bit(o.ltU(dst[i].get(), t.get())))),
    );
  }
  return out;
}

/** dst = x - y mod 2^256. dst may be x. */
function emitSub(o: Ops, dst: Word, x: Word, y: Word, borrow: Local, t: Local): X[] {
  const out: X[] = [borrow.set(o.k(0))];
  for (let i = 0; i < 4; i++) {
    out.push(
      t.set(o.sub(x[i].get(), borrow.get())),
      borrow.set(o.bit(o.ltU(x[i].get(), borrow.get()))),
      borrow.set(o.or(borrow.get(), o.bit(o.ltU(t.get(), y[i].get())))),
      dst[i].set(o.sub(t.get(), y[i].get())),
    );
  }
  return out;
}

/** u256_addmod(a, b, n, out): (a + b) % n over the 257-bit sum; n = 0 gives 0. */
export function addAddMod(m: binaryen.Module, name: string, options: BuildOptions, fixed?: readonly number[]): void {
  const { f, ptrs: [aPtr, bPtr, nPtr, outPtr] } = entryFn(m, 4, options, fixed);
  const o = new Ops(m, options);
  const a = f.word(), b = f.word(), n = f.word();
  const carry = f.i64(), t = f.i64(), borrow = f.i64();
  const zero = [o.k(0), o.k(0), o.k(0), o.k(0)];
  f.add(name, binaryen.none, [
    ...f.loadWord(aPtr, a),
    ...f.loadWord(bPtr, b),
    ...f.loadWord(nPtr, n),
    m.if(o.isZero(n), m.block(null, [...f.storeWord(outPtr, zero), m.return()])),
    m.if(
      m.i32.and(o.wordLt(a, n), o.wordLt(b, n)),
      // Reduced operands: the sum is below 2n, one conditional subtraction reduces it.
      m.block(null, [
        ...emitAdd(o, a, a, b, carry, t),
        m.if(
          m.i32.or(o.ne(carry.get(), o.k(0)), m.i32.eqz(o.wordLt(a, n))),
          m.block(null, emitSub(o, a, a, n, borrow, t)),
        ),
        ...f.storeWord(outPtr, a.map((l) => l.get())),
        m.return(),
      ]),
    ),
    ...emitAdd(o, a, a, b, carry, t),
    m.call(
      DIVREM_CORE,
      [
        ...a.map((l) => l.get()),
        carry.get(),
        o.k(0),
        o.k(0),
        o.k(0),
        ...n.map((l) => l.get()),
        f.addr(outPtr),
        m.i32.const(1),
      ],
      binaryen.none,
    ),
  ]);
}

/**
 * u256_mulmod_max(a, b, out): out = (a * b) % (2^256 - 1), and out + 32 = a * b % 2^256 (the MUL that
 * 512-bit mulDiv code computes from the same operands next). 2^256 is 1 modulo 2^256 - 1, so the remainder
 * is the product's two halves added, with the carry out of 2^256 added back in.
 */
export function addMulModMax(m: binaryen.Module, name: string, options: BuildOptions, fixed?: readonly number[]): void {
  const { f, ptrs: [aPtr, bPtr, outPtr] } = entryFn(m, 3, options, fixed);
  const o = new Ops(m, options);
  const a = f.word(), b = f.word();
  const product = f.i64s(8);
  const lo = product.slice(0, 4) as unknown as Word, hi = product.slice(4) as unknown as Word;
  const sum = f.word();
  const s = new MulScratch(f);
  const carry = f.i64(), t = f.i64();
  f.add(name, binaryen.none, [
    ...f.loadWord(aPtr, a),
    ...f.loadWord(bPtr, b),
    emitProduct(o, s, a, b, product, f.i32(), f.i32()),
    ...f.storeWordAt(outPtr, 32, lo.map((l) => l.get())),
    ...emitAdd(o, sum, lo, hi, carry, t),
    ...emitAddCarry(o, sum, carry),
    m.if(isAllOnes(o, sum), m.block(null, sum.map((l) => l.set(o.k(0))))),
    ...f.storeWord(outPtr, sum.map((l) => l.get())),
  ]);
}

/** w += carry (i64 0 or 1), the carry out discarded; carry is clobbered. */
function emitAddCarry(o: Ops, w: Word, carry: Local): X[] {
  const out: X[] = [];
  for (let i = 0; i < 4; i++) {
    out.push(w[i].set(o.add(w[i].get(), carry.get())));
    if (i < 3) out.push(carry.set(o.and(carry.get(), o.bit(o.eqz(w[i].get())))));
  }
  return out;
}

/** w = 2^256 - 1 (i32). */
function isAllOnes(o: Ops, w: Word): X {
  return o.eqz(o.not(o.and(o.and(w[0].get(), w[1].get()), o.and(w[2].get(), w[3].get()))));
}

/**
 * product = a * b, the full 512 bits (eight limbs), by as many limb products as the operands' limb counts
 * need (mulDiv's operands are mostly one to three limbs: 160 x 96 bits is 6 limb products, not 16). The
 * operands are swapped so that a has at least as many limbs as b; la and lb are i32 scratch.
 */
function emitProduct(o: Ops, s: MulScratch, a: Word, b: Word, product: Local[], la: Local, lb: Local): X {
  const m = o.m;
  const limbCount = (w: Word) =>
    m.if(
      o.ne(w[3].get(), o.k(0)),
      m.i32.const(4),
      m.if(o.ne(w[2].get(), o.k(0)), m.i32.const(3), m.if(o.ne(w[1].get(), o.k(0)), m.i32.const(2), m.i32.const(1))),
    );
  const t = s.t;
  const swap: X[] = [];
  for (let i = 0; i < 4; i++) swap.push(t.set(a[i].get()), a[i].set(b[i].get()), b[i].set(t.get()));
  const case_ = (na: number, nb: number) =>
    m.block(null, [
      ...emitMul(o, s, a, b, product.slice(0, na + nb), na, nb),
      ...product.slice(na + nb).map((l) => l.set(o.k(0))),
    ]);
  // if la == n: (if lb == 1 ... else if lb == n - 1 ... else the n x n case)
  const byB = (na: number): X => {
    let x = case_(na, na);
    for (let nb = na - 1; nb >= 1; nb--) x = m.if(m.i32.eq(lb.get(), m.i32.const(nb)), case_(na, nb), x);
    return x;
  };
  let dispatch = byB(4);
  for (let na = 3; na >= 1; na--) dispatch = m.if(m.i32.eq(la.get(), m.i32.const(na)), byB(na), dispatch);
  return m.block(null, [
    la.set(limbCount(a)),
    lb.set(limbCount(b)),
    m.if(
      m.i32.lt_u(la.get(), lb.get()),
      m.block(null, [...swap, t.set(o.fromI32(la.get())), la.set(lb.get()), lb.set(m.i32.wrap(t.get()))]),
    ),
    dispatch,
  ]);
}

/**
 * u256_mulmod(a, b, n, out): (a * b) % n over the 512-bit product; n = 0 gives 0.
 * Fast paths for what 512-bit mulDiv code (Uniswap's FullMath and its copies) does on every call:
 * n = 2^256 - 1, where 2^256 is 1 mod n so the product's halves are just added; and a product that
 * fits in 256 bits, which needs at most a 256-bit remainder.
 */
export function addMulMod(m: binaryen.Module, name: string, options: BuildOptions, fixed?: readonly number[]): void {
  const { f, ptrs: [aPtr, bPtr, nPtr, outPtr] } = entryFn(m, 4, options, fixed);
  const o = new Ops(m, options);
  const a = f.word(), b = f.word(), n = f.word();
  const product = f.i64s(8);
  const lo = product.slice(0, 4) as unknown as Word, hi = product.slice(4) as unknown as Word;
  const s = new MulScratch(f);
  const carry = f.i64(), t = f.i64();
  const zero = [o.k(0), o.k(0), o.k(0), o.k(0)];
  f.add(name, binaryen.none, [
    ...f.loadWord(aPtr, a),
    ...f.loadWord(bPtr, b),
    ...f.loadWord(nPtr, n),
    m.if(o.isZero(n), m.block(null, [...f.storeWord(outPtr, zero), m.return()])),
    emitProduct(o, s, a, b, product, f.i32(), f.i32()),
    m.if(
      isAllOnes(o, n),
      // lo + hi, with the carry out of 2^256 added back in (it cannot carry again); n itself is 0.
      m.block(null, [
        ...emitAdd(o, lo, lo, hi, carry, t),
        ...emitAddCarry(o, lo, carry),
        m.if(isAllOnes(o, lo), m.block(null, [...f.storeWord(outPtr, zero), m.return()])),
        ...f.storeWord(outPtr, lo.map((l) => l.get())),
        m.return(),
      ]),
    ),
    m.if(
      o.isZero(hi),
      m.block(null, [m.block("done", emitUDivMod(f, o, lo, n, outPtr, true, "done")), m.return()]),
    ),
    m.call(
      DIVREM_CORE,
      [...product.map((l) => l.get()), ...n.map((l) => l.get()), f.addr(outPtr), m.i32.const(1)],
      binaryen.none,
    ),
  ]);
}
