/** 0x09 BLAKE2F (EIP-152): the BLAKE2b compression function F with a caller-chosen round count. */
import { fail, outOfGas } from "./input.ts";
import type { Precompile } from "./types.ts";

const INPUT_LENGTH = 213;

// BLAKE2b initialisation vector (same as SHA-512's), as [low, high] 32-bit halves.
const IV = new Uint32Array([
  0xf3bcc908,
  0x6a09e667,
  0x84caa73b,
  0xbb67ae85,
  0xfe94f82b,
  0x3c6ef372,
  0x5f1d36f1,
  0xa54ff53a,
  0xade682d1,
  0x510e527f,
  0x2b3e6c1f,
  0x9b05688c,
  0xfb41bd6b,
  0x1f83d9ab,
  0x137e2179,
  0x5be0cd19,
]);

const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

/** Input: rounds (u32 big-endian) | h (8 × u64 LE) | m (16 × u64 LE) | t (2 × u64 LE) | f (1 byte). */
export const blake2fPrecompile: Precompile = (input, gasLimit) => {
  if (input.length !== INPUT_LENGTH) return fail("blake2f input must be exactly 213 bytes");
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const rounds = view.getUint32(0, false);
  if (rounds > gasLimit) return outOfGas();
  const finalFlag = input[212];
  if (finalFlag > 1) return fail("blake2f final block flag must be 0 or 1");
  const h = readWords(view, 4, 8);
  const m = readWords(view, 68, 16);
  const t = readWords(view, 196, 2);
  compress(rounds, h, m, t, finalFlag === 1);
  return { ok: true, gasUsed: rounds, output: writeWords(h) };
};

/** `count` little-endian u64 words as interleaved [low, high] 32-bit halves. */
function readWords(view: DataView, offset: number, count: number): Uint32Array {
  const words = new Uint32Array(2 * count);
  for (let i = 0; i < 2 * count; i++) words[i] = view.getUint32(offset + 4 * i, true);
  return words;
}

function writeWords(words: Uint32Array): Uint8Array {
  const out = new Uint8Array(4 * words.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < words.length; i++) view.setUint32(4 * i, words[i], true);
  return out;
}

/** Compresses in place into `h` (RFC 7693 section 3.2, with a variable round count). */
function compress(rounds: number, h: Uint32Array, m: Uint32Array, t: Uint32Array, isFinal: boolean): void {
  const v = new Uint32Array(32);
  v.set(h, 0);
  v.set(IV, 16);
  v[24] ^= t[0];
  v[25] ^= t[1];
  v[26] ^= t[2];
  v[27] ^= t[3];
  if (isFinal) {
    v[28] = ~v[28];
    v[29] = ~v[29];
  }
  for (let round = 0; round < rounds; round++) {
    const s = SIGMA[round % 10];
    mix(v, m, 0, 4, 8, 12, s[0], s[1]);
    mix(v, m, 1, 5, 9, 13, s[2], s[3]);
    mix(v, m, 2, 6, 10, 14, s[4], s[5]);
    mix(v, m, 3, 7, 11, 15, s[6], s[7]);
    mix(v, m, 0, 5, 10, 15, s[8], s[9]);
    mix(v, m, 1, 6, 11, 12, s[10], s[11]);
    mix(v, m, 2, 7, 8, 13, s[12], s[13]);
    mix(v, m, 3, 4, 9, 14, s[14], s[15]);
  }
  for (let i = 0; i < 16; i++) h[i] ^= v[i] ^ v[i + 16];
}

/**
 * The G mixing function on 64-bit words stored as [low, high] 32-bit pairs at index 2*i.
 * Works on locals: this is the hot loop, and rounds are caller-chosen (1 gas each).
 */
function mix(v: Uint32Array, m: Uint32Array, a: number, b: number, c: number, d: number, x: number, y: number): void {
  a *= 2;
  b *= 2;
  c *= 2;
  d *= 2;
  let al = v[a], ah = v[a + 1], bl = v[b], bh = v[b + 1];
  let cl = v[c], ch = v[c + 1], dl = v[d], dh = v[d + 1];
  let lo: number, hi: number;

  // Sums of up to three u32 values stay exact in a double; `/ 2^32 | 0` is the carry.
  // a = a + b + m[x]; d = (d ^ a) >>> 32
  lo = al + bl + m[2 * x];
  ah = (ah + bh + m[2 * x + 1] + ((lo / 0x100000000) | 0)) >>> 0;
  al = lo >>> 0;
  lo = (dl ^ al) >>> 0;
  dl = (dh ^ ah) >>> 0;
  dh = lo;
  // c = c + d; b = (b ^ c) >>> 24
  lo = cl + dl;
  ch = (ch + dh + ((lo / 0x100000000) | 0)) >>> 0;
  cl = lo >>> 0;
  lo = bl ^ cl;
  hi = bh ^ ch;
  bl = ((lo >>> 24) | (hi << 8)) >>> 0;
  bh = ((hi >>> 24) | (lo << 8)) >>> 0;
  // a = a + b + m[y]; d = (d ^ a) >>> 16
  lo = al + bl + m[2 * y];
  ah = (ah + bh + m[2 * y + 1] + ((lo / 0x100000000) | 0)) >>> 0;
  al = lo >>> 0;
  lo = dl ^ al;
  hi = dh ^ ah;
  dl = ((lo >>> 16) | (hi << 16)) >>> 0;
  dh = ((hi >>> 16) | (lo << 16)) >>> 0;
  // c = c + d; b = (b ^ c) >>> 63, i.e. rotate left by 1
  lo = cl + dl;
  ch = (ch + dh + ((lo / 0x100000000) | 0)) >>> 0;
  cl = lo >>> 0;
  lo = bl ^ cl;
  hi = bh ^ ch;
  bl = ((lo << 1) | (hi >>> 31)) >>> 0;
  bh = ((hi << 1) | (lo >>> 31)) >>> 0;

  v[a] = al;
  v[a + 1] = ah;
  v[b] = bl;
  v[b + 1] = bh;
  v[c] = cl;
  v[c + 1] = ch;
  v[d] = dl;
  v[d + 1] = dh;
}
