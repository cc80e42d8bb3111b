/**
 * The hardfork a dev chain runs: the EVM rules plus what the chain adds on
 * top (the blob schedule of the BPO forks, anvil's optional EIP-7825 cap).
 */
import { BaseError } from "../errors/base.ts";
import { type ForkId, forkName, parseFork } from "../forks/fork.ts";
import { type ForkRules, rulesFor } from "../forks/rules.ts";
import type { BlobSchedule } from "./fees.ts";
import { forkFacts } from "./fork_schedule.ts";

export interface ChainHardfork {
  /** As anvil_nodeInfo reports it. */
  name: string;
  fork: ForkId;
  rules: ForkRules;
  blobSchedule: BlobSchedule;
  /** Blocks the difficulty bomb is delayed by (proof-of-work chains). */
  bombDelay?: bigint;
}

/** anvil 1.x runs the latest fork it knows: Osaka with the BPO1 blob schedule. */
export const DEFAULT_HARDFORK = "bpo1";

export class UnsupportedHardforkError extends BaseError {
  override name = "UnsupportedHardforkError";
  constructor(given: string) {
    super(`hardfork "${given}" has no default blob schedule`, { details: "use bpo1 or bpo2, or a genesis file" });
  }
}

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
  // The fork schedule's names (BPO forks, the glaciers that only delay the bomb) and then the EVM's.
  const facts = forkFacts(name);
  const bpo = facts && /^BPO\d$/.test(facts.name) ? facts : undefined;
  if (bpo && !bpo.blobSchedule) throw new UnsupportedHardforkError(name);
  const fork = facts?.fork ?? parseFork(name);
  const base = rulesFor(fork);
  const blobSchedule = bpo?.blobSchedule ??
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
  // anvil's names: "Bpo1", "Cancun"; a glacier by its own name.
  const displayName = bpo
    ? "Bpo" + bpo.name.slice(3)
    : facts && facts.name !== forkName(fork)
    ? facts.name
    : forkName(fork);
  return { name: displayName, fork, rules, blobSchedule, bombDelay: facts?.bombDelay ?? 0n };
}
