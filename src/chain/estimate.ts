/**
 * eth_estimateGas: the smallest gas limit with which the request succeeds,
 * by anvil's binary search (so the answers agree), with its errors: a revert
 * at the highest limit is the call's revert, running out of gas there is the
 * pool's "Out of gas" rejection.
 */
import type { BlockEnv } from "../evm/env.ts";
import { scratchState } from "../state/overlay.ts";
import type { WorldState } from "../state/world.ts";
import { PER_EMPTY_ACCOUNT_COST } from "../tx/intrinsic.ts";
import type { TxResult } from "../tx/execute.ts";
import {
  applyBlockOverrides,
  applyStateOverrides,
  type BlockOverrides,
  callEnvironment,
  callOutcome,
  type CallRequest,
  type CallSetup,
  callTransaction,
  InsufficientFundsError,
  requestGasPrice,
  runCallTransaction,
  type StateOverrides,
} from "./call_request.ts";
import { ChainError, GasLimitTooHighError, TransactionRejectedError } from "./errors.ts";
import { isOutOfGas } from "./halt_reason.ts";

const MIN_TRANSACTION_GAS = 21_000n;
const MIN_CREATE_GAS = 53_000n;

type Trial = { ok: true; result: TxResult } | { ok: false; result?: TxResult; error?: unknown };

export function estimateGas(
  setup: CallSetup,
  base: WorldState,
  env: BlockEnv,
  r: CallRequest,
  overrides?: { state?: StateOverrides; block?: BlockOverrides },
): bigint {
  // The overrides go into one scratch state; each trial runs on a scratch copy of that.
  const { world: overridden, reader } = scratchState(base);
  const precompiles = applyStateOverrides(overridden, reader, overrides?.state, setup.hardfork.fork);
  const callEnv = callEnvironment(r, applyBlockOverrides(env, overrides?.block));

  let highest = r.gas ?? callEnv.gasLimit;
  const price = requestGasPrice(r);
  if (r.from !== undefined) {
    let available = overridden.getBalance(r.from);
    const value = r.value ?? 0n;
    if (value > available) throw new InsufficientFundsError(`balance ${available}, value ${value}`);
    available -= value;
    if (price > 0n) {
      const allowance = available / price;
      if (allowance < highest) highest = allowance;
    }
  }

  const isPlainTransfer = (r.data === undefined || r.data.length === 0) && !r.authorizationList && !r.accessList &&
    !r.blobVersionedHashes;
  if (
    isPlainTransfer && r.to !== undefined && highest >= MIN_TRANSACTION_GAS && overridden.getCode(r.to).length === 0
  ) {
    return MIN_TRANSACTION_GAS;
  }

  const trial = (gas: bigint): Trial => {
    const { world } = scratchState(overridden);
    const tx = callTransaction(r, world, callEnv, gas);
    try {
      const result = runCallTransaction(setup, world, callEnv, tx, r, { precompiles, discardLogs: true });
      return result.status === "success" ? { ok: true, result } : { ok: false, result };
    } catch (error) {
      // Only a refusal of this gas limit is a failed trial; anything else (a fork-mode state miss) goes up.
      if (error instanceof ChainError) return { ok: false, error };
      throw error;
    }
  };

  const first = trial(highest);
  if (!first.ok) {
    if (first.result) {
      if (first.result.status === "halt" && isOutOfGas(first.result.error)) throw outOfGas(highest);
      callOutcome(first.result); // throws the revert or the halt
    }
    const e = first.error;
    if (e instanceof GasLimitTooHighError) throw outOfGas(highest);
    throw e;
  }

  let lowest = r.to === undefined
    ? MIN_CREATE_GAS
    : MIN_TRANSACTION_GAS + BigInt(r.authorizationList?.length ?? 0) * BigInt(PER_EMPTY_ACCOUNT_COST);
  const used = first.result.gasUsed;
  let mid = used * 3n < (highest + lowest) / 2n ? used * 3n : (highest + lowest) / 2n;
  while (highest - lowest > 1n) {
    if (trial(mid).ok) highest = mid;
    else lowest = mid;
    mid = (highest + lowest) / 2n;
  }
  return highest;
}

function outOfGas(allowance: bigint): TransactionRejectedError {
  return new TransactionRejectedError(`Out of gas: gas required exceeds allowance: ${allowance}`);
}
