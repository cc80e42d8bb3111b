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

type Entry = { address: number; since: ForkId; run: Precompile };

/** Sorted by address. */
const PRECOMPILES: Entry[] = [
  { address: 0x01, since: Fork.Frontier, run: ecrecoverPrecompile },
  { address: 0x02, since: Fork.Frontier, run: sha256Precompile },
  { address: 0x03, since: Fork.Frontier, run: ripemd160Precompile },
  { address: 0x04, since: Fork.Frontier, run: identityPrecompile },
  { address: 0x05, since: Fork.Byzantium, run: modexpPrecompile },
  { address: 0x06, since: Fork.Byzantium, run: bn254AddPrecompile },
  { address: 0x07, since: Fork.Byzantium, run: bn254MulPrecompile },
  { address: 0x08, since: Fork.Byzantium, run: bn254PairingPrecompile },
  { address: 0x09, since: Fork.Istanbul, run: blake2fPrecompile },
  { address: 0x0a, since: Fork.Cancun, run: pointEvaluationPrecompile },
  { address: 0x0b, since: Fork.Prague, run: blsG1Add },
  { address: 0x0c, since: Fork.Prague, run: blsG1Msm },
  { address: 0x0d, since: Fork.Prague, run: blsG2Add },
  { address: 0x0e, since: Fork.Prague, run: blsG2Msm },
  { address: 0x0f, since: Fork.Prague, run: blsPairing },
  { address: 0x10, since: Fork.Prague, run: blsMapFpToG1 },
  { address: 0x11, since: Fork.Prague, run: blsMapFp2ToG2 },
  { address: 0x100, since: Fork.Osaka, run: p256VerifyPrecompile },
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

/** By fork id (a small integer): an array index, where a Map lookup costs a hash on every call. */
const addressSets: (ReadonlySet<bigint> | undefined)[] = [];

/** The same addresses as a set of words, cached per fork (warm from the start of every transaction). */
export function precompileAddressSet(fork: ForkId): ReadonlySet<bigint> {
  let set = addressSets[fork];
  if (!set) addressSets[fork] = set = new Set(precompileAddresses(fork).map(BigInt));
  return set;
}
