/** Precompiled contracts by address and the fork that activates them. */
import { Fork, type ForkId } from "../../forks/fork.ts";
import { blake2fPrecompile } from "./blake2f.ts";
import { blsG1Add, blsG1Msm, blsG2Add, blsG2Msm, blsMapFp2ToG2, blsMapFpToG1, blsPairing } from "./bls12_381.ts";
import { bn254AddPrecompile, bn254MulPrecompile, bn254PairingPrecompile } from "./bn254.ts";
import { ecrecoverPrecompile } from "./ecrecover.ts";
import { identityPrecompile } from "./identity.ts";
import { pointEvaluationPrecompile } from "./kzg.ts";
import { modexpPrecompile } from "./modexp.ts";
import { p256VerifyPrecompile } from "./p256verify.ts";
import { ripemd160Precompile } from "./ripemd160.ts";
import { sha256Precompile } from "./sha256.ts";
import type { Precompile } from "./types.ts";

/** `name`: as EIP-7910's eth_config lists it. */
type Entry = { address: number; name: string; since: ForkId; run: Precompile };

/** Sorted by address. */
const PRECOMPILES: Entry[] = [
  { address: 0x01, name: "ECREC", since: Fork.Frontier, run: ecrecoverPrecompile },
  { address: 0x02, name: "SHA256", since: Fork.Frontier, run: sha256Precompile },
  { address: 0x03, name: "RIPEMD160", since: Fork.Frontier, run: ripemd160Precompile },
  { address: 0x04, name: "ID", since: Fork.Frontier, run: identityPrecompile },
  { address: 0x05, name: "MODEXP", since: Fork.Byzantium, run: modexpPrecompile },
  { address: 0x06, name: "BN254_ADD", since: Fork.Byzantium, run: bn254AddPrecompile },
  { address: 0x07, name: "BN254_MUL", since: Fork.Byzantium, run: bn254MulPrecompile },
  { address: 0x08, name: "BN254_PAIRING", since: Fork.Byzantium, run: bn254PairingPrecompile },
  { address: 0x09, name: "BLAKE2F", since: Fork.Istanbul, run: blake2fPrecompile },
  { address: 0x0a, name: "KZG_POINT_EVALUATION", since: Fork.Cancun, run: pointEvaluationPrecompile },
  { address: 0x0b, name: "BLS12_G1ADD", since: Fork.Prague, run: blsG1Add },
  { address: 0x0c, name: "BLS12_G1MSM", since: Fork.Prague, run: blsG1Msm },
  { address: 0x0d, name: "BLS12_G2ADD", since: Fork.Prague, run: blsG2Add },
  { address: 0x0e, name: "BLS12_G2MSM", since: Fork.Prague, run: blsG2Msm },
  { address: 0x0f, name: "BLS12_PAIRING_CHECK", since: Fork.Prague, run: blsPairing },
  { address: 0x10, name: "BLS12_MAP_FP_TO_G1", since: Fork.Prague, run: blsMapFpToG1 },
  { address: 0x11, name: "BLS12_MAP_FP2_TO_G2", since: Fork.Prague, run: blsMapFp2ToG2 },
  { address: 0x100, name: "P256VERIFY", since: Fork.Osaka, run: p256VerifyPrecompile },
];

const BY_ADDRESS = new Map(PRECOMPILES.map((entry) => [entry.address, entry]));

/** The precompile at `address` if it is active at `fork`. */
export function getPrecompile(address: number, fork: ForkId): Precompile | undefined {
  const entry = BY_ADDRESS.get(address);
  return entry && fork >= entry.since ? entry.run : undefined;
}

/** Addresses of every precompile active at `fork`, ascending. */
export function precompileAddresses(fork: ForkId): number[] {
  return PRECOMPILES.filter((entry) => fork >= entry.since).map((entry) => entry.address);
}

/** The precompiles active at `fork`, by address (a table that state overrides may change). */
export function activePrecompiles(fork: ForkId): Map<bigint, Precompile> {
  return new Map(PRECOMPILES.filter((entry) => fork >= entry.since).map((entry) => [BigInt(entry.address), entry.run]));
}

/** Name and address of every precompile active at `fork` (eth_config). */
export function precompileNames(fork: ForkId): { name: string; address: number }[] {
  return PRECOMPILES.filter((entry) => fork >= entry.since).map(({ name, address }) => ({ name, address }));
}

/** By fork id (a small integer): an array index, where a Map lookup costs a hash on every call. */
const addressSets: (ReadonlySet<bigint> | undefined)[] = [];

/** The same addresses as a set of words, cached per fork (warm from the start of every transaction). */
export function precompileAddressSet(fork: ForkId): ReadonlySet<bigint> {
  let set = addressSets[fork];
  if (!set) addressSets[fork] = set = new Set(precompileAddresses(fork).map(BigInt));
  return set;
}
