/**
 * The compiler thread: compiles on request. A request
 * with a shared buffer is answered there (the caller waits on it with
 * Atomics.wait); a background request is answered with the engine's module on
 * its source's result channel (the caller polls it without its event loop);
 * any other request is answered by message. The listener is
 * installed before anything is loaded: Deno drops messages that arrive
 * before a worker listens.
 *
 * Requests come from the thread that started it and from any port handed to it (CompileService.connect):
 * the node's execution workers compile here too, so the process warms one compiler, and a module
 * compiled for one thread is at hand for the others (`recent`). Binaryen is loaded with the first request
 * for an optimisation level above 0.
 */
import { type MessagePort, parentPort } from "node:worker_threads";
import type { ForkId } from "../../src/forks/fork.ts";
import { SyncReply } from "./compile_protocol.ts";
import { bytesToHex } from "../../src/primitives/hex.ts";
import type { DiskCache } from "./disk_cache.ts";
import type { Binaryen } from "./wasm_tools.ts";

export interface CompileRequest {
  id: number;
  code: Uint8Array;
  fork: ForkId;
  optimizeLevel: number;
  /** Present for synchronous requests. */
  reply?: SharedArrayBuffer;
  /** Look in the disk cache first (CompilerDiskMessage), and write what is compiled to it. */
  disk?: boolean;
  /** Answer with the engine's module on the source's result channel (CompilerResultChannelMessage). */
  background?: boolean;
}

/**
 * Where a source's background requests are answered: a CompiledModule message on `port`, then `arrivals`
 * (an Int32Array's one element on a shared buffer) counted up, so that the source learns of an answer with
 * one atomic read and takes it with receiveMessageOnPort, between two instructions of a running contract.
 */
export interface CompilerResultChannelMessage {
  resultChannel: { port: MessagePort; arrivals: SharedArrayBuffer };
}

/** The answer to a background request: the module (compiled here) or why there is none. */
export interface CompiledModule {
  id: number;
  module?: WebAssembly.Module;
  error?: string;
}

/** The disk cache that requests with `disk` use: its folder and size cap. */
export interface CompilerDiskMessage {
  diskCache: { dir: string; maxBytes?: number };
}

/** Another source of requests: a port whose requests are answered on it. */
export interface CompilerPortMessage {
  port: MessagePort;
}

export interface CompileResponse {
  id: number;
  binary?: Uint8Array;
  error?: string;
  ms?: number;
}

type Message = CompileRequest | CompilerPortMessage | CompilerDiskMessage | CompilerResultChannelMessage;

interface Source {
  postMessage(m: CompileResponse): void;
  on(event: "message", listener: (m: Message) => void): unknown;
}

const resultChannels = new WeakMap<Source, { port: MessagePort; arrivals: Int32Array }>();

const queue: [CompileRequest, Source][] = [];
let compile: ((req: CompileRequest) => Uint8Array) | undefined;
let loadError: string | undefined;
let warmUpRest: ((round: number) => void) | undefined;
let diskKey: ((req: CompileRequest) => { cache: DiskCache; key: Uint8Array }) | undefined;

/**
 * The engine optimises the compiler's own JavaScript only after it has run a few times: a first contract
 * compiled after one warm-up round takes about 2.5x as long as after eight. The later rounds run one at a
 * time, each after the requests that arrived meanwhile.
 */
const WARM_UP_ROUNDS = 8;

async function warmUpInRounds(round: (i: number) => void): Promise<void> {
  for (let i = 1; i < WARM_UP_ROUNDS; i++) {
    await new Promise((r) => setTimeout(r, 0));
    try {
      round(i);
    } catch {
      return;
    }
  }
}

/**
 * Binaries compiled lately, by fork, level and code, least recently used first. The node's thread starts
 * compiling a contract as it gets hot; when the call moves to an execution worker, the worker asks for the
 * same code and gets it from here.
 */
const recent = new Map<string, Uint8Array>();
const RECENT_BYTES = 64 << 20;
let recentBytes = 0;

function recentKey(req: CompileRequest): string {
  return `${req.fork}:${req.optimizeLevel}:${bytesToHex(req.code)}`;
}

/**
 * The engine's modules of the last background answers, by the same key, least recently used first: the
 * execution worker a long call moves to asks for the module the node's thread asked for a moment before, and
 * making it again from the binary would compile every function again (half a second for a large contract).
 */
const recentModules = new Map<string, WebAssembly.Module>();
const RECENT_MODULES = 8;

function moduleOf(key: string, binary: Uint8Array): WebAssembly.Module {
  let module = recentModules.get(key);
  if (module) recentModules.delete(key);
  else {
    module = new WebAssembly.Module(binary as BufferSource);
    if (recentModules.size >= RECENT_MODULES) recentModules.delete(recentModules.keys().next().value!);
  }
  recentModules.set(key, module);
  return module;
}

/**
 * The disk cache, when the node has one: looked up and written here, so that the node's thread neither reads
 * its folder (a first lookup lists every module in it) nor hashes a module's bytes to check them.
 */
let diskSetting: CompilerDiskMessage["diskCache"] | undefined;
const disks = new Map<number, DiskCache>();

function compileOrRecall(req: CompileRequest, key: string): Uint8Array {
  const kept = recent.get(key);
  if (kept) {
    recent.delete(key);
    recent.set(key, kept);
    return kept;
  }
  const disk = req.disk && diskSetting && diskKey ? diskKey(req) : undefined;
  const found = disk?.cache.get(disk.key);
  const binary = found ?? compile!(req);
  if (disk && !found) disk.cache.put(disk.key, binary);
  recent.set(key, binary);
  recentBytes += binary.length + key.length;
  for (const [k, b] of recent) {
    if (recentBytes <= RECENT_BYTES) break;
    recent.delete(k);
    recentBytes -= b.length + k.length;
  }
  return binary;
}

/**
 * Binaryen, for optimisation levels above 0: loaded with the first such request (it takes about half a second;
 * loadBinaryen keeps the one load, or its failure, for every request).
 */
let binaryen: Binaryen | undefined;

function serve(req: CompileRequest, source: Source): void {
  if (req.optimizeLevel > 0 && !binaryen && compile) {
    void import("./wasm_tools.ts").then((t) => t.loadBinaryen()).then(
      (b) => {
        binaryen = b;
        serve(req, source);
      },
      (e) => {
        const why = `optimisation level ${req.optimizeLevel} needs Binaryen: ${(e as Error).message}`;
        reply(req, source, undefined, why, 0, "");
      },
    );
    return;
  }
  const t0 = performance.now();
  const key = recentKey(req);
  let binary: Uint8Array | undefined, error: string | undefined = loadError;
  if (compile) {
    try {
      binary = compileOrRecall(req, key);
    } catch (e) {
      error = (e as Error)?.stack ?? String(e);
    }
  }
  reply(req, source, binary, error, performance.now() - t0, key);
}

function reply(
  req: CompileRequest,
  source: Source,
  binary: Uint8Array | undefined,
  error: string | undefined,
  ms: number,
  key: string,
): void {
  if (req.reply) SyncReply.write(req.reply, binary, error);
  else if (req.background) answerWithModule(req.id, key, resultChannels.get(source)!, binary, error);
  else source.postMessage({ id: req.id, binary, error, ms });
}

/**
 * The engine compiles a module's functions where the module is made: here, all of them at once under
 * `--no-wasm-lazy-compilation` (as `deno task start` runs), so that the thread running the contract compiles
 * none (it took that thread 3-100 ms inside the call that first ran a module); or where each first runs, when
 * the engine compiles lazily.
 */
function answerWithModule(
  id: number,
  key: string,
  channel: { port: MessagePort; arrivals: Int32Array },
  binary: Uint8Array | undefined,
  error: string | undefined,
): void {
  let module: WebAssembly.Module | undefined;
  try {
    if (binary) module = moduleOf(key, binary);
  } catch (e) {
    error = `the engine rejected the compiled module: ${(e as Error)?.message ?? e}`;
  }
  channel.port.postMessage({ id, module, error } satisfies CompiledModule);
  Atomics.add(channel.arrivals, 0, 1);
}

function listen(source: Source): void {
  source.on("message", (m) => {
    if ("port" in m) return listen(m.port as unknown as Source);
    if ("resultChannel" in m) {
      const { port, arrivals } = m.resultChannel;
      return void resultChannels.set(source, { port, arrivals: new Int32Array(arrivals) });
    }
    if ("diskCache" in m) {
      if (diskSetting?.dir !== m.diskCache.dir || diskSetting.maxBytes !== m.diskCache.maxBytes) disks.clear();
      diskSetting = m.diskCache;
      return;
    }
    if (compile || loadError) serve(m, source);
    else queue.push([m, source]);
  });
}

listen(parentPort! as unknown as Source);

try {
  const [{ compileToWasm }, { rulesFor }, { warmUpProgram }, { Fork }, { DiskCache }] = await Promise.all([
    import("./compiler.ts"),
    import("../../src/forks/rules.ts"),
    import("./warm_up.ts"),
    import("../../src/forks/fork.ts"),
    import("./disk_cache.ts"),
  ]);
  compile = (req) =>
    compileToWasm(req.code, rulesFor(req.fork), { optimizeLevel: req.optimizeLevel, binaryen }).binary;
  diskKey = (req) => {
    let cache = disks.get(req.optimizeLevel);
    if (!cache) disks.set(req.optimizeLevel, cache = new DiskCache(diskSetting!.dir, req.optimizeLevel, diskSetting!.maxBytes));
    return { cache, key: cache.key(req.code, rulesFor(req.fork)) };
  };
  // Nothing asked yet: compile a program with every opcode once, so that the engine has compiled the
  // compiler's code paths before the first real request (requests that arrive meanwhile wait for it).
  const rules = rulesFor(Fork.Osaka);
  if (queue.length === 0) compileToWasm(warmUpProgram(rules, 0), rules);
  warmUpRest = (round) => compileToWasm(warmUpProgram(rules, round), rules);
} catch (e) {
  loadError = `the compiler could not be loaded: ${(e as Error)?.message ?? e}`;
}
for (const [req, source] of queue.splice(0)) serve(req, source);
if (warmUpRest) void warmUpInRounds(warmUpRest);
