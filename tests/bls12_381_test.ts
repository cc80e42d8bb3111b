import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { bls12_381 } from "@noble/curves/bls12-381.js";
import type { WeierstrassPoint } from "@noble/curves/abstract/weierstrass.js";
import type { Fp2 } from "@noble/curves/abstract/tower.js";
import { bytesToHex, bytesToNumberBE, concatBytes, hexToBytes, numberToBytesBE } from "@noble/curves/utils.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { Fork } from "../src/forks/fork.ts";
import type { Precompile, PrecompileResult } from "../src/evm/precompiles/types.ts";
import {
  blsG1Add,
  blsG1Msm,
  blsG2Add,
  blsG2Msm,
  blsMapFp2ToG2,
  blsMapFpToG1,
  blsPairing,
} from "../src/evm/precompiles/bls12_381.ts";

type G1Point = WeierstrassPoint<bigint>;
type G2Point = WeierstrassPoint<Fp2>;

const { G1, G2, fields } = bls12_381;
const { Fp, Fp2: Fp2Field } = fields;
const P = Fp.ORDER;
const R = fields.Fr.ORDER;
const ENOUGH_GAS = 100_000_000;

// ---------------------------------------------------------------- independent encoders

const fp = (v: bigint) => concatBytes(new Uint8Array(16), numberToBytesBE(v, 48));
const fp2 = (v: Fp2) => concatBytes(fp(v.c0), fp(v.c1));
const scalar = (v: bigint) => numberToBytesBE(v, 32);

function g1(point: G1Point): Uint8Array {
  if (point.is0()) return new Uint8Array(128);
  const { x, y } = point.toAffine();
  return concatBytes(fp(x), fp(y));
}

function g2(point: G2Point): Uint8Array {
  if (point.is0()) return new Uint8Array(256);
  const { x, y } = point.toAffine();
  return concatBytes(fp2(x), fp2(y));
}

function call(precompile: Precompile, input: Uint8Array, gasLimit = ENOUGH_GAS): PrecompileResult {
  return precompile(input, gasLimit, Fork.Prague);
}

function expectOutput(result: PrecompileResult, output: Uint8Array, gasUsed?: number): void {
  assert.ok(result.ok, `expected success, got ${JSON.stringify(result)}`);
  assert.equal(bytesToHex(result.output), bytesToHex(output));
  if (gasUsed !== undefined) assert.equal(result.gasUsed, gasUsed);
}

function expectFailure(result: PrecompileResult, reason?: string): void {
  assert.equal(result.ok, false, "expected failure");
  if (reason !== undefined && !result.ok) assert.equal(result.reason, reason);
}

const G1_BASE = G1.Point.BASE;
const G2_BASE = G2.Point.BASE;
const G1_ZERO = G1.Point.ZERO;
const G2_ZERO = G2.Point.ZERO;
const PAIRING_TRUE = hexToBytes("00".repeat(31) + "01");
const PAIRING_FALSE = new Uint8Array(32);

/** An on-curve G1 point outside the r-order subgroup. */
function g1PointOutsideSubgroup(): G1Point {
  for (let x = 1n; ; x++) {
    const rhs = Fp.add(Fp.mul(Fp.sqr(x), x), 4n);
    let y: bigint;
    try {
      y = Fp.sqrt(rhs);
    } catch {
      continue;
    }
    const point = G1.Point.fromAffine({ x, y });
    if (!point.isTorsionFree()) return point;
  }
}

/** An on-curve G2 point outside the r-order subgroup. */
function g2PointOutsideSubgroup(): G2Point {
  const b = G2.Point.CURVE().b;
  for (let i = 1n; ; i++) {
    const x = { c0: i, c1: 1n };
    const rhs = Fp2Field.add(Fp2Field.mul(Fp2Field.sqr(x), x), b);
    let y: Fp2;
    try {
      y = Fp2Field.sqrt(rhs);
    } catch {
      continue;
    }
    const point = G2.Point.fromAffine({ x, y });
    if (!point.isTorsionFree()) return point;
  }
}

// ---------------------------------------------------------------- G1ADD / G2ADD

Deno.test("G1ADD: generator doubling, identities and inverses", () => {
  const p = G1_BASE.multiply(12345n);
  expectOutput(call(blsG1Add, concatBytes(g1(G1_BASE), g1(G1_BASE))), g1(G1_BASE.double()), 375);
  expectOutput(call(blsG1Add, concatBytes(g1(G1_ZERO), g1(G1_ZERO))), new Uint8Array(128));
  expectOutput(call(blsG1Add, concatBytes(g1(p), g1(G1_ZERO))), g1(p));
  expectOutput(call(blsG1Add, concatBytes(g1(G1_ZERO), g1(p))), g1(p));
  expectOutput(call(blsG1Add, concatBytes(g1(p), g1(p.negate()))), new Uint8Array(128));
  expectOutput(call(blsG1Add, concatBytes(g1(p), g1(G1_BASE))), g1(G1_BASE.multiply(12346n)));
});

Deno.test("G1ADD: encodes the generator as the EIP specifies", () => {
  const padding = "00".repeat(16);
  const x = "17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb";
  const y = "08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1";
  const generator = hexToBytes(padding + x + padding + y);
  expectOutput(call(blsG1Add, concatBytes(generator, new Uint8Array(128))), generator);
});

Deno.test("G2ADD: generator doubling, identities and inverses", () => {
  const q = G2_BASE.multiply(777n);
  expectOutput(call(blsG2Add, concatBytes(g2(G2_BASE), g2(G2_BASE))), g2(G2_BASE.double()), 600);
  expectOutput(call(blsG2Add, concatBytes(g2(G2_ZERO), g2(G2_ZERO))), new Uint8Array(256));
  expectOutput(call(blsG2Add, concatBytes(g2(q), g2(G2_ZERO))), g2(q));
  expectOutput(call(blsG2Add, concatBytes(g2(q), g2(q.negate()))), new Uint8Array(256));
  expectOutput(call(blsG2Add, concatBytes(g2(q), g2(G2_BASE))), g2(G2_BASE.multiply(778n)));
});

Deno.test("ADD accepts on-curve points outside the subgroup", () => {
  const p = g1PointOutsideSubgroup();
  expectOutput(call(blsG1Add, concatBytes(g1(p), g1(G1_ZERO))), g1(p));
  expectOutput(call(blsG1Add, concatBytes(g1(p), g1(p))), g1(p.double()));
  const q = g2PointOutsideSubgroup();
  expectOutput(call(blsG2Add, concatBytes(g2(q), g2(G2_ZERO))), g2(q));
});

Deno.test("ADD rejects bad encodings and lengths", () => {
  const base = g1(G1_BASE);
  const withPadding = base.slice();
  withPadding[15] = 1;
  const xIsP = concatBytes(fp(P), base.subarray(64));
  const offCurve = concatBytes(fp(1n), fp(1n));
  const xOnlyZero = concatBytes(fp(0n), fp(1n)); // (0, 1) is neither infinity nor on the curve
  for (const bad of [withPadding, xIsP, offCurve, xOnlyZero]) {
    expectFailure(call(blsG1Add, concatBytes(bad, base)));
    expectFailure(call(blsG1Add, concatBytes(base, bad)));
  }
  expectFailure(call(blsG1Add, new Uint8Array(255)), "invalid input length");
  expectFailure(call(blsG1Add, new Uint8Array(257)), "invalid input length");
  expectFailure(call(blsG1Add, new Uint8Array(0)), "invalid input length");

  const g2Base = g2(G2_BASE);
  const c1IsP = g2Base.slice();
  c1IsP.set(fp(P), 64);
  const g2Padding = g2Base.slice();
  g2Padding[192] = 0xff;
  const g2OffCurve = concatBytes(fp2({ c0: 1n, c1: 0n }), fp2({ c0: 1n, c1: 0n }));
  for (const bad of [c1IsP, g2Padding, g2OffCurve]) {
    expectFailure(call(blsG2Add, concatBytes(bad, g2Base)));
  }
  expectFailure(call(blsG2Add, new Uint8Array(511)), "invalid input length");
});

Deno.test("ADD fails when the gas limit is below the fixed cost", () => {
  const input = concatBytes(g1(G1_BASE), g1(G1_BASE));
  expectFailure(call(blsG1Add, input, 374), "out of gas");
  assert.ok(call(blsG1Add, input, 375).ok);
  const input2 = concatBytes(g2(G2_BASE), g2(G2_BASE));
  expectFailure(call(blsG2Add, input2, 599), "out of gas");
  assert.ok(call(blsG2Add, input2, 600).ok);
});

// ---------------------------------------------------------------- MSM

Deno.test("G1MSM: single-pair scalars including 0, r and 2^256-1", () => {
  const p = G1_BASE.multiply(99n);
  const max = (1n << 256n) - 1n;
  expectOutput(call(blsG1Msm, concatBytes(g1(p), scalar(0n))), new Uint8Array(128), 12000);
  expectOutput(call(blsG1Msm, concatBytes(g1(p), scalar(1n))), g1(p));
  expectOutput(call(blsG1Msm, concatBytes(g1(p), scalar(R))), new Uint8Array(128));
  expectOutput(call(blsG1Msm, concatBytes(g1(p), scalar(R + 5n))), g1(p.multiply(5n)));
  expectOutput(call(blsG1Msm, concatBytes(g1(p), scalar(max))), g1(p.multiply(max % R)));
  expectOutput(call(blsG1Msm, concatBytes(g1(G1_ZERO), scalar(7n))), new Uint8Array(128));
});

Deno.test("G1MSM / G2MSM: many pairs match the naive sum", () => {
  for (const k of [2, 3, 17, 70]) {
    const scalars = Array.from({ length: k }, (_, i) => (BigInt(i + 1) * 0x9e3779b97f4a7c15n) ** 3n % (1n << 256n));
    const g1Points = scalars.map((_, i) => (i === 1 ? G1_ZERO : G1_BASE.multiply(BigInt(i * 31 + 1))));
    const g1Input = concatBytes(...g1Points.map((pt, i) => concatBytes(g1(pt), scalar(scalars[i]))));
    const g1Expected = g1Points.reduce((acc, pt, i) => acc.add(pt.multiplyUnsafe(scalars[i] % R)), G1_ZERO);
    expectOutput(call(blsG1Msm, g1Input), g1(g1Expected));

    const g2Points = scalars.map((_, i) => G2_BASE.multiply(BigInt(i * 7 + 3)));
    const g2Input = concatBytes(...g2Points.map((pt, i) => concatBytes(g2(pt), scalar(scalars[i]))));
    const g2Expected = g2Points.reduce((acc, pt, i) => acc.add(pt.multiplyUnsafe(scalars[i] % R)), G2_ZERO);
    expectOutput(call(blsG2Msm, g2Input), g2(g2Expected));
  }
});

Deno.test("G2MSM: single pair", () => {
  const q = G2_BASE.multiply(5n);
  expectOutput(call(blsG2Msm, concatBytes(g2(q), scalar(0n))), new Uint8Array(256), 22500);
  expectOutput(call(blsG2Msm, concatBytes(g2(q), scalar(3n))), g2(G2_BASE.multiply(15n)));
  expectOutput(call(blsG2Msm, concatBytes(g2(G2_ZERO), scalar(3n))), new Uint8Array(256));
});

Deno.test("MSM gas follows the discount tables", () => {
  const g1Pair = concatBytes(g1(G1_ZERO), scalar(0n));
  const g2Pair = concatBytes(g2(G2_ZERO), scalar(0n));
  const repeat = (pair: Uint8Array, k: number) => concatBytes(...Array(k).fill(pair));
  // [k, gas]: k * 12000 * discount(k) / 1000, with the discount capped at 519 past k = 128.
  const g1Cases = [[1, 12000], [2, 22776], [3, 30528], [128, 797184], [129, 803412], [200, 1245600]];
  for (const [k, gas] of g1Cases) {
    const input = repeat(g1Pair, k);
    expectOutput(call(blsG1Msm, input, gas), new Uint8Array(128), gas);
    expectFailure(call(blsG1Msm, input, gas - 1), "out of gas");
  }
  // [k, gas]: k * 22500 * discount(k) / 1000, with the discount capped at 524 past k = 128.
  const g2Cases = [[1, 22500], [2, 45000], [3, 62302], [128, 1509120], [129, 1520910], [200, 2358000]];
  for (const [k, gas] of g2Cases) {
    const input = repeat(g2Pair, k);
    expectOutput(call(blsG2Msm, input, gas), new Uint8Array(256), gas);
    expectFailure(call(blsG2Msm, input, gas - 1), "out of gas");
  }
});

Deno.test("variable-length gas uses floor(length / record length) before validating", () => {
  expectFailure(call(blsG1Msm, new Uint8Array(161), 11999), "out of gas");
  expectFailure(call(blsG1Msm, new Uint8Array(161), 12000), "invalid input length");
  expectFailure(call(blsG1Msm, new Uint8Array(159), 0), "invalid input length");
  expectFailure(call(blsG2Msm, new Uint8Array(2 * 288 + 1), 44999), "out of gas");
  expectFailure(call(blsPairing, new Uint8Array(383), 37699), "out of gas");
  expectFailure(call(blsPairing, new Uint8Array(383), 37700), "invalid input length");
  expectFailure(call(blsPairing, new Uint8Array(0), 37699), "out of gas");
});

Deno.test("MSM rejects empty or ragged input and points outside the subgroup", () => {
  expectFailure(call(blsG1Msm, new Uint8Array(0)), "invalid input length");
  expectFailure(call(blsG1Msm, new Uint8Array(159)), "invalid input length");
  expectFailure(call(blsG1Msm, new Uint8Array(161)), "invalid input length");
  expectFailure(call(blsG2Msm, new Uint8Array(0)), "invalid input length");
  expectFailure(call(blsG2Msm, new Uint8Array(289)), "invalid input length");

  const notInG1 = concatBytes(g1(g1PointOutsideSubgroup()), scalar(1n));
  expectFailure(call(blsG1Msm, notInG1), "G1 point not in subgroup");
  expectFailure(call(blsG1Msm, concatBytes(g1(G1_BASE), scalar(1n), notInG1)), "G1 point not in subgroup");
  const notInG2 = concatBytes(g2(g2PointOutsideSubgroup()), scalar(0n));
  expectFailure(call(blsG2Msm, notInG2), "G2 point not in subgroup");
  expectFailure(call(blsG1Msm, concatBytes(fp(1n), fp(1n), scalar(1n))), "G1 point not on curve");
});

// ---------------------------------------------------------------- pairing

Deno.test("PAIRING_CHECK: bilinearity and identities", () => {
  const pair = (a: G1Point, b: G2Point) => concatBytes(g1(a), g2(b));
  const cancelling = concatBytes(pair(G1_BASE, G2_BASE), pair(G1_BASE.negate(), G2_BASE));
  expectOutput(call(blsPairing, cancelling), PAIRING_TRUE, 102900);
  expectOutput(call(blsPairing, pair(G1_BASE, G2_BASE)), PAIRING_FALSE, 70300);
  const a = 123456789n;
  const b = 987654321n;
  const bilinear = concatBytes(
    pair(G1_BASE.multiply(a), G2_BASE.multiply(b)),
    pair(G1_BASE.multiply(a * b).negate(), G2_BASE),
  );
  expectOutput(call(blsPairing, bilinear), PAIRING_TRUE);
  expectOutput(call(blsPairing, pair(G1_ZERO, G2_BASE)), PAIRING_TRUE);
  expectOutput(call(blsPairing, pair(G1_BASE, G2_ZERO)), PAIRING_TRUE);
  expectOutput(call(blsPairing, concatBytes(pair(G1_ZERO, G2_ZERO), pair(G1_BASE, G2_BASE))), PAIRING_FALSE);
});

Deno.test("PAIRING_CHECK: gas, lengths and subgroup checks", () => {
  const pairBytes = concatBytes(g1(G1_BASE), g2(G2_BASE));
  expectFailure(call(blsPairing, pairBytes, 70299), "out of gas");
  assert.ok(call(blsPairing, pairBytes, 70300).ok);
  expectFailure(call(blsPairing, new Uint8Array(0)), "invalid input length");
  expectFailure(call(blsPairing, new Uint8Array(383)), "invalid input length");
  expectFailure(call(blsPairing, new Uint8Array(385)), "invalid input length");
  expectFailure(call(blsPairing, concatBytes(g1(g1PointOutsideSubgroup()), g2(G2_BASE))), "G1 point not in subgroup");
  // The subgroup check applies even when the other point of the pair is infinity.
  expectFailure(call(blsPairing, concatBytes(g1(G1_ZERO), g2(g2PointOutsideSubgroup()))), "G2 point not in subgroup");
});

// ---------------------------------------------------------------- map to curve

Deno.test("MAP_FP_TO_G1 / MAP_FP2_TO_G2: outputs are subgroup points, inputs are validated", () => {
  for (const u of [0n, 1n, P - 1n, 0xdeadbeefn]) {
    const result = call(blsMapFpToG1, fp(u));
    assert.ok(result.ok);
    assert.equal(result.gasUsed, 5500);
    const x = bytesToNumberBE(result.output.subarray(16, 64));
    const y = bytesToNumberBE(result.output.subarray(80, 128));
    const point = G1.Point.fromAffine({ x, y });
    point.assertValidity();
    assert.ok(!point.is0());
  }
  for (const u of [{ c0: 0n, c1: 0n }, { c0: 1n, c1: P - 1n }]) {
    const result = call(blsMapFp2ToG2, fp2(u));
    assert.ok(result.ok);
    assert.equal(result.gasUsed, 23800);
  }
  expectFailure(call(blsMapFpToG1, fp(P)), "field element not below modulus");
  expectFailure(call(blsMapFpToG1, new Uint8Array(64).fill(1)), "non-zero field element padding");
  expectFailure(call(blsMapFpToG1, new Uint8Array(63)), "invalid input length");
  expectFailure(call(blsMapFpToG1, fp(0n), 5499), "out of gas");
  expectFailure(call(blsMapFp2ToG2, fp2({ c0: 0n, c1: P })), "field element not below modulus");
  expectFailure(call(blsMapFp2ToG2, new Uint8Array(129)), "invalid input length");
  expectFailure(call(blsMapFp2ToG2, fp2({ c0: 0n, c1: 0n }), 23799), "out of gas");
});

// ---------------------------------------------------------------- state-test fixtures

const FIXTURE_DIR = "/work/shared/fixtures/state_tests/prague/eip2537_bls_12_381_precompiles";

const PRECOMPILES: Record<number, Precompile> = {
  0x0b: blsG1Add,
  0x0c: blsG1Msm,
  0x0d: blsG2Add,
  0x0e: blsG2Msm,
  0x0f: blsPairing,
  0x10: blsMapFpToG1,
  0x11: blsMapFp2ToG2,
};

type FixtureCall = {
  name: string;
  address: number;
  gas: number;
  input: Uint8Array;
  success: boolean;
  /** keccak256 of the return data, when the contract records it. */
  outputHash?: bigint;
};

/**
 * Contract that forwards its calldata to one precompile with a fixed gas and
 * records success (slot 0), return size (slot 1) and, optionally, the
 * return-data hash (slot 2). CALL/CALLCODE push a zero value, STATICCALL and
 * DELEGATECALL do not.
 */
const FORWARDING_CONTRACT =
  /^36600060003760006000366000(?:6000)?60([0-9a-f]{2})(?:60([0-9a-f]{2})|61([0-9a-f]{4})|62([0-9a-f]{6}))(?:f1|f2|f4|fa)6000553d600155(3d600060003e3d600020600255)?$/;

/** One call of a contract that calls precompiles with zeroed memory as input and stores each success flag. */
const ZERO_INPUT_CALL =
  /60006000(?:60([0-9a-f]{2})|61([0-9a-f]{4}))6000600060([0-9a-f]{2})(?:60([0-9a-f]{2})|61([0-9a-f]{4})|62([0-9a-f]{6}))f160([0-9a-f]{2})55/y;

type ZeroInputCall = { address: number; gas: number; length: number; slot: number };

function parseZeroInputCalls(code: string): ZeroInputCall[] | undefined {
  const calls: ZeroInputCall[] = [];
  ZERO_INPUT_CALL.lastIndex = 0;
  while (ZERO_INPUT_CALL.lastIndex < code.length) {
    const m = ZERO_INPUT_CALL.exec(code);
    if (!m) return undefined;
    calls.push({
      length: parseInt(m[1] ?? m[2], 16),
      address: parseInt(m[3], 16),
      gas: parseInt(m[4] ?? m[5] ?? m[6], 16),
      slot: parseInt(m[7], 16),
    });
  }
  return calls.length > 0 ? calls : undefined;
}

// deno-lint-ignore no-explicit-any
type Fixture = any;

/** The precompile calls a fixture makes, or undefined when its contract is not one of the known shapes. */
function fixtureCalls(name: string, fixture: Fixture): FixtureCall[] | undefined {
  const code = (fixture.pre[fixture.transaction.to]?.code as string | undefined)?.slice(2) ?? "";
  const zeroInputCalls = parseZeroInputCalls(code);
  if (!FORWARDING_CONTRACT.test(code) && !zeroInputCalls) return undefined;
  const calls: FixtureCall[] = [];
  for (const fork of ["Prague", "Osaka"]) {
    for (const post of fixture.post[fork] ?? []) {
      const storage = post.state[fixture.transaction.to]?.storage ?? {};
      const slot = (i: number) => BigInt(storage["0x" + i.toString(16).padStart(2, "0")] ?? 0);
      const forwarding = FORWARDING_CONTRACT.exec(code);
      if (forwarding) {
        const success = slot(0) === 1n;
        calls.push({
          name: `${name} [${fork} data ${post.indexes.data}]`,
          address: parseInt(forwarding[1], 16),
          gas: parseInt(forwarding[2] ?? forwarding[3] ?? forwarding[4], 16),
          input: hexToBytes((fixture.transaction.data[post.indexes.data] as string).slice(2)),
          success,
          outputHash: forwarding[5] && success ? slot(2) : undefined,
        });
        continue;
      }
      for (const c of zeroInputCalls ?? []) {
        calls.push({
          name: `${name} [${fork} slot ${c.slot}]`,
          address: c.address,
          gas: c.gas,
          input: new Uint8Array(c.length),
          success: slot(c.slot) === 1n,
        });
      }
    }
  }
  return calls.filter((c) => c.address in PRECOMPILES);
}

function loadFixtureCalls(): { calls: FixtureCall[]; unrecognised: string[] } {
  const unique = new Map<string, FixtureCall>();
  const unrecognised: string[] = [];
  for (const file of readdirSync(FIXTURE_DIR).filter((f) => f.endsWith(".json")).sort()) {
    const fixtures = JSON.parse(readFileSync(join(FIXTURE_DIR, file), "utf8"));
    for (const [name, fixture] of Object.entries(fixtures)) {
      const calls = fixtureCalls(name, fixture);
      if (!calls) unrecognised.push(name);
      for (const c of calls ?? []) unique.set(`${c.address}:${c.gas}:${bytesToHex(c.input)}`, c);
    }
  }
  return { calls: [...unique.values()], unrecognised };
}

Deno.test({
  name: "state-test fixtures: success flags and output hashes",
  ignore: !existsSync(FIXTURE_DIR),
  fn() {
    const { calls, unrecognised } = loadFixtureCalls();
    assert.deepEqual(unrecognised, [], "fixtures whose contract shape the parser does not know");
    assert.ok(calls.length > 1000, `only ${calls.length} fixture calls found`);
    const mismatches: string[] = [];
    for (const c of calls) {
      const result = PRECOMPILES[c.address](c.input, c.gas, Fork.Prague);
      if (result.ok !== c.success) {
        mismatches.push(`${c.name}: expected ${c.success ? "success" : "failure"}, got ${JSON.stringify(result)}`);
      } else if (result.ok && c.outputHash !== undefined) {
        const hash = bytesToNumberBE(keccak_256(result.output));
        if (hash !== c.outputHash) mismatches.push(`${c.name}: output hash mismatch`);
      }
    }
    assert.deepEqual(mismatches, []);
  },
});
