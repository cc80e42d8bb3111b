/** Backends by name: the interpreter, the WebAssembly compiler (over the interpreter), and the two tiered. */
import type { Backend } from "./backend.ts";
import { Interpreter } from "./interpreter/interpreter.ts";
import { TieredBackend } from "./tiered.ts";
import { CompileService } from "./wasm/compile_service.ts";
import { createWasmBackend, type WasmSetup, withCompiler } from "./wasm/create.ts";

export const BACKEND_NAMES = ["interpreter", "wasm", "auto"] as const;

/** What a node runs when not told otherwise: interpreted cold code, compiled hot code. */
export const DEFAULT_BACKEND = "auto";

export class UnknownBackendError extends Error {
  override name = "UnknownBackendError";
  constructor(name: string) {
    super(`unknown backend "${name}"; available: ${BACKEND_NAMES.join(", ")}`);
  }
}

let shared: Backend | undefined;

/** The process's default backend, made on first use: one compiler thread and one module cache for every chain. */
export function defaultBackend(): Backend {
  return shared ??= createBackend(DEFAULT_BACKEND);
}

/** `setup`: options of the WebAssembly backends (disk cache folder, optimisation level). */
export function createBackend(name: string, setup: WasmSetup = {}): Backend {
  switch (name) {
    case "interpreter":
      return new Interpreter();
    case "wasm":
      return createWasmBackend(new Interpreter(), setup);
    case "auto": {
      const interpreter = new Interpreter();
      const service = new CompileService(setup.optimizeLevel ?? 0, setup.compiler);
      // The compiler thread reads and writes the disk cache: the thread running the code never lists its folder
      // or checks a module's bytes.
      if (setup.cacheDir) service.useDiskCache(setup.cacheDir, setup.cacheMaxBytes);
      if (setup.warmCompiler !== false) service.warm(); // Binaryen loads and warms up before code gets hot
      const wasm = createWasmBackend(interpreter, { ...setup, cacheDir: undefined }, service);
      return withCompiler(new TieredBackend(interpreter, wasm, service), service);
    }
    default:
      throw new UnknownBackendError(name);
  }
}
