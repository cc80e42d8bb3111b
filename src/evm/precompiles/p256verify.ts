/**
 * 0x100 P256VERIFY (EIP-7951): ECDSA verification on secp256r1.
 * Any invalid input yields empty output; the gas is charged either way.
 */
import { npmPackage } from "../../npm_packages.ts";
import type { p256 as P256 } from "@noble/curves/nist.js";
import { bigIntToBytes, bytesToBigInt } from "../../primitives/hex.ts";
import { EMPTY, outOfGas } from "./input.ts";
import type { Precompile } from "./types.ts";

const GAS_P256VERIFY = 6900;
const INPUT_LENGTH = 160;
// The curve is loaded on the first call (building the NIST curves took a few ms of every start):
// src/npm_packages.ts.
let Point: typeof P256.Point;
let N: bigint, P: bigint, A: bigint, B: bigint;

function loadCurve(): void {
  if (Point) return;
  const { p256 } = npmPackage("@noble/curves/nist.js") as { p256: typeof P256 };
  ({ n: N, p: P, a: A, b: B } = p256.Point.CURVE());
  Point = p256.Point;
}
const SUCCESS_OUTPUT = bigIntToBytes(1n);

/** Input: message hash | r | s | qx | qy, each 32 bytes big-endian. */
export const p256VerifyPrecompile: Precompile = (input, gasLimit) => {
  if (GAS_P256VERIFY > gasLimit) return outOfGas();
  loadCurve();
  const valid = input.length === INPUT_LENGTH && verify(input);
  return { ok: true, gasUsed: GAS_P256VERIFY, output: valid ? SUCCESS_OUTPUT.slice() : EMPTY };
};

function verify(input: Uint8Array): boolean {
  const word = (i: number) => bytesToBigInt(input.subarray(32 * i, 32 * i + 32));
  const [hash, r, s, qx, qy] = [word(0), word(1), word(2), word(3), word(4)];
  if (!(r > 0n && r < N && s > 0n && s < N)) return false;
  if (qx >= P || qy >= P || !isOnCurve(qx, qy)) return false;
  if (qx === 0n && qy === 0n) return false; // the encoding of the point at infinity
  const sInverse = Point.Fn.inv(s);
  const u1 = Point.Fn.mul(hash % N, sInverse);
  const u2 = Point.Fn.mul(r, sInverse);
  const q = Point.fromAffine({ x: qx, y: qy });
  const rPoint = Point.BASE.mulAddUnsafe(u1, q, u2);
  if (rPoint.is0()) return false;
  return rPoint.toAffine().x % N === r;
}

function isOnCurve(x: bigint, y: bigint): boolean {
  return (y * y) % P === (((x * x) % P) * x + A * x + B) % P;
}
