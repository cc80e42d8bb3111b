/** Input helpers shared by the precompiles. */
import type { PrecompileResult } from "./types.ts";
export { EMPTY_BYTES as EMPTY } from "../../primitives/byte_slab.ts";

/**
 * `length` bytes of `data` starting at `offset`; bytes past the end of `data`
 * read as zero (the EVM's view of call data).
 */
export function readPadded(data: Uint8Array, offset: number | bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  if (BigInt(offset) >= BigInt(data.length)) return out;
  const start = Number(offset);
  out.set(data.subarray(start, Math.min(start + length, data.length)));
  return out;
}

/** Number of 32-byte words needed to hold `byteLength` bytes. */
export function wordCount(byteLength: number): number {
  return Math.ceil(byteLength / 32);
}

/** Checks a cost against the gas limit and wraps the output. */
export function charge(cost: number | bigint, gasLimit: number, output: () => Uint8Array): PrecompileResult {
  if (cost > gasLimit) return outOfGas();
  return { ok: true, gasUsed: Number(cost), output: output() };
}

export function outOfGas(): PrecompileResult {
  return { ok: false, reason: "out of gas" };
}

export function fail(reason: string): PrecompileResult {
  return { ok: false, reason };
}

