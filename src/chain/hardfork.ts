/**
 * The hardfork a dev chain runs: the EVM rules plus what the chain adds on
 * top (the blob schedule of the BPO forks, anvil's optional EIP-7825 cap).
 */
import { Fork, type ForkId, forkName, parseFork } from "../forks/fork.ts";
import { type ForkRules, rulesFor } from "../forks/rules.ts";
import type { BlobSchedule } from "./fees.ts";

export interface ChainHardfork {
  /** As anvil_nodeInfo reports it. */
  name: string;
  fork: ForkId;
  rules: ForkRules;
  blobSchedule: BlobSchedule;
  /** Blocks the difficulty bomb is delayed by (proof-of-work chains). */
  bombDelay?: bigint;
}

/** Blob-parameter-only forks after Osaka (EIP-7892): same EVM, new blob targets. */
const BPO_SCHEDULES: Record<string, BlobSchedule> = {
  bpo1: { target: 10, max: 15, updateFraction: 8346193n },
  bpo2: { target: 14, max: 21, updateFraction: 11684671n },
};

/** anvil 1.x runs the latest fork it knows: Osaka with the BPO1 blob schedule. */
export const DEFAULT_HARDFORK = "bpo1";

/** Forks that only delay the difficulty bomb: the EVM of the fork before them (the bomb is moot on a dev chain). */
const BOMB_FORKS: Record<string, { fork: ForkId; name: string; bombDelay: bigint }> = {
  muirglacier: { fork: Fork.Istanbul, name: "MuirGlacier", bombDelay: 9_000_000n },
  arrowglacier: { fork: Fork.London, name: "ArrowGlacier", bombDelay: 10_700_000n },
  grayglacier: { fork: Fork.London, name: "GrayGlacier", bombDelay: 11_400_000n },
};

export interface HardforkOptions {
  /** EIP-7825's per-transaction gas cap; anvil leaves it off unless --enable-tx-gas-limit. */
  enforceTxGasLimitCap?: boolean;
  /** EIP-170's code size limit in bytes (EIP-3860's initcode limit is twice it); 0: no limit. */
  codeSizeLimit?: number;
  /** See ForkRules.memoryLimit. */
  memoryLimit?: number;
  /** See ForkRules.ignoreBlockGasLimit. */
  ignoreBlockGasLimit?: boolean;
}

export function chainHardfork(name: string = DEFAULT_HARDFORK, options: HardforkOptions = {}): ChainHardfork {
  const key = name.trim().toLowerCase().replace(/[\s_-]/g, "");
  const bpo = BPO_SCHEDULES[key];
  const bomb = BOMB_FORKS[key];
  const fork = bpo ? Fork.Osaka : bomb ? bomb.fork : parseFork(name);
  const base = rulesFor(fork);
  const blobSchedule = bpo ??
    { target: base.blobTargetPerBlock, max: base.blobMaxPerBlock, updateFraction: base.blobBaseFeeUpdateFraction };
  const rules: ForkRules = {
    ...base,
    txGasLimitCap: options.enforceTxGasLimitCap ? base.txGasLimitCap : 0,
    ...(options.codeSizeLimit === undefined ? {} : {
      maxCodeSize: options.codeSizeLimit,
      initcodeLimit: base.initcodeLimit === 0 ? 0 : 2 * options.codeSizeLimit,
    }),
    ...(options.memoryLimit === undefined ? {} : { memoryLimit: options.memoryLimit }),
    ...(options.ignoreBlockGasLimit ? { ignoreBlockGasLimit: true } : {}),
    blobTargetPerBlock: blobSchedule.target,
    blobMaxPerBlock: blobSchedule.max,
    blobBaseFeeUpdateFraction: blobSchedule.updateFraction,
  };
  const displayName = bpo ? key[0].toUpperCase() + key.slice(1) : bomb ? bomb.name : forkName(fork);
  return { name: displayName, fork, rules, blobSchedule, ...(bomb ? { bombDelay: bomb.bombDelay } : {}) };
}
