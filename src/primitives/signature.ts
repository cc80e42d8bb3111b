/** secp256k1 signer recovery and key-to-address, as transactions and EIP-7702 use them. */
import { npmPackage } from "../npm_packages.ts";
import { nodeModule } from "../runtime.ts";
import type { secp256k1 as Secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak256 } from "./hash.ts";
import { bigIntToBytes, bytesToBigInt, concatBytes } from "./hex.ts";

/** The order of secp256k1's group (the curve's own, checked against @noble/curves by the tests). */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

let curve: typeof Secp256k1 | undefined;

/**
 * @noble/curves' secp256k1, loaded on first use (building it took about 7 ms of every start, before any
 * signature is needed): src/npm_packages.ts.
 */
export function secp256k1(): typeof Secp256k1 {
  return curve ??= (npmPackage("@noble/curves/secp256k1.js") as { secp256k1: typeof Secp256k1 }).secp256k1;
}

let cryptoModule: typeof import("node:crypto") | undefined;

/** node:crypto, loaded when first needed (under Bun, loading it takes about 12 ms of a start that may not). */
export function nodeCrypto(): typeof import("node:crypto") {
  return cryptoModule ??= nodeModule<typeof import("node:crypto")>("node:crypto");
}

/** The address that signed `hash`, or undefined when the signature is invalid. */
export function recoverAddress(hash: Uint8Array, r: bigint, s: bigint, yParity: number): bigint | undefined {
  if (r <= 0n || r >= SECP256K1_N || s <= 0n || s >= SECP256K1_N || (yParity !== 0 && yParity !== 1)) {
    return undefined;
  }
  try {
    const pub = new (secp256k1().Signature)(r, s, yParity).recoverPublicKey(hash).toBytes(false);
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
      native = nodeCrypto().getCurves().includes("secp256k1");
    } catch {
      native = false;
    }
  }
  return native;
}

/** The uncompressed public key (65 bytes, 0x04 || x || y): native where the platform has the curve. */
export function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  if (hasNativeSecp256k1()) {
    const ecdh = nodeCrypto().createECDH("secp256k1");
    ecdh.setPrivateKey(privateKey);
    return new Uint8Array(ecdh.getPublicKey());
  }
  return secp256k1().getPublicKey(privateKey, false);
}

export function privateKeyToAddress(privateKey: Uint8Array): bigint {
  return bytesToBigInt(keccak256(publicKeyOf(privateKey).subarray(1)).subarray(12));
}

/**
 * Signs a 32-byte hash (RFC 6979 deterministic nonce, low s); returns r, s and the recovery bit. Where the
 * platform has the curve, the nonce's point k·G comes from its native code: the rest is a few modular
 * operations, several times faster than the constant-time, blinded multiplication of the JavaScript signer
 * (which dev keys, public by design, do not need). Both give the same signature.
 */
export function signHash(hash: Uint8Array, privateKey: Uint8Array): { r: bigint; s: bigint; yParity: number } {
  if (hasNativeSecp256k1() && hash.length === 32 && privateKey.length === 32) {
    const sig = signNative(hash, privateKey);
    if (sig) return sig;
  }
  return signPortable(hash, privateKey);
}

/** The JavaScript signer (noble), for platforms without the curve. */
export function signPortable(hash: Uint8Array, privateKey: Uint8Array): { r: bigint; s: bigint; yParity: number } {
  const sig = secp256k1().sign(hash, privateKey, { prehash: false, format: "recovered" });
  // recovered format: 1 byte recovery id, then r (32) and s (32)
  return {
    yParity: sig[0],
    r: bytesToBigInt(sig.subarray(1, 33)),
    s: bytesToBigInt(sig.subarray(33, 65)),
  };
}

const N = SECP256K1_N;

function modN(a: bigint): bigint {
  const r = a % N;
  return r < 0n ? r + N : r;
}

/** a⁻¹ mod n (n prime), by the extended Euclidean algorithm. */
function invertN(a: bigint): bigint {
  let [r0, r1, t0, t1] = [N, modN(a), 0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  return modN(t0);
}

type Hmac = typeof import("@noble/hashes/hmac.js").hmac;
type Sha256 = typeof import("@noble/hashes/sha2.js").sha256;
let nobleHmac: ((key: Uint8Array, message: Uint8Array) => Uint8Array) | undefined;

/**
 * HMAC-SHA-256 of the parts joined. noble's, not node:crypto's createHmac, whose objects and Node Buffers cost
 * more under Deno than the hashing: a signature (five of them and the native k·G) took 150 us with it, 127 without.
 */
function hmac(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  if (!nobleHmac) {
    const { hmac } = npmPackage<{ hmac: Hmac }>("@noble/hashes/hmac.js");
    const { sha256 } = npmPackage<{ sha256: Sha256 }>("@noble/hashes/sha2.js");
    nobleHmac = (k, m) => hmac(sha256, k, m);
  }
  return nobleHmac(key, concatBytes(...parts));
}

/** RFC 6979 section 3.2 for secp256k1 and SHA-256 (no extra entropy); the native k·G; undefined if unusable. */
function signNative(hash: Uint8Array, privateKey: Uint8Array): { r: bigint; s: bigint; yParity: number } | undefined {
  const d = bytesToBigInt(privateKey);
  if (d <= 0n || d >= N) return undefined;
  const m = modN(bytesToBigInt(hash));
  const seed = new Uint8Array(64);
  seed.set(privateKey, 0);
  seed.set(bigIntToBytes(m, 32), 32);
  let v: Uint8Array = new Uint8Array(32).fill(1);
  let k: Uint8Array = new Uint8Array(32);
  k = hmac(k, v, Uint8Array.of(0), seed);
  v = hmac(k, v);
  k = hmac(k, v, Uint8Array.of(1), seed);
  v = hmac(k, v);
  const ecdh = nodeCrypto().createECDH("secp256k1");
  for (let attempt = 0; attempt < 100; attempt++) {
    v = hmac(k, v);
    const nonce = bytesToBigInt(v);
    if (nonce > 0n && nonce < N) {
      ecdh.setPrivateKey(v);
      const point = ecdh.getPublicKey(); // 0x04 || x || y
      const x = bytesToBigInt(point.subarray(1, 33));
      const r = modN(x);
      if (r !== 0n) {
        let s = modN(invertN(nonce) * (m + r * d));
        if (s !== 0n) {
          let yParity = (point[64] & 1) | (x === r ? 0 : 2);
          if (s > N >> 1n) {
            s = N - s;
            yParity ^= 1;
          }
          // A recovery id of 2 or 3 (x ≥ n, probability ~2⁻¹²⁸) cannot go in a transaction: leave it to the other signer.
          return yParity > 1 ? undefined : { r, s, yParity };
        }
      }
    }
    k = hmac(k, v, Uint8Array.of(0));
    v = hmac(k, v);
  }
  return undefined;
}

export { bigIntToBytes };
