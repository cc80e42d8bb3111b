/**
 * Consensus formulas a block header must satisfy against its parent:
 * proof-of-work difficulty, gas limit bounds, the EIP-1559 base fee, the
 * EIP-4844 excess blob gas (with EIP-7918's reserve price), block and ommer
 * rewards, and the EIP-7934 block size limit.
 */
import { Fork, type ForkId } from "../forks/fork.ts";
import { blobBaseFee, GAS_PER_BLOB } from "../tx/blob.ts";
import type { BlobSchedule } from "./fees.ts";
import { INITIAL_BASE_FEE, nextBaseFee } from "./fees.ts";

export const GAS_LIMIT_ADJUSTMENT_FACTOR = 1024n;
export const GAS_LIMIT_MINIMUM = 5000n;
export const MINIMUM_DIFFICULTY = 131072n;
export const MAX_OMMER_DEPTH = 6n;
export const MAX_OMMERS = 2;
export const MAX_EXTRA_DATA_BYTES = 32;
/** EIP-7934: an RLP-encoded block may not exceed 10 MiB less a 2 MiB margin (Osaka on). */
export const MAX_RLP_BLOCK_SIZE = 10_485_760 - 2_097_152;
/** EIP-7918: the blob base fee is kept above BLOB_BASE_COST * base fee / GAS_PER_BLOB. */
export const BLOB_BASE_COST = 1n << 13n;

const ETHER = 10n ** 18n;

/** A parent header's values the formulas read. */
export interface ParentValues {
  number: bigint;
  timestamp: bigint;
  difficulty: bigint;
  gasLimit: bigint;
  gasUsed: bigint;
  baseFeePerGas?: bigint;
  excessBlobGas?: bigint;
  blobGasUsed?: bigint;
  hasOmmers: boolean;
}

/** The gas limit may move by less than 1/1024 of the parent's, and not below 5000. */
export function gasLimitWithinBounds(gasLimit: bigint, parentGasLimit: bigint): boolean {
  const delta = parentGasLimit / GAS_LIMIT_ADJUSTMENT_FACTOR;
  return gasLimit < parentGasLimit + delta && gasLimit > parentGasLimit - delta && gasLimit >= GAS_LIMIT_MINIMUM;
}

/**
 * The gas limit a block builder gives the next block: one step (1/1024 of the parent's, less one) toward the
 * `desired` limit, or the desired limit when that is within a step.
 */
export function nextGasLimit(parentGasLimit: bigint, desired: bigint): bigint {
  const step = parentGasLimit / GAS_LIMIT_ADJUSTMENT_FACTOR - 1n;
  const target = desired < GAS_LIMIT_MINIMUM ? GAS_LIMIT_MINIMUM : desired;
  if (parentGasLimit < target) return parentGasLimit + step > target ? target : parentGasLimit + step;
  if (parentGasLimit > target) return parentGasLimit - step < target ? target : parentGasLimit - step;
  return parentGasLimit;
}

/**
 * The proof-of-work difficulty of a block: Frontier's 13-second rule, Homestead's (EIP-2), Byzantium's with
 * ommers (EIP-100), and the bomb, delayed by `bombDelay` blocks from Byzantium on.
 */
export function blockDifficulty(
  fork: ForkId,
  bombDelay: bigint,
  number: bigint,
  timestamp: bigint,
  parent: ParentValues,
): bigint {
  const step = parent.difficulty / 2048n;
  const elapsed = timestamp - parent.timestamp;
  let difficulty: bigint;
  if (fork < Fork.Homestead) {
    difficulty = elapsed < 13n ? parent.difficulty + step : parent.difficulty - step;
  } else {
    let factor = fork < Fork.Byzantium ? 1n - elapsed / 10n : (parent.hasOmmers ? 2n : 1n) - elapsed / 9n;
    if (factor < -99n) factor = -99n;
    difficulty = parent.difficulty + step * factor;
  }
  let fakeNumber = number;
  if (fork >= Fork.Byzantium) fakeNumber = number > bombDelay ? number - bombDelay : 0n;
  const periods = fakeNumber / 100000n - 2n;
  if (periods >= 0n) difficulty += 1n << periods;
  return difficulty < MINIMUM_DIFFICULTY ? MINIMUM_DIFFICULTY : difficulty;
}

/** The base fee a block must carry (EIP-1559); the first London block has the initial one. */
export function expectedBaseFee(parent: ParentValues, parentIsLondon: boolean): bigint {
  if (!parentIsLondon || parent.baseFeePerGas === undefined) return INITIAL_BASE_FEE;
  return nextBaseFee(parent.baseFeePerGas, parent.gasUsed, parent.gasLimit);
}

/**
 * The excess blob gas a block must carry, by the block's own blob schedule (a parent before Cancun counts as
 * zero); with EIP-7918 (Osaka on), while blobs are priced below the reserve, excess grows by the used share
 * above the target only.
 */
export function expectedExcessBlobGas(parent: ParentValues, schedule: BlobSchedule, reservePrice: boolean): bigint {
  const parentExcess = parent.excessBlobGas ?? 0n;
  const parentUsed = parent.blobGasUsed ?? 0n;
  const target = BigInt(schedule.target) * GAS_PER_BLOB;
  if (parentExcess + parentUsed < target) return 0n;
  if (reservePrice) {
    const reserve = BLOB_BASE_COST * (parent.baseFeePerGas ?? 0n);
    if (reserve > GAS_PER_BLOB * blobBaseFee(parentExcess, schedule.updateFraction)) {
      const max = BigInt(schedule.max);
      return parentExcess + (parentUsed * (max - BigInt(schedule.target))) / max;
    }
  }
  return parentExcess + parentUsed - target;
}

/** The miner's reward for a block before the merge. */
export function blockReward(fork: ForkId): bigint {
  if (fork >= Fork.Paris) return 0n;
  if (fork >= Fork.Constantinople) return 2n * ETHER;
  if (fork >= Fork.Byzantium) return 3n * ETHER;
  return 5n * ETHER;
}
