/** 256-bit word helpers shared by both backends. */
const M = (1n << 256n) - 1n;
const SIGN = 1n << 255n;
const M64 = (1n << 64n) - 1n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The word as a two's-complement signed number. */
export function toSigned(x: bigint): bigint {
  return x >= SIGN ? x - (M + 1n) : x;
}

/** base ** exponent mod 2^256 by square-and-multiply. */
export function u256Exp(base: bigint, exponent: bigint): bigint {
  if (exponent === 0n) return 1n;
  if (base <= 1n) return base;
  if (base === 2n) return exponent < 256n ? 1n << exponent : 0n;
  let result = 1n;
  let b = base;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) & M;
    e >>= 1n;
    if (e > 0n) b = (b * b) & M;
  }
  return result;
}

/** The big-endian word at `off`. */
export function readWord(view: DataView, off: number): bigint {
  // Most words in memory are small (pointers, lengths, counters): skip the BigInt assembly for them.
  if ((view.getUint32(off) | view.getUint32(off + 4) | view.getUint32(off + 8) | view.getUint32(off + 12) |
      view.getUint32(off + 16) | view.getUint32(off + 20)) === 0) {
    const hi = view.getUint32(off + 24);
    if (hi < 0x200000) return BigInt(hi * 0x100000000 + view.getUint32(off + 28));
  }
  return (view.getBigUint64(off) << 192n) | (view.getBigUint64(off + 8) << 128n) |
    (view.getBigUint64(off + 16) << 64n) | view.getBigUint64(off + 24);
}

/** Writes `v` as a big-endian word at `off`. */
export function writeWord(view: DataView, off: number, v: bigint): void {
  if (v <= MAX_SAFE) {
    const n = Number(v);
    view.setUint32(off, 0);
    view.setUint32(off + 4, 0);
    view.setUint32(off + 8, 0);
    view.setUint32(off + 12, 0);
    view.setUint32(off + 16, 0);
    view.setUint32(off + 20, 0);
    view.setUint32(off + 24, Math.floor(n / 0x100000000));
    view.setUint32(off + 28, n >>> 0);
    return;
  }
  view.setBigUint64(off, v >> 192n);
  view.setBigUint64(off + 8, (v >> 128n) & M64);
  view.setBigUint64(off + 16, (v >> 64n) & M64);
  view.setBigUint64(off + 24, v & M64);
}
