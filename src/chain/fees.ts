/** Base fee (EIP-1559) and blob gas (EIP-4844) evolution from one block to the next. */
import { blobBaseFee, GAS_PER_BLOB } from "../tx/blob.ts";

export const INITIAL_BASE_FEE = 1_000_000_000n;
/** anvil's gas price of a chain before London (its --gas-price default). */
export const INITIAL_GAS_PRICE = 1_875_000_000n;
export const BASE_FEE_MAX_CHANGE_DENOMINATOR = 8n;
export const ELASTICITY_MULTIPLIER = 2n;
/** What eth_maxPriorityFeePerGas suggests and eth_sendTransaction tips by default (anvil's value). */
export const DEFAULT_PRIORITY_FEE = 1_000_000_000n;

export interface BlobSchedule {
  target: number;
  max: number;
  updateFraction: bigint;
}

export function nextBaseFee(parentBaseFee: bigint, parentGasUsed: bigint, parentGasLimit: bigint): bigint {
  const target = parentGasLimit / ELASTICITY_MULTIPLIER;
  if (target === 0n || parentGasUsed === target) return parentBaseFee;
  if (parentGasUsed > target) {
    const delta = (parentBaseFee * (parentGasUsed - target)) / target / BASE_FEE_MAX_CHANGE_DENOMINATOR;
    return parentBaseFee + (delta > 1n ? delta : 1n);
  }
  const delta = (parentBaseFee * (target - parentGasUsed)) / target / BASE_FEE_MAX_CHANGE_DENOMINATOR;
  return parentBaseFee - delta;
}

/** EIP-4844 excess blob gas of the child (the EIP-7918 reserve price is left out, as anvil does). */
export function nextExcessBlobGas(parentExcess: bigint, parentBlobGasUsed: bigint, schedule: BlobSchedule): bigint {
  const target = BigInt(schedule.target) * GAS_PER_BLOB;
  const sum = parentExcess + parentBlobGasUsed;
  return sum < target ? 0n : sum - target;
}

export function blobGasPrice(excessBlobGas: bigint, schedule: BlobSchedule): bigint {
  return blobBaseFee(excessBlobGas, schedule.updateFraction);
}
