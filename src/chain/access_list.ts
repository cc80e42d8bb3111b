/**
 * eth_createAccessList: trace which accounts and slots a request touches,
 * then run it again with that list to report the gas it would use.
 */
import type { BlockEnv } from "../evm/env.ts";
import { createAddress } from "../evm/address.ts";
import { precompileAddresses } from "../evm/precompiles/index.ts";
import { scratchState } from "../state/overlay.ts";
import type { WorldState } from "../state/world.ts";
import { AccessListTracer } from "../trace/access_list_tracer.ts";
import type { AccessListEntry } from "../tx/transaction.ts";
import {
  applyBlockOverrides,
  applyStateOverrides,
  type BlockOverrides,
  callEnvironment,
  type CallRequest,
  type CallSetup,
  callTransaction,
  runCallTransaction,
  type StateOverrides,
} from "./call_request.ts";
import { haltName } from "./halt_reason.ts";

export interface AccessListResult {
  accessList: AccessListEntry[];
  gasUsed: bigint;
  /** Set when the request fails with the list applied. */
  error?: string;
}

export function createAccessList(
  setup: CallSetup,
  base: WorldState,
  env: BlockEnv,
  r: CallRequest,
  overrides?: { state?: StateOverrides; block?: BlockOverrides },
): AccessListResult {
  const { world: overridden, reader } = scratchState(base);
  const precompiles = applyStateOverrides(overridden, reader, overrides?.state, setup.hardfork.fork);
  const callEnv = callEnvironment(r, applyBlockOverrides(env, overrides?.block));

  const sender = r.from ?? 0n;
  const excluded = new Set<bigint>([sender]);
  const nonce = r.nonce ?? overridden.getNonce(sender);
  excluded.add(r.to ?? createAddress(sender, nonce));
  for (const p of precompileAddresses(setup.hardfork.fork)) excluded.add(BigInt(p));

  const tracer = new AccessListTracer(excluded, r.accessList);
  {
    const { world } = scratchState(overridden);
    runCallTransaction(setup, world, callEnv, callTransaction(r, world, callEnv), r, { tracer, precompiles, discardLogs: true });
  }
  const accessList = tracer.accessList();
  const withList = { ...r, accessList };
  const { world } = scratchState(overridden);
  const result = runCallTransaction(setup, world, callEnv, callTransaction(withList, world, callEnv), withList, {
    precompiles,
    discardLogs: true,
  });
  const error = result.status === "success"
    ? undefined
    : result.status === "revert"
    ? "execution reverted"
    : haltName(result.error);
  return { accessList, gasUsed: result.gasUsed, error };
}
