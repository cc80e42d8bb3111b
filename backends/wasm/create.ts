/** Builds the `wasm` backend with its compiler thread and caches. */
import type { MessagePort } from "node:worker_threads";
import type { Backend } from "../backend.ts";
import { WasmBackend } from "./backend.ts";
import { CompileService } from "./compile_service.ts";
import { compilerIdentity, DiskCache } from "./disk_cache.ts";
import { compileRuntimeModuleInBackground } from "./runtime_module.ts";

export interface WasmSetup {
  /** Binaryen optimisation level for modules compiled before running (default 0; see backends/wasm/README.md). */
  optimizeLevel?: number;
  /** Folder of the on-disk AOT cache; undefined: no disk cache. */
  cacheDir?: string;
  /** Start the compiler thread (and Binaryen's warm-up) now (default) rather than when first needed or warmed. */
  warmCompiler?: boolean;
  /** Size cap of the disk cache's modules (default DEFAULT_MODULE_CACHE_BYTES); past it the least recently used go. */
  cacheMaxBytes?: number;
  /** A channel to a compiler thread started elsewhere (compilerOf(backend).connect()), used instead of a new one. */
  compiler?: MessagePort;
}

const services = new WeakMap<Backend, CompileService>();

/** The compile service a backend built here compiles with (to share its compiler thread with other threads). */
export function compilerOf(backend: Backend): CompileService | undefined {
  return services.get(backend);
}

let warned = false;

/** Logs a module that failed to compile, once per process (that code then runs on the fallback, the interpreter). */
export function logCompileError(error: unknown): void {
  if (warned) return;
  warned = true;
  const text = error instanceof Error ? error.message.split("\n")[0] : String(error);
  console.error(`evmwasm: compilation to WebAssembly failed, running that code on the interpreter: ${text}`);
}

/** `fallback` runs what compiled code cannot (WasmBackendOptions.fallback); `service`: a compiler thread to share. */
export function createWasmBackend(fallback: Backend, setup: WasmSetup = {}, service?: CompileService): WasmBackend {
  const level = setup.optimizeLevel ?? 0;
  const s = service ?? new CompileService(level, setup.compiler);
  if (!service && setup.warmCompiler !== false) s.warm(); // Binaryen loads on the compiler thread meanwhile
  // The disk cache's key names the compiler's sources: hashed as the compiler thread starts (a node warms it up
  // after its first answer), neither on the start path nor on the first call of the first contract.
  if (setup.cacheDir) s.whenStarted(compilerIdentity);
  s.whenStarted(compileRuntimeModuleInBackground);
  const backend = new WasmBackend({
    compile: (code, rules) => s.compileSync(code, rules, level),
    fallback,
    disk: setup.cacheDir ? new DiskCache(setup.cacheDir, level, setup.cacheMaxBytes) : undefined,
    onCompileError: logCompileError,
  });
  return withCompiler(backend, s);
}

/** Records that `backend` compiles with `service` (compilerOf), and returns it. */
export function withCompiler<B extends Backend>(backend: B, service: CompileService): B {
  services.set(backend, service);
  return backend;
}
