// The 256-bit arithmetic and Keccak-256 library that compiled contract modules link in.
//
// Calling convention: a word lives in linear memory as four little-endian i64 limbs (limb 0, the least
// significant 64 bits, at ptr; limb 3 at ptr+24). Arguments are i32 pointers; results go to `out`, which
// may alias an input. No imports and no memory of its own: scratch is in locals only; five private
// mutable globals cache the last divisors' reciprocals.
import binaryen from "../binaryen.ts";
import {
  addAddMod,
  addDivRemCore,
  addMulMod,
  addMulModMax,
  addSignedDivMod,
  addUnsignedDivMod,
  DIVREM_CORE,
  RECIPROCAL_CACHE_GLOBALS,
} from "./div.ts";
import { addByteLen, addExp } from "./exp.ts";
import { addKeccak } from "./keccak.ts";
import { addMul } from "./mul.ts";
import { U256_FUNCS, U256_SCRATCH_FUNCS } from "./entry_points.ts";

export {
  declareU256RuntimeImports, U256_FUNCS, U256_SCRATCH_FUNCS, wideArithmeticSupported,
} from "./entry_points.ts";

/** The fixed words of the scratch variants: two-operand functions use a, b and out; three-operand ones also c. */
export interface ScratchWords {
  a: number;
  b: number;
  c: number;
  out: number;
}

/** Internal functions and (mutable, unexported) globals the library also adds: their names are taken. */
export const U256_INTERNAL_FUNCS = [DIVREM_CORE] as const;
export const U256_INTERNAL_GLOBALS = Object.values(RECIPROCAL_CACHE_GLOBALS);

export interface U256RuntimeOptions {
  /**
   * Build 64x64->128 products with i64.mul_wide_u (the WebAssembly wide-arithmetic proposal): about
   * twice as fast MUL, MULMOD and DIV. Enables the module's multivalue and wide-arithmetic features.
   * Only for engines where wideArithmeticSupported() is true (Bun; Deno with
   * --v8-flags=--experimental-wasm-wide-arithmetic). Default false: WebAssembly MVP only.
   */
  wideArithmetic?: boolean;
  /** Also add the scratch variants (U256_SCRATCH_FUNCS), on these words. */
  scratch?: ScratchWords;
  /** Keep keccak256's cache of digests (keccak.ts) at this address, KECCAK_CACHE_BYTES long. */
  keccakCache?: number;
}

/**
 * Adds the library's functions to module `m`, using the memory `memoryName` (already declared by the
 * caller; by default the module's first memory). Idempotent per module.
 */
export function addU256Runtime(m: binaryen.Module, memoryName?: string, options: U256RuntimeOptions = {}): void {
  if (m.getFunction(U256_FUNCS.mul)) return;
  const build = { memory: memoryName, wideArithmetic: options.wideArithmetic ?? false };
  if (build.wideArithmetic) {
    m.setFeatures(m.getFeatures() | binaryen.Features.Multivalue | binaryen.Features.WideArithmetic);
  }
  addMul(m, U256_FUNCS.mul, build);
  addDivRemCore(m, build);
  addUnsignedDivMod(m, U256_FUNCS.div, false, build);
  addUnsignedDivMod(m, U256_FUNCS.mod, true, build);
  addSignedDivMod(m, U256_FUNCS.sdiv, false, build);
  addSignedDivMod(m, U256_FUNCS.smod, true, build);
  addAddMod(m, U256_FUNCS.addmod, build);
  addMulMod(m, U256_FUNCS.mulmod, build);
  addMulModMax(m, U256_FUNCS.mulmodMax, build);
  addExp(m, U256_FUNCS.exp, build);
  addByteLen(m, U256_FUNCS.expByteLen, build);
  addKeccak(m, U256_FUNCS.keccak, build, options.keccakCache);
  const w = options.scratch;
  if (!w) return;
  const two = [w.a, w.b, w.out], three = [w.a, w.b, w.c, w.out];
  const S = U256_SCRATCH_FUNCS;
  addMul(m, S.mul, build, two);
  addUnsignedDivMod(m, S.div, false, build, two);
  addUnsignedDivMod(m, S.mod, true, build, two);
  addSignedDivMod(m, S.sdiv, false, build, two);
  addSignedDivMod(m, S.smod, true, build, two);
  addAddMod(m, S.addmod, build, three);
  addMulMod(m, S.mulmod, build, three);
  addMulModMax(m, S.mulmodMax, build, two);
  addExp(m, S.exp, build, two);
}

/** Replaces the imports of declareU256RuntimeImports with the library (as addU256Runtime). */
export function linkU256Runtime(m: binaryen.Module, memoryName?: string, options: U256RuntimeOptions = {}): void {
  for (const name of [...Object.values(U256_FUNCS), ...Object.values(U256_SCRATCH_FUNCS)]) {
    if (m.getFunction(name)) m.removeFunction(name); // imports the optimizer left (unused ones it removed)
  }
  addU256Runtime(m, memoryName, options);
}

// Helpers for JS code that reads and writes words in a module's memory (tests, host functions).

const LIMB = 0xffffffffffffffffn;

/** Writes `value` (taken mod 2^256) at ptr in the limb layout. */
export function writeWord(view: DataView, ptr: number, value: bigint): void {
  for (let i = 0; i < 4; i++) view.setBigUint64(ptr + 8 * i, (value >> BigInt(64 * i)) & LIMB, true);
}

/** Reads the word at ptr. */
export function readWord(view: DataView, ptr: number): bigint {
  let value = 0n;
  for (let i = 3; i >= 0; i--) value = (value << 64n) | view.getBigUint64(ptr + 8 * i, true);
  return value;
}

/** The 32 bytes of a Keccak-256 digest as the word keccak256 writes: the digest read big-endian. */
export function digestToWord(digest: Uint8Array): bigint {
  if (digest.length !== 32) throw new RangeError("a digest is 32 bytes");
  return digest.reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
}

/** The inverse of digestToWord: the digest bytes of a word written by keccak256. */
export function wordToDigest(word: bigint): Uint8Array {
  const bytes = new Uint8Array(32);
  for (let i = 31; i >= 0; i--, word >>= 8n) bytes[i] = Number(word & 0xffn);
  return bytes;
}
