/** secp256k1 signer recovery and key-to-address, as transactions and EIP-7702 use them. */
import { createECDH, getCurves } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak256 } from "./hash.ts";
import { bigIntToBytes, bytesToBigInt } from "./hex.ts";

export const SECP256K1_N = secp256k1.Point.CURVE().n;

/** The address that signed `hash`, or undefined when the signature is invalid. */
export function recoverAddress(hash: Uint8Array, r: bigint, s: bigint, yParity: number): bigint | undefined {
  if (r <= 0n || r >= SECP256K1_N || s <= 0n || s >= SECP256K1_N || (yParity !== 0 && yParity !== 1)) {
    return undefined;
  }
  try {
    const pub = new secp256k1.Signature(r, s, yParity).recoverPublicKey(hash).toBytes(false);
    return bytesToBigInt(keccak256(pub.subarray(1)).subarray(12));
  } catch {
    return undefined;
  }
}

let native: boolean | undefined;

/** Whether the platform's crypto has secp256k1 (Deno's node:crypto does, Bun's does not). */
export function hasNativeSecp256k1(): boolean {
  if (native === undefined) {
    try {
      native = getCurves().includes("secp256k1");
    } catch {
      native = false;
    }
  }
  return native;
}

/** The uncompressed public key (65 bytes, 0x04 || x || y): native where the platform has the curve. */
export function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  if (hasNativeSecp256k1()) {
    const ecdh = createECDH("secp256k1");
    ecdh.setPrivateKey(privateKey);
    return new Uint8Array(ecdh.getPublicKey());
  }
  return secp256k1.getPublicKey(privateKey, false);
}

export function privateKeyToAddress(privateKey: Uint8Array): bigint {
  return bytesToBigInt(keccak256(publicKeyOf(privateKey).subarray(1)).subarray(12));
}

/** Signs a 32-byte hash; returns r, s and the recovery bit. */
export function signHash(hash: Uint8Array, privateKey: Uint8Array): { r: bigint; s: bigint; yParity: number } {
  const sig = secp256k1.sign(hash, privateKey, { prehash: false, format: "recovered" });
  // recovered format: 1 byte recovery id, then r (32) and s (32)
  return {
    yParity: sig[0],
    r: bytesToBigInt(sig.subarray(1, 33)),
    s: bytesToBigInt(sig.subarray(33, 65)),
  };
}

export { bigIntToBytes };
