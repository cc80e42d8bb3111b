// Two-limb (128-bit) building blocks of division, emitted inline: 64x64->128 multiply and the
// division by invariant integers of Möller and Granlund ("Improved division by invariant integers",
// 2011), transcribed from intx (github.com/chfast/intx): reciprocals, 2-by-1 and 3-by-2 limb division.
// With wide arithmetic the high half of a product is one i64.mul_wide_u instead of four multiplies.
// A divisor is normalised (top bit set). Callers pass distinct locals for inputs and outputs.
import { Fn, Local, Ops, X } from "./ir.ts";

export class Wide {
  readonly m;
  // Temporaries; no emitter keeps a value in them across calls to another emitter.
  private readonly t: Local;
  private readonly w: Local;
  private readonly hi: Local;
  private readonly lo: Local;
  private readonly x: Local;
  private readonly y: Local;
  private readonly z: Local;

  constructor(f: Fn, readonly o: Ops) {
    this.m = f.m;
    [this.t, this.w, this.hi, this.lo, this.x, this.y, this.z] = f.i64s(7);
  }

  /** hi = the high 64 bits of x * y (Hacker's Delight mulhu: no intermediate sum overflows). */
  mulHigh(hi: Local, x: Local, y: Local): X[] {
    const o = this.o, { t, w } = this;
    if (hi === x || hi === y) throw new Error("mulHigh: hi must not alias an input");
    if (o.wide) return [hi.set(o.mulHighWide(x.get(), y.get()))];
    return [
      t.set(o.add(o.mul(o.hi32(x.get()), o.lo32(y.get())), o.hi32(o.mul(o.lo32(x.get()), o.lo32(y.get()))))),
      w.set(o.add(o.lo32(t.get()), o.mul(o.lo32(x.get()), o.hi32(y.get())))),
      hi.set(o.add(o.add(o.mul(o.hi32(x.get()), o.hi32(y.get())), o.hi32(t.get())), o.hi32(w.get()))),
    ];
  }

  /** v = floor((2^128 - 1) / d) - 2^64 for normalised d (intx reciprocal_2by1). */
  reciprocal2by1(v: Local, d: Local): X[] {
    const o = this.o, m = this.m, { x: v0, y: d40, z: e, hi, lo } = this;
    if (v === d) throw new Error("reciprocal2by1: v must not alias d");
    return [
      // intx reads v0 from a 256-entry table of exactly these quotients; we have no memory for it.
      v0.set(o.fromI32(m.i32.div_u(m.i32.const(0x7fd00), m.i32.wrap(o.shrU(d.get(), 55))))),
      d40.set(o.add(o.shrU(d.get(), 24), o.k(1))),
      // v1
      v.set(o.sub(o.sub(o.shl(v0.get(), 11), o.shrU(o.mul(o.mul(v0.get(), v0.get()), d40.get()), 40)), o.k(1))),
      // v2
      v.set(o.add(
        o.shl(v.get(), 13),
        o.shrU(o.mul(v.get(), o.sub(o.k(1n << 60n), o.mul(v.get(), d40.get()))), 47),
      )),
      // v3: e = ((v2 >> 1) & -(d & 1)) - v2 * ceil(d / 2)
      lo.set(o.and(d.get(), o.k(1))),
      e.set(o.sub(
        o.and(o.shrU(v.get(), 1), o.sub(o.k(0), lo.get())),
        o.mul(v.get(), o.add(o.shrU(d.get(), 1), lo.get())),
      )),
      ...this.mulHigh(hi, v, e),
      v.set(o.add(o.shrU(hi.get(), 1), o.shl(v.get(), 31))),
      // v4 = v3 - high(v3 * d + d) - d
      ...this.mulHigh(hi, v, d),
      lo.set(o.add(o.mul(v.get(), d.get()), d.get())),
      hi.set(o.add(hi.get(), o.bit(o.ltU(lo.get(), d.get())))),
      v.set(o.sub(o.sub(v.get(), hi.get()), d.get())),
    ];
  }

  /** v = the 3-by-2 reciprocal of the normalised divisor d1:d0 (intx reciprocal_3by2). */
  reciprocal3by2(v: Local, d1: Local, d0: Local): X[] {
    const o = this.o, m = this.m, { x: p, y: tHi, z: tLo } = this;
    const dec = () => v.set(o.sub(v.get(), o.k(1)));
    return [
      ...this.reciprocal2by1(v, d1),
      p.set(o.add(o.mul(d1.get(), v.get()), d0.get())),
      m.if(
        o.ltU(p.get(), d0.get()),
        m.block(null, [
          dec(),
          m.if(o.geU(p.get(), d1.get()), m.block(null, [dec(), p.set(o.sub(p.get(), d1.get()))])),
          p.set(o.sub(p.get(), d1.get())),
        ]),
      ),
      ...this.mulHigh(tHi, v, d0),
      tLo.set(o.mul(v.get(), d0.get())),
      p.set(o.add(p.get(), tHi.get())),
      m.if(
        o.ltU(p.get(), tHi.get()),
        m.block(null, [
          dec(),
          m.if(
            m.i32.and(o.geU(p.get(), d1.get()), m.i32.or(o.gtU(p.get(), d1.get()), o.geU(tLo.get(), d0.get()))),
            dec(),
          ),
        ]),
      ),
    ];
  }

  /** (q, r) = (u1:u0) divided by d, given u1 < d and v = reciprocal2by1(d) (intx udivrem_2by1). */
  divRem2by1(q: Local, r: Local, u1: Local, u0: Local, d: Local, v: Local): X[] {
    const o = this.o, m = this.m, { lo: qLo, x: c } = this;
    return [
      ...this.mulHigh(q, v, u1),
      qLo.set(o.add(o.mul(v.get(), u1.get()), u0.get())),
      q.set(o.add(o.add(q.get(), u1.get()), o.add(o.bit(o.ltU(qLo.get(), u0.get())), o.k(1)))),
      r.set(o.sub(u0.get(), o.mul(q.get(), d.get()))),
      // r > qLo: one too many (branchless, taken often)
      c.set(o.bit(o.gtU(r.get(), qLo.get()))),
      q.set(o.sub(q.get(), c.get())),
      r.set(o.add(r.get(), o.and(d.get(), o.sub(o.k(0), c.get())))),
      m.if(o.geU(r.get(), d.get()), m.block(null, [q.set(o.add(q.get(), o.k(1))), r.set(o.sub(r.get(), d.get()))])),
    ];
  }

  /**
   * (q, r1:r0) = (u2:u1:u0) divided by d1:d0, given u2:u1 < d1:d0 and v = reciprocal3by2(d1, d0)
   * (intx udivrem_3by2). r1, r0 may be u1, u0.
   */
  divRem3by2(q: Local, r1: Local, r0: Local, u2: Local, u1: Local, u0: Local, d1: Local, d0: Local, v: Local): X[] {
    const o = this.o, m = this.m, { lo: qLo, hi: tHi, x: tLo, y: borrow } = this;
    return [
      ...this.mulHigh(q, v, u2),
      qLo.set(o.mul(v.get(), u2.get())),
      // q += u2:u1
      qLo.set(o.add(qLo.get(), u1.get())),
      q.set(o.add(o.add(q.get(), u2.get()), o.bit(o.ltU(qLo.get(), u1.get())))),
      // r = (u1 - q*d1 : u0) - d0 * q - d
      r1.set(o.sub(u1.get(), o.mul(q.get(), d1.get()))),
      ...this.mulHigh(tHi, d0, q),
      tLo.set(o.mul(d0.get(), q.get())),
      borrow.set(o.bit(o.ltU(u0.get(), tLo.get()))),
      r0.set(o.sub(u0.get(), tLo.get())),
      r1.set(o.sub(o.sub(r1.get(), tHi.get()), borrow.get())),
      borrow.set(o.bit(o.ltU(r0.get(), d0.get()))),
      r0.set(o.sub(r0.get(), d0.get())),
      r1.set(o.sub(o.sub(r1.get(), d1.get()), borrow.get())),
      q.set(o.add(q.get(), o.k(1))),
      m.if(
        o.geU(r1.get(), qLo.get()),
        m.block(null, [
          q.set(o.sub(q.get(), o.k(1))),
          r0.set(o.add(r0.get(), d0.get())),
          r1.set(o.add(o.add(r1.get(), d1.get()), o.bit(o.ltU(r0.get(), d0.get())))),
        ]),
      ),
      m.if(
        m.i32.or(o.gtU(r1.get(), d1.get()), m.i32.and(o.eq(r1.get(), d1.get()), o.geU(r0.get(), d0.get()))),
        m.block(null, [
          q.set(o.add(q.get(), o.k(1))),
          borrow.set(o.bit(o.ltU(r0.get(), d0.get()))),
          r0.set(o.sub(r0.get(), d0.get())),
          r1.set(o.sub(o.sub(r1.get(), d1.get()), borrow.get())),
        ]),
      ),
    ];
  }
}
