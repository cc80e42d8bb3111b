/**
 * Compilation off the main thread: one worker holds Binaryen (whose loading
 * alone takes about half a second), so a process that never compiles never
 * loads it. Synchronous requests block on a shared buffer (the `wasm` backend
 * compiles a frame's code before running it); background ones are polled (the
 * `auto` backend keeps interpreting meanwhile); asynchronous ones resolve a
 * promise.
 *
 * Another thread's service can share the compiler thread through a port (`connect`): the node's execution
 * workers compile on the node's compiler thread rather than loading a Binaryen of their own.
 */
import type { MessagePort, Worker } from "node:worker_threads";
import { nodeModule } from "../../src/runtime.ts";
import type { ForkRules } from "../../src/forks/rules.ts";
import type {
  CompiledModule,
  CompilerDiskMessage,
  CompileRequest,
  CompileResponse,
  CompilerPortMessage,
  CompilerResultChannelMessage,
} from "./compile_worker.ts";
import { SyncReply } from "./compile_protocol.ts";
import { sourceFile } from "../../src/source_files.ts";

/** node:worker_threads, loaded when the compiler thread starts (under Bun, loading it takes about 5 ms). */
const workerThreads = () => nodeModule<typeof import("node:worker_threads")>("node:worker_threads");

export interface PendingCompile {
  /** The module once it is ready (made on the compiler thread), undefined until then; throws why there is none. */
  poll(): WebAssembly.Module | undefined;
}

const SYNC_TIMEOUT_MS = 120_000;

/**
 * Background answers come on a port of their own, read with receiveMessageOnPort when `arrivals` (counted up
 * by the compiler thread after each) says one has come: nothing is allocated per compilation (a reply buffer
 * of 8-32 MB each took 0.6 ms, and now and then 20-90 ms, inside the call that made a code hot).
 */
interface ResultChannel {
  port: MessagePort;
  arrivals: Int32Array;
  /** Arrivals read so far. */
  seen: number;
  /** Background compilations not answered yet, by id. */
  waiting: Map<number, (answer: CompiledModule) => void>;
}

export class CompileService {
  private worker: Worker | MessagePort | undefined;
  private reply: SharedArrayBuffer | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();
  private readonly onStart: (() => void)[] = [];
  private disk: CompilerDiskMessage["diskCache"] | undefined;
  private results: ResultChannel | undefined;

  /** `port`: a channel to a compiler thread started elsewhere (another service's `connect`). */
  constructor(readonly optimizeLevel = 0, private readonly port?: MessagePort) {}

  private start(): Worker | MessagePort {
    if (this.worker) return this.worker;
    const w = this.port ?? new (workerThreads().Worker)(
      sourceFile("backends/wasm/compile_worker.ts", "./compile_worker.ts", import.meta.url),
    );
    w.on("message", (r: CompileResponse) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.binary) p.resolve(r.binary);
      else p.reject(new Error(r.error ?? "compile failed"));
      if (this.pending.size === 0) w.unref();
    });
    (w as Worker).on("error", (e: Error) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
      this.worker = undefined;
    });
    // After the listeners: under Bun, attaching a listener refs the worker again and the process never exits.
    w.unref();
    this.worker = w;
    this.results?.port.close(); // of a compiler thread that failed
    const { port1, port2 } = new (workerThreads().MessageChannel)();
    const arrivals = new SharedArrayBuffer(4);
    w.postMessage({ resultChannel: { port: port1, arrivals } } satisfies CompilerResultChannelMessage, [port1]);
    port2.unref();
    this.results = { port: port2, arrivals: new Int32Array(arrivals), seen: 0, waiting: new Map() };
    for (const f of this.onStart.splice(0)) f();
    return w;
  }

  /** Runs `f` when the compiler thread starts (now if it has): what its work needs and a start need not wait for. */
  whenStarted(f: () => void): void {
    if (this.worker) f();
    else this.onStart.push(f);
  }

  /**
   * Background and asynchronous compilations look in this disk cache first and write what they compile to it,
   * on the compiler thread (synchronous ones leave the disk to their caller).
   */
  useDiskCache(dir: string, maxBytes?: number): void {
    this.disk = { dir, maxBytes };
    this.whenStarted(() => this.worker!.postMessage({ diskCache: this.disk! } satisfies CompilerDiskMessage));
  }

  /** Whether the compiler thread writes what this service compiles in the background to a disk cache. */
  private get persists(): boolean {
    return this.disk !== undefined;
  }

  /** Starts the worker (and Binaryen's loading) ahead of the first request. */
  warm(): void {
    this.start();
  }

  /** A port on which another thread's CompileService uses this one's compiler thread. */
  connect(): MessagePort {
    const w = this.start();
    const { port1, port2 } = new (workerThreads().MessageChannel)();
    w.postMessage({ port: port1 } satisfies CompilerPortMessage, [port1]);
    return port2;
  }

  compileSync(code: Uint8Array, rules: ForkRules, optimizeLevel = this.optimizeLevel): Uint8Array {
    const w = this.start();
    const reply = this.reply ??= SyncReply.create();
    SyncReply.arm(reply);
    w.postMessage({ id: 0, code, fork: rules.id, optimizeLevel, reply } satisfies CompileRequest);
    return SyncReply.wait(reply, SYNC_TIMEOUT_MS);
  }

  /**
   * Starts a compilation and returns at once; `poll` on the handle gives the module (compiled to a binary and
   * made into a module on the compiler thread) when it is ready, without blocking or the event loop, throws the
   * compiler's error, or returns undefined while it is still running.
   */
  compileInBackground(code: Uint8Array, rules: ForkRules, optimizeLevel = this.optimizeLevel): PendingCompile {
    const w = this.start();
    const results = this.results!;
    const id = this.nextId++;
    let answer: CompiledModule | undefined;
    results.waiting.set(id, (a) => (answer = a));
    const disk = this.persists;
    w.postMessage({ id, code, fork: rules.id, optimizeLevel, disk, background: true } satisfies CompileRequest);
    return {
      poll: () => {
        if (!answer) this.takeArrivals(results);
        if (!answer) return undefined;
        if (!answer.module) throw new Error(answer.error ?? "compile failed");
        return answer.module;
      },
    };
  }

  /** Hands every background answer that has arrived to its compilation. */
  private takeArrivals(results: ResultChannel): void {
    const arrived = Atomics.load(results.arrivals, 0);
    if (arrived === results.seen) return;
    const { receiveMessageOnPort } = workerThreads();
    for (let m; results.seen !== arrived && (m = receiveMessageOnPort(results.port));) {
      results.seen++;
      const answer = m.message as CompiledModule;
      results.waiting.get(answer.id)?.(answer);
      results.waiting.delete(answer.id);
    }
  }

  /** A promise of the binary (for callers that can wait on the event loop). */
  compileAsync(code: Uint8Array, rules: ForkRules, optimizeLevel = this.optimizeLevel): Promise<Uint8Array> {
    const w = this.start();
    const id = this.nextId++;
    w.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, code, fork: rules.id, optimizeLevel, disk: this.persists } satisfies CompileRequest);
    });
  }

  terminate(): void {
    if (this.worker instanceof workerThreads().Worker) void this.worker.terminate();
    else this.worker?.close();
    this.worker = undefined;
  }
}
