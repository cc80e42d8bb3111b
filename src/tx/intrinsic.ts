import type { ForkRules } from "../forks/rules.ts";
import { initcodeCost } from "../evm/gas.ts";
import type { Transaction } from "./transaction.ts";

export const PER_EMPTY_ACCOUNT_COST = 25000;
export const PER_AUTH_BASE_COST = 12500;

export interface IntrinsicGas {
  /** Charged before execution. */
  gas: bigint;
  /** EIP-7623: the least a transaction pays in total (0 before Prague). */
  floor: bigint;
}

export function intrinsicGas(rules: ForkRules, tx: Transaction): IntrinsicGas {
  let zeros = 0;
  const data = tx.data;
  for (let i = 0; i < data.length; i++) if (data[i] === 0) zeros++;
  const nonZeros = tx.data.length - zeros;
  let gas = rules.txGas + zeros * rules.txDataZeroGas + nonZeros * rules.txDataNonZeroGas;
  if (tx.to === undefined) gas += rules.txCreateGas + initcodeCost(rules, tx.data.length);
  for (const entry of tx.accessList) {
    gas += rules.txAccessListAddressGas + entry.storageKeys.length * rules.txAccessListStorageKeyGas;
  }
  gas += (tx.authorizationList?.length ?? 0) * PER_EMPTY_ACCOUNT_COST;
  const tokens = zeros + nonZeros * 4;
  const floor = rules.calldataFloorGasPerToken ? rules.txGas + tokens * rules.calldataFloorGasPerToken : 0;
  return { gas: BigInt(gas), floor: BigInt(floor) };
}
