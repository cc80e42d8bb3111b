/**
 * The node's execution workers: a read-only execution that runs past its time slice on the node's thread is
 * handed to a worker, so that the node keeps answering other requests meanwhile; executions like one that
 * did are sent there at once. A worker reads the state it needs from the node as it goes (answered between
 * the node's other requests) and keeps it for later jobs at the same state.
 */
import type { RequestLoad } from "../rpc/app.ts";
import type { MessagePort, Worker } from "node:worker_threads";
import { nodeModule } from "../runtime.ts";
import { sourceFile } from "../source_files.ts";
import type { DevChain, BlockRef } from "../chain/chain.ts";
import { blockRef } from "../rpc/params.ts";
import { ErrorCode, RpcError } from "../rpc/errors.ts";
import type { WorldState } from "../state/world.ts";
import { bytesToHex } from "../primitives/hex.ts";
import {
  type AccountReply,
  type BackendSpec,
  CHANNEL_ANSWERED,
  CHANNEL_TOO_SMALL,
  INITIAL_CHANNEL_BYTES,
  type Job,
  type JobBlock,
  readMessage,
  type StateRead,
  type WorkerMessage,
  type WorkerSetup,
  writeMessage,
} from "./protocol.ts";
import type { TraceLimits } from "../trace/limits.ts";
import { ExecutionInterrupted, restartable, withDeadline } from "../evm/interrupt.ts";
import { type StateKey, StateMissError } from "../fork/errors.ts";

/** How long a job may outlive its own time limit before its worker is stopped (it is stuck, not computing). */
const GRACE_MS = 5_000;
/** Executions remembered as slow (by method, target and selector). */
const SLOW_KEYS_KEPT = 1024;

interface Pending {
  /** Settles the job with its answer and how long the worker ran it. */
  resolve(v: { result: unknown; ms: number }): void;
  reject(e: unknown): void;
  timer: ReturnType<typeof setTimeout>;
  stateKey: string;
}

class ExecutionWorker {
  readonly worker: Worker;
  channel = new SharedArrayBuffer(INITIAL_CHANNEL_BYTES);
  job: Pending | undefined;

  constructor(
    spec: BackendSpec,
    compiler: MessagePort | undefined,
    onMessage: (w: ExecutionWorker, m: WorkerMessage) => void,
    onExit: (w: ExecutionWorker) => void,
    traceLimits?: TraceLimits,
  ) {
    const { Worker } = nodeModule<typeof import("node:worker_threads")>("node:worker_threads");
    this.worker = new Worker(sourceFile("src/exec/execution_worker.ts", "./execution_worker.ts", import.meta.url));
    this.worker.on("message", (m: WorkerMessage) => onMessage(this, m));
    this.worker.on("error", () => onExit(this));
    this.worker.on("exit", () => onExit(this));
    const setup: WorkerSetup = { type: "setup", backend: spec, channel: this.channel, traceLimits, compiler };
    this.worker.postMessage(setup, compiler ? [compiler] : []);
    this.worker.unref();
  }
}

export interface PoolOptions {
  /** Jobs' time limit (ms). */
  timeoutMs: number;
  quickMs?: number;
  size?: number;
  fetchMissing?: (key: StateKey) => Promise<void>;
  /** A channel to the node's compiler thread for each new worker (none: workers start their own). */
  connectCompiler?: () => MessagePort | undefined;
}

export class ExecutionPool {
  private readonly idle: ExecutionWorker[] = [];
  private readonly all = new Set<ExecutionWorker>();
  private readonly waiting: (() => void)[] = [];
  private readonly slow = new Set<string>();
  /** States in use by running jobs, by key. */
  private readonly states = new Map<string, { world: WorldState; jobs: number }>();
  private nextId = 1;
  private closed = false;
  /** The node's trace limits, handed to each worker. */
  traceLimits?: TraceLimits;

  readonly timeoutMs: number;
  /** A job that ran this quickly (ms) in a worker was not long: executions like it stay on the node's thread. */
  private readonly quickMs: number;
  /** Workers at most: two at least, so that two long calls run side by side even on two cores. */
  readonly size: number;
  /** Fork mode: fetches a key the state read missed (the read is answered once it is in). */
  private readonly fetchMissing?: (key: StateKey) => Promise<void>;
  /** A channel to the node's compiler thread for each new worker (none: workers start their own). */
  private readonly connectCompiler: () => MessagePort | undefined;

  constructor(private readonly chain: () => DevChain, private readonly spec: BackendSpec, options: PoolOptions) {
    this.timeoutMs = options.timeoutMs;
    this.quickMs = options.quickMs ?? EXECUTION_SLICE_MS / 2;
    // The web's hardwareConcurrency (os.availableParallelism under both runtimes), not node:os, which a start
    // under Deno would pay for (src/runtime.ts), nor cpus().length, which parses /proc/cpuinfo.
    this.size = options.size ?? Math.max(2, Math.min(4, navigator.hardwareConcurrency - 1));
    this.fetchMissing = options.fetchMissing;
    this.connectCompiler = options.connectCompiler ?? (() => undefined);
  }

  /** Whether a job would start now: a worker is idle or another may be started. */
  hasRoom(): boolean {
    return !this.closed && (this.idle.length > 0 || this.all.size < this.size);
  }

  /** Whether an execution like this one ran past its slice before. */
  isSlow(method: string, params: unknown[]): boolean {
    return this.slow.size > 0 && this.slow.has(slowKey(method, params));
  }

  markSlow(method: string, params: unknown[]): void {
    if (this.slow.size >= SLOW_KEYS_KEPT) this.slow.delete(this.slow.values().next().value!);
    this.slow.add(slowKey(method, params));
  }

  /**
   * Runs the method in a worker at the block its parameters name; resolves to its result. `started`: when the
   * request began (Date.now()), from which its time limit counts.
   */
  async run(
    method: string,
    params: unknown[],
    started = Date.now(),
    onTime?: (ms: number) => void,
  ): Promise<unknown> {
    const chain = this.chain();
    const ref: BlockRef = params[1] === undefined || params[1] === null ? { tag: "latest" } : blockRef(params[1], "block");
    const resolved = chain.resolve(ref);
    const stateKey = this.keep(resolved.state, chain);
    const { blockHash: _, ...env } = resolved.env;
    const block: JobBlock = {
      stateKey,
      pending: resolved.pending,
      env: { ...env, ecrecoverOverrides: env.ecrecoverOverrides ? new Map(env.ecrecoverOverrides) : undefined },
      // The rules the method would run under on the node: the chain's current ones (CallSetup.hardfork).
      hardfork: chain.hardfork,
    };
    const w = await this.take();
    try {
      const done = await new Promise<{ result: unknown; ms: number }>((resolve, reject) => {
        const id = this.nextId++;
        const deadline = started + this.timeoutMs;
        const timer = setTimeout(() => {
          // Past its limit and more: stuck (waiting on nothing the node will answer). A fresh worker replaces it.
          reject(new ExecutionInterrupted("timeout", this.timeoutMs));
          void w.worker.terminate();
        }, deadline - Date.now() + GRACE_MS);
        w.job = { resolve, reject, timer, stateKey };
        w.worker.postMessage({ type: "job", id, method, params, block, timeoutMs: this.timeoutMs, deadline } satisfies Job);
      });
      // Quick after all (its slice ran out on a one-off cost: the engine compiling, a collection, load from
      // elsewhere): executions like it start on the node's thread again.
      if (done.ms < this.quickMs) this.slow.delete(slowKey(method, params));
      onTime?.(done.ms);
      return done.result;
    } finally {
      this.release(stateKey);
      this.give(w);
    }
  }

  close(): void {
    this.closed = true;
    for (const w of this.all) void w.worker.terminate();
    this.all.clear();
    this.idle.length = 0;
  }

  /** Keeps `world` readable under a key that changes whenever the head does. */
  private keep(world: WorldState, chain: DevChain): string {
    const key = `${stateId(world)}:${world === chain.head ? chain.headVersion : "past"}`;
    const held = this.states.get(key);
    if (held) held.jobs++;
    else this.states.set(key, { world, jobs: 1 });
    return key;
  }

  private release(key: string): void {
    const held = this.states.get(key);
    if (held && --held.jobs === 0) this.states.delete(key);
  }

  /**
   * Starts a worker ahead of the first long execution: starting one holds the node's thread for a while (a
   * quarter of a second on a loaded 2-core machine), which a request waiting behind that execution would feel.
   */
  prewarm(): void {
    if (this.closed || this.all.size > 0) return;
    this.idle.push(this.spawn());
  }

  private async take(): Promise<ExecutionWorker> {
    for (;;) {
      if (this.closed) throw new Error("the node is closing");
      const w = this.idle.pop();
      if (w) return w;
      if (this.all.size < this.size) return this.spawn();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private spawn(): ExecutionWorker {
    const w = new ExecutionWorker(
      this.spec,
      this.connectCompiler(),
      (w, m) => this.onMessage(w, m),
      (w) => this.onExit(w),
      this.traceLimits,
    );
    this.all.add(w);
    return w;
  }

  private give(w: ExecutionWorker): void {
    w.job = undefined;
    if (!this.all.has(w)) return;
    this.idle.push(w);
    this.waiting.shift()?.();
  }

  private onExit(w: ExecutionWorker): void {
    if (!this.all.delete(w)) return;
    const i = this.idle.indexOf(w);
    if (i >= 0) this.idle.splice(i, 1);
    if (w.job) {
      clearTimeout(w.job.timer);
      w.job.reject(new RpcError(ErrorCode.InternalError, "the execution worker stopped"));
    }
    this.waiting.shift()?.();
  }

  private onMessage(w: ExecutionWorker, m: WorkerMessage): void {
    if (m.type === "channel") {
      w.channel = m.channel;
      return;
    }
    if (m.type === "read") {
      this.answer(w);
      return;
    }
    const job = w.job;
    if (!job) return;
    clearTimeout(job.timer);
    if (m.error) job.reject(new RpcError(m.error.code, m.error.message, { data: m.error.data }));
    else job.resolve({ result: m.result, ms: m.ms });
  }

  /** Answers the read waiting in the worker's channel (in fork mode, once a missing key is fetched). */
  private answer(w: ExecutionWorker): void {
    const request = readMessage<StateRead>(w.channel);
    const send = (reply: { ok: unknown } | { error: string }) => {
      const state = new Int32Array(w.channel, 0, 2);
      Atomics.store(state, 0, writeMessage(w.channel, reply) ? CHANNEL_ANSWERED : CHANNEL_TOO_SMALL);
      Atomics.notify(state, 0);
    };
    const failed = (e: unknown) => send({ error: e instanceof Error ? e.message : String(e) });
    try {
      send({ ok: this.read(request) });
    } catch (e) {
      if (!(e instanceof StateMissError) || !this.fetchMissing) return failed(e);
      this.readAfterFetch(request, e.key).then((ok) => send({ ok }), failed);
    }
  }

  /** Fork mode: fetches what a read missed, then reads again (each fetch brings at least the key missed). */
  private async readAfterFetch(request: StateRead, missing: StateKey): Promise<unknown> {
    for (let round = 0;; round++) {
      await this.fetchMissing!(missing);
      try {
        return this.read(request);
      } catch (e) {
        if (!(e instanceof StateMissError) || round >= 4) throw e;
        missing = e.key;
      }
    }
  }

  private read(r: StateRead): unknown {
    if (r.op === "blockHash") return bytesToHex(bigTo32(this.chain().blockHashOf(BigInt(r.number))));
    const held = this.states.get(r.key);
    if (!held) throw new Error(`no state ${r.key}`);
    const world = held.world, address = BigInt(r.address);
    switch (r.op) {
      case "account": {
        const acc = world.getAccount(address);
        if (!acc) return { exists: false } satisfies AccountReply;
        return {
          exists: true,
          nonce: "0x" + acc.nonce.toString(16),
          balance: "0x" + acc.balance.toString(16),
          code: bytesToHex(acc.code),
        } satisfies AccountReply;
      }
      case "storage":
        return "0x" + world.readStorage(address, BigInt(r.slot)).toString(16);
      case "hasStorage":
        return world.hasStorage(address);
    }
  }
}

function bigTo32(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0 && v > 0n; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

const ids = new WeakMap<WorldState, number>();
let nextStateId = 1;

function stateId(world: WorldState): number {
  let id = ids.get(world);
  if (id === undefined) ids.set(world, id = nextStateId++);
  return id;
}

/** Executions alike for the purpose of guessing their length: the same method, target and selector. */
function slowKey(method: string, params: unknown[]): string {
  const call = params[0] as { to?: unknown; input?: unknown; data?: unknown } | undefined;
  const input = typeof call?.input === "string" ? call.input : typeof call?.data === "string" ? call.data : "";
  return `${method}:${String(call?.to ?? "").toLowerCase()}:${input.slice(0, 10)}`;
}

/** Read-only executions a worker can take over when they run long. */
const OFFLOADABLE = new Set<string>(["eth_call", "eth_estimateGas", "eth_createAccessList", "debug_traceCall"]);
/** Other executions on a copy of the state: they run on the node's thread, under the time limit. */
const TIME_LIMITED = new Set<string>([
  "eth_simulateV1", "debug_traceTransaction", "debug_traceBlockByNumber", "debug_traceBlockByHash", "trace_call",
  "trace_callMany", "trace_transaction", "trace_block", "trace_filter", "trace_replayBlockTransactions",
  "trace_replayTransaction", "ots_traceTransaction", "ots_getInternalOperations", "ots_getTransactionError",
]);

/** The time an execution may hold the node's thread before a worker takes it over (ms). */
export const EXECUTION_SLICE_MS = 100;
/** A call's default time limit (ms; --call-timeout). anvil sets none; this is generous. */
export const DEFAULT_CALL_TIMEOUT_MS = 60_000;

/**
 * Resolves after the event loop has polled for I/O once (requests that arrived meanwhile start): setImmediate,
 * some tens of microseconds. A timer takes 1-2 ms; a MessageChannel's message, under Deno with Node's worker
 * threads loaded, arrives before any I/O is polled.
 */
function afterIoPoll(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/** A long execution looks for other requests (one poll of the event loop) this often while none were waiting. */
const LOOK_EVERY = 8;
/** Looks in a row that find no other request before long executions stop looking each time. */
const QUIET_LOOKS = 4;

/**
 * A read-only execution whose last run on the node's thread took at least this long (ms) runs in a worker
 * while other requests wait: the node's thread goes on to them, and a second core works.
 */
export const OFFLOAD_WHEN_BUSY_MS = 2;

/**
 * Where each request's execution runs: read-only executions start on the node's thread for one slice and move
 * to a worker past it (or at once, if one like it did before, or if it runs OFFLOAD_WHEN_BUSY_MS or more while
 * other requests wait); other executions on a copy of the state run under the time limit; the rest as they are.
 * Without a pool (a backend the workers cannot make, fork mode), every read-only execution runs on the node's
 * thread under the time limit.
 */
export class ExecutionGate {
  /** Executions (by slowKey) whose last run took OFFLOAD_WHEN_BUSY_MS or more. */
  private readonly long = new Set<string>();
  /** Whether other requests were waiting when a long execution last looked (then every long one looks). */
  private othersWaited = false;
  /** Long executions run on the node's thread since one last looked (with one client, few look). */
  private longSinceLook = 0;
  /** Looks in a row that found no other request waiting. */
  private quietLooks = 0;

  constructor(
    private readonly pool: ExecutionPool | undefined,
    readonly timeoutMs: number,
    readonly sliceMs = EXECUTION_SLICE_MS,
    private readonly load: RequestLoad = { inFlight: 0 },
  ) {}

  run(method: string, params: unknown[], call: () => unknown): unknown {
    if (OFFLOADABLE.has(method)) {
      // Read-only: it may start over when its code's module becomes ready during its first run.
      const attempt = () => restartable(call);
      const pool = this.pool;
      if (!pool) return withDeadline(this.timeoutMs, "timeout", attempt);
      if (pool.isSlow(method, params)) return pool.run(method, params);
      let key: string | undefined;
      if (this.long.size > 0 && pool.hasRoom()) {
        key = slowKey(method, params);
        if (this.long.has(key) && (this.othersWaited || ++this.longSinceLook >= LOOK_EVERY)) {
          return this.runLong(key, method, params, call, pool);
        }
      }
      return this.runHere(method, params, call, pool, key);
    }
    if (TIME_LIMITED.has(method)) return withDeadline(this.timeoutMs, "timeout", call);
    return call();
  }

  /**
   * A read-only execution known to run long: the event loop polls once first, and requests that arrived
   * meanwhile start; if any is waiting then, this one runs in a worker and the node's thread takes the others.
   */
  private async runLong(key: string, method: string, params: unknown[], call: () => unknown, pool: ExecutionPool) {
    this.longSinceLook = 0;
    await afterIoPoll();
    const waiting = this.load.inFlight > 1;
    // Under load a look now and then finds no one (the clients are between requests): a few in a row end it.
    this.quietLooks = waiting ? 0 : this.quietLooks + 1;
    this.othersWaited = waiting || (this.othersWaited && this.quietLooks < QUIET_LOOKS);
    if (waiting && pool.hasRoom()) {
      return await pool.run(method, params, Date.now(), (ms) => this.noteTime(key, ms));
    }
    return await this.runHere(method, params, call, pool, key);
  }

  /**
   * A read-only execution on the node's thread for one slice, then in a worker if it has not ended. `key`: its
   * slowKey, when the caller has built it already.
   */
  private runHere(
    method: string,
    params: unknown[],
    call: () => unknown,
    pool: ExecutionPool,
    key?: string,
  ): unknown {
    if (this.sliceMs >= this.timeoutMs) return withDeadline(this.timeoutMs, "timeout", () => restartable(call));
    const started = Date.now();
    try {
      // A run started over (compiled) gets a slice of its own.
      const result = restartable(() => withDeadline(this.sliceMs, "slice", call));
      const ms = Date.now() - started;
      if (ms >= OFFLOAD_WHEN_BUSY_MS || this.long.size > 0) this.noteTime(key ?? slowKey(method, params), ms);
      return result;
    } catch (e) {
      if (!(e instanceof ExecutionInterrupted) || e.reason !== "slice") throw e;
      pool.markSlow(method, params);
      return pool.run(method, params, started);
    }
  }

  /** Keeps `key` among the long executions while its runs on the node's thread take OFFLOAD_WHEN_BUSY_MS or more. */
  private noteTime(key: string, ms: number): void {
    if (ms < OFFLOAD_WHEN_BUSY_MS) {
      this.long.delete(key);
      return;
    }
    if (this.long.size >= SLOW_KEYS_KEPT && !this.long.has(key)) this.long.delete(this.long.values().next().value!);
    this.long.add(key);
  }

  /** See ExecutionPool.prewarm. */
  prewarm(): void {
    this.pool?.prewarm();
  }

  close(): void {
    this.pool?.close();
  }
}
