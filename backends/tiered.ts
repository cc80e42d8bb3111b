/**
 * The `auto` backend, tiering two backends: cold code runs on the interpreter; code that runs a second time, or
 * whose interpreted time passes a millisecond, is compiled on the compiler thread (or read from the disk cache
 * there, and made into the engine's module there) while the interpreter keeps going, and runs as WebAssembly from
 * the first frame of a later execution once the module is ready. An engine that compiles a module's functions
 * lazily, as they are first entered, does it on the thread that runs them (tens of milliseconds for a contract's
 * usual path), which a short execution would pay where the interpreter finishes in a few: so the execution that
 * made the code hot switches to the module (at a frame of that code) only once it has run long
 * (RESTART_AFTER_MS), and a frame still interpreting then starts its execution over, compiled, where the
 * execution allows it (read-only calls: src/evm/interrupt.ts, restartable).
 */
import type { Backend } from "./backend.ts";
import type { Host } from "../src/evm/host.ts";
import type { Frame } from "../src/evm/frame.ts";
import type { ForkRules } from "../src/forks/rules.ts";
import type { WasmBackend } from "./wasm/backend.ts";
import type { CompileService, PendingCompile } from "./wasm/compile_service.ts";
import { codeKey, type ModuleEntry } from "./wasm/module_cache.ts";
import { canRestart, RESTART_AFTER_MS, RestartCompiled, setTickHook } from "../src/evm/interrupt.ts";

/**
 * Interpreted time (ms) after which code is compiled even if it has not run twice. Compilation runs on its
 * own thread, so a low bar costs the caller nothing; it decides how early a node's calls turn fast.
 */
export const HOT_MS = 1;

/** Background compilations kept by key for other arrays of the same bytes (TieredBackend.compiling). */
const COMPILING_KEPT = 64;

interface Heat {
  /** Interpreted milliseconds so far. */
  ms: number;
  /** Frames interpreted so far. */
  frames: number;
  threshold: number;
  pending?: PendingCompile;
  /** The code's key (module_cache.ts codeKey) once it is hot. */
  key?: string;
  /** The execution (TieredBackend.executions) in which the code became hot. */
  hotIn: number;
  /** A module is in the cache (or the code failed to compile): the heat is no longer counted. */
  done: boolean;
}

export class TieredBackend implements Backend {
  readonly name = "auto";
  private readonly heat = new WeakMap<Uint8Array, Heat[]>();
  /** Modules compiled in the background and installed. */
  tieredUp = 0;
  /** Executions started over to run a module that became ready while its first frame was interpreting. */
  restarts = 0;
  /**
   * Background compilations not installed yet, by code key: the same bytes deployed again (another array) share
   * one rather than start another, and take over one whose array is not run again (a test suite deploys the
   * same contracts for every test).
   */
  private readonly compiling = new Map<string, PendingCompile>();
  /** Executions seen (frames at depth 0), and when the latest began (performance.now()). */
  private executions = 0;
  private executionStartedAt = 0;
  /**
   * Lengths of the codes made hot so far: a new array of one of these lengths may hold bytes compiled (or
   * compiling) under another array, which its first frame looks up by hash. Other new arrays are not hashed.
   */
  private readonly hotLengths = new Set<number>();

  constructor(
    /** The tier cold code runs on (the interpreter). */
    readonly interpreter: Backend,
    private readonly wasm: WasmBackend,
    private readonly service: CompileService,
    private readonly scale = 1,
  ) {}

  run(frame: Frame, evm: Host): { status: "success" | "revert"; output: Uint8Array } {
    // A step tracer sees every instruction, which compiled code does not report: traced frames are interpreted.
    // So are frames under --memory-limit: compiled code grows memory without asking the host.
    if (evm.tracer?.onStep || evm.rules.memoryLimit !== undefined) return this.interpreter.run(frame, evm);
    if (frame.message.depth === 0) {
      this.executions++;
      this.executionStartedAt = performance.now();
    }
    const code = frame.message.code;
    const rules = evm.rules;
    const c = this.wasm.cache.peek(code, rules);
    if (c !== undefined) return c === "failed" ? this.interpreter.run(frame, evm) : this.wasm.runEntry(c, frame, evm);
    const h = this.heatOf(code, rules);
    if (h.key === undefined && this.hotLengths.has(code.length)) {
      const entry = this.shared(code, rules, h);
      if (entry) return this.wasm.runEntry(entry, frame, evm);
    }
    if (h.pending && (h.hotIn !== this.executions || this.runningLong())) {
      const entry = this.installIfReady(code, rules, h);
      if (entry) return this.wasm.runEntry(entry, frame, evm);
    }
    const t0 = performance.now();
    // A first frame that runs long starts the compiler on its code while it goes on, and starts its execution
    // over once the module is ready (when it may).
    const hook = h.done ? undefined : () => {
      if (h.pending) {
        if (canRestart() && this.installIfReady(code, rules, h)) {
          this.restarts++;
          throw new RestartCompiled();
        }
      } else if (!h.done && h.ms + performance.now() - t0 >= h.threshold) this.promote(code, rules, h);
    };
    const outer = setTickHook(hook);
    try {
      return this.interpreter.run(frame, evm);
    } finally {
      setTickHook(outer);
      if (!h.done && !h.pending) {
        h.ms += performance.now() - t0;
        if (h.ms >= h.threshold || ++h.frames >= 2) this.promote(code, rules, h);
      }
    }
  }

  /** Whether the current execution has run long enough to repay the engine's compilation of a module's functions. */
  private runningLong(): boolean {
    return performance.now() - this.executionStartedAt >= RESTART_AFTER_MS;
  }

  /** The module of a pending compilation, installed, once it is ready (undefined: not yet, or it failed). */
  private installIfReady(code: Uint8Array, rules: ForkRules, h: Heat): ModuleEntry | undefined {
    let module: WebAssembly.Module | undefined;
    try {
      module = h.pending!.poll();
    } catch {
      this.wasm.cache.store(code, rules, "failed", h.key);
      this.settle(h);
      return undefined;
    }
    if (!module) return undefined;
    this.settle(h);
    // Installed already for another array of the same bytes: that entry (and its pool of instances).
    const installed = this.wasm.cache.lookup(code, rules, h.key);
    if (installed !== undefined) return installed === "failed" ? undefined : installed;
    this.tieredUp++;
    return this.wasm.installModule(code, rules, module);
  }

  private settle(h: Heat): void {
    if (this.compiling.get(h.key!) === h.pending) this.compiling.delete(h.key!);
    h.done = true;
    h.pending = undefined;
  }

  /**
   * The module or compilation of these bytes under any array: an installed module is returned (the heat is
   * done), a compilation in flight is joined. Run by the first frame of an array whose bytes may have been made
   * hot under another array (a contract deployed again: a test suite's setUp, a factory's clones), which would
   * otherwise be interpreted until it became hot itself, and by promote before it starts a compilation.
   */
  private shared(code: Uint8Array, rules: ForkRules, h: Heat): ModuleEntry | undefined {
    const key = h.key ??= codeKey(code, rules);
    const installed = this.wasm.cache.lookup(code, rules, key);
    if (installed !== undefined) {
      h.done = true;
      return installed === "failed" ? undefined : installed;
    }
    const pending = this.compiling.get(key);
    if (pending !== undefined) {
      h.pending = pending;
      h.hotIn = this.executions;
    }
    return undefined;
  }

  /**
   * Hot code: a module in memory (the same code under another array) runs from the next frame; otherwise the
   * compiler thread reads it from the disk cache or compiles it. Done here rather than on the first frame, so
   * that code run once pays for no hashing.
   */
  private promote(code: Uint8Array, rules: ForkRules, h: Heat): void {
    h.hotIn = this.executions;
    this.hotLengths.add(code.length);
    this.shared(code, rules, h);
    if (h.done || h.pending) return;
    // Oldest first out: an abandoned compilation holds its module.
    if (this.compiling.size >= COMPILING_KEPT) this.compiling.delete(this.compiling.keys().next().value!);
    this.compiling.set(h.key!, h.pending = this.service.compileInBackground(code, rules));
  }

  private heatOf(code: Uint8Array, rules: ForkRules): Heat {
    let arr = this.heat.get(code);
    if (!arr) this.heat.set(code, arr = []);
    return arr[rules.id] ??= { ms: 0, frames: 0, threshold: HOT_MS * this.scale, hotIn: 0, done: false };
  }
}
