/**
 * A dev node in-process: the chain, the JSON-RPC methods and the HTTP app,
 * usable from a script without HTTP (request) or served (listen).
 */
import { type ChainEvents, DevChain, type DevChainOptions } from "./chain/chain.ts";
import { FilterRegistry } from "./chain/filters.ts";
import { bytesToHex, hexAddress } from "./primitives/hex.ts";
import { createRpcApp, type RequestLoad } from "./rpc/app.ts";
import type { NodeInfo, RpcContext } from "./rpc/context.ts";
import { RpcError } from "./rpc/errors.ts";
import { DEFAULT_LIMITS, JsonRpcHandler, type JsonRpcResponse, type RpcLimits } from "./rpc/handler.ts";
import { METHODS } from "./rpc/methods/index.ts";
import { RpcSocketSession } from "./rpc/socket_session.ts";
import { DEFAULT_MAX_BODY_BYTES } from "./rpc/app.ts";
import {
  type RunningIpc,
  type RunningServer,
  serve,
  serveIpc,
  type ServeOptions,
  type SocketPeer,
  type SocketSession,
} from "./server/serve.ts";
import { JsonStreamSplitter } from "./rpc/json_stream.ts";
import { VERSION } from "./version.ts";
import { BaseError } from "./errors/base.ts";
import { connectFork, type ForkConnection } from "./fork/connect.ts";
import { ForkRunner } from "./rpc/fork_middleware.ts";
import { DEFAULT_CALL_TIMEOUT_MS, EXECUTION_SLICE_MS, ExecutionGate, ExecutionPool } from "./exec/execution_pool.ts";
import type { BackendSpec } from "./exec/protocol.ts";
import { DEFAULT_BACKEND, defaultBackend } from "../backends/registry.ts";
import { compilerOf } from "../backends/wasm/create.ts";
import { DEFAULT_UPSTREAM_TIMEOUT_MS } from "./fork/upstream.ts";
import { Params } from "./rpc/params.ts";
import { DEFAULT_TRACE_LIMITS, type TraceLimits } from "./trace/limits.ts";
import { type AccessPolicy, checkAccess, DEFAULT_ACCESS } from "./server/access.ts";
import { defaultCacheDir } from "./cache_dir.ts";
import { DEFAULT_DERIVATION_PATH, DEFAULT_MNEMONIC, deriveDevAccounts } from "./chain/dev_accounts.ts";
import { CREATE2_DEPLOYER, HISTORY_STORAGE_ADDRESS } from "./chain/system_contracts.ts";
import type { PooledTransaction } from "./chain/block.ts";
import { parseRpcTransaction } from "./chain/state_dump.ts";
import { encodeTransaction, recoverSender } from "./tx/codec.ts";
import { keccak256 } from "./primitives/hash.ts";
import { afterMs } from "./runtime.ts";

/** Fork-mode settings, parsed from the command line and kept for the fork bridge. */
export interface ForkOptions {
  url: string;
  blockNumber?: bigint;
  cacheDir?: string;
  storageCaching: boolean;
  timeoutMs: number;
  /** Retries of a failed upstream request (--retries). */
  retries?: number;
  /** First retry backoff in ms (--fork-retry-backoff). */
  retryBackoffMs?: number;
  /** --compute-units-per-second (Infinity: --no-rate-limit). */
  computeUnitsPerSecond?: number;
  /** --fork-header: extra HTTP headers. */
  headers?: Record<string, string>;
  /** --fork-chain-id: the upstream's chain id, not asked for. */
  chainId?: bigint;
  /** --fork-transaction-hash: fork before this transaction's block and mine it (and those before it) first. */
  transactionHash?: string;
}

export interface NodeOptions extends DevChainOptions {
  limits?: Partial<RpcLimits>;
  maxBodyBytes?: number;
  fork?: ForkOptions;
  /** Host names allowed besides loopback and IP addresses (--allow-host), CORS origins (--allow-origin, --no-cors). */
  access?: Partial<AccessPolicy>;
  /** How large a debug_trace* answer may grow (--trace-max-steps, --trace-max-bytes). */
  traceLimits?: Partial<TraceLimits>;
  /** Fork settings (--cache-dir, --no-storage-caching, --timeout) for a fork started later by anvil_reset. */
  forkSettings?: Omit<ForkOptions, "url" | "blockNumber" | "chainId" | "transactionHash">;
  /** Where fork-mode progress is logged (default: console.log). */
  log?: (line: string) => void;
  /** Where internal errors are reported (default: console.error). */
  onInternalError?: (method: string, error: unknown) => void;
  /**
   * How an execution worker makes the node's backend (by name, with its module cache folder): given by the
   * command line; for the default backend it is known. A node given only a Backend object runs every
   * execution on its own thread.
   */
  backendSpec?: BackendSpec;
  /** A call's time limit in ms (default DEFAULT_CALL_TIMEOUT_MS). */
  callTimeoutMs?: number;
  /** How long an execution may hold the node's thread before a worker takes it over (EXECUTION_SLICE_MS). */
  executionSliceMs?: number;
}

export interface RequestArguments {
  method: string;
  params?: unknown[];
}

type Hex = `0x${string}`;
const hex = (v: bigint) => `0x${v.toString(16)}` as Hex;

export class EvmwasmNode {
  /** Replaced when anvil_reset switches to fork mode. */
  chain: DevChain;
  filters: FilterRegistry;
  readonly handler: JsonRpcHandler;
  private readonly ctx: RpcContext;
  readonly info: NodeInfo;
  private readonly app;
  /** Who may drive the node over HTTP and WebSocket. */
  readonly access: AccessPolicy;
  private servers: RunningServer[] = [];
  private ipcs: RunningIpc[] = [];
  fork?: ForkRunner;
  /** Listeners of chain events that outlive the chain (anvil_reset with forking replaces it). */
  private chainListeners = new Set<ChainEvents>();
  private detachChain?: () => void;
  /** The HTTP requests being answered (the execution gate offloads long calls while others wait). */
  private readonly load: RequestLoad = { inFlight: 0 };
  /** Where executions run (the node's thread or a worker), with their time limits. */
  private executions: ExecutionGate;
  /** How execution workers make the backend (undefined: every execution runs on the node's thread). */
  private readonly backendSpec?: BackendSpec;

  constructor(readonly options: NodeOptions = {}) {
    this.chain = new DevChain({ ...options, backend: options.backend ?? defaultBackend() });
    this.filters = new FilterRegistry(this.chain);
    this.info = {
      clientVersion: `evmwasm/v${VERSION}`,
      forkUrl: options.fork?.url,
      forkBlockNumber: options.forkBlock?.number ?? options.fork?.blockNumber,
      resetFork: (url, blockNumber) => this.resetFork(url, blockNumber),
      setRpcUrl: (url) => this.setRpcUrl(url),
      traceLimits: { ...DEFAULT_TRACE_LIMITS, ...options.traceLimits },
    };
    this.ctx = { chain: this.chain, filters: this.filters, info: this.info };
    this.handler = new JsonRpcHandler(
      METHODS,
      this.ctx,
      { ...DEFAULT_LIMITS, ...options.limits },
      options.onInternalError ?? ((method, e) => console.error(`evmwasm: internal error in ${method}:`, e)),
    );
    this.access = { ...DEFAULT_ACCESS, ...options.access };
    this.app = createRpcApp(this.handler, { maxBodyBytes: options.maxBodyBytes, access: this.access, load: this.load });
    this.attachChainEvents();
    const timeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    const spec = options.backendSpec ?? (options.backend ? undefined : { name: DEFAULT_BACKEND });
    const sliceMs = options.executionSliceMs ?? EXECUTION_SLICE_MS;
    this.backendSpec = spec;
    // Workers compile on the node's compiler thread when the node's backend has one.
    const connectCompiler = () => compilerOf(this.chain.backend)?.connect();
    const pool = spec && !options.fork
      ? new ExecutionPool(() => this.chain, spec, { timeoutMs, quickMs: sliceMs / 2, connectCompiler })
      : undefined;
    if (pool) pool.traceLimits = this.info.traceLimits;
    this.executions = new ExecutionGate(pool, timeoutMs, sliceMs, this.load);
    this.handler.around = (method, params, attempt) => Promise.resolve(this.executions.run(method, params, attempt));
  }

  /** Forwards the current chain's events to the listeners of subscribeChain. */
  private attachChainEvents(): void {
    this.detachChain?.();
    this.detachChain = this.chain.subscribe({
      onBlock: (block) => {
        for (const l of this.chainListeners) l.onBlock?.(block);
      },
      onPendingTransaction: (hash) => {
        for (const l of this.chainListeners) l.onPendingTransaction?.(hash);
      },
    });
  }

  /** How many listeners subscribeChain has (each connection with subscriptions is one). */
  get chainListenerCount(): number {
    return this.chainListeners.size;
  }

  /** The chain's new blocks and pending transactions, across chain replacements; returns the unsubscribe. */
  subscribeChain(events: ChainEvents): () => void {
    this.chainListeners.add(events);
    return () => this.chainListeners.delete(events);
  }

  /** A JSON-RPC session over a socket (WebSocket, IPC): the node's methods plus eth_subscribe. */
  socketSession = (peer: SocketPeer): SocketSession =>
    new RpcSocketSession(
      this.handler,
      () => this.chain,
      (events) => this.subscribeChain(events),
      peer,
      this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    );

  /** One JSON-RPC call; resolves to the result, rejects with an RpcError carrying the code. */
  async request<T = unknown>({ method, params }: RequestArguments): Promise<T> {
    const outcome = await this.handler.call(method, params ?? []);
    if ("error" in outcome) {
      const { code, message, data } = outcome.error;
      throw new RpcError(code, message, { data });
    }
    return outcome.result as T;
  }

  /** A raw JSON-RPC body (single or batch), as the HTTP endpoint takes it. */
  handleBody(body: string): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined> {
    return this.handler.handleBody(body);
  }

  /** The HTTP handler (Web-standard Request/Response). */
  fetch = (request: Request): Response | Promise<Response> => this.app.fetch(request);

  /** Starts an execution worker now rather than when the first long execution needs it. */
  prewarmExecutions(): void {
    this.executions.prewarm();
  }

  /** Serves JSON-RPC over HTTP and WebSocket on one port (default 127.0.0.1:8545; port 0 picks a free one). */
  async listen(options: ServeOptions = {}): Promise<RunningServer> {
    const access = this.access;
    const server = await serve(this.fetch, {
      websocket: this.socketSession,
      accept: (request) => checkAccess(request, access),
      ...options,
    });
    this.servers.push(server);
    return server;
  }

  /**
   * Starts what later requests need and the first one does not, once the node has its first request (or
   * after WARM_UP_AFTER_MS without one): the compiler thread (which warms up), then `then` (serve's
   * synthetic calls). Started with the node, they competed with its start-up for the CPU and delayed the first
   * answer.
   */
  warmUpAfterFirstRequest(then?: () => void): void {
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      cancel();
      compilerOf(this.chain.backend)?.warm();
      then?.();
    };
    const cancel = afterMs(WARM_UP_AFTER_MS, start);
    const earlier = this.handler.onRequest;
    this.handler.onRequest = (method, params) => {
      earlier?.(method, params);
      if (!started) afterMs(0, start);
    };
  }

  /** Serves JSON-RPC (with subscriptions) on a Unix socket as well (anvil's --ipc). */
  async listenIpc(path: string): Promise<RunningIpc> {
    const ipc = await serveIpc(path, this.socketSession, () => new JsonStreamSplitter());
    this.ipcs.push(ipc);
    return ipc;
  }

  /** anvil_reset / hardhat_reset with `forking`: a fresh chain forked from `url`, replacing this one. */
  async resetFork(url: string, blockNumber?: bigint): Promise<void> {
    const fork: ForkOptions = {
      ...this.options.forkSettings,
      ...this.options.fork,
      url,
      blockNumber,
      chainId: undefined,
      transactionHash: undefined,
      cacheDir: this.options.fork?.cacheDir ?? this.options.forkSettings?.cacheDir,
      storageCaching: this.options.fork?.storageCaching ?? this.options.forkSettings?.storageCaching ?? true,
      timeoutMs: this.options.fork?.timeoutMs ?? this.options.forkSettings?.timeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS,
    };
    const { conn, chainOptions } = await connectForOptions({ ...this.options, fork }, this.log);
    this.fork?.close();
    this.chain.close();
    this.filters.close();
    this.chain = new DevChain({
      ...this.options,
      chainId: this.options.chainId,
      ...chainOptions,
      backend: this.options.backend ?? defaultBackend(),
    });
    this.filters = new FilterRegistry(this.chain);
    this.ctx.chain = this.chain;
    this.ctx.filters = this.filters;
    this.attachChainEvents();
    this.info.forkUrl = url;
    this.info.forkBlockNumber = conn.block.number;
    this.attachFork(new ForkRunner(conn, () => this.chain, this.log));
  }

  /**
   * --fork-transaction-hash: the upstream's transactions of the fork's next block up to the chosen one; the
   * next block mined starts with them, in their order, as anvil's does.
   */
  forceTransactions(transactions: Record<string, unknown>[]): void {
    this.chain.forceIntoNextBlock(transactions.map((json, i): PooledTransaction => {
      const tx = parseRpcTransaction(json, `forced transaction ${i}`);
      const encoded = encodeTransaction(tx);
      const sender = typeof json.from === "string" ? BigInt(json.from) : recoverSender(tx);
      return { tx, sender, hash: keccak256(encoded), encoded, impersonated: false };
    }));
  }

  /** anvil_setRpcUrl: fork mode's upstream from now on; on a dev chain, the URL a later forking reset uses. */
  setRpcUrl(url: string): void {
    if (this.fork) {
      this.fork.conn.client.setUrl(url);
      this.info.forkUrl = url;
    } else {
      this.info.pendingForkUrl = url;
    }
  }

  private get log(): (line: string) => void {
    return this.options.log ?? ((line: string) => console.log(line));
  }

  /** Fork mode: every method runs through the runner (misses fetched, retries, upstream reads). */
  attachFork(runner: ForkRunner): void {
    this.fork = runner;
    this.info.fork = runner;
    // Fork mode: a worker's read of state not fetched yet waits while the node fetches it from the upstream.
    const { timeoutMs, sliceMs } = this.executions;
    const spec = this.backendSpec;
    const pool = spec
      ? new ExecutionPool(() => this.chain, spec, {
        timeoutMs,
        quickMs: sliceMs / 2,
        fetchMissing: (key) => runner.conn.source.fetch([key]),
        connectCompiler: () => compilerOf(this.chain.backend)?.connect(),
      })
      : undefined;
    if (pool) pool.traceLimits = this.info.traceLimits;
    this.executions.close();
    this.executions = new ExecutionGate(pool, timeoutMs, sliceMs, this.load);
    const gate = this.executions;
    this.handler.around = (method, params, attempt) =>
      runner.run(method, params, () => gate.run(method, params, attempt));
    runner.simulate = (method, params) => METHODS[method](new Params(params), this.ctx);
  }

  async close(): Promise<void> {
    this.detachChain?.();
    this.executions.close();
    this.fork?.close();
    this.chain.close();
    this.filters.close();
    const servers = this.servers;
    this.servers = [];
    const ipcs = this.ipcs;
    this.ipcs = [];
    await Promise.all([...servers.map((s) => s.close()), ...ipcs.map((i) => i.close())]);
  }

  // ---- typed helpers over request() ----

  async getBlockNumber(): Promise<bigint> {
    return BigInt(await this.request<string>({ method: "eth_blockNumber" }));
  }

  async getBalance(address: Hex, block: string = "latest"): Promise<bigint> {
    return BigInt(await this.request<string>({ method: "eth_getBalance", params: [address, block] }));
  }

  async getTransactionCount(address: Hex, block: string = "latest"): Promise<bigint> {
    return BigInt(await this.request<string>({ method: "eth_getTransactionCount", params: [address, block] }));
  }

  async getCode(address: Hex, block: string = "latest"): Promise<Hex> {
    return await this.request<Hex>({ method: "eth_getCode", params: [address, block] });
  }

  async getStorageAt(address: Hex, slot: bigint, block: string = "latest"): Promise<Hex> {
    return await this.request<Hex>({ method: "eth_getStorageAt", params: [address, hex(slot), block] });
  }

  async call(
    tx: Record<string, unknown>,
    block: string = "latest",
    stateOverrides?: Record<string, unknown>,
  ): Promise<Hex> {
    const params: unknown[] = [tx, block];
    if (stateOverrides) params.push(stateOverrides);
    return await this.request<Hex>({ method: "eth_call", params });
  }

  async estimateGas(tx: Record<string, unknown>, block: string = "latest"): Promise<bigint> {
    return BigInt(await this.request<string>({ method: "eth_estimateGas", params: [tx, block] }));
  }

  async sendTransaction(tx: Record<string, unknown>): Promise<Hex> {
    return await this.request<Hex>({ method: "eth_sendTransaction", params: [tx] });
  }

  async sendRawTransaction(raw: Hex): Promise<Hex> {
    return await this.request<Hex>({ method: "eth_sendRawTransaction", params: [raw] });
  }

  async getTransactionReceipt(hash: Hex): Promise<Record<string, unknown> | null> {
    return await this.request({ method: "eth_getTransactionReceipt", params: [hash] });
  }

  async mine(blocks = 1n): Promise<void> {
    await this.request({ method: "anvil_mine", params: [hex(blocks)] });
  }

  async setBalance(address: Hex, wei: bigint): Promise<void> {
    await this.request({ method: "anvil_setBalance", params: [address, hex(wei)] });
  }

  async snapshot(): Promise<Hex> {
    return await this.request<Hex>({ method: "evm_snapshot" });
  }

  async revert(id: Hex): Promise<boolean> {
    return await this.request<boolean>({ method: "evm_revert", params: [id] });
  }

  /** The dev accounts: address and private key, as the banner lists them. */
  accounts(): { address: Hex; privateKey: Hex }[] {
    return this.chain.devAccounts.map((a) => ({
      address: hexAddress(a.address) as Hex,
      privateKey: bytesToHex(a.privateKey) as Hex,
    }));
  }
}

/** How long a node without requests waits before warming up (EvmwasmNode.warmUpAfterFirstRequest). */
const WARM_UP_AFTER_MS = 1_000;

export function createNode(options: NodeOptions = {}): EvmwasmNode {
  if (options.fork) throw new BaseError("a forked node needs the network: use createForkedNode(options)");
  return new EvmwasmNode(options);
}

/**
 * A node whose state comes from an upstream node at a pinned block (anvil's
 * --fork-url): connects, pins the block, and prefetches the dev accounts.
 */
export async function createForkedNode(options: NodeOptions & { fork: ForkOptions }): Promise<EvmwasmNode> {
  const log = options.log ?? ((line: string) => console.log(line));
  const { conn, chainOptions } = await connectForOptions(options, log);
  const node = new EvmwasmNode({ ...options, ...chainOptions });
  node.attachFork(new ForkRunner(conn, () => node.chain, log));
  if (conn.forcedTransactions?.length) node.forceTransactions(conn.forcedTransactions);
  return node;
}

async function connectForOptions(
  options: NodeOptions & { fork: ForkOptions },
  log: (line: string) => void,
): Promise<{ conn: ForkConnection; chainOptions: Partial<DevChainOptions> }> {
  const f = options.fork;
  const devAddresses = deriveDevAccounts(options.mnemonic ?? DEFAULT_MNEMONIC, options.accounts ?? 10, options.derivationPath ?? DEFAULT_DERIVATION_PATH)
    .map((a) => a.address);
  const conn = await connectFork({
    url: f.url,
    blockNumber: f.blockNumber,
    cacheDir: f.storageCaching ? (f.cacheDir ?? defaultCacheDir()) : undefined,
    timeoutMs: f.timeoutMs,
    retries: f.retries,
    backoffMs: f.retryBackoffMs,
    computeUnitsPerSecond: f.computeUnitsPerSecond,
    headers: f.headers,
    chainId: f.chainId,
    transactionHash: f.transactionHash,
    log,
  }, [...devAddresses, CREATE2_DEPLOYER, HISTORY_STORAGE_ADDRESS]);
  return {
    conn,
    chainOptions: {
      chainId: options.chainId ?? conn.chainId,
      gasLimit: options.gasLimit ?? conn.block.gasLimit,
      stateSource: conn.source,
      forkBlock: conn.block,
    },
  };
}
