/** 0x01 ECRECOVER: the address that signed a 32-byte hash (secp256k1). */
import { keccak256 } from "../../primitives/hash.ts";
import { SECP256K1_N, secp256k1 } from "../../primitives/signature.ts";
import { bigIntToBytes, bytesToBigInt, bytesToHex } from "../../primitives/hex.ts";
import { charge, EMPTY, readPadded } from "./input.ts";
import type { Precompile } from "./types.ts";

const GAS_ECRECOVER = 3000;

export const ecrecoverPrecompile: Precompile = (input, gasLimit) =>
  charge(GAS_ECRECOVER, gasLimit, () => recoverAddressWord(readPadded(input, 0, 128)));

/** The signer's address left-padded to 32 bytes, or empty output for an invalid signature. */
function recoverAddressWord(data: Uint8Array): Uint8Array {
  const hash = data.subarray(0, 32);
  const v = bytesToBigInt(data.subarray(32, 64));
  const r = bytesToBigInt(data.subarray(64, 96));
  const s = bytesToBigInt(data.subarray(96, 128));
  // High s is accepted here: only transactions enforce low s (EIP-2).
  if (v !== 27n && v !== 28n) return EMPTY;
  if (!isScalarInRange(r) || !isScalarInRange(s)) return EMPTY;
  let publicKey: Uint8Array;
  try {
    const signature = new (secp256k1().Signature)(r, s, Number(v - 27n));
    publicKey = signature.recoverPublicKey(hash).toBytes(false);
  } catch {
    return EMPTY; // r is not the x of a curve point, or the recovered key is infinity
  }
  const out = new Uint8Array(32);
  out.set(keccak256(publicKey.subarray(1)).subarray(12), 12);
  return out;
}

function isScalarInRange(x: bigint): boolean {
  return x > 0n && x < SECP256K1_N;
}

/**
 * ECRECOVER with anvil_impersonateSignature's overrides: a signature (r || s || v's last byte) that has one
 * answers its address, at the precompile's gas; any other goes to the real recovery.
 */
export function ecrecoverWithOverrides(overrides: ReadonlyMap<string, bigint>): Precompile {
  return (input, gasLimit, fork) => {
    if (gasLimit < GAS_ECRECOVER) return ecrecoverPrecompile(input, gasLimit, fork);
    const padded = readPadded(input, 0, 128);
    const key = new Uint8Array(65);
    key.set(padded.subarray(64, 128), 0);
    key[64] = padded[63];
    const address = overrides.get(bytesToHex(key));
    if (address === undefined) return ecrecoverPrecompile(input, gasLimit, fork);
    const out = new Uint8Array(32);
    out.set(bigIntToBytes(address, 20), 12);
    return { ok: true, gasUsed: GAS_ECRECOVER, output: out };
  };
}
