// Keccak-256 (the Ethereum variant: pad byte 0x01) with the 25 state lanes in i64 locals and a rolled
// 24-round loop. Inputs are read in place; the final partial block is assembled in locals, never reading
// past ptr+len. Digests of 32- and 64-byte inputs (storage slots of arrays and mappings) are kept in a small
// cache in linear memory: contracts hash the same slot over and over (snailtracer 5,547 times a call over
// two inputs, an ERC-20 transfer loop 15,001 times over two), and a permutation costs about 0.4 µs.
import binaryen from "../binaryen.ts";
import { BuildOptions, Fn, Local, Ops, X } from "./ir.ts";

const RATE_BYTES = 136;

/**
 * The digest cache: KECCAK_CACHE_ENTRIES entries, direct-mapped on the input, each the input's length (i32,
 * padded to 8 bytes; 0 in an empty entry), the input (64 bytes, the first 32 for a 32-byte input) and the digest
 * as a word. Memory starts zeroed, so every entry starts empty; entries stay valid in any memory, whichever
 * contract filled them, as a digest depends on nothing but the input.
 */
export const KECCAK_CACHE_ENTRIES = 32;
export const KECCAK_CACHE_ENTRY_BYTES = 8 + 64 + 32;
export const KECCAK_CACHE_BYTES = KECCAK_CACHE_ENTRIES * KECCAK_CACHE_ENTRY_BYTES;
const RATE_LANES = RATE_BYTES / 8;

/** Rotation offsets of rho, indexed by lane x + 5y. */
const RHO = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];

// deno-fmt-ignore
const ROUND_CONSTANTS = [
  0x0000000000000001n, 0x0000000000008082n, 0x800000000000808an, 0x8000000080008000n,
  0x000000000000808bn, 0x0000000080000001n, 0x8000000080008081n, 0x8000000000008009n,
  0x000000000000008an, 0x0000000000000088n, 0x0000000080008009n, 0x000000008000000an,
  0x000000008000808bn, 0x800000000000008bn, 0x8000000000008089n, 0x8000000000008003n,
  0x8000000000008002n, 0x8000000000000080n, 0x000000000000800an, 0x800000008000000an,
  0x8000000080008081n, 0x8000000000008080n, 0x0000000080000001n, 0x8000000080008008n,
];

/** Bit positions a round constant can have set (2^j - 1): each constant is 7 bits of information. */
const RC_BITS = [0, 1, 3, 7, 15, 31, 63];

/**
 * The 24 round constants with no memory to keep a table in: each packed as a 7-bit code, eight codes per
 * i64 immediate. A round takes the low code and expands it back to the constant.
 */
const RC_TABLES = [0, 1, 2].map((t) =>
  ROUND_CONSTANTS.slice(8 * t, 8 * t + 8).reduce((table, rc, i) => {
    const code = RC_BITS.reduce((c, bit, j) => c | (((rc >> BigInt(bit)) & 1n) << BigInt(j)), 0n);
    return table | (code << BigInt(7 * i));
  }, 0n)
);

function expandRoundConstant(o: Ops, code: () => X): X {
  return o.or(...RC_BITS.map((bit, j) => o.shl(o.and(code(), o.k(1n << BigInt(j))), bit - j)));
}

/** Emits one Keccak-f[1600] permutation of `a` (25 lanes) as a 24-iteration loop. */
function emitPermutation(f: Fn, o: Ops, a: Local[]): X[] {
  const m = f.m;
  const b = f.i64s(25), c = f.i64s(5), d = f.i64s(5);
  const round = f.i32(), rcTable = f.i64();
  const body: X[] = [];
  // theta
  for (let x = 0; x < 5; x++) body.push(c[x].set(o.xor(...[0, 5, 10, 15, 20].map((y) => a[x + y].get()))));
  for (let x = 0; x < 5; x++) body.push(d[x].set(o.xor(c[(x + 4) % 5].get(), o.rotl(c[(x + 1) % 5].get(), 1))));
  // rho and pi: B[y][2x+3y] = rot(A[x][y] ^ D[x])
  for (let x = 0; x < 5; x++) {
    for (let y = 0; y < 5; y++) {
      const lane = o.xor(a[x + 5 * y].get(), d[x].get());
      body.push(b[y + 5 * ((2 * x + 3 * y) % 5)].set(RHO[x + 5 * y] ? o.rotl(lane, RHO[x + 5 * y]) : lane));
    }
  }
  // chi, with iota folded into lane 0
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      const row = (i: number) => b[((x + i) % 5) + 5 * y].get();
      let lane = o.xor(row(0), o.and(o.not(row(1)), row(2)));
      if (x + y === 0) lane = o.xor(lane, expandRoundConstant(o, () => o.and(rcTable.get(), o.k(127))));
      body.push(a[x + 5 * y].set(lane));
    }
  }
  body.push(
    round.set(m.i32.add(round.get(), m.i32.const(1))),
    rcTable.set(m.select(
      m.i32.eq(round.get(), m.i32.const(8)),
      o.k(RC_TABLES[1]),
      m.select(m.i32.eq(round.get(), m.i32.const(16)), o.k(RC_TABLES[2]), o.shrU(rcTable.get(), 7)),
    )),
    m.br("round", m.i32.lt_u(round.get(), m.i32.const(24))),
  );
  return [round.set(m.i32.const(0)), rcTable.set(o.k(RC_TABLES[0])), m.loop("round", m.block(null, body))];
}

/** Byte swap of an i64 (wasm has no bswap). */
function byteSwap(o: Ops, x: Local): X[] {
  const swapPairs = (bits: number, mask: bigint) =>
    x.set(o.or(o.and(o.shrU(x.get(), bits), o.k(mask)), o.shl(o.and(x.get(), o.k(mask)), bits)));
  return [swapPairs(8, 0x00ff00ff00ff00ffn), swapPairs(16, 0x0000ffff0000ffffn), x.set(o.rotl(x.get(), 32))];
}

/**
 * keccak256(ptr, len, out): hashes len bytes at ptr and writes the digest to out as a word
 * (the digest read as a big-endian number, stored as four little-endian i64 limbs).
 */
export function addKeccak(m: binaryen.Module, name: string, options: BuildOptions, cache?: number): void {
  const f = new Fn(m, [binaryen.i32, binaryen.i32, binaryen.i32], options);
  const [ptr, len, outPtr] = f.params;
  const o = new Ops(m, options);
  const a = f.i64s(25);
  const remaining = f.i32(), tail = f.i64(), tailLane = f.i32(), j = f.i32(), last = f.i32();
  const key = f.i64s(8), entry = f.i32(), cacheable = f.i32(), mix = f.i64();

  const loadLane = (i: number) => m.i64.load(8 * i, 1, ptr.get(), f.memory);
  const absorbFullBlock = [
    ...Array.from({ length: RATE_LANES }, (_, i) => a[i].set(o.xor(a[i].get(), loadLane(i)))),
    ptr.set(m.i32.add(ptr.get(), m.i32.const(RATE_BYTES))),
    remaining.set(m.i32.sub(remaining.get(), m.i32.const(RATE_BYTES))),
  ];
  // The last block: `remaining` (< 136) bytes, then the pad bytes 0x01 ... 0x80.
  const absorbLastBlock: X[] = [
    tailLane.set(m.i32.shr_u(remaining.get(), m.i32.const(3))),
    // The partial lane's bytes, read one at a time from its last byte down, and the 0x01 pad byte.
    tail.set(o.k(0)),
    j.set(remaining.get()),
    m.block("tailRead", [
      m.loop(
        "tailByte",
        m.block(null, [
          m.br("tailRead", m.i32.le_u(j.get(), m.i32.and(remaining.get(), m.i32.const(~7)))),
          j.set(m.i32.sub(j.get(), m.i32.const(1))),
          tail.set(o.or(o.shl(tail.get(), 8), m.i64.load8_u(0, 1, m.i32.add(ptr.get(), j.get()), f.memory))),
          m.br("tailByte"),
        ]),
      ),
    ]),
    tail.set(
      o.xor(
        tail.get(),
        o.shlBy(o.k(1), o.fromI32(m.i32.shl(m.i32.and(remaining.get(), m.i32.const(7)), m.i32.const(3)))),
      ),
    ),
    ...Array.from({ length: RATE_LANES }, (_, i) =>
      a[i].set(o.xor(
        a[i].get(),
        m.if(
          m.i32.lt_u(m.i32.const(i), tailLane.get()),
          loadLane(i),
          m.if(m.i32.eq(m.i32.const(i), tailLane.get()), tail.get(), o.k(0)),
        ),
      ))),
    a[RATE_LANES - 1].set(o.xor(a[RATE_LANES - 1].get(), o.k(0x80n << 56n))),
    last.set(m.i32.const(1)),
  ];

  const digest = [3, 2, 1, 0].map((lane) => a[lane]); // digest bytes 24..31 are the least significant limb
  const mem = f.memory;
  // Cache lookup: a 32- or 64-byte input is read into key (the last four limbs zero for 32 bytes), mixed into
  // an entry index, and compared with the entry's length and input.
  const lookup: X[] = cache === undefined ? [] : [
    cacheable.set(m.i32.or(m.i32.eq(len.get(), m.i32.const(32)), m.i32.eq(len.get(), m.i32.const(64)))),
    m.if(cacheable.get(), m.block(null, [
      ...key.slice(0, 4).map((k, i) => k.set(m.i64.load(8 * i, 1, ptr.get(), mem))),
      ...key.slice(4).map((k, i) =>
        k.set(m.if(m.i32.eq(len.get(), m.i32.const(64)), m.i64.load(32 + 8 * i, 1, ptr.get(), mem), o.k(0)))
      ),
      mix.set(o.xor(...key.map((k) => k.get()))),
      mix.set(o.xor(mix.get(), o.shrU(mix.get(), 29), o.shrU(mix.get(), 43))),
      entry.set(m.i32.add(
        m.i32.const(cache),
        m.i32.mul(
          m.i32.and(m.i32.wrap(mix.get()), m.i32.const(KECCAK_CACHE_ENTRIES - 1)),
          m.i32.const(KECCAK_CACHE_ENTRY_BYTES),
        ),
      )),
      m.if(
        m.i32.and(
          m.i32.eq(m.i32.load(0, 4, entry.get(), mem), len.get()),
          o.eqz(o.or(...key.map((k, i) => o.xor(k.get(), m.i64.load(8 + 8 * i, 8, entry.get(), mem))))),
        ),
        m.block(null, [
          ...f.storeWord(outPtr, [0, 1, 2, 3].map((i) => m.i64.load(72 + 8 * i, 8, entry.get(), mem))),
          m.return(),
        ]),
      ),
    ])),
  ];
  const remember: X[] = cache === undefined ? [] : [
    m.if(cacheable.get(), m.block(null, [
      m.i32.store(0, 4, entry.get(), len.get(), mem),
      ...key.map((k, i) => m.i64.store(8 + 8 * i, 8, entry.get(), k.get(), mem)),
      ...digest.map((l, i) => m.i64.store(72 + 8 * i, 8, entry.get(), l.get(), mem)),
    ])),
  ];
  f.add(name, binaryen.none, [
    ...lookup,
    ...a.map((l) => l.set(o.k(0))),
    remaining.set(len.get()),
    last.set(m.i32.const(0)),
    m.loop(
      "absorb",
      m.block(null, [
        m.if(
          m.i32.ge_u(remaining.get(), m.i32.const(RATE_BYTES)),
          m.block(null, absorbFullBlock),
          m.block(null, absorbLastBlock),
        ),
        ...emitPermutation(f, o, a),
        m.br("absorb", m.i32.eqz(last.get())),
      ]),
    ),
    ...digest.flatMap((l) => byteSwap(o, l)),
    ...remember,
    ...f.storeWord(outPtr, digest.map((l) => l.get())),
  ]);
}
