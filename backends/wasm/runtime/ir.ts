// Small helpers for building the runtime's Binaryen IR: typed locals, i64 operators, words of four limbs.
import binaryen from "../binaryen.ts";

export type X = binaryen.ExpressionRef;

const MASK32 = 0xffffffffn;

/** A local (or parameter) of the function being built. */
export class Local {
  constructor(readonly fn: Fn, readonly index: number, readonly type: binaryen.Type) {}
  get(): X {
    return this.fn.m.local.get(this.index, this.type);
  }
  set(value: X): X {
    return this.fn.m.local.set(this.index, value);
  }
}

/**
 * Where an entry point's word is: an i32 pointer parameter, or a constant address (the scratch variants,
 * whose operands are always at the same place: the engine bounds-checks no access at a constant address
 * inside the memory's minimum size, where an access at a parameter takes a compare and branch).
 */
export type Ptr = Local | number;

/** A 256-bit word held in four i64 locals, least significant limb first. */
export type Word = readonly [Local, Local, Local, Local];

/** How the library is built into a module. */
export interface BuildOptions {
  /** The memory words live in (undefined: the module's first memory). */
  memory?: string;
  /** Use i64.mul_wide_u (the wide-arithmetic proposal) for 64x64->128 products. */
  wideArithmetic: boolean;
}

/** Builds one function: declares parameters and locals, then adds it to the module. */
export class Fn {
  readonly params: Local[];
  readonly memory?: string;
  private readonly varTypes: binaryen.Type[] = [];

  constructor(readonly m: binaryen.Module, paramTypes: readonly binaryen.Type[], options: BuildOptions) {
    this.params = paramTypes.map((t, i) => new Local(this, i, t));
    this.memory = options.memory;
  }

  local(type: binaryen.Type): Local {
    this.varTypes.push(type);
    return new Local(this, this.params.length + this.varTypes.length - 1, type);
  }
  i64(): Local {
    return this.local(binaryen.i64);
  }
  i32(): Local {
    return this.local(binaryen.i32);
  }
  i64s(n: number): Local[] {
    return Array.from({ length: n }, () => this.i64());
  }
  word(): Word {
    return [this.i64(), this.i64(), this.i64(), this.i64()];
  }

  add(name: string, results: binaryen.Type, body: X[]): void {
    const params = binaryen.createType(this.params.map((p) => p.type));
    this.m.addFunction(name, params, results, this.varTypes, this.m.block(null, body, results));
  }

  /** The address ptr holds, as an i32 expression. */
  addr(ptr: Ptr): X {
    return typeof ptr === "number" ? this.m.i32.const(ptr) : ptr.get();
  }

  // Word memory access: four little-endian i64 limbs at ptr.
  loadWord(ptr: Ptr, w: Word): X[] {
    return w.map((limb, i) => limb.set(this.m.i64.load(8 * i, 8, this.addr(ptr), this.memory)));
  }
  storeWord(ptr: Ptr, limbs: readonly X[]): X[] {
    return this.storeWordAt(ptr, 0, limbs);
  }
  storeWordAt(ptr: Ptr, offset: number, limbs: readonly X[]): X[] {
    return limbs.map((v, i) => this.m.i64.store(offset + 8 * i, 8, this.addr(ptr), v, this.memory));
  }
}

/**
 * An entry point's function and its word pointers: `count` i32 parameters, or for a scratch variant no
 * parameters and the `fixed` addresses.
 */
export function entryFn(
  m: binaryen.Module,
  count: number,
  options: BuildOptions,
  fixed?: readonly number[],
): { f: Fn; ptrs: Ptr[] } {
  if (fixed && fixed.length !== count) throw new Error(`entryFn: ${count} pointers, ${fixed.length} addresses`);
  const f = new Fn(m, fixed ? [] : Array(count).fill(binaryen.i32), options);
  return { f, ptrs: fixed ? [...fixed] : f.params };
}

/** i64 (and a few i32) operators with short names, bound to a module. */
export class Ops {
  readonly wide: boolean;
  constructor(readonly m: binaryen.Module, options: BuildOptions) {
    this.wide = options.wideArithmetic;
  }

  k(v: bigint | number): X {
    // binaryen.js 132 takes one bigint here (its typings still say number).
    return this.m.i64.const(BigInt.asIntN(64, BigInt(v)) as unknown as number);
  }
  add(a: X, b: X): X {
    return this.m.i64.add(a, b);
  }
  sub(a: X, b: X): X {
    return this.m.i64.sub(a, b);
  }
  mul(a: X, b: X): X {
    return this.m.i64.mul(a, b);
  }
  /** The high 64 bits of a * b with one i64.mul_wide_u (wide arithmetic builds only). */
  mulHighWide(a: X, b: X): X {
    return this.m.tuple.extract(this.m.i64.mul_wide_u(a, b), 1);
  }
  divU(a: X, b: X): X {
    return this.m.i64.div_u(a, b);
  }
  remU(a: X, b: X): X {
    return this.m.i64.rem_u(a, b);
  }
  and(a: X, b: X): X {
    return this.m.i64.and(a, b);
  }
  or(...xs: X[]): X {
    return xs.reduce((a, b) => this.m.i64.or(a, b));
  }
  xor(...xs: X[]): X {
    return xs.reduce((a, b) => this.m.i64.xor(a, b));
  }
  not(a: X): X {
    return this.m.i64.xor(a, this.k(-1));
  }
  // Shifts by a constant count; the *By forms take the count as an i64 expression.
  // (ExpressionRefs are numbers too, so the two cannot share one signature.)
  shl(a: X, count: number): X {
    return this.m.i64.shl(a, this.k(count));
  }
  shrU(a: X, count: number): X {
    return this.m.i64.shr_u(a, this.k(count));
  }
  shlBy(a: X, count: X): X {
    return this.m.i64.shl(a, count);
  }
  shrUBy(a: X, count: X): X {
    return this.m.i64.shr_u(a, count);
  }
  rotl(a: X, n: number): X {
    return this.m.i64.rotl(a, this.k(n));
  }
  clz(a: X): X {
    return this.m.i64.clz(a);
  }
  ctz(a: X): X {
    return this.m.i64.ctz(a);
  }
  popcnt(a: X): X {
    return this.m.i64.popcnt(a);
  }
  lo32(a: X): X {
    return this.m.i64.and(a, this.k(MASK32));
  }
  hi32(a: X): X {
    return this.m.i64.shr_u(a, this.k(32));
  }
  // Comparisons return i32.
  eqz(a: X): X {
    return this.m.i64.eqz(a);
  }
  eq(a: X, b: X): X {
    return this.m.i64.eq(a, b);
  }
  ne(a: X, b: X): X {
    return this.m.i64.ne(a, b);
  }
  ltU(a: X, b: X): X {
    return this.m.i64.lt_u(a, b);
  }
  gtU(a: X, b: X): X {
    return this.m.i64.gt_u(a, b);
  }
  geU(a: X, b: X): X {
    return this.m.i64.ge_u(a, b);
  }
  ltS(a: X, b: X): X {
    return this.m.i64.lt_s(a, b);
  }
  /** i64 0 or 1 from an i32 condition. */
  bit(cond: X): X {
    return this.m.i64.extend_u(cond);
  }
  /** Zero-extends an i32. */
  fromI32(x: X): X {
    return this.m.i64.extend_u(x);
  }
  /** Left funnel shift: the high 64 bits of (hi:lo) << n, for 0 <= n < 64 (n an i64). */
  funnelL(hi: X, lo: X, n: () => X): X {
    // (lo >> 1) >> (63 - n) is lo >> (64 - n) without the wasm shift-count wrap at n = 0.
    return this.or(this.shlBy(hi, n()), this.shrUBy(this.shrU(lo, 1), this.sub(this.k(63), n())));
  }
  /** Right funnel shift: the low 64 bits of (hi:lo) >> n, for 0 <= n < 64. */
  funnelR(hi: X, lo: X, n: () => X): X {
    return this.or(this.shrUBy(lo, n()), this.shlBy(this.shl(hi, 1), this.sub(this.k(63), n())));
  }

  // Word helpers (limbs as expressions).
  isZero(w: Word): X {
    return this.eqz(this.or(...w.map((l) => l.get())));
  }
  /** a < b as unsigned 256-bit numbers (i32). */
  wordLt(a: Word, b: Word): X {
    const m = this.m;
    let lt = this.ltU(a[0].get(), b[0].get());
    for (let i = 1; i < 4; i++) {
      lt = m.select(this.eq(a[i].get(), b[i].get()), lt, this.ltU(a[i].get(), b[i].get()));
    }
    return lt;
  }
  setWord(dst: Word, limbs: readonly X[]): X[] {
    return dst.map((d, i) => d.set(limbs[i]));
  }
  /** dst = -src (two's complement); dst may be src. */
  negate(dst: Word, src: Word, carry: Local): X[] {
    // -x = ~x + 1, the carry propagating while the limb sum wraps to zero.
    const out: X[] = [carry.set(this.k(1))];
    for (let i = 0; i < 4; i++) {
      out.push(dst[i].set(this.add(this.not(src[i].get()), carry.get())));
      if (i < 3) out.push(carry.set(this.and(carry.get(), this.bit(this.eqz(dst[i].get())))));
    }
    return out;
  }
}
