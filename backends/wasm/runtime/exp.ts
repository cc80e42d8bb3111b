// EXP by right-to-left square-and-multiply on words in locals, and the byte length EXP's gas needs.
import binaryen from "../binaryen.ts";
import { BuildOptions, entryFn, Fn, Ops, X } from "./ir.ts";
import { emitMul, MulScratch } from "./mul.ts";

/** u256_exp(a, b, out): out = a^b mod 2^256. */
export function addExp(m: binaryen.Module, name: string, options: BuildOptions, fixed?: readonly number[]): void {
  const { f, ptrs: [aPtr, bPtr, outPtr] } = entryFn(m, 3, options, fixed);
  const o = new Ops(m, options);
  const base = f.word(), e = f.word(), result = f.word();
  const s = new MulScratch(f);
  const shiftExponentRight: X[] = e.map((limb, i) =>
    limb.set(i < 3 ? o.or(o.shrU(limb.get(), 1), o.shl(e[i + 1].get(), 63)) : o.shrU(limb.get(), 1))
  );
  f.add(name, binaryen.none, [
    ...f.loadWord(aPtr, base),
    ...f.loadWord(bPtr, e),
    ...o.setWord(result, [o.k(1), o.k(0), o.k(0), o.k(0)]),
    m.block("done", [
      m.loop(
        "bit",
        m.block(null, [
          m.br("done", o.isZero(e)),
          m.if(o.ne(o.and(e[0].get(), o.k(1)), o.k(0)), m.block(null, emitMul(o, s, result, base, result))),
          ...shiftExponentRight,
          m.br("done", o.isZero(e)),
          ...emitMul(o, s, base, base, base),
          m.br("bit"),
        ]),
      ),
    ]),
    ...f.storeWord(outPtr, result.map((l) => l.get())),
  ]);
}

/** u256_byte_len(a) -> i32: the number of significant bytes of the word at a (0 for zero). */
export function addByteLen(m: binaryen.Module, name: string, options: BuildOptions): void {
  const f = new Fn(m, [binaryen.i32], options);
  const [aPtr] = f.params;
  const o = new Ops(m, options);
  const a = f.word();
  // (71 - clz(limb)) / 8 is the byte length of a limb, 0 for a zero limb.
  const limbBytes = (i: number) =>
    m.i32.add(m.i32.const(8 * i), m.i32.wrap(o.shrU(o.sub(o.k(71), o.clz(a[i].get())), 3)));
  let len = limbBytes(0);
  for (let i = 1; i < 4; i++) len = m.if(o.ne(a[i].get(), o.k(0)), limbBytes(i), len);
  f.add(name, binaryen.i32, [...f.loadWord(aPtr, a), len]);
}
