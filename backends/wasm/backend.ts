/**
 * The WebAssembly backend: every frame's code is compiled (once per code and
 * fork, looked up in memory, then on disk) and run as WebAssembly; code that
 * cannot be compiled, frames with 2^63 gas or more, and (under Bun) frames nested
 * more than 64 deep in compiled frames run on the fallback backend (the interpreter).
 */
import type { Backend } from "../backend.ts";
import type { Host } from "../../src/evm/host.ts";
import type { Frame } from "../../src/evm/frame.ts";
import type { ForkRules } from "../../src/forks/rules.ts";
import type { DiskCache } from "./disk_cache.ts";
import { type Cached, codeKey, ModuleCache, ModuleEntry } from "./module_cache.ts";

/** Compiles code to a WebAssembly binary, synchronously; throws when it cannot. */
export type SyncCompiler = (code: Uint8Array, rules: ForkRules) => Uint8Array;

/** Gas is a signed i64 in compiled code. */
const GAS_LIMIT_FOR_WASM = 1n << 63n;

/**
 * Frames that may hold an instance at the same time; deeper ones run on the interpreter. Every instance
 * holds a WebAssembly.Memory. JavaScriptCore (Bun) makes a new one ever dearer as the heap and the stack
 * grow: about 20 ms each inside a 1024-deep call chain, where a chain of 1024 instances took 42 s against
 * the interpreter's 0.1 s. V8 creates them cheaply, and the EVM's depth limit bounds them anyway.
 */
export const DEFAULT_MAX_LIVE_INSTANCES = (globalThis as { Bun?: unknown }).Bun ? 64 : Infinity;

export interface WasmBackendOptions {
  compile: SyncCompiler;
  /** Runs what compiled code cannot: traced frames, code that does not compile, frames too deep or with too much gas. */
  fallback: Backend;
  cache?: ModuleCache;
  disk?: DiskCache;
  /** Called once per code that fails to compile. */
  onCompileError?: (error: unknown, code: Uint8Array) => void;
  /** Frames that may hold an instance at once (DEFAULT_MAX_LIVE_INSTANCES); deeper frames are interpreted. */
  maxLiveInstances?: number;
}

type RunResult = { status: "success" | "revert"; output: Uint8Array };

export class WasmBackend implements Backend {
  readonly name: string = "wasm";
  readonly cache: ModuleCache;
  readonly fallback: Backend;
  /** Milliseconds spent compiling (Binaryen and WebAssembly.Module), and how many modules; disk cache hits. */
  compileMs = 0;
  compiled = 0;
  diskHits = 0;
  /** Codes the compiler rejected (they run on the interpreter). */
  rejected = 0;

  /** Frames run on the interpreter because maxLiveInstances frames already held instances. */
  interpretedTooDeep = 0;
  /** Instances held by running frames. */
  private live = 0;
  private readonly maxLive: number;
  private lastCode: Uint8Array | undefined = undefined;
  private lastRules: ForkRules | undefined = undefined;
  private lastEntry: Cached | undefined = undefined;

  constructor(private readonly opts: WasmBackendOptions) {
    this.cache = opts.cache ?? new ModuleCache();
    this.fallback = opts.fallback;
    this.maxLive = opts.maxLiveInstances ?? DEFAULT_MAX_LIVE_INSTANCES;
  }

  run(frame: Frame, evm: Host): RunResult {
    // A step tracer sees every instruction, which compiled code does not report: traced frames are interpreted.
    // So are frames under --memory-limit: compiled code grows memory without asking the host.
    if (evm.tracer?.onStep || evm.rules.memoryLimit !== undefined) return this.fallback.run(frame, evm);
    const code = frame.message.code, rules = evm.rules;
    // The last code run, remembered: calls repeat the same code, and a WeakMap lookup costs about 0.02 µs.
    let c: Cached;
    if (code === this.lastCode && rules === this.lastRules) c = this.lastEntry!;
    else {
      c = this.cache.peek(code, rules) ?? this.obtain(code, rules);
      this.lastCode = code;
      this.lastRules = rules;
      this.lastEntry = c;
    }
    if (c === "failed") return this.fallback.run(frame, evm);
    return this.runEntry(c, frame, evm);
  }

  runEntry(c: ModuleEntry, frame: Frame, evm: Host): RunResult {
    if (frame.gasReserve !== 0n && frame.gasLeft() >= GAS_LIMIT_FOR_WASM) return this.fallback.run(frame, evm);
    if (this.live >= this.maxLive) {
      this.interpretedTooDeep++;
      return this.fallback.run(frame, evm);
    }
    c.runs++;
    const inst = c.acquire();
    this.live++;
    try {
      return inst.run(frame, evm);
    } finally {
      this.live--;
      c.release(inst);
    }
  }

  /** The module for code under rules: from memory, from disk, or compiled now. */
  obtain(code: Uint8Array, rules: ForkRules): Cached {
    const key = codeKey(code, rules);
    const c = this.cache.lookup(code, rules, key);
    if (c !== undefined) return c;
    const t0 = performance.now();
    let result: Cached | undefined = this.fromDisk(code, rules);
    if (!result) {
      try {
        result = this.install(code, rules, this.opts.compile(code, rules));
        this.compiled++;
      } catch (e) {
        this.rejected++;
        this.opts.onCompileError?.(e, code);
        result = "failed";
        this.cache.store(code, rules, result, key);
      }
    }
    this.compileMs += performance.now() - t0;
    return result;
  }

  /** A module from the disk cache, if there is a valid one. */
  private fromDisk(code: Uint8Array, rules: ForkRules): ModuleEntry | undefined {
    const disk = this.opts.disk;
    if (!disk) return undefined;
    const dkey = disk.key(code, rules);
    const binary = disk.get(dkey);
    if (!binary) return undefined;
    try {
      const entry = new ModuleEntry(new WebAssembly.Module(binary as BufferSource), code, rules);
      this.cache.store(code, rules, entry);
      this.diskHits++;
      return entry;
    } catch {
      disk.put(dkey, new Uint8Array(0)); // replaced by an invalid (so ignored) file, then recompiled
      return undefined;
    }
  }

  /** Makes a compiled binary the module for code under rules, and writes it to the disk cache. */
  install(code: Uint8Array, rules: ForkRules, binary: Uint8Array): ModuleEntry {
    const entry = this.installModule(code, rules, new WebAssembly.Module(binary as BufferSource));
    this.opts.disk?.put(this.opts.disk.key(code, rules), binary);
    return entry;
  }

  /** Makes a module (compiled elsewhere, and cached on disk there if at all) the module for code under rules. */
  installModule(code: Uint8Array, rules: ForkRules, module: WebAssembly.Module): ModuleEntry {
    const entry = new ModuleEntry(module, code, rules);
    this.cache.store(code, rules, entry);
    return entry;
  }
}
