/**
 * The u256 runtime as its own WebAssembly module, shared by every compiled
 * contract: built once with Binaryen (runtime_module_build.ts; scripts/build_runtime_wasm.ts writes it
 * to runtime_module_binary.ts), compiled once by the engine, and instantiated
 * next to each contract instance on the same imported memory. Contract modules
 * import its entry points (declareU256RuntimeImports), so they carry none of
 * its code: less to generate, emit and compile per contract.
 */
import { RUNTIME_MODULE_BASE64 } from "./runtime_module_binary.ts";
import { base64ToBytes } from "../../src/primitives/hex.ts";

let compiled: WebAssembly.Module | undefined;
let compiling: Promise<unknown> | undefined;

/** The runtime module, compiled on first use (or earlier: compileRuntimeModuleInBackground). */
export function runtimeModule(): WebAssembly.Module {
  return compiled ??= new WebAssembly.Module(base64ToBytes(RUNTIME_MODULE_BASE64));
}

/**
 * Compiles the runtime module off the calling thread ahead of its first use: an engine that compiles every
 * function of a module at once (`--no-wasm-lazy-compilation`) took 60 ms for it on the node's thread.
 */
export function compileRuntimeModuleInBackground(): void {
  compiling ??= WebAssembly.compile(base64ToBytes(RUNTIME_MODULE_BASE64)).then((m) => void (compiled ??= m), () => {});
}
