/**
 * The `auto` backend: cold code runs on the interpreter; code whose
 * interpreted time passes an estimate of its compile time is compiled on the
 * compiler thread while the interpreter keeps going, and runs as WebAssembly
 * from the first frame after the module is ready. Modules in the disk cache are
 * used at once.
 */
import type { Backend } from "../backend.ts";
import type { Evm } from "../../src/evm/evm.ts";
import type { Frame } from "../../src/evm/frame.ts";
import type { ForkRules } from "../../src/forks/rules.ts";
import { Interpreter } from "../interpreter/interpreter.ts";
import type { WasmBackend } from "./backend.ts";
import type { CompileService, PendingCompile } from "./compile_service.ts";

/**
 * Estimated compile time on the compiler thread (ms): a least-squares fit to the warm compile times of the
 * benchmark contracts up to 24 KB in bench/results/all_engines.json (4.5 ms + 0.0047 ms per byte).
 */
export function estimatedCompileMs(codeLength: number): number {
  return COMPILE_BASE_MS + codeLength * COMPILE_MS_PER_BYTE;
}
export const COMPILE_BASE_MS = 4.5;
export const COMPILE_MS_PER_BYTE = 0.0047;

interface Heat {
  /** Interpreted milliseconds so far. */
  ms: number;
  threshold: number;
  pending?: PendingCompile;
  checkedDisk: boolean;
  done: boolean;
}

export class AutoBackend implements Backend {
  readonly name = "auto";
  readonly interpreter = new Interpreter();
  private readonly heat = new WeakMap<Uint8Array, Heat[]>();
  /** Modules compiled in the background and installed. */
  tieredUp = 0;

  constructor(private readonly wasm: WasmBackend, private readonly service: CompileService, private readonly scale = 1) {}

  run(frame: Frame, evm: Evm): { status: "success" | "revert"; output: Uint8Array } {
    // A step tracer sees every instruction, which compiled code does not report: traced frames are interpreted.
    // So are frames under --memory-limit: compiled code grows memory without asking the host.
    if (evm.tracer?.onStep || evm.rules.memoryLimit !== undefined) return this.interpreter.run(frame, evm);
    const code = frame.message.code;
    const rules = evm.rules;
    const c = this.wasm.cache.peek(code, rules);
    if (c !== undefined) return c === "failed" ? this.interpreter.run(frame, evm) : this.wasm.runEntry(c, frame, evm);
    const h = this.heatOf(code, rules);
    if (!h.done) {
      if (h.pending) {
        let binary: Uint8Array | undefined;
        try {
          binary = h.pending.poll();
        } catch {
          this.wasm.cache.store(code, rules, "failed");
          h.done = true;
        }
        if (binary) {
          h.done = true;
          h.pending = undefined;
          try {
            const entry = this.wasm.install(code, rules, binary);
            this.tieredUp++;
            return this.wasm.runEntry(entry, frame, evm);
          } catch {
            this.wasm.cache.store(code, rules, "failed");
          }
        }
      } else if (!h.checkedDisk) {
        h.checkedDisk = true;
        const entry = this.wasm.cache.lookup(code, rules) ?? this.wasm.fromDisk(code, rules);
        if (entry && entry !== "failed") {
          h.done = true;
          return this.wasm.runEntry(entry, frame, evm);
        }
      }
    }
    const t0 = performance.now();
    try {
      return this.interpreter.run(frame, evm);
    } finally {
      if (!h.done && !h.pending) {
        h.ms += performance.now() - t0;
        if (h.ms >= h.threshold) h.pending = this.service.compileInBackground(code, rules);
      }
    }
  }

  private heatOf(code: Uint8Array, rules: ForkRules): Heat {
    let arr = this.heat.get(code);
    if (!arr) this.heat.set(code, arr = []);
    return arr[rules.id] ??= { ms: 0, threshold: estimatedCompileMs(code.length) * this.scale, checkedDisk: false, done: false };
  }
}
