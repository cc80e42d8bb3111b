import { npmPackage } from "../npm_packages.ts";
import { keccak256Wasm, keccak256WordWasm } from "./keccak_wasm.ts";
import { hexToBytes } from "./hex.ts";
import type { sha256 as Sha256 } from "@noble/hashes/sha2.js";
import type { ripemd160 as Ripemd160 } from "@noble/hashes/legacy.js";

export function keccak256(data: Uint8Array): Uint8Array {
  return keccak256Wasm(data);
}

export { keccak256WordWasm as keccak256Word };

// SHA-256 and RIPEMD-160 are loaded on first use (their modules took about 6 ms of every start under Bun, which
// hashes with neither before a precompile or a fork needs them): src/npm_packages.ts.
let nobleSha256: typeof Sha256 | undefined;
let nobleRipemd160: typeof Ripemd160 | undefined;

export function sha256(data: Uint8Array): Uint8Array {
  nobleSha256 ??= npmPackage<{ sha256: typeof Sha256 }>("@noble/hashes/sha2.js").sha256;
  return nobleSha256(data);
}
export function ripemd160(data: Uint8Array): Uint8Array {
  nobleRipemd160 ??= npmPackage<{ ripemd160: typeof Ripemd160 }>("@noble/hashes/legacy.js").ripemd160;
  return nobleRipemd160(data);
}

/**
 * keccak256 of the empty string: the code hash of an account without code. Written out, as EMPTY_TRIE_ROOT
 * and EMPTY_OMMERS_HASH are (tests/trie_test.ts checks all three), so that no hash is needed while the modules
 * load and the keccak module's compile (keccak_wasm.ts) runs alongside.
 */
export const EMPTY_CODE_HASH = hexToBytes("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
