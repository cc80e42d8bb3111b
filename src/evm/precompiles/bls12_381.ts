/**
 * EIP-2537 BLS12-381 precompiles (Prague), addresses 0x0b..0x11.
 *
 * Wire format: an Fp element is 64 bytes big-endian, the top 16 bytes zero and
 * the value < p. Fp2 is c0 | c1. A point is x | y (G1: 128 bytes, G2: 256
 * bytes); all zeros encodes the point at infinity. Scalars are 32 bytes
 * big-endian and may be any 256-bit value.
 */
import { npmPackage } from "../../npm_packages.ts";
import type { bls12_381 as Bls12381 } from "@noble/curves/bls12-381.js";
import type { pippenger as Pippenger } from "@noble/curves/abstract/curve.js";
import type { WeierstrassPoint } from "@noble/curves/abstract/weierstrass.js";
import type { Fp2 } from "@noble/curves/abstract/tower.js";
import type { bytesToNumberBE as BytesToNumberBE, numberToBytesBE as NumberToBytesBE } from "@noble/curves/utils.js";
import type { Precompile, PrecompileResult } from "./types.ts";

type G1Point = WeierstrassPoint<bigint>;
type G2Point = WeierstrassPoint<Fp2>;

// The curve and noble's helpers are loaded on the first call of one of these precompiles (loading them took a few
// ms of every start): src/npm_packages.ts.
let G1: typeof Bls12381.G1;
let G2: typeof Bls12381.G2;
let pairingBatch: typeof Bls12381.pairingBatch;
let Fp: typeof Bls12381.fields.Fp;
let Fp2Field: typeof Bls12381.fields.Fp2;
let Fp12: typeof Bls12381.fields.Fp12;
let SUBGROUP_ORDER: bigint;
let G1_B: bigint;
let G2_B: Fp2;
// noble types H2CHasher.mapToCurve as the bare affine map, but at runtime it
// runs map_to_curve (SSWU + isogeny) and then clear_cofactor, returning a
// projective point, which is exactly what EIP-2537 specifies.
let mapFpToG1Point: (u: bigint) => G1Point;
let mapFp2ToG2Point: (u: [bigint, bigint]) => G2Point;
let pippenger: typeof Pippenger;
let bytesToNumberBE: typeof BytesToNumberBE;
let numberToBytesBE: typeof NumberToBytesBE;

function loadCurve(): void {
  if (G1) return;
  const { bls12_381 } = npmPackage("@noble/curves/bls12-381.js") as { bls12_381: typeof Bls12381 };
  ({ Fp, Fp2: Fp2Field, Fp12 } = bls12_381.fields);
  SUBGROUP_ORDER = bls12_381.fields.Fr.ORDER;
  G1_B = bls12_381.G1.Point.CURVE().b;
  G2_B = bls12_381.G2.Point.CURVE().b;
  mapFpToG1Point = bls12_381.G1.mapToCurve as unknown as (u: bigint) => G1Point;
  mapFp2ToG2Point = bls12_381.G2.mapToCurve as unknown as (u: [bigint, bigint]) => G2Point;
  pairingBatch = bls12_381.pairingBatch;
  ({ pippenger } = npmPackage("@noble/curves/abstract/curve.js") as { pippenger: typeof Pippenger });
  ({ bytesToNumberBE, numberToBytesBE } = npmPackage("@noble/curves/utils.js") as {
    bytesToNumberBE: typeof BytesToNumberBE;
    numberToBytesBE: typeof NumberToBytesBE;
  });
  G2 = bls12_381.G2;
  G1 = bls12_381.G1;
}

// ---------------------------------------------------------------- gas

const GAS_G1_ADD = 375;
const GAS_G2_ADD = 600;
const GAS_G1_MUL = 12000;
const GAS_G2_MUL = 22500;
const GAS_MAP_FP_TO_G1 = 5500;
const GAS_MAP_FP2_TO_G2 = 23800;
const GAS_PAIRING_BASE = 37700;
const GAS_PAIRING_PER_PAIR = 32600;
const MSM_DISCOUNT_MULTIPLIER = 1000n;

/** Discount (per mille) for a G1 MSM of k pairs is G1_MSM_DISCOUNTS[k - 1]; beyond the table it is 519. */
const G1_MSM_DISCOUNTS: readonly number[] = [
  1000, 949, 848, 797, 764, 750, 738, 728, 719, 712, 705, 698, 692, 687, 682, 677,
  673, 669, 665, 661, 658, 654, 651, 648, 645, 642, 640, 637, 635, 632, 630, 627,
  625, 623, 621, 619, 617, 615, 613, 611, 609, 608, 606, 604, 603, 601, 599, 598,
  596, 595, 593, 592, 591, 589, 588, 586, 585, 584, 582, 581, 580, 579, 577, 576,
  575, 574, 573, 572, 570, 569, 568, 567, 566, 565, 564, 563, 562, 561, 560, 559,
  558, 557, 556, 555, 554, 553, 552, 551, 550, 549, 548, 547, 547, 546, 545, 544,
  543, 542, 541, 540, 540, 539, 538, 537, 536, 536, 535, 534, 533, 532, 532, 531,
  530, 529, 528, 528, 527, 526, 525, 525, 524, 523, 522, 522, 521, 520, 520, 519,
];
const G1_MSM_MAX_DISCOUNT = 519;

/** Discount (per mille) for a G2 MSM of k pairs is G2_MSM_DISCOUNTS[k - 1]; beyond the table it is 524. */
const G2_MSM_DISCOUNTS: readonly number[] = [
  1000, 1000, 923, 884, 855, 832, 812, 796, 782, 770, 759, 749, 740, 732, 724, 717,
  711, 704, 699, 693, 688, 683, 679, 674, 670, 666, 663, 659, 655, 652, 649, 646,
  643, 640, 637, 634, 632, 629, 627, 624, 622, 620, 618, 615, 613, 611, 609, 607,
  606, 604, 602, 600, 598, 597, 595, 593, 592, 590, 589, 587, 586, 584, 583, 582,
  580, 579, 578, 576, 575, 574, 573, 571, 570, 569, 568, 567, 566, 565, 563, 562,
  561, 560, 559, 558, 557, 556, 555, 554, 553, 552, 552, 551, 550, 549, 548, 547,
  546, 545, 545, 544, 543, 542, 541, 541, 540, 539, 538, 537, 537, 536, 535, 535,
  534, 533, 532, 532, 531, 530, 530, 529, 528, 528, 527, 526, 526, 525, 524, 524,
];
const G2_MSM_MAX_DISCOUNT = 524;

function msmGas(k: number, mulGas: number, discounts: readonly number[], maxDiscount: number): number {
  if (k === 0) return 0;
  const discount = k <= discounts.length ? discounts[k - 1] : maxDiscount;
  // BigInt keeps k * mulGas * discount exact even for absurdly long inputs.
  return Number((BigInt(k) * BigInt(mulGas * discount)) / MSM_DISCOUNT_MULTIPLIER);
}

// ---------------------------------------------------------------- encoding

const FP_LENGTH = 64;
const FP_PADDING = 16;
const FP_VALUE_LENGTH = FP_LENGTH - FP_PADDING;
const FP2_LENGTH = 2 * FP_LENGTH;
const G1_LENGTH = 2 * FP_LENGTH;
const G2_LENGTH = 2 * FP2_LENGTH;
const SCALAR_LENGTH = 32;
const G1_MSM_PAIR_LENGTH = G1_LENGTH + SCALAR_LENGTH;
const G2_MSM_PAIR_LENGTH = G2_LENGTH + SCALAR_LENGTH;
const PAIRING_PAIR_LENGTH = G1_LENGTH + G2_LENGTH;

/** Raised for any malformed input; turned into a failed call at the precompile boundary. */
class InvalidInputError extends Error {}

function decodeFp(input: Uint8Array, offset: number): bigint {
  for (let i = 0; i < FP_PADDING; i++) {
    if (input[offset + i] !== 0) throw new InvalidInputError("non-zero field element padding");
  }
  const value = bytesToNumberBE(input.subarray(offset + FP_PADDING, offset + FP_LENGTH));
  if (value >= Fp.ORDER) throw new InvalidInputError("field element not below modulus");
  return value;
}

function decodeFp2(input: Uint8Array, offset: number): Fp2 {
  return { c0: decodeFp(input, offset), c1: decodeFp(input, offset + FP_LENGTH) };
}

function decodeScalar(input: Uint8Array, offset: number): bigint {
  return bytesToNumberBE(input.subarray(offset, offset + SCALAR_LENGTH));
}

function encodeFp(value: bigint, out: Uint8Array, offset: number): void {
  out.set(numberToBytesBE(value, FP_VALUE_LENGTH), offset + FP_PADDING);
}

function encodeG1(point: G1Point): Uint8Array {
  const out = new Uint8Array(G1_LENGTH);
  if (point.is0()) return out;
  const { x, y } = point.toAffine();
  encodeFp(x, out, 0);
  encodeFp(y, out, FP_LENGTH);
  return out;
}

function encodeG2(point: G2Point): Uint8Array {
  const out = new Uint8Array(G2_LENGTH);
  if (point.is0()) return out;
  const { x, y } = point.toAffine();
  encodeFp(x.c0, out, 0);
  encodeFp(x.c1, out, FP_LENGTH);
  encodeFp(y.c0, out, FP2_LENGTH);
  encodeFp(y.c1, out, FP2_LENGTH + FP_LENGTH);
  return out;
}

// ---------------------------------------------------------------- points

function isOnG1Curve(x: bigint, y: bigint): boolean {
  return Fp.eql(Fp.sqr(y), Fp.add(Fp.mul(Fp.sqr(x), x), G1_B));
}

function isOnG2Curve(x: Fp2, y: Fp2): boolean {
  return Fp2Field.eql(Fp2Field.sqr(y), Fp2Field.add(Fp2Field.mul(Fp2Field.sqr(x), x), G2_B));
}

/** Subgroup check for a point already known to be on its curve. */
function assertInSubgroup(point: G1Point | G2Point, group: "G1" | "G2"): void {
  // assertValidity() rather than isTorsionFree(): noble caches its verdict per
  // point, which spares pairingBatch() from repeating the subgroup check.
  try {
    point.assertValidity();
  } catch {
    throw new InvalidInputError(`${group} point not in subgroup`);
  }
}

/** Decodes a G1 point that lies on the curve; the subgroup is checked only when asked. */
function decodeG1(input: Uint8Array, offset: number, checkSubgroup: boolean): G1Point {
  const x = decodeFp(input, offset);
  const y = decodeFp(input, offset + FP_LENGTH);
  if (x === 0n && y === 0n) return G1.Point.ZERO;
  if (!isOnG1Curve(x, y)) throw new InvalidInputError("G1 point not on curve");
  const point = G1.Point.fromAffine({ x, y });
  if (checkSubgroup) assertInSubgroup(point, "G1");
  return point;
}

/** Decodes a G2 point that lies on the curve; the subgroup is checked only when asked. */
function decodeG2(input: Uint8Array, offset: number, checkSubgroup: boolean): G2Point {
  const x = decodeFp2(input, offset);
  const y = decodeFp2(input, offset + FP2_LENGTH);
  if (Fp2Field.is0(x) && Fp2Field.is0(y)) return G2.Point.ZERO;
  if (!isOnG2Curve(x, y)) throw new InvalidInputError("G2 point not on curve");
  const point = G2.Point.fromAffine({ x, y });
  if (checkSubgroup) assertInSubgroup(point, "G2");
  return point;
}

// ---------------------------------------------------------------- precompile plumbing

/**
 * Builds a precompile that charges `gasFor(input.length)` before running
 * `compute`; malformed input turns into a failed call that burns all gas.
 */
function precompile(gasFor: (inputLength: number) => number, compute: (input: Uint8Array) => Uint8Array): Precompile {
  return (input, gasLimit) => {
    const gas = gasFor(input.length);
    if (gas > gasLimit) return fail("out of gas");
    loadCurve();
    try {
      return { ok: true, gasUsed: gas, output: compute(input) };
    } catch (err) {
      if (err instanceof InvalidInputError) return fail(err.message);
      throw err;
    }
  };
}

function fail(reason: string): PrecompileResult {
  return { ok: false, reason };
}

const fixedGas = (gas: number) => () => gas;

function assertLength(input: Uint8Array, length: number): void {
  if (input.length !== length) throw new InvalidInputError("invalid input length");
}

/** Splits `input` into k >= 1 records of `recordLength` bytes, returning their offsets. */
function recordOffsets(input: Uint8Array, recordLength: number): number[] {
  if (input.length === 0 || input.length % recordLength !== 0) throw new InvalidInputError("invalid input length");
  return Array.from({ length: input.length / recordLength }, (_, i) => i * recordLength);
}

// ---------------------------------------------------------------- curve operations

// Points reaching an MSM are in the prime-order subgroup, so reducing the
// 256-bit scalars mod r does not change the result.
const reduceScalar = (scalar: bigint): bigint => scalar % SUBGROUP_ORDER;

// Below this many pairs, separate GLV multiplications beat Pippenger (measured
// crossover is between 4 and 8 pairs for both groups).
const PIPPENGER_MIN_PAIRS = 8;

function g1MultiScalarMul(points: G1Point[], scalars: bigint[]): G1Point {
  const reduced = scalars.map(reduceScalar);
  if (points.length >= PIPPENGER_MIN_PAIRS) return pippenger(G1.Point, points, reduced);
  return points.reduce((sum, point, i) => sum.add(point.multiplyUnsafe(reduced[i])), G1.Point.ZERO);
}

function g2MultiScalarMul(points: G2Point[], scalars: bigint[]): G2Point {
  const reduced = scalars.map(reduceScalar);
  if (points.length >= PIPPENGER_MIN_PAIRS) return pippenger(G2.Point, points, reduced);
  return points.reduce((sum, point, i) => sum.add(point.multiplyUnsafe(reduced[i])), G2.Point.ZERO);
}

// ---------------------------------------------------------------- precompiles

// Gas for variable-length inputs uses k = floor(length / record length), as the
// EIP prescribes; a ragged or empty input is rejected afterwards.

const g1MsmGas = (inputLength: number) =>
  msmGas(Math.floor(inputLength / G1_MSM_PAIR_LENGTH), GAS_G1_MUL, G1_MSM_DISCOUNTS, G1_MSM_MAX_DISCOUNT);

const g2MsmGas = (inputLength: number) =>
  msmGas(Math.floor(inputLength / G2_MSM_PAIR_LENGTH), GAS_G2_MUL, G2_MSM_DISCOUNTS, G2_MSM_MAX_DISCOUNT);

const pairingGas = (inputLength: number) =>
  GAS_PAIRING_PER_PAIR * Math.floor(inputLength / PAIRING_PAIR_LENGTH) + GAS_PAIRING_BASE;

/** 0x0b: G1 point addition. No subgroup check. */
export const blsG1Add: Precompile = precompile(fixedGas(GAS_G1_ADD), (input) => {
  assertLength(input, 2 * G1_LENGTH);
  const a = decodeG1(input, 0, false);
  const b = decodeG1(input, G1_LENGTH, false);
  return encodeG1(a.add(b));
});

/** 0x0d: G2 point addition. No subgroup check. */
export const blsG2Add: Precompile = precompile(fixedGas(GAS_G2_ADD), (input) => {
  assertLength(input, 2 * G2_LENGTH);
  const a = decodeG2(input, 0, false);
  const b = decodeG2(input, G2_LENGTH, false);
  return encodeG2(a.add(b));
});

/** 0x0c: G1 multi-scalar multiplication over k >= 1 (point, scalar) pairs. */
export const blsG1Msm: Precompile = precompile(g1MsmGas, (input) => {
  const offsets = recordOffsets(input, G1_MSM_PAIR_LENGTH);
  const points = offsets.map((offset) => decodeG1(input, offset, true));
  const scalars = offsets.map((offset) => decodeScalar(input, offset + G1_LENGTH));
  return encodeG1(g1MultiScalarMul(points, scalars));
});

/** 0x0e: G2 multi-scalar multiplication over k >= 1 (point, scalar) pairs. */
export const blsG2Msm: Precompile = precompile(g2MsmGas, (input) => {
  const offsets = recordOffsets(input, G2_MSM_PAIR_LENGTH);
  const points = offsets.map((offset) => decodeG2(input, offset, true));
  const scalars = offsets.map((offset) => decodeScalar(input, offset + G2_LENGTH));
  return encodeG2(g2MultiScalarMul(points, scalars));
});

/**
 * 0x0f: pairing check. Returns 32-byte 1 when the product of e(P_i, Q_i) over
 * all k >= 1 pairs is the identity in GT, else 32 zero bytes.
 */
export const blsPairing: Precompile = precompile(pairingGas, (input) => {
  const pairs: { g1: G1Point; g2: G2Point }[] = [];
  for (const offset of recordOffsets(input, PAIRING_PAIR_LENGTH)) {
    const g1 = decodeG1(input, offset, true);
    const g2 = decodeG2(input, offset + G1_LENGTH, true);
    // A pair with an infinity point contributes the identity; noble rejects such pairs.
    if (!g1.is0() && !g2.is0()) pairs.push({ g1, g2 });
  }
  const output = new Uint8Array(32);
  if (pairs.length === 0 || Fp12.eql(pairingBatch(pairs), Fp12.ONE)) output[31] = 1;
  return output;
});

/** 0x10: maps an Fp element to G1 (RFC 9380 SSWU + 11-isogeny + cofactor clearing, no hashing). */
export const blsMapFpToG1: Precompile = precompile(fixedGas(GAS_MAP_FP_TO_G1), (input) => {
  assertLength(input, FP_LENGTH);
  return encodeG1(mapFpToG1Point(decodeFp(input, 0)));
});

/** 0x11: maps an Fp2 element to G2 (RFC 9380 SSWU + 3-isogeny + cofactor clearing, no hashing). */
export const blsMapFp2ToG2: Precompile = precompile(fixedGas(GAS_MAP_FP2_TO_G2), (input) => {
  assertLength(input, FP2_LENGTH);
  const { c0, c1 } = decodeFp2(input, 0);
  return encodeG2(mapFp2ToG2Point([c0, c1]));
});
