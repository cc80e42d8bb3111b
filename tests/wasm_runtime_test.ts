// The wasm 256-bit arithmetic and Keccak library (backends/wasm/runtime) against BigInt and @noble/hashes,
// in both flavours (WebAssembly MVP, and wide arithmetic where the engine has it), unoptimised and at -O2.
// Also runs under Bun as a plain script: `npx -y bun tests/wasm_runtime_test.ts`. Deno runs the wide
// flavour with `--v8-flags=--experimental-wasm-wide-arithmetic`.
import assert from "node:assert/strict";
import binaryen from "../backends/wasm/binaryen.ts";
import { keccak_256 } from "@noble/hashes/sha3.js";
import {
  addU256Runtime,
  declareU256RuntimeImports,
  digestToWord,
  linkU256Runtime,
  readWord,
  U256_FUNCS,
  U256_SCRATCH_FUNCS,
  wideArithmeticSupported,
  wordToDigest,
  writeWord,
} from "../backends/wasm/runtime/u256.ts";
import { Fn, Ops } from "../backends/wasm/runtime/ir.ts";
import { Wide } from "../backends/wasm/runtime/wide.ts";

interface TestDefinition {
  name: string;
  fn: () => void;
  ignore?: boolean;
}
const deno = (globalThis as { Deno?: { test: (t: TestDefinition) => void } }).Deno;
const register = (t: TestDefinition) => {
  if (deno) return deno.test(t);
  if (t.ignore) return console.log(`skip - ${t.name}`);
  t.fn();
  console.log(`ok - ${t.name}`);
};

const M = (1n << 256n) - 1n;
const SIGN = 1n << 255n;
const toSigned = (x: bigint) => (x & SIGN ? x - (1n << 256n) : x);
const fromSigned = (x: bigint) => x & M;

const reference = {
  mul: (a: bigint, b: bigint) => (a * b) & M,
  div: (a: bigint, b: bigint) => (b === 0n ? 0n : a / b),
  mod: (a: bigint, b: bigint) => (b === 0n ? 0n : a % b),
  sdiv: (a: bigint, b: bigint) => (b === 0n ? 0n : fromSigned(toSigned(a) / toSigned(b))),
  smod: (a: bigint, b: bigint) => (b === 0n ? 0n : fromSigned(toSigned(a) % toSigned(b))),
  exp: (a: bigint, b: bigint) => {
    let result = 1n;
    for (let base = a; b > 0n; b >>= 1n, base = (base * base) & M) if (b & 1n) result = (result * base) & M;
    return result;
  },
  addmod: (a: bigint, b: bigint, n: bigint) => (n === 0n ? 0n : (a + b) % n),
  mulmod: (a: bigint, b: bigint, n: bigint) => (n === 0n ? 0n : (a * b) % n),
};
type Binary = "mul" | "div" | "mod" | "sdiv" | "smod" | "exp";
type Ternary = "addmod" | "mulmod";

// Memory layout of the test module: three operands and a result, then room for Keccak inputs, and keccak256's
// digest cache past them.
const A = 0, B = 32, N = 64, OUT = 96, PAGES = 4, KECCAK_CACHE_AT = 80000;

interface Runtime {
  view: DataView;
  bytes: Uint8Array;
  fn: Record<string, (...args: number[]) => number>;
}

function instantiate(wideArithmetic: boolean, optimize: boolean): Runtime {
  const m = new binaryen.Module();
  m.setMemory(PAGES, PAGES, "memory");
  const scratch = { a: A, b: B, c: N, out: OUT };
  addU256Runtime(m, undefined, { wideArithmetic, scratch, keccakCache: KECCAK_CACHE_AT });
  addU256Runtime(m, undefined, { wideArithmetic, scratch, keccakCache: KECCAK_CACHE_AT }); // idempotent
  for (const name of [...Object.values(U256_FUNCS), ...Object.values(U256_SCRATCH_FUNCS)]) {
    m.addFunctionExport(name, name);
  }
  assert.ok(m.validate(), "module validates");
  if (optimize) {
    binaryen.setOptimizeLevel(2);
    m.optimize();
    assert.ok(m.validate(), "optimized module validates");
  }
  const binary = m.emitBinary() as Uint8Array<ArrayBuffer>;
  m.dispose();
  const exports = new WebAssembly.Instance(new WebAssembly.Module(binary), {}).exports;
  const memory = exports.memory as WebAssembly.Memory;
  return {
    view: new DataView(memory.buffer),
    bytes: new Uint8Array(memory.buffer),
    fn: exports as unknown as Runtime["fn"],
  };
}

// Deterministic PRNG (xorshift128+), so failures reproduce.
function rng(seed: bigint) {
  let s0 = seed | 1n, s1 = (seed * 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn | 1n;
  const next64 = () => {
    let x = s0;
    const y = s1;
    s0 = y;
    x ^= (x << 23n) & 0xffffffffffffffffn;
    s1 = x ^ y ^ (x >> 17n) ^ (y >> 26n);
    return (s1 + y) & 0xffffffffffffffffn;
  };
  const int = (n: number) => Number(next64() % BigInt(n));
  return { next64, int };
}

const EDGE_DIGITS = [0n, 1n, 2n, 0x7fffffffn, 0x80000000n, 0xfffffffen, 0xffffffffn];

/** Values shaped to reach every path: few or many 32-bit digits, extreme digits, powers of two. */
function valueGenerator(seed: bigint) {
  const r = rng(seed);
  return (): bigint => {
    switch (r.int(4)) {
      case 0: { // random with a random number of significant digits
        const digits = 1 + r.int(8);
        return r.next64() * (1n << 192n) + r.next64() * (1n << 128n) + r.next64() * (1n << 64n) + r.next64() &
          ((1n << BigInt(32 * digits)) - 1n);
      }
      case 1: { // digits drawn from extreme values: exercises the division's corrections and add-back
        const digits = 1 + r.int(8);
        let x = 0n;
        for (let i = 0; i < digits; i++) {
          x = (x << 32n) | (r.int(3) ? EDGE_DIGITS[r.int(EDGE_DIGITS.length)] : r.next64() & 0xffffffffn);
        }
        return x;
      }
      case 2: { // near a power of two
        const p = 1n << BigInt(r.int(257));
        return (p + BigInt(r.int(5)) - 2n) & M;
      }
      default: // negative in two's complement, small magnitude
        return (M - (r.next64() >> BigInt(r.int(64))) + 1n) & M;
    }
  };
}

/**
 * (dividend, divisor) pairs with divisors above 2^128 shaped to reach long division's rare branches:
 * dividend = divisor * 2^(64k) - j, and dividends whose top limbs copy the divisor's.
 */
function shapedDivisionPairs(seed: bigint, count: number): [bigint, bigint][] {
  const r = rng(seed);
  const limbEdges = [0n, 1n, (1n << 64n) - 1n, (1n << 64n) - 2n, 1n << 63n, (1n << 63n) - 1n];
  const pairs: [bigint, bigint][] = [];
  for (let i = 0; i < count; i++) {
    const bits = 129 + r.int(127);
    const b = (r.next64() << 192n | r.next64() << 128n | r.next64() << 64n | r.next64()) & ((1n << BigInt(bits)) - 1n) |
      (1n << BigInt(bits - 1));
    pairs.push([((b << BigInt(64 * (1 + r.int(3)))) - BigInt(r.int(5))) & M, b]);
    const limbsOfB = [0, 1, 2, 3].map((j) => (b >> BigInt(64 * j)) & ((1n << 64n) - 1n));
    const top = bits > 192 ? 4 : 3;
    const a = [0, 1, 2, 3].map(() => limbEdges[r.int(limbEdges.length)]);
    for (let t = 0; t < top; t++) a[3 - t] = limbsOfB[top - 1 - t];
    pairs.push([a.reduceRight((acc, x) => (acc << 64n) | x, 0n), b]);
  }
  return pairs;
}

const EDGES = [
  0n,
  1n,
  2n,
  3n,
  10n,
  0xffffffffn,
  1n << 32n,
  (1n << 64n) - 1n,
  1n << 64n,
  (1n << 64n) + 1n,
  (1n << 128n) - 1n,
  1n << 128n,
  1n << 192n,
  (1n << 192n) - 1n,
  SIGN - 1n,
  SIGN,
  SIGN + 1n,
  M - 1n,
  M,
  10n ** 18n,
  10n ** 36n,
  0x1000000000000000000000000n,
  0xffffffff00000000ffffffff00000000n,
];

for (const [wide, optimize] of [[false, false], [false, true], [true, false], [true, true]]) {
  const level = `${wide ? "wide arithmetic" : "MVP"} ${optimize ? "-O2" : "unoptimized"}`;
  const ignore = wide && !wideArithmeticSupported();
  const rt = ignore ? {} as Runtime : instantiate(wide, optimize); // an ignored flavour's tests never run
  const test = (name: string, fn: () => void) => register({ name, fn, ignore });

  const callBinary = (op: Binary, a: bigint, b: bigint, aPtr = A, bPtr = B, outPtr = OUT) => {
    writeWord(rt.view, aPtr, a);
    writeWord(rt.view, bPtr, b);
    rt.fn[U256_FUNCS[op]](aPtr, bPtr, outPtr);
    return readWord(rt.view, outPtr);
  };
  const checkBinary = (op: Binary, a: bigint, b: bigint) => {
    const want = reference[op](a, b);
    const got = callBinary(op, a, b);
    if (got !== want) {
      assert.fail(
        `${op}(0x${a.toString(16)}, 0x${b.toString(16)}) = 0x${got.toString(16)}, want 0x${want.toString(16)}`,
      );
    }
  };
  const checkTernary = (op: Ternary, a: bigint, b: bigint, n: bigint) => {
    writeWord(rt.view, A, a);
    writeWord(rt.view, B, b);
    writeWord(rt.view, N, n);
    rt.fn[U256_FUNCS[op]](A, B, N, OUT);
    const got = readWord(rt.view, OUT), want = reference[op](a, b, n);
    if (got !== want) {
      assert.fail(
        `${op}(0x${a.toString(16)}, 0x${b.toString(16)}, 0x${n.toString(16)}) = 0x${got.toString(16)}, want 0x${
          want.toString(16)
        }`,
      );
    }
  };

  for (const op of ["mul", "div", "mod", "sdiv", "smod"] as const) {
    test(`wasm runtime ${level}: ${op} on edge cases and 20000 random operands`, () => {
      for (const a of EDGES) for (const b of EDGES) checkBinary(op, a, b);
      const value = valueGenerator(BigInt(op.length) * 7919n + (optimize ? 1n : 0n));
      for (let i = 0; i < 20000; i++) checkBinary(op, value(), value());
      // Dividends far larger than divisors, divisors of every digit count.
      for (let i = 0; i < 3000; i++) {
        checkBinary(op, value() | (1n << 255n) >> BigInt(i % 64), value() >> BigInt(i % 256));
      }
      for (const [a, b] of shapedDivisionPairs(11n, 2000)) checkBinary(op, a, b);
      for (let k = 0; k < 256; k++) {
        checkBinary(op, value(), 1n << BigInt(k));
        checkBinary(op, value(), M + 1n - (1n << BigInt(k))); // -2^k
      }
    });
  }

  test(`wasm runtime ${level}: mul with 64-bit, sign-extended 64-bit or 128-bit operands (the short paths)`, () => {
    const value = valueGenerator(4099n);
    const M64 = (1n << 64n) - 1n;
    const smalls = [0n, 1n, 2n, M64, M64 - 1n, 1n << 63n, 0xffffffffn, 1n << 32n];
    for (let i = 0; i < 3000; i++) {
      const s = i < smalls.length ? smalls[i] : value() & (M64 >> BigInt(i % 64));
      const big = i % 3 === 0 ? M : i % 3 === 1 ? value() : value() & M64;
      checkBinary("mul", big, s);
      checkBinary("mul", s, big);
      checkBinary("mul", s, value() & M64);
      // Sign-extended 64-bit values: limbs 1-3 all ones.
      const neg = M - M64 + s;
      checkBinary("mul", big, neg);
      checkBinary("mul", neg, big);
      checkBinary("mul", neg, M - M64 + (value() & M64));
      checkBinary("mul", neg, s);
      // An operand below 2^128 (limbs 2-3 zero), with a wider or another such one.
      const half = (value() & ((1n << 128n) - 1n)) | (1n << 64n), spread = (s << 128n) | s;
      checkBinary("mul", half, big);
      checkBinary("mul", big, half);
      checkBinary("mul", half, spread);
      checkBinary("mul", half, half);
    }
  });

  test(`wasm runtime ${level}: division by 64-bit divisors, limb by limb (two 64/32-bit steps a limb)`, () => {
    const value = valueGenerator(8191n);
    const M64 = (1n << 64n) - 1n;
    for (let i = 0; i < 5000; i++) {
      // Divisors of every length up to 64 bits; dividends of every length, random and near multiples of the
      // divisor (where the estimated quotient digits need their corrections).
      const d = (value() & (M64 >> BigInt(i % 64))) | 1n;
      const q = value() >> BigInt(64 + (i % 192));
      const near = (d * q + BigInt(i % 5) - 2n) & M;
      const width = (1n << BigInt(64 * (1 + (i % 4)))) - 1n;
      for (const a of [value() & width, near, ((d << 64n) - 1n) & width, (width / d) * d, M - (M % d)]) {
        for (const op of ["div", "mod"] as const) checkBinary(op, a, d);
        checkBinary(i % 2 ? "sdiv" : "smod", (M - a + 1n) & M, d); // negative dividends, by magnitude
        checkBinary(i % 2 ? "smod" : "sdiv", a, (M - d + 1n) & M); // negative divisors
      }
    }
  });

  test(`wasm runtime ${level}: cached reciprocals: repeated divisors, and divisors differing in one limb`, () => {
    const value = valueGenerator(31n);
    for (let i = 0; i < 300; i++) {
      const b = value() | 1n << BigInt(64 + (i % 192)); // at least two limbs: the 3-by-2 reciprocal
      const c = b ^ 1n, e = b ^ (1n << BigInt(i % 64)); // same top limbs, another low limb
      const small = (value() & ((1n << 64n) - 1n)) | (1n << 40n); // one limb: the 2-by-1 reciprocal
      for (const divisor of [b, b, c, b, e, e, small, small ^ 1n, small, b]) {
        for (const op of ["div", "mod"] as const) checkBinary(op, value() | (1n << 255n), divisor);
      }
      checkTernary("mulmod", value(), value(), b);
      checkTernary("mulmod", value(), value(), c);
    }
  });

  test(`wasm runtime ${level}: signed division corner cases`, () => {
    const minInt = SIGN, minusOne = M;
    assert.equal(callBinary("sdiv", minInt, minusOne), minInt);
    assert.equal(callBinary("smod", minInt, minusOne), 0n);
    assert.equal(callBinary("sdiv", fromSigned(-7n), 2n), fromSigned(-3n));
    assert.equal(callBinary("smod", fromSigned(-7n), 2n), fromSigned(-1n));
    assert.equal(callBinary("smod", 7n, fromSigned(-2n)), 1n);
    assert.equal(callBinary("sdiv", fromSigned(-7n), 0n), 0n);
    assert.equal(callBinary("smod", fromSigned(-7n), 0n), 0n);
  });

  test(`wasm runtime ${level}: exp on edge cases and 2000 random operands`, () => {
    const small = [0n, 1n, 2n, 3n, 31n, 32n, 255n, 256n, 257n, (1n << 64n) + 3n];
    for (const a of EDGES) for (const b of [...EDGES, ...small]) checkBinary("exp", a, b);
    const value = valueGenerator(99n + (optimize ? 1n : 0n));
    const r = rng(5n);
    for (let i = 0; i < 2000; i++) checkBinary("exp", value(), i % 2 ? value() : BigInt(r.int(600)));
  });

  test(`wasm runtime ${level}: addmod and mulmod on edge cases and 20000 random operands`, () => {
    const moduli = [
      0n,
      1n,
      2n,
      3n,
      7n,
      0xffffffffn,
      (1n << 64n) - 59n,
      10n ** 18n,
      (1n << 127n) - 1n,
      SIGN,
      M,
      M - 188n,
    ];
    for (const a of EDGES) {
      for (const b of EDGES) {
        for (const n of moduli) {
          checkTernary("addmod", a, b, n);
          checkTernary("mulmod", a, b, n);
        }
      }
    }
    const value = valueGenerator(1234n + (optimize ? 1n : 0n));
    for (let i = 0; i < 20000; i++) {
      const a = value(), b = value(), n = value();
      checkTernary("addmod", a, b, n);
      checkTernary("mulmod", a, b, n);
      // Reduced operands (the common case in field arithmetic).
      if (n > 0n) checkTernary(i % 2 ? "addmod" : "mulmod", a % n, b % n, n);
      // mulmod's fast paths: the all-ones modulus (512-bit mulDiv), and products that fit in 256 bits.
      checkTernary("mulmod", a, b, M);
      checkTernary("mulmod", a >> 128n, b >> 130n, n);
      checkTernary("mulmod", a >> 64n, b >> 70n, i % 3 ? n : M);
    }
    checkTernary("mulmod", M, 1n, M);
    checkTernary("mulmod", 1n << 255n, 2n, M);
    checkTernary("mulmod", M - 1n, M - 1n, M);
    // Products whose top limbs copy the modulus's (long division's rare branches).
    for (const [x, n] of shapedDivisionPairs(12n, 1000)) {
      for (let k = 1; k <= 3; k++) checkTernary("mulmod", x, 1n << BigInt(64 * k), n);
      checkTernary("mulmod", n - 1n, n - 1n, n);
      checkTernary("addmod", x, x, n);
    }
  });

  test(`wasm runtime ${level}: mulmod_max gives mulmod(a, b, 2^256 - 1) and the product mod 2^256`, () => {
    const check = (a: bigint, b: bigint) => {
      writeWord(rt.view, A, a);
      writeWord(rt.view, B, b);
      rt.fn[U256_FUNCS.mulmodMax](A, B, OUT);
      const mod = readWord(rt.view, OUT), product = readWord(rt.view, OUT + 32);
      assert.equal(mod, (a * b) % M, `mulmod_max(0x${a.toString(16)}, 0x${b.toString(16)})`);
      assert.equal(product, (a * b) & M, `mulmod_max product(0x${a.toString(16)}, 0x${b.toString(16)})`);
    };
    for (const a of EDGES) for (const b of EDGES) check(a, b);
    // Sums of the halves that are exactly 2^256 - 1 (result 0), or carry out of 2^256.
    check(M, 1n);
    check(M, M);
    check(1n << 255n, 2n);
    check(1n << 255n, 4n);
    check(M - 1n, M - 1n);
    const value = valueGenerator(4321n + (optimize ? 1n : 0n));
    for (let i = 0; i < 20000; i++) {
      const a = value(), b = value();
      check(a, b);
      check(a >> BigInt(i % 256), b >> BigInt((i * 7) % 256));
    }
  });

  test(`wasm runtime ${level}: the scratch variants (fixed words, no parameters) against BigInt`, () => {
    const next = valueGenerator(0x5c7a7c4n);
    const values = [...EDGES, ...Array.from({ length: 3000 }, next)];
    const pick = (i: number, k: number) => values[(i * 7919 + k * 104729) % values.length];
    for (let i = 0; i < values.length; i++) {
      const a = values[i], b = pick(i, 1), n = pick(i, 2);
      for (const op of ["mul", "div", "mod", "sdiv", "smod", "exp"] as Binary[]) {
        writeWord(rt.view, A, a);
        writeWord(rt.view, B, op === "exp" ? b & 0xffffn : b);
        rt.fn[U256_SCRATCH_FUNCS[op]]();
        const want = reference[op](a, op === "exp" ? b & 0xffffn : b), got = readWord(rt.view, OUT);
        if (got !== want) assert.fail(`${op}_s(0x${a.toString(16)}, 0x${b.toString(16)}) = 0x${got.toString(16)}`);
      }
      for (const op of ["addmod", "mulmod"] as Ternary[]) {
        for (const modulus of [n, M]) {
          writeWord(rt.view, A, a);
          writeWord(rt.view, B, b);
          writeWord(rt.view, N, modulus);
          rt.fn[U256_SCRATCH_FUNCS[op]]();
          const want = reference[op](a, b, modulus), got = readWord(rt.view, OUT);
          if (got !== want) {
            assert.fail(
              `${op}_s(0x${a.toString(16)}, 0x${b.toString(16)}, 0x${modulus.toString(16)}) = 0x${got.toString(16)}`,
            );
          }
        }
      }
      writeWord(rt.view, A, a);
      writeWord(rt.view, B, b);
      rt.fn[U256_SCRATCH_FUNCS.mulmodMax]();
      assert.equal(
        readWord(rt.view, OUT),
        reference.mulmod(a, b, M),
        `mulmod_max_s(0x${a.toString(16)}, 0x${b.toString(16)})`,
      );
      assert.equal(
        readWord(rt.view, OUT + 32),
        (a * b) & M,
        `mulmod_max_s product of 0x${a.toString(16)}, 0x${b.toString(16)}`,
      );
    }
  });

  test(`wasm runtime ${level}: out may alias an input`, () => {
    const value = valueGenerator(77n);
    for (let i = 0; i < 500; i++) {
      const a = value(), b = value() | 1n, n = value() | 1n;
      for (const op of ["mul", "div", "mod", "sdiv", "smod", "exp"] as const) {
        assert.equal(callBinary(op, a, b, A, B, A), reference[op](a, b), `${op} out=a`);
        assert.equal(callBinary(op, a, b, A, B, B), reference[op](a, b), `${op} out=b`);
        writeWord(rt.view, A, a);
        rt.fn[U256_FUNCS[op]](A, A, A);
        assert.equal(readWord(rt.view, A), reference[op](a, a), `${op} a=b=out`);
      }
      for (const op of ["addmod", "mulmod"] as const) {
        for (const outPtr of [A, B, N]) {
          writeWord(rt.view, A, a);
          writeWord(rt.view, B, b);
          writeWord(rt.view, N, n);
          rt.fn[U256_FUNCS[op]](A, B, N, outPtr);
          assert.equal(readWord(rt.view, outPtr), reference[op](a, b, n), `${op} out aliasing`);
        }
      }
    }
  });

  test(`wasm runtime ${level}: byte_len`, () => {
    const byteLen = (x: bigint) => (x.toString(16).length + 1) >> 1;
    for (const x of [...EDGES, ...Array.from({ length: 257 }, (_, i) => (1n << BigInt(i)) & M)]) {
      writeWord(rt.view, A, x);
      assert.equal(rt.fn[U256_FUNCS.expByteLen](A), x === 0n ? 0 : byteLen(x), `byte_len(0x${x.toString(16)})`);
    }
  });

  test(`wasm runtime ${level}: keccak256 matches @noble/hashes`, () => {
    const r = rng(42n);
    const input = new Uint8Array(70000).map(() => r.int(256));
    const base = 1000;
    rt.bytes.set(input, base);
    const lengths = [...Array.from({ length: 301 }, (_, i) => i), 407, 408, 409, 543, 544, 545, 1000, 4096, 65535];
    for (const len of lengths) {
      for (const offset of [0, 3]) { // aligned and unaligned input
        rt.fn[U256_FUNCS.keccak](base + offset, len, OUT);
        const want = keccak_256(input.subarray(offset, offset + len));
        assert.equal(readWord(rt.view, OUT), digestToWord(want), `keccak256 of ${len} bytes at +${offset}`);
        assert.deepEqual(wordToDigest(readWord(rt.view, OUT)), want);
      }
    }
  });

  test(`wasm runtime ${level}: keccak256's digest cache answers by content, not by place`, () => {
    const r = rng(7n);
    // 52 inputs of 32 and 64 bytes (more than the cache's 32 entries), hashed in a shuffled order many
    // times, at places that change; some differ from others in one byte, or are another's first 32 bytes.
    const inputs: Uint8Array[] = [];
    for (let i = 0; i < 24; i++) inputs.push(new Uint8Array(32).map(() => r.int(256)));
    for (let i = 0; i < 16; i++) inputs.push(new Uint8Array(64).map(() => r.int(256)));
    for (let i = 0; i < 4; i++) inputs.push(inputs[24 + i].slice(0, 32)); // a 64-byte input's first half
    for (let i = 0; i < 4; i++) {
      const near = inputs[i].slice();
      near[31] ^= 1;
      inputs.push(near);
    }
    // Inputs that go to the same entry as another (the entry index mixes the xor of the input's 8-byte
    // limbs): one byte changed alike in two limbs, for every pair of limbs of a 64-byte input.
    for (let limb = 0; limb < 8; limb += 2) {
      const twin = inputs[24 + limb].slice();
      twin[8 * limb] ^= 0x5a;
      twin[8 * limb + 8] ^= 0x5a;
      inputs.push(twin);
    }
    const base = 2000;
    for (let round = 0; round < 2000; round++) {
      const input = inputs[r.int(inputs.length)];
      const at = base + r.int(64);
      rt.bytes.set(input, at);
      rt.fn[U256_FUNCS.keccak](at, input.length, OUT);
      assert.equal(readWord(rt.view, OUT), digestToWord(keccak_256(input)), `round ${round}`);
    }
  });

  test(`wasm runtime ${level}: keccak256 reads nothing past ptr+len and may write over its input`, () => {
    const end = PAGES * 65536;
    for (const len of [0, 1, 7, 32, 64, 135, 136, 137, 200]) {
      const data = new Uint8Array(len).map((_, i) => (i * 37 + 11) & 255);
      rt.bytes.set(data, end - len);
      rt.fn[U256_FUNCS.keccak](end - len, len, OUT); // would trap on an out-of-bounds read
      assert.equal(readWord(rt.view, OUT), digestToWord(keccak_256(data)));
    }
    const data = new Uint8Array(32).map((_, i) => i);
    rt.bytes.set(data, A);
    rt.fn[U256_FUNCS.keccak](A, 32, A);
    assert.equal(readWord(rt.view, A), digestToWord(keccak_256(data)));
    // The well-known empty hash, as the word KECCAK256 pushes.
    rt.fn[U256_FUNCS.keccak](A, 0, OUT);
    assert.equal(readWord(rt.view, OUT), 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470n);
  });
}

register({
  name: "wasm runtime: a module optimised against the declared imports, then linked to the library",
  fn: () => {
    const m = new binaryen.Module();
    m.setMemory(1, 1, "memory");
    declareU256RuntimeImports(m, binaryen);
    const ptr = (p: number) => m.i32.const(p);
    // f() = mulmod(a, b, n) then div(out, b): two entry points; the rest of the imports go unused.
    m.addFunction(
      "f",
      binaryen.none,
      binaryen.none,
      [],
      m.block(null, [
        m.call(U256_FUNCS.mulmod, [ptr(A), ptr(B), ptr(N), ptr(OUT)], binaryen.none),
        m.call(U256_FUNCS.div, [ptr(OUT), ptr(B), ptr(OUT)], binaryen.none),
      ]),
    );
    m.addFunctionExport("f", "f");
    binaryen.setOptimizeLevel(2);
    m.optimize();
    linkU256Runtime(m);
    assert.ok(m.validate());
    const binary = m.emitBinary() as Uint8Array<ArrayBuffer>;
    m.dispose();
    const exports = new WebAssembly.Instance(new WebAssembly.Module(binary), {}).exports;
    const view = new DataView((exports.memory as WebAssembly.Memory).buffer);
    const [a, b, n] = [M - 5n, 10n ** 30n + 7n, (1n << 200n) + 3n];
    writeWord(view, A, a);
    writeWord(view, B, b);
    writeWord(view, N, n);
    (exports.f as () => void)();
    assert.equal(readWord(view, OUT), (a * b % n) / b);
  },
});

for (const wideArithmetic of [false, true]) {
  register({
    name: `wasm runtime ${wideArithmetic ? "wide arithmetic" : "MVP"}: division reciprocals match their definitions`,
    ignore: wideArithmetic && !wideArithmeticSupported(),
    fn: () => {
      // The corrections in the 2-by-1 and 3-by-2 divisions could hide a reciprocal that is slightly off.
      const m = new binaryen.Module();
      const options = { wideArithmetic };
      if (wideArithmetic) m.setFeatures(binaryen.Features.Multivalue | binaryen.Features.WideArithmetic);
      const i64 = binaryen.i64;
      const two = new Fn(m, [i64], options), three = new Fn(m, [i64, i64], options);
      const v2 = two.i64(), v3 = three.i64();
      const o = new Ops(m, options);
      two.add("reciprocal2by1", i64, [...new Wide(two, o).reciprocal2by1(v2, two.params[0]), v2.get()]);
      three.add("reciprocal3by2", i64, [
        ...new Wide(three, o).reciprocal3by2(v3, three.params[0], three.params[1]),
        v3.get(),
      ]);
      m.addFunctionExport("reciprocal2by1", "reciprocal2by1");
      m.addFunctionExport("reciprocal3by2", "reciprocal3by2");
      assert.ok(m.validate());
      const binary = m.emitBinary() as Uint8Array<ArrayBuffer>;
      m.dispose();
      const { reciprocal2by1, reciprocal3by2 } = new WebAssembly.Instance(new WebAssembly.Module(binary), {})
        .exports as Record<string, (...limbs: bigint[]) => bigint>;
      const B = 1n << 64n, r = rng(3n);
      const normalised = [1n << 63n, (1n << 63n) + 1n, B - 1n, B - 2n, 0xc000000000000000n, 0x8000000100000000n];
      for (let i = 0; i < 5000; i++) normalised.push(r.next64() | (1n << 63n));
      for (const d1 of normalised) {
        assert.equal(BigInt.asUintN(64, reciprocal2by1(d1)), ((1n << 128n) - 1n) / d1 - B, `reciprocal2by1(${d1})`);
        for (const d0 of [0n, 1n, B - 1n, r.next64()]) {
          const want = ((1n << 192n) - 1n) / (d1 * B + d0) - B;
          assert.equal(BigInt.asUintN(64, reciprocal3by2(d1, d0)), want, `reciprocal3by2(${d1}, ${d0})`);
        }
      }
    },
  });
}

if (deno) {
  Deno.test("the checked-in runtime modules are what scripts/build_runtime_wasm.ts builds from runtime/", async () => {
    const { buildRuntimeBinary } = await import("../backends/wasm/runtime_module_build.ts");
    const binaries = await import("../backends/wasm/runtime_module_binary.ts");
    for (const [wide, base64] of [[false, binaries.RUNTIME_MODULE_BASE64], [true, binaries.RUNTIME_MODULE_WIDE_BASE64]]) {
      const fresh = buildRuntimeBinary(wide as boolean);
      const stored = Uint8Array.from(atob(base64 as string), (c) => c.charCodeAt(0));
      assert(
        stored.length === fresh.length && stored.every((b, i) => b === fresh[i]),
        "backends/wasm/runtime_module_binary.ts is stale: run `npx -y deno run -A scripts/build_runtime_wasm.ts`",
      );
    }
  });

  Deno.test("compiled contracts run on the wide-arithmetic runtime where the engine has it", async () => {
    const { RUNTIME_IS_WIDE, runtimeModule } = await import("../backends/wasm/runtime_module.ts");
    assert.equal(RUNTIME_IS_WIDE, wideArithmeticSupported());
    // The test task passes the flag that gives Deno wide arithmetic: the flavour users get is the one tested.
    assert(RUNTIME_IS_WIDE, "run the tests with --v8-flags=--experimental-wasm-wide-arithmetic (deno task test)");
    const imports = WebAssembly.Module.imports(runtimeModule());
    assert.deepEqual(imports.map((i) => i.kind), ["memory"]);
  });
}
