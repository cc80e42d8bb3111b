/** Backends by name. */
import type { Backend } from "./backend.ts";
import { Interpreter } from "./interpreter/interpreter.ts";
import { CliError } from "../src/cli/args.ts";
import { createAutoBackend, createWasmBackend, type WasmSetup } from "./wasm/create.ts";

export const BACKEND_NAMES = ["interpreter", "wasm", "auto"] as const;

/** What a node runs when not told otherwise: interpreted cold code, compiled hot code. */
export const DEFAULT_BACKEND = "auto";

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
      return createWasmBackend(setup);
    case "auto":
      return createAutoBackend(setup);
    default:
      throw new CliError(`unknown backend "${name}"; available: ${BACKEND_NAMES.join(", ")}`);
  }
}
