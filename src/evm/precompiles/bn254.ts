/**
 * 0x06 ECADD, 0x07 ECMUL, 0x08 ECPAIRING on alt_bn128 (EIP-196, EIP-197),
 * repriced in Istanbul by EIP-1108.
 */
import { npmPackage } from "../../npm_packages.ts";
import type { bn254 as Bn254 } from "@noble/curves/bn254.js";
import { Fork, type ForkId } from "../../forks/fork.ts";
import { bigIntToBytes, bytesToBigInt, concatBytes } from "../../primitives/hex.ts";
import { fail, outOfGas, readPadded } from "./input.ts";
import type { Precompile, PrecompileResult } from "./types.ts";

type G1Point = typeof Bn254.G1.Point.BASE;
type G2Point = typeof Bn254.G2.Point.BASE;

// The curve is loaded on the first call of one of these precompiles (building it took about 6 ms of every
// start): src/npm_packages.ts.
let bn254: typeof Bn254;
let Fp2: typeof Bn254.fields.Fp2;
let Fp12: typeof Bn254.fields.Fp12;
let FIELD_MODULUS: bigint;
let CURVE_ORDER: bigint;

function loadCurve(): void {
  if (bn254) return;
  const lib = npmPackage("@noble/curves/bn254.js") as { bn254: typeof Bn254 };
  ({ Fp2, Fp12 } = lib.bn254.fields);
  FIELD_MODULUS = lib.bn254.fields.Fp.ORDER;
  CURVE_ORDER = lib.bn254.G1.Point.CURVE().n;
  bn254 = lib.bn254;
}
const PAIR_LENGTH = 192;

const GAS = {
  byzantium: { add: 500, mul: 40000, pairingBase: 100000, pairingPerPair: 80000 },
  istanbul: { add: 150, mul: 6000, pairingBase: 45000, pairingPerPair: 34000 },
};

function gasSchedule(fork: ForkId) {
  return fork >= Fork.Istanbul ? GAS.istanbul : GAS.byzantium;
}

class InvalidPointError extends Error {}

export const bn254AddPrecompile: Precompile = (input, gasLimit, fork) =>
  run(gasSchedule(fork).add, gasLimit, () => {
    const data = readPadded(input, 0, 128);
    return encodeG1(decodeG1(data.subarray(0, 64)).add(decodeG1(data.subarray(64, 128))));
  });

export const bn254MulPrecompile: Precompile = (input, gasLimit, fork) =>
  run(gasSchedule(fork).mul, gasLimit, () => {
    const data = readPadded(input, 0, 96);
    const point = decodeG1(data.subarray(0, 64));
    // Every point on the G1 curve has prime order, so the scalar may be reduced.
    const scalar = bytesToBigInt(data.subarray(64, 96)) % CURVE_ORDER;
    return encodeG1(scalar === 0n ? bn254.G1.Point.ZERO : point.multiplyUnsafe(scalar));
  });

export const bn254PairingPrecompile: Precompile = (input, gasLimit, fork) => {
  const { pairingBase, pairingPerPair } = gasSchedule(fork);
  const pairCount = Math.floor(input.length / PAIR_LENGTH);
  if (input.length % PAIR_LENGTH !== 0) return fail("pairing input length is not a multiple of 192");
  return run(pairingBase + pairingPerPair * pairCount, gasLimit, () => pairingCheck(input, pairCount));
};

/** Charges gas, then runs the operation; an invalid point fails the call. */
function run(cost: number, gasLimit: number, operation: () => Uint8Array): PrecompileResult {
  if (cost > gasLimit) return outOfGas();
  loadCurve();
  try {
    return { ok: true, gasUsed: cost, output: operation() };
  } catch (e) {
    if (e instanceof InvalidPointError) return fail(e.message);
    throw e;
  }
}

function pairingCheck(input: Uint8Array, pairCount: number): Uint8Array {
  const pairs: { g1: G1Point; g2: G2Point }[] = [];
  for (let i = 0; i < pairCount; i++) {
    const offset = i * PAIR_LENGTH;
    const g1 = decodeG1(input.subarray(offset, offset + 64));
    const g2 = decodeG2(input.subarray(offset + 64, offset + PAIR_LENGTH));
    // A pair with the point at infinity contributes the identity to the product.
    if (!g1.is0() && !g2.is0()) pairs.push({ g1, g2 });
  }
  const product = bn254.pairingBatch(pairs);
  return bigIntToBytes(Fp12.eql(product, Fp12.ONE) ? 1n : 0n);
}

/** x | y, each a 32-byte big-endian field element; (0, 0) is the point at infinity. */
function decodeG1(data: Uint8Array): G1Point {
  const x = readFieldElement(data, 0);
  const y = readFieldElement(data, 32);
  return validated(() => bn254.G1.Point.fromAffine({ x, y }), "G1 point is not on the curve");
}

/** x_imaginary | x_real | y_imaginary | y_real; all zero is the point at infinity. */
function decodeG2(data: Uint8Array): G2Point {
  const x = Fp2.fromBigTuple([readFieldElement(data, 32), readFieldElement(data, 0)]);
  const y = Fp2.fromBigTuple([readFieldElement(data, 96), readFieldElement(data, 64)]);
  return validated(() => bn254.G2.Point.fromAffine({ x, y }), "G2 point is not on the curve or not in the subgroup");
}

function readFieldElement(data: Uint8Array, offset: number): bigint {
  const value = bytesToBigInt(data.subarray(offset, offset + 32));
  if (value >= FIELD_MODULUS) throw new InvalidPointError("coordinate is not below the field modulus");
  return value;
}

/** Builds a point and checks it is on the curve and in the prime-order subgroup. */
function validated<P extends { assertValidity(): void }>(build: () => P, reason: string): P {
  try {
    const point = build();
    point.assertValidity();
    return point;
  } catch {
    throw new InvalidPointError(reason);
  }
}

function encodeG1(point: G1Point): Uint8Array {
  if (point.is0()) return new Uint8Array(64);
  const { x, y } = point.toAffine();
  return concatBytes(bigIntToBytes(x), bigIntToBytes(y));
}
