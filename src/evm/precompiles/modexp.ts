/**
 * 0x05 MODEXP: base^exp % mod for arbitrary-length operands.
 * Pricing: EIP-198 (Byzantium), EIP-2565 (Berlin), EIP-7883 (Osaka);
 * Osaka also caps each operand length at 1024 bytes (EIP-7823).
 */
import { Fork, type ForkId } from "../../forks/fork.ts";
import { bytesToBigInt, hexToBytes } from "../../primitives/hex.ts";
import { EMPTY, fail, outOfGas, readPadded } from "./input.ts";
import type { Precompile } from "./types.ts";

const MAX_OPERAND_LENGTH_OSAKA = 1024n;

type Lengths = { base: bigint; exp: bigint; mod: bigint };

export const modexpPrecompile: Precompile = (input, gasLimit, fork) => {
  const lengths = readLengths(input);
  if (fork >= Fork.Osaka && exceedsOsakaBounds(lengths)) return fail("modexp operand length exceeds 1024 bytes");
  const expStart = 96n + lengths.base;
  const expHead = bytesToBigInt(readPadded(input, expStart, Number(min(32n, lengths.exp))));
  const cost = gasCost(fork, lengths, expHead);
  if (cost > BigInt(gasLimit)) return outOfGas();
  return { ok: true, gasUsed: Number(cost), output: compute(input, lengths, expStart) };
};

function readLengths(input: Uint8Array): Lengths {
  return {
    base: bytesToBigInt(readPadded(input, 0, 32)),
    exp: bytesToBigInt(readPadded(input, 32, 32)),
    mod: bytesToBigInt(readPadded(input, 64, 32)),
  };
}

function exceedsOsakaBounds({ base, exp, mod }: Lengths): boolean {
  return base > MAX_OPERAND_LENGTH_OSAKA || exp > MAX_OPERAND_LENGTH_OSAKA || mod > MAX_OPERAND_LENGTH_OSAKA;
}

// ---- gas ----

export function gasCost(fork: ForkId, lengths: Lengths, expHead: bigint): bigint {
  const maxLength = max(lengths.base, lengths.mod);
  if (fork >= Fork.Osaka) {
    return max(500n, complexityEip7883(maxLength) * iterationCount(lengths.exp, expHead, 16n));
  }
  if (fork >= Fork.Berlin) {
    return max(200n, (complexityEip2565(maxLength) * iterationCount(lengths.exp, expHead, 8n)) / 3n);
  }
  return (complexityEip198(maxLength) * iterationCount(lengths.exp, expHead, 8n)) / 20n;
}

function complexityEip198(x: bigint): bigint {
  if (x <= 64n) return x * x;
  if (x <= 1024n) return (x * x) / 4n + 96n * x - 3072n;
  return (x * x) / 16n + 480n * x - 199680n;
}

function complexityEip2565(maxLength: bigint): bigint {
  const words = (maxLength + 7n) / 8n;
  return words * words;
}

function complexityEip7883(maxLength: bigint): bigint {
  if (maxLength <= 32n) return 16n;
  const words = (maxLength + 7n) / 8n;
  return 2n * words * words;
}

/**
 * Adjusted exponent length: bit length of the exponent's first 32 bytes minus one,
 * plus `bytesMultiplier` for every exponent byte beyond 32. At least 1.
 */
function iterationCount(expLength: bigint, expHead: bigint, bytesMultiplier: bigint): bigint {
  const headBits = max(0n, BigInt(bitLength(expHead)) - 1n);
  const lengthPart = expLength > 32n ? bytesMultiplier * (expLength - 32n) : 0n;
  return max(1n, lengthPart + headBits);
}

// ---- operation ----

function compute(input: Uint8Array, lengths: Lengths, expStart: bigint): Uint8Array {
  if (lengths.mod === 0n) return EMPTY;
  const modLength = Number(lengths.mod);
  const modulus = readOperand(input, expStart + lengths.exp, modLength);
  if (modulus <= 1n) return new Uint8Array(modLength);
  const base = readOperand(input, 96n, Number(lengths.base));
  const exponent = readOperand(input, expStart, Number(lengths.exp));
  return toFixedBytes(modPow(base, exponent, modulus), modLength);
}

/** A big-endian operand of `length` bytes at `offset`; bytes past the input read as zero. */
function readOperand(input: Uint8Array, offset: bigint, length: number): bigint {
  if (length === 0 || offset >= BigInt(input.length)) return 0n;
  const available = Math.min(length, input.length - Number(offset));
  const present = bytesToBigInt(input.subarray(Number(offset), Number(offset) + available));
  return present << BigInt(8 * (length - available));
}

/** Left-to-right exponentiation with a 4-bit fixed window. */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  base %= modulus;
  const table = [1n, base];
  for (let i = 2; i < 16; i++) table.push((table[i - 1] * base) % modulus);
  let result = 1n;
  for (const digit of exponent.toString(16)) {
    for (let i = 0; i < 4; i++) result = (result * result) % modulus;
    const d = parseInt(digit, 16);
    if (d !== 0) result = (result * table[d]) % modulus;
  }
  return result % modulus;
}

function toFixedBytes(value: bigint, length: number): Uint8Array {
  return hexToBytes(value.toString(16).padStart(2 * length, "0"));
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
