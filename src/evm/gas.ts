/** Dynamic gas rules shared by every backend. Static gas and the constants are in the opcode table (opcodes.ts). */
import type { ForkRules } from "../forks/rules.ts";
import {
  COPY_WORD_GAS, KECCAK256_WORD_GAS, LOG_DATA_GAS, MEMORY_QUADRATIC_DIVISOR, MEMORY_WORD_GAS,
} from "../forks/opcodes.ts";

export const MAX_SAFE_GAS = 2 ** 52;

export function words(size: number): number {
  return Math.ceil(size / 32);
}

/** Total cost of a memory of `w` words (Yellow Paper C_mem). */
export function memoryCost(w: number): number {
  return MEMORY_WORD_GAS * w + Math.floor((w * w) / MEMORY_QUADRATIC_DIVISOR);
}

export function copyCost(size: number): number {
  return COPY_WORD_GAS * words(size);
}

export function keccakWordsCost(size: number): number {
  return KECCAK256_WORD_GAS * words(size);
}

export function logDataCost(size: number): number {
  return LOG_DATA_GAS * size;
}

export function expCost(rules: ForkRules, exponent: bigint): number {
  if (exponent === 0n) return 0;
  let bytes = 0;
  while (exponent > 0n) {
    exponent >>= 8n;
    bytes++;
  }
  return rules.expByteGas * bytes;
}

export function initcodeCost(rules: ForkRules, size: number): number {
  return rules.initcodeWordGas * words(size);
}

/** All but one 64th of the gas left (EIP-150), else all of it. */
export function maxCallGas(rules: ForkRules, gasLeft: bigint): bigint {
  return rules.eip150 ? gasLeft - gasLeft / 64n : gasLeft;
}

export interface SstoreCharge {
  gas: number;
  refund: number;
}

/** Gas and refund delta of an SSTORE, excluding the cold-slot surcharge (EIP-2929). */
export function sstoreCharge(rules: ForkRules, original: bigint, current: bigint, next: bigint): SstoreCharge {
  if (rules.sstoreRule === "frontier") {
    const gas = current === 0n && next !== 0n ? rules.sstoreSetGas : rules.sstoreResetGas;
    const refund = current !== 0n && next === 0n ? rules.sstoreClearRefund : 0;
    return { gas, refund };
  }
  // EIP-1283 / EIP-2200 net metering (with EIP-2929 prices from Berlin, EIP-3529 refunds from London)
  const warmRead = rules.sloadGas;
  let gas: number;
  if (current === next) gas = warmRead;
  else if (original === current) gas = original === 0n ? rules.sstoreSetGas : rules.sstoreResetGas;
  else gas = warmRead;
  let refund = 0;
  if (current !== next) {
    if (original !== 0n && current !== 0n && next === 0n) refund += rules.sstoreClearRefund;
    if (original !== 0n && current === 0n) refund -= rules.sstoreClearRefund;
    if (original === next) {
      refund += (original === 0n ? rules.sstoreSetGas : rules.sstoreResetGas) - warmRead;
    }
  }
  return { gas, refund };
}
