import assert from "node:assert/strict";
import { bn254 } from "@noble/curves/bn254.js";
import { p256 } from "@noble/curves/nist.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { Fork, type ForkId } from "../src/forks/fork.ts";
import { keccak256 } from "../src/primitives/hash.ts";
import { bigIntToBytes, bytesToHex, concatBytes, hexToBytes } from "../src/primitives/hex.ts";
import { getPrecompile, precompileAddresses } from "../src/evm/precompiles/index.ts";
import type { PrecompileResult } from "../src/evm/precompiles/types.ts";

const GAS = 10_000_000;

function call(
  address: number,
  input: Uint8Array | string,
  fork: ForkId = Fork.Osaka,
  gasLimit = GAS,
): PrecompileResult {
  const precompile = getPrecompile(address, fork);
  assert.ok(precompile, `precompile ${address} not active at fork ${fork}`);
  return precompile(typeof input === "string" ? hexToBytes(input) : input, gasLimit, fork);
}

function assertOk(result: PrecompileResult, gasUsed: number, outputHex: string) {
  assert.ok(result.ok, `expected success, got ${JSON.stringify(result)}`);
  assert.equal(bytesToHex(result.output), outputHex);
  assert.equal(result.gasUsed, gasUsed);
}

function assertFails(result: PrecompileResult) {
  assert.equal(result.ok, false);
}

function gasOf(result: PrecompileResult): number {
  assert.ok(result.ok, `expected success, got ${JSON.stringify(result)}`);
  return result.gasUsed;
}

const word = (v: bigint | number) => bigIntToBytes(BigInt(v));
const hex = (s: string) => "0x" + s.replace(/\s+/g, "");

// ---------------------------------------------------------------- registry

Deno.test("activation by fork", () => {
  assert.deepEqual(precompileAddresses(Fork.Frontier), [1, 2, 3, 4]);
  assert.deepEqual(precompileAddresses(Fork.SpuriousDragon), [1, 2, 3, 4]);
  assert.deepEqual(precompileAddresses(Fork.Byzantium), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(precompileAddresses(Fork.Istanbul), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(precompileAddresses(Fork.Cancun), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(precompileAddresses(Fork.Prague), [...Array(17).keys()].map((i) => i + 1));
  assert.deepEqual(precompileAddresses(Fork.Osaka), [...[...Array(17).keys()].map((i) => i + 1), 0x100]);
  assert.equal(getPrecompile(5, Fork.Homestead), undefined);
  assert.equal(getPrecompile(9, Fork.Petersburg), undefined);
  assert.equal(getPrecompile(0x0a, Fork.Shanghai), undefined);
  assert.equal(getPrecompile(0x100, Fork.Prague), undefined);
  assert.equal(getPrecompile(0x12, Fork.Osaka), undefined);
});

// ---------------------------------------------------------------- 0x01 ecrecover

Deno.test("ecrecover: known signature", () => {
  const input = hex(`18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c
    000000000000000000000000000000000000000000000000000000000000001c
    73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f
    eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549`);
  assertOk(call(1, input, Fork.Frontier), 3000, "0x000000000000000000000000a94f5374fce5edbc8e2a8697c15331677e6ebf0b");
});

Deno.test("ecrecover: signature made with noble, high s accepted, invalid inputs give empty output", () => {
  const secretKey = bigIntToBytes(0x1234567890n);
  const hash = keccak256(new TextEncoder().encode("hello"));
  const address = keccak256(secp256k1.getPublicKey(secretKey, false).subarray(1)).subarray(12);
  const expected = bytesToHex(concatBytes(new Uint8Array(12), address));
  const sig = secp256k1.Signature.fromBytes(
    secp256k1.sign(hash, secretKey, { prehash: false, format: "recovered" }),
    "recovered",
  );
  const v = 27 + sig.recovery!;
  const n = secp256k1.Point.CURVE().n;
  const input = (v: bigint | number, r: bigint, s: bigint) => concatBytes(hash, word(v), word(r), word(s));

  assertOk(call(1, input(v, sig.r, sig.s)), 3000, expected);
  // (r, n - s) with the other recovery id is the same key: no low-s rule here.
  assertOk(call(1, input(55 - v, sig.r, n - sig.s)), 3000, expected);
  assertOk(call(1, input(v, sig.r, 0n)), 3000, "0x");
  assertOk(call(1, input(v, n, sig.s)), 3000, "0x");
  assertOk(call(1, input(v, sig.r, n)), 3000, "0x");
  assertOk(call(1, input(v - 27, sig.r, sig.s)), 3000, "0x");
  assertOk(call(1, input(BigInt(v) + (1n << 8n), sig.r, sig.s)), 3000, "0x"); // v must be the whole word
  assertOk(call(1, new Uint8Array(0)), 3000, "0x");
  assertFails(call(1, input(v, sig.r, sig.s), Fork.Osaka, 2999));
});

Deno.test("ecrecover: short input is right-padded with zeros", () => {
  const full = hexToBytes(hex(`18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c
    000000000000000000000000000000000000000000000000000000000000001c
    73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f
    eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4500`));
  const padded = call(1, full);
  const truncated = call(1, full.subarray(0, 127));
  assert.deepEqual(truncated, padded);
});

// ---------------------------------------------------------------- 0x02-0x04 hashes and identity

Deno.test("sha256", () => {
  assertOk(call(2, "0x", Fork.Frontier), 60, "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assertOk(
    call(2, new TextEncoder().encode("abc")),
    72,
    "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(gasOf(call(2, new Uint8Array(33))), 84);
  assertFails(call(2, "0x", Fork.Osaka, 59));
});

Deno.test("ripemd160", () => {
  assertOk(call(3, "0x", Fork.Frontier), 600, "0x0000000000000000000000009c1185a5c5e9fc54612808977ee8f548b2258d31");
  assertOk(
    call(3, new TextEncoder().encode("abc")),
    720,
    "0x0000000000000000000000008eb208f7e05d987a9b044a8e98c6b087f15a0bfc",
  );
  assertFails(call(3, "0x01", Fork.Osaka, 719));
});

Deno.test("identity", () => {
  assertOk(call(4, "0x", Fork.Frontier), 15, "0x");
  assertOk(call(4, "0x0102030405"), 18, "0x0102030405");
  const big = new Uint8Array(65).fill(7);
  const result = call(4, big);
  assert.ok(result.ok && result.gasUsed === 15 + 3 * 3 && result.output !== big);
  assertFails(call(4, "0x01", Fork.Osaka, 17));
});

// ---------------------------------------------------------------- 0x05 modexp

const SECP256K1_P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;

function modexpInput(base: Uint8Array, exp: Uint8Array, mod: Uint8Array): Uint8Array {
  return concatBytes(word(base.length), word(exp.length), word(mod.length), base, exp, mod);
}

Deno.test("modexp: EIP-198 example (Fermat) with each fork's price", () => {
  const input = modexpInput(hexToBytes("0x03"), word(SECP256K1_P - 1n), word(SECP256K1_P));
  const one = bytesToHex(word(1));
  // complexity(32) * (bit length 256 - 1) ...
  assertOk(call(5, input, Fork.Byzantium), (1024 * 255) / 20, one); // EIP-198: 32^2 * 255 / 20
  assertOk(call(5, input, Fork.Berlin), Math.floor((16 * 255) / 3), one); // EIP-2565: 4 words^2 * 255 / 3
  assertOk(call(5, input, Fork.Osaka), 16 * 255, one); // EIP-7883: 16 * 255
});

Deno.test("modexp: EIP-198 example with an empty exponent and a modulus past the input", () => {
  const input = concatBytes(word(0), word(32), word(32), word(SECP256K1_P - 2n), word(SECP256K1_P));
  assertOk(call(5, input, Fork.Byzantium), (1024 * 255) / 20, bytesToHex(word(0))); // 0^x = 0
  // with the modulus cut off it reads as zero, so the output is 32 zero bytes
  const cut = concatBytes(word(1), word(32), word(32), hexToBytes("0x05"), word(SECP256K1_P - 2n));
  assertOk(call(5, cut, Fork.Berlin), Math.floor((16 * 255) / 3), bytesToHex(word(0)));
});

Deno.test("modexp: small values and edge cases", () => {
  const run = (b: string, e: string, m: string, fork: ForkId = Fork.Osaka) =>
    call(5, modexpInput(hexToBytes(b), hexToBytes(e), hexToBytes(m)), fork);
  assertOk(run("0x02", "0x0a", "0x03e8"), 500, "0x0018"); // 2^10 mod 1000 = 24, width of the modulus
  assertOk(run("0x02", "0x0a", "0x03e8", Fork.Berlin), 200, "0x0018");
  assertOk(run("0x02", "0x0a", "0x03e8", Fork.Byzantium), Math.floor((4 * 3) / 20), "0x0018");
  assertOk(run("0x05", "0x", "0x07"), 500, "0x01"); // x^0 = 1
  assertOk(run("0x", "0x", "0x07"), 500, "0x01"); // 0^0 = 1
  assertOk(run("0x05", "0x03", "0x0001"), 500, "0x0000"); // mod 1
  assertOk(run("0x05", "0x03", "0x0000"), 500, "0x0000"); // mod 0
  assertOk(run("0x05", "0x03", "0x"), 500, "0x");
  assertOk(call(5, "0x", Fork.Osaka), 500, "0x");
  assertOk(call(5, "0x", Fork.Berlin), 200, "0x");
  assertOk(call(5, "0x", Fork.Byzantium), 0, "0x");
});

function binaryPowMod(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  for (base %= mod; exp > 0n; exp >>= 1n) {
    if (exp & 1n) result = (result * base) % mod;
    base = (base * base) % mod;
  }
  return result;
}

Deno.test("modexp: large exponent prices by length and head bits", () => {
  // exp length 64 with a head of 1: iterations = multiplier * (64 - 32) + 0
  const exp = concatBytes(word(1), word(3));
  const input = modexpInput(word(3), exp, word(SECP256K1_P));
  const expected = bytesToHex(word(binaryPowMod(3n, (1n << 256n) + 3n, SECP256K1_P)));
  assertOk(call(5, input, Fork.Byzantium), Math.floor((1024 * 8 * 32) / 20), expected);
  assertOk(call(5, input, Fork.Berlin), Math.floor((16 * 8 * 32) / 3), expected);
  assertOk(call(5, input, Fork.Osaka), 16 * 16 * 32, expected);
});

Deno.test("modexp: complexity tiers (EIP-198 and EIP-7883)", () => {
  const modulus = new Uint8Array(100).fill(0xff);
  const input = modexpInput(hexToBytes("0x02"), hexToBytes("0x03"), modulus); // exp bit length 2 -> 1 iteration
  const x = 100;
  assert.equal(gasOf(call(5, input, Fork.Byzantium)), Math.floor((x * x / 4 + 96 * x - 3072) / 20));
  assert.equal(gasOf(call(5, input, Fork.Berlin)), 200); // 13^2 / 3 < 200
  assert.equal(gasOf(call(5, input, Fork.Osaka)), 500); // 2 * 13^2 = 338 < 500
  const wide = modexpInput(hexToBytes("0x02"), hexToBytes("0xff"), new Uint8Array(200).fill(0xff)); // 7 iterations
  assert.equal(gasOf(call(5, wide, Fork.Osaka)), 2 * 25 * 25 * 7);
});

Deno.test("modexp: huge declared lengths are priced with bigints and run out of gas", () => {
  const huge = (1n << 256n) - 1n;
  const input = concatBytes(word(huge), word(1), word(1), hexToBytes("0x0203"));
  assertFails(call(5, input, Fork.Byzantium));
  assertFails(call(5, input, Fork.Berlin));
  // with base and modulus empty, a huge exponent costs nothing pre-Osaka and the output is empty
  const emptyOperands = concatBytes(word(0), word(huge), word(0));
  assertOk(call(5, emptyOperands, Fork.Byzantium), 0, "0x");
  assertOk(call(5, emptyOperands, Fork.Berlin), 200, "0x");
  assertFails(call(5, emptyOperands, Fork.Osaka));
});

Deno.test("modexp: EIP-7823 bounds from Osaka", () => {
  const at = (b: number, e: number, m: number) => concatBytes(word(b), word(e), word(m));
  assert.ok(call(5, at(1024, 1, 1024), Fork.Osaka).ok);
  assert.ok(call(5, at(1, 1024, 1), Fork.Osaka).ok);
  assertFails(call(5, at(1025, 0, 1), Fork.Osaka));
  assertFails(call(5, at(1, 1025, 1), Fork.Osaka));
  assertFails(call(5, at(1, 0, 1025), Fork.Osaka));
  assert.ok(call(5, at(1, 1025, 1), Fork.Prague).ok);
});

Deno.test("modexp: out of gas", () => {
  const input = modexpInput(hexToBytes("0x03"), word(SECP256K1_P - 1n), word(SECP256K1_P));
  assertFails(call(5, input, Fork.Osaka, 16 * 255 - 1));
  assert.ok(call(5, input, Fork.Osaka, 16 * 255).ok);
});

Deno.test("modexp: 1024-byte operands finish quickly", () => {
  const operand = (fill: number) => new Uint8Array(1024).fill(fill);
  const start = performance.now();
  const result = call(5, modexpInput(operand(0xfd), operand(0xfe), operand(0xff)), Fork.Osaka, 1e12);
  assert.ok(result.ok && result.output.length === 1024);
  assert.ok(performance.now() - start < 5000);
});

// ---------------------------------------------------------------- 0x06-0x08 bn254

const G1_HEX = bytesToHex(concatBytes(word(1), word(2)));
const G1_DOUBLE = hex(`030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3
  15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4`);
const BN254_P = bn254.fields.Fp.ORDER;
const BN254_R = bn254.G1.Point.CURVE().n;

Deno.test("bn254 add: G + G, identity, prices, invalid points", () => {
  const g = hexToBytes(G1_HEX);
  assertOk(call(6, concatBytes(g, g), Fork.Byzantium), 500, G1_DOUBLE);
  assertOk(call(6, concatBytes(g, g), Fork.Istanbul), 150, G1_DOUBLE);
  assertOk(call(6, g), 150, G1_HEX); // G + (padded) infinity
  assertOk(call(6, "0x"), 150, bytesToHex(new Uint8Array(64)));
  assertFails(call(6, concatBytes(word(1), word(3)))); // not on the curve
  assertFails(call(6, concatBytes(word(1n + BN254_P), word(2)))); // coordinate >= p
  assertFails(call(6, concatBytes(g, g), Fork.Istanbul, 149));
});

Deno.test("bn254 mul: scalars", () => {
  const g = hexToBytes(G1_HEX);
  assertOk(call(7, concatBytes(g, word(2)), Fork.Byzantium), 40000, G1_DOUBLE);
  assertOk(call(7, concatBytes(g, word(2))), 6000, G1_DOUBLE);
  assertOk(call(7, concatBytes(g, word(BN254_R + 2n))), 6000, G1_DOUBLE);
  assertOk(call(7, concatBytes(g, word(BN254_R))), 6000, bytesToHex(new Uint8Array(64)));
  assertOk(call(7, g), 6000, bytesToHex(new Uint8Array(64))); // padded scalar is zero
  assertFails(call(7, concatBytes(word(1), word(3), word(2))));
  assertFails(call(7, concatBytes(g, word(2)), Fork.Istanbul, 5999));
});

function g2Bytes(point: typeof bn254.G2.Point.BASE): Uint8Array {
  const { x, y } = point.toAffine();
  return concatBytes(word(x.c1), word(x.c0), word(y.c1), word(y.c0));
}

Deno.test("bn254 pairing: e(P, Q) * e(-P, Q) = 1", () => {
  const g1 = bn254.G1.Point.BASE.multiply(5n);
  const g1Bytes = (p: typeof g1) => concatBytes(word(p.toAffine().x), word(p.toAffine().y));
  const q = g2Bytes(bn254.G2.Point.BASE.multiply(7n));
  const balanced = concatBytes(g1Bytes(g1), q, g1Bytes(g1.negate()), q);
  const one = bytesToHex(word(1));
  const zero = bytesToHex(word(0));
  assertOk(call(8, balanced, Fork.Byzantium), 100000 + 2 * 80000, one);
  assertOk(call(8, balanced, Fork.Istanbul), 45000 + 2 * 34000, one);
  assertOk(call(8, concatBytes(g1Bytes(g1), q)), 45000 + 34000, zero);
  assertOk(call(8, "0x"), 45000, one);
  assertOk(call(8, concatBytes(new Uint8Array(64), q)), 79000, one); // infinity contributes 1
  assertFails(call(8, balanced.subarray(0, 191)));
  assertFails(call(8, concatBytes(g1Bytes(g1), q.map((b, i) => (i === 127 ? b ^ 1 : b))))); // not on the twist
  assertFails(call(8, balanced, Fork.Istanbul, 45000 + 2 * 34000 - 1));
});

Deno.test("bn254 pairing: G2 point on the twist but outside the subgroup fails", () => {
  const { Fp2 } = bn254.fields;
  const b = bn254.G2.Point.CURVE().b;
  let q: Uint8Array | undefined;
  for (let i = 1n; !q; i++) {
    const x = Fp2.fromBigTuple([i, 1n]);
    const rhs = Fp2.add(Fp2.mul(Fp2.sqr(x), x), b);
    try {
      const y = Fp2.sqrt(rhs);
      if (!Fp2.eql(Fp2.sqr(y), rhs)) continue;
      const point = new bn254.G2.Point(x, y, Fp2.ONE);
      if (point.isTorsionFree()) continue;
      q = concatBytes(word(x.c1), word(x.c0), word(y.c1), word(y.c0));
    } catch {
      continue;
    }
  }
  assertFails(call(8, concatBytes(hexToBytes(G1_HEX), q)));
  assertFails(call(8, concatBytes(new Uint8Array(64), q)));
});

// ---------------------------------------------------------------- 0x09 blake2f

const BLAKE2F_VECTOR_5 = hex(`0000000c
  48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b
  6162630000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
  0300000000000000 0000000000000000
  01`);

Deno.test("blake2f: EIP-152 vectors", () => {
  assertOk(
    call(9, BLAKE2F_VECTOR_5, Fork.Istanbul),
    12,
    hex(`ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1
      7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923`),
  );
  const vector4 = "0x00000000" + BLAKE2F_VECTOR_5.slice(10);
  assertOk(
    call(9, vector4),
    0,
    hex(`08c9bcf367e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5
      d282e6ad7f520e511f6c3e2b8c68059b9442be0454267ce079217e1319cde05b`),
  );
  const vector6 = BLAKE2F_VECTOR_5.slice(0, -2) + "00";
  assertOk(
    call(9, vector6),
    12,
    hex(`75ab69d3190a562c51aef8d88f1c2775876944407270c42c9844252c26d28752
      98743e7f6d5ea2f2d3e8d226039cd31b4e426ac4f2d3d666a610c2116fde4735`),
  );
  const vector7 = "0x00000001" + BLAKE2F_VECTOR_5.slice(10);
  assertOk(
    call(9, vector7),
    1,
    hex(`b63a380cb2897d521994a85234ee2c181b5f844d2c624c002677e9703449d2fb
      a551b3a8333bcdf5f2f7e08993d53923de3d64fcc68c034e717b9293fed7a421`),
  );
});

Deno.test("blake2f: malformed input and gas", () => {
  assertFails(call(9, "0x"));
  assertFails(call(9, BLAKE2F_VECTOR_5.slice(0, -2))); // 212 bytes
  assertFails(call(9, BLAKE2F_VECTOR_5 + "00")); // 214 bytes
  assertFails(call(9, BLAKE2F_VECTOR_5.slice(0, -2) + "02")); // final flag must be 0 or 1
  assertFails(call(9, BLAKE2F_VECTOR_5, Fork.Istanbul, 11));
  assertFails(call(9, "0xffffffff" + BLAKE2F_VECTOR_5.slice(10)));
});

// ---------------------------------------------------------------- 0x0a point evaluation

const KZG_INPUT = hex(`01e798154708fe7789429634053cbf9f99b619f9f084048927333fce637f549b
  564c0a11a0f704f4fc3e8acfe0f8245f0ad1347b378fbf96e206da11a5d36306
  24d25032e67a7e6a4910df5834b8fe70e6bcfeeac0352434196bdf4b2485d5a1
  8f59a8d2a1a625a17f3fea0fe5eb8c896db3764f3185481bc22f91b4aaffcca25f26936857bc3a7c2539ea8ec3a952b7
  873033e038326e87ed3e1276fd140253fa08e9fc25fb2d9a98527fc22a2c9612fbeafdad446cbc7bcdbdcd780af2c16a`);
const KZG_OUTPUT = hex(`0000000000000000000000000000000000000000000000000000000000001000
  73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001`);

Deno.test("point evaluation: valid proof", () => {
  assertOk(call(0x0a, KZG_INPUT, Fork.Cancun), 50000, KZG_OUTPUT);
});

Deno.test("point evaluation: invalid inputs fail", () => {
  const input = hexToBytes(KZG_INPUT);
  const flip = (index: number) => input.map((b, i) => (i === index ? b ^ 1 : b));
  assertFails(call(0x0a, flip(95))); // y changed
  assertFails(call(0x0a, flip(31))); // versioned hash mismatch
  assertFails(call(0x0a, flip(191))); // proof is not a valid point
  const badVersion = input.slice();
  badVersion[0] = 0x02;
  assertFails(call(0x0a, badVersion));
  const zOutOfField = input.slice();
  zOutOfField.set(word(0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n), 32);
  assertFails(call(0x0a, zOutOfField));
  assertFails(call(0x0a, input.subarray(0, 191)));
  assertFails(call(0x0a, concatBytes(input, new Uint8Array(1))));
  assertFails(call(0x0a, input, Fork.Cancun, 49999));
});

// ---------------------------------------------------------------- 0x100 p256verify

Deno.test("p256verify: signature made with noble", () => {
  const secretKey = bigIntToBytes(0xc0ffeen);
  const publicKey = p256.getPublicKey(secretKey, false).subarray(1);
  const hash = keccak256(new TextEncoder().encode("p256"));
  const sig = p256.Signature.fromBytes(p256.sign(hash, secretKey, { prehash: false, lowS: false }));
  const n = p256.Point.CURVE().n;
  const p = p256.Point.CURVE().p;
  const input = (h: Uint8Array, r: bigint, s: bigint, key: Uint8Array = publicKey) =>
    concatBytes(h, word(r), word(s), key);
  const one = bytesToHex(word(1));

  assertOk(call(0x100, input(hash, sig.r, sig.s)), 6900, one);
  assertOk(call(0x100, input(hash, sig.r, n - sig.s)), 6900, one); // malleable s is allowed
  assertOk(call(0x100, input(hash.map((b, i) => (i === 0 ? b ^ 1 : b)), sig.r, sig.s)), 6900, "0x");
  assertOk(call(0x100, input(hash, 0n, sig.s)), 6900, "0x");
  assertOk(call(0x100, input(hash, sig.r + n, sig.s)), 6900, "0x");
  assertOk(call(0x100, input(hash, sig.r, n)), 6900, "0x");
  assertOk(call(0x100, input(hash, sig.r, sig.s, new Uint8Array(64))), 6900, "0x"); // infinity
  const offCurve = publicKey.map((b, i) => (i === 63 ? b ^ 1 : b));
  assertOk(call(0x100, input(hash, sig.r, sig.s, offCurve)), 6900, "0x");
  const xPlusP = concatBytes(word(BigInt(bytesToHex(publicKey.subarray(0, 32))) + p), publicKey.subarray(32));
  assertOk(call(0x100, input(hash, sig.r, sig.s, xPlusP)), 6900, "0x");
  assertOk(call(0x100, input(hash, sig.r, sig.s).subarray(0, 159)), 6900, "0x");
  assertOk(call(0x100, concatBytes(input(hash, sig.r, sig.s), new Uint8Array(1))), 6900, "0x");
  assertOk(call(0x100, "0x"), 6900, "0x");
  assertFails(call(0x100, input(hash, sig.r, sig.s), Fork.Osaka, 6899));
});

Deno.test("p256verify: hash of zero and hash equal to n are valid messages", () => {
  const secretKey = bigIntToBytes(12345n);
  const publicKey = p256.getPublicKey(secretKey, false).subarray(1);
  for (const hash of [new Uint8Array(32), word(p256.Point.CURVE().n)]) {
    const sig = p256.Signature.fromBytes(p256.sign(hash, secretKey, { prehash: false, lowS: false }));
    assertOk(call(0x100, concatBytes(hash, word(sig.r), word(sig.s), publicKey)), 6900, bytesToHex(word(1)));
  }
});
