const M = (1n << 256n) - 1n;
const SIGN = 1n << 255n;

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
