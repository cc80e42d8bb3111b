import { keccak256Wasm, keccak256WordWasm } from "./keccak_wasm.ts";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { ripemd160 as nobleRipemd160 } from "@noble/hashes/legacy.js";

export function keccak256(data: Uint8Array): Uint8Array {
  return keccak256Wasm(data);
}

export { keccak256WordWasm as keccak256Word };
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}
export function ripemd160(data: Uint8Array): Uint8Array {
  return nobleRipemd160(data);
}

/** keccak256 of the empty string: the code hash of an account without code. */
export const EMPTY_CODE_HASH = keccak256(new Uint8Array(0));
