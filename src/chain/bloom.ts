/** The 2048-bit logs bloom of receipts and block headers (Yellow Paper 4.3.1). */
import { keccak256 } from "../primitives/hash.ts";
import { bigIntToBytes } from "../primitives/hex.ts";
import type { Log } from "../state/world.ts";

export const BLOOM_BYTES = 256;

function addToBloom(bloom: Uint8Array, item: Uint8Array): void {
  const h = keccak256(item);
  for (let i = 0; i < 6; i += 2) {
    const bit = ((h[i] << 8) | h[i + 1]) & 2047;
    bloom[BLOOM_BYTES - 1 - (bit >> 3)] |= 1 << (bit & 7);
  }
}

export function logsBloom(logs: readonly Log[]): Uint8Array {
  const bloom = new Uint8Array(BLOOM_BYTES);
  for (const log of logs) {
    addToBloom(bloom, bigIntToBytes(log.address, 20));
    for (const topic of log.topics) addToBloom(bloom, bigIntToBytes(topic, 32));
  }
  return bloom;
}

export function orBlooms(target: Uint8Array, other: Uint8Array): void {
  for (let i = 0; i < BLOOM_BYTES; i++) target[i] |= other[i];
}
