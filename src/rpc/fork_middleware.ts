/**
 * Fork mode around every JSON-RPC method (middleware between the handler and
 * the methods): requests run one at a time (those that read no state at once);
 * calls are preceded by an access-list prefetch so that a cold call costs about
 * two round trips; reads of blocks before the fork go to the upstream.
 *
 * State not fetched yet: a method that changes nothing runs with misses
 * collected (a key not cached reads as absent or zero), then every key it
 * missed is fetched in one round trip and it runs again, until a run misses
 * nothing; a method that sends a transaction is first run as a call that way,
 * then for real, restored and re-run after any key it still misses. Each round
 * fetches at least one new key: there is no cap on how many.
 */
import type { DevChain } from "../chain/chain.ts";
import { decodeTransaction, recoverSender } from "../tx/codec.ts";
import { bytesToHex, hexAddress, hexToBigInt, hexToBytes } from "../primitives/hex.ts";
import { type StateKey, UpstreamError } from "../fork/errors.ts";
import type { ForkConnection } from "../fork/connect.ts";
import { runRestoringOnMiss, runUntilNoMisses } from "../fork/miss_retry.ts";
import { ErrorCode, RpcError } from "./errors.ts";

/** Methods that never change the chain: a retry needs no restore. */
const READ_ONLY = new Set([
  "eth_call", "eth_estimateGas", "eth_createAccessList", "eth_simulateV1", "eth_getBalance", "eth_getCode",
  "eth_getStorageAt", "eth_getTransactionCount", "eth_getProof", "debug_traceCall", "debug_traceTransaction",
  "eth_getBlockByNumber", "eth_getBlockByHash", "eth_getLogs", "eth_getTransactionByHash", "eth_getTransactionReceipt",
  "eth_feeHistory", "eth_gasPrice", "eth_maxPriorityFeePerGas", "eth_blockNumber", "eth_chainId", "eth_getAccount",
  "eth_getAccountInfo", "eth_getBlockReceipts", "debug_codeByHash", "eth_fillTransaction",
]);

/** Where the block parameter sits, for methods that read state at a block. */
const BLOCK_PARAM: Record<string, number> = {
  eth_getBalance: 1, eth_getCode: 1, eth_getTransactionCount: 1, eth_getStorageAt: 2, eth_call: 1,
  eth_getProof: 2, eth_estimateGas: 1, eth_createAccessList: 1,
};

/** Methods that read no state and make no upstream request: answered at once, never queued behind another. */
const STATELESS = new Set([
  "eth_chainId", "net_version", "net_listening", "net_peerCount", "web3_clientVersion", "web3_sha3", "eth_blockNumber",
  "eth_accounts", "eth_syncing", "eth_protocolVersion", "evmwasm_upstreamStats",
]);

/** Methods whose first parameter is a call: the upstream's access list for it is fetched first. */
const CALL_LIKE = new Set([
  "eth_call", "eth_estimateGas", "eth_createAccessList", "eth_sendTransaction", "eth_sendTransactionSync",
  "eth_sendUnsignedTransaction", "debug_traceCall",
]);

export interface ForkRunnerStats {
  requestsWithUpstreamTraffic: number;
  proxied: number;
  retries: number;
}

export class ForkRunner {
  readonly stats: ForkRunnerStats = { requestsWithUpstreamTraffic: 0, proxied: 0, retries: 0 };
  private lock: Promise<unknown> = Promise.resolve();
  private saveTimer: ReturnType<typeof setTimeout> | undefined;

  /** Runs another method directly (set by the node): a transaction's call run that discovers what it reads. */
  simulate?: (method: string, params: unknown[]) => unknown;

  constructor(readonly conn: ForkConnection, private readonly chain: () => DevChain, private readonly log: (line: string) => void) {}

  get forkNumber(): bigint {
    return this.conn.block.number;
  }

  /** Runs `attempt` for `method` in fork mode; see the file comment. */
  run(method: string, params: unknown[], attempt: () => unknown): Promise<unknown> {
    if (STATELESS.has(method)) return Promise.resolve().then(attempt);
    const next = this.lock.then(() => this.runExclusive(method, params, attempt));
    this.lock = next.catch(() => {});
    return next;
  }

  private async runExclusive(method: string, params: unknown[], attempt: () => unknown): Promise<unknown> {
    const proxied = await this.maybeProxy(method, params);
    if (proxied !== NOT_PROXIED) return proxied;
    const source = this.conn.source;
    const before = { rt: source.stats.roundTrips, req: this.conn.client.stats.requests };
    const call = callOf(method, params);
    if (call) await this.prefetch(method, call);
    let result: unknown;
    if (READ_ONLY.has(method)) {
      result = await this.collecting(attempt);
    } else {
      if (call && this.simulate) {
        // What the transaction reads, found as a call (collecting: all in a few round trips); its outcome is not used.
        const simulate = this.simulate;
        await this.collecting(() => simulate("eth_call", [call, "pending"])).catch((e) => {
          if (e instanceof UpstreamError) throw e;
        });
      }
      result = await this.retrying(attempt);
    }
    const rt = source.stats.roundTrips - before.rt;
    if (rt > 0) {
      this.stats.requestsWithUpstreamTraffic++;
      this.log(`fork: ${method}: ${rt} round trip${rt === 1 ? "" : "s"}, ${this.conn.client.stats.requests - before.req} upstream requests`);
      this.scheduleSave();
    }
    return result;
  }

  /** A method that changes nothing: runs until a run misses no state (src/fork/miss_retry.ts). */
  private collecting(attempt: () => unknown): Promise<unknown> {
    return runUntilNoMisses(this.conn.source, this.chain, attempt, () => this.stats.retries++);
  }

  /** A method that changes the chain: a miss puts the chain back and it runs again once the key is fetched. */
  private retrying(attempt: () => unknown): Promise<unknown> {
    return runRestoringOnMiss(this.conn.source, this.chain, attempt, () => this.stats.retries++);
  }

  /** Asks the upstream what a call will touch, and fetches it, before the first attempt. */
  private async prefetch(method: string, call: Record<string, unknown>): Promise<void> {
    // A call without `from` runs as the zero address; the coinbase is touched by fee payment.
    const known: StateKey[] = [{ kind: "account", address: this.chain().coinbase }];
    if (call.from === undefined) known.push({ kind: "account", address: 0n });
    for (const f of ["from", "to"]) {
      if (typeof call[f] === "string") {
        try {
          known.push({ kind: "account", address: hexToBigInt(call[f] as string) });
        } catch { /* the method reports bad params */ }
      }
    }
    if (!this.needsFetch(known, call)) return;
    try {
      await this.conn.source.prefetchForCall(call, known);
    } catch (e) {
      // The upstream already failed after all its retries: trying again for the method would double the wait.
      if (e instanceof UpstreamError && e.transport) throw e;
      this.log(`fork: prefetch for ${method} failed (${(e as Error).message}); continuing without it`);
    }
  }

  /** A call whose accounts are all cached is assumed warm: no access-list round trip. */
  private needsFetch(known: StateKey[], call: Record<string, unknown>): boolean {
    if (call.to === undefined) return true;
    return known.some((k) => !this.conn.source.has(k));
  }

  /** Reads at blocks before the fork are the upstream's to answer. */
  private async maybeProxy(method: string, params: unknown[]): Promise<unknown> {
    const fork = this.forkNumber;
    const chain = this.chain();
    let forward = false;
    if (method === "eth_getProof" && chain.blockNumber === fork) {
      // Nothing mined locally yet: the upstream's proof is the proof of our state (we hold only part of its trie).
      const tag = params[2];
      const n = tag === undefined || tag === "latest" || tag === "pending" || tag === "safe" || tag === "finalized"
        ? fork
        : blockNumberOf(tag);
      if (n !== undefined && n <= fork) {
        return await this.forward(method, [params[0], params[1], "0x" + n.toString(16)]);
      }
    }
    if (method in BLOCK_PARAM) {
      const n = blockNumberOf(params[BLOCK_PARAM[method]]);
      forward = n !== undefined && n < fork;
    } else if (method === "eth_getBlockByNumber") {
      // The fork block and those before it are the upstream's, even when named by a tag.
      const tag = params[0];
      const n = tag === "latest" || tag === "safe" || tag === "finalized" ? chain.blockNumber : blockNumberOf(tag);
      if (n === undefined || n > fork) return NOT_PROXIED;
      if (n === fork && params[1] !== true) return this.conn.block.json;
      return await this.forward(method, ["0x" + n.toString(16), ...params.slice(1)]);
    } else if (method === "eth_getBlockByHash" && typeof params[0] === "string") {
      const known = chain.blockByHash(params[0]);
      forward = !known || known.header.number === fork;
    } else if ((method === "eth_getTransactionByHash" || method === "eth_getTransactionReceipt") && typeof params[0] === "string") {
      forward = chain.transactionByHash(params[0]) === undefined;
    }
    if (!forward) return NOT_PROXIED;
    return await this.forward(method, params);
  }

  /** Sends a request on to the upstream as it is; the upstream's own errors reach the client unchanged. */
  private async forward(method: string, params: unknown[]): Promise<unknown> {
    this.stats.proxied++;
    try {
      return await this.conn.client.request(method, params);
    } catch (e) {
      if (e instanceof UpstreamError && e.rpcError) {
        const { code = ErrorCode.ServerError, message, data } = e.rpcError;
        throw new RpcError(code, message, { data });
      }
      throw e;
    }
  }

  private scheduleSave(): void {
    if (this.saveTimer !== undefined) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.conn.source.save();
    }, 1000);
  }

  /** Writes the disk cache now (at shutdown). */
  close(): void {
    if (this.saveTimer !== undefined) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    this.conn.source.save();
  }

  upstreamStats(): Record<string, unknown> {
    return {
      upstream: this.conn.client.url,
      forkBlockNumber: "0x" + this.forkNumber.toString(16),
      ...this.conn.client.stats,
      ...this.conn.source.stats,
      ...this.stats,
    };
  }
}

const NOT_PROXIED = Symbol("not proxied");

/** The call a method makes or sends (for the prefetch and the transaction's call run), if any. */
function callOf(method: string, params: unknown[]): Record<string, unknown> | undefined {
  if (CALL_LIKE.has(method)) {
    const p = params[0];
    if (p && typeof p === "object" && !Array.isArray(p)) return pickCallFields(p as Record<string, unknown>);
  } else if ((method === "eth_sendRawTransaction" || method === "eth_sendRawTransactionSync") && typeof params[0] === "string") {
    try {
      const tx = decodeTransaction(hexToBytes(params[0]));
      return {
        from: hexAddress(recoverSender(tx)),
        ...(tx.to !== undefined ? { to: hexAddress(tx.to) } : {}),
        data: bytesToHex(tx.data),
        value: "0x" + tx.value.toString(16),
        gas: "0x" + tx.gasLimit.toString(16),
      };
    } catch {
      return undefined; // the method itself reports a bad transaction
    }
  }
  return undefined;
}

/** The fields of a call object the upstream's eth_createAccessList understands. */
function pickCallFields(p: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ["from", "to", "data", "input", "value", "gas", "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas"]) {
    if (p[k] !== undefined && p[k] !== null) out[k] = p[k];
  }
  return out;
}

/** The number a block parameter names, when it names one by number ("earliest" is 0). */
function blockNumberOf(v: unknown): bigint | undefined {
  if (v === "earliest") return 0n;
  if (typeof v === "string" && v.startsWith("0x") && v.length <= 18) {
    try {
      return hexToBigInt(v);
    } catch {
      return undefined;
    }
  }
  if (v && typeof v === "object" && typeof (v as Record<string, unknown>).blockNumber === "string") {
    return blockNumberOf((v as Record<string, unknown>).blockNumber);
  }
  return undefined;
}
