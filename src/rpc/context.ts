/** What every JSON-RPC method gets: the chain, the installed filters, and node facts. */
import type { DevChain } from "../chain/chain.ts";
import type { FilterRegistry } from "../chain/filters.ts";
import type { Params } from "./params.ts";

export interface NodeInfo {
  clientVersion: string;
  /** Set by fork mode: where state comes from. */
  forkUrl?: string;
  forkBlockNumber?: bigint;
  /** Fork mode's runner: upstream counters for evmwasm_upstreamStats. */
  fork?: { upstreamStats(): Record<string, unknown> };
  /** Switches the node to fork mode from `url` at `blockNumber` (anvil_reset / hardhat_reset with forking). */
  resetFork?: (url: string, blockNumber?: bigint) => Promise<void>;
}

export interface RpcContext {
  chain: DevChain;
  filters: FilterRegistry;
  info: NodeInfo;
}

export type MethodHandler = (params: Params, ctx: RpcContext) => unknown;
export type MethodTable = Record<string, MethodHandler>;
