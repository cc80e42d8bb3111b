/**
 * Fork mode around every JSON-RPC method: requests run one at a time; a
 * method that reads state not cached yet is re-run after the missing key is
 * fetched (the chain restored first if the method changes it); calls are
 * preceded by an access-list prefetch so that a cold call costs about two
 * round trips; reads of blocks before the fork go to the upstream.
 */
import type { DevChain } from "../chain/chain.ts";
import { decodeTransaction, recoverSender } from "../tx/codec.ts";
import { bytesToHex, hexToBigInt, hexToBytes } from "../primitives/hex.ts";
import { StateMissError, type StateKey, UpstreamError } from "./errors.ts";
import { RpcError } from "../rpc/errors.ts";
import type { ForkConnection } from "./connect.ts";

/** Methods that never change the chain: a retry needs no restore. */
const READ_ONLY = new Set([
  "eth_call", "eth_estimateGas", "eth_createAccessList", "eth_simulateV1", "eth_getBalance", "eth_getCode",
  "eth_getStorageAt", "eth_getTransactionCount", "eth_getProof", "debug_traceCall", "debug_traceTransaction",
  "eth_getBlockByNumber", "eth_getBlockByHash", "eth_getLogs", "eth_getTransactionByHash", "eth_getTransactionReceipt",
  "eth_feeHistory", "eth_gasPrice", "eth_maxPriorityFeePerGas", "eth_blockNumber", "eth_chainId",
]);

/** Where the block parameter sits, for methods that read state at a block. */
const BLOCK_PARAM: Record<string, number> = {
  eth_getBalance: 1, eth_getCode: 1, eth_getTransactionCount: 1, eth_getStorageAt: 2, eth_call: 1,
  eth_getProof: 2, eth_estimateGas: 1, eth_createAccessList: 1,
};

const MAX_ATTEMPTS = 64;

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

  constructor(readonly conn: ForkConnection, private readonly chain: () => DevChain, private readonly log: (line: string) => void) {}

  get forkNumber(): bigint {
    return this.conn.block.number;
  }

  /** Runs `attempt` for `method` in fork mode; see the file comment. */
  run(method: string, params: unknown[], attempt: () => unknown): Promise<unknown> {
    const next = this.lock.then(() => this.runExclusive(method, params, attempt));
    this.lock = next.catch(() => {});
    return next;
  }

  private async runExclusive(method: string, params: unknown[], attempt: () => unknown): Promise<unknown> {
    const proxied = await this.maybeProxy(method, params);
    if (proxied !== NOT_PROXIED) return proxied;
    const source = this.conn.source;
    const before = { rt: source.stats.roundTrips, req: this.conn.client.stats.requests };
    await this.prefetch(method, params);
    const readOnly = READ_ONLY.has(method);
    let result: unknown;
    for (let i = 0; ; i++) {
      const chain = this.chain();
      const saved = readOnly ? undefined : chain.captureState();
      try {
        result = await attempt();
        break;
      } catch (e) {
        if (!(e instanceof StateMissError) || i >= MAX_ATTEMPTS) throw e;
        if (saved) chain.restoreState(saved);
        this.stats.retries++;
        await source.fetch([e.key]);
      } finally {
        if (saved) chain.releaseState(saved);
      }
    }
    const rt = source.stats.roundTrips - before.rt;
    if (rt > 0) {
      this.stats.requestsWithUpstreamTraffic++;
      this.log(`fork: ${method}: ${rt} round trip${rt === 1 ? "" : "s"}, ${this.conn.client.stats.requests - before.req} upstream requests`);
      this.scheduleSave();
    }
    return result;
  }

  /** Asks the upstream what a call will touch, and fetches it, before the first attempt. */
  private async prefetch(method: string, params: unknown[]): Promise<void> {
    let call: Record<string, unknown> | undefined;
    if (CALL_LIKE.has(method)) {
      const p = params[0];
      if (p && typeof p === "object" && !Array.isArray(p)) call = pickCallFields(p as Record<string, unknown>);
    } else if ((method === "eth_sendRawTransaction" || method === "eth_sendRawTransactionSync") && typeof params[0] === "string") {
      try {
        const tx = decodeTransaction(hexToBytes(params[0]));
        call = {
          from: addr(recoverSender(tx)),
          ...(tx.to !== undefined ? { to: addr(tx.to) } : {}),
          data: bytesToHex(tx.data),
          value: "0x" + tx.value.toString(16),
          gas: "0x" + tx.gasLimit.toString(16),
        };
      } catch {
        return; // the method itself reports a bad transaction
      }
    }
    if (!call) return;
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
      if (e instanceof UpstreamError && e.rpcError) throw new RpcError(e.rpcError.code, e.rpcError.message, { data: e.rpcError.data });
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

function addr(a: bigint): string {
  return "0x" + a.toString(16).padStart(40, "0");
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
