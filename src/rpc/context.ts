/** What every JSON-RPC method gets: the chain, the installed filters, and node facts. */
import type { DevChain } from "../chain/chain.ts";
import type { FilterRegistry } from "../chain/filters.ts";
import type { Params } from "./params.ts";
import type { TraceLimits } from "../trace/limits.ts";

export interface NodeInfo {
  clientVersion: string;
  /** Set by fork mode: where state comes from. */
  forkUrl?: string;
  forkBlockNumber?: bigint;
  /** Fork mode's runner: upstream counters for evmwasm_upstreamStats. */
  fork?: { upstreamStats(): Record<string, unknown> };
  /** Switches the node to fork mode from `url` at `blockNumber` (anvil_reset / hardhat_reset with forking). */
  resetFork?: (url: string, blockNumber?: bigint) => Promise<void>;
  /** anvil_setRpcUrl: the upstream of fork mode from now on (kept for a later anvil_reset on a dev chain). */
  setRpcUrl?: (url: string) => void;
  /** The URL anvil_setRpcUrl gave a node that is not forking, for anvil_reset with `forking` but no URL. */
  pendingForkUrl?: string;
  /** anvil_setLoggingEnabled: turns the node's log on or off (absent: the node logs nothing anyway). */
  setLogging?: (enabled: boolean) => void;
  /** How large a debug_trace* answer may grow (default DEFAULT_TRACE_LIMITS). */
  traceLimits?: TraceLimits;
}

export interface RpcContext {
  chain: DevChain;
  filters: FilterRegistry;
  info: NodeInfo;
}

export type MethodHandler = (params: Params, ctx: RpcContext) => unknown;
export type MethodTable = Record<string, MethodHandler>;

/**
 * A method's answer that is still to come and must not hold up other requests meanwhile (fork mode runs
 * methods one at a time): the handler settles it after the method returned (eth_sendTransactionSync waiting
 * for its block).
 */
export class PendingResult {
  constructor(readonly settle: () => Promise<unknown>) {}
}
