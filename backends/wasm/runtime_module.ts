/**
 * The u256 runtime as its own WebAssembly module, shared by every compiled
 * contract: built once with Binaryen (runtime_module_build.ts; scripts/build_runtime_wasm.ts writes it
 * to runtime_module_binary.ts), compiled once by the engine, and instantiated
 * next to each contract instance on the same imported memory. Contract modules
 * import its entry points (declareU256RuntimeImports), so they carry none of
 * its code: less to generate, emit and compile per contract.
 */
import { RUNTIME_MODULE_BASE64, RUNTIME_MODULE_WIDE_BASE64 } from "./runtime_module_binary.ts";
import { wideArithmeticSupported } from "./runtime/entry_points.ts";
import { base64ToBytes } from "../../src/primitives/hex.ts";

/**
 * The build with i64.mul_wide_u where the engine has it (Bun; Deno with
 * --experimental-wasm-wide-arithmetic, which the tasks pass): a 64x64->128-bit product in one instruction
 * instead of four 32-bit ones, for MUL, the divisions, MULMOD and EXP.
 */
export const RUNTIME_IS_WIDE = wideArithmeticSupported();
const RUNTIME_BASE64 = RUNTIME_IS_WIDE ? RUNTIME_MODULE_WIDE_BASE64 : RUNTIME_MODULE_BASE64;

let compiled: WebAssembly.Module | undefined;
let compiling: Promise<unknown> | undefined;

/** The runtime module, compiled on first use (or earlier: compileRuntimeModuleInBackground). */
export function runtimeModule(): WebAssembly.Module {
  return compiled ??= new WebAssembly.Module(base64ToBytes(RUNTIME_BASE64));
}

/**
 * Compiles the runtime module off the calling thread ahead of its first use: an engine that compiles every
 * function of a module at once (`--no-wasm-lazy-compilation`) took 60 ms for it on the node's thread.
 */
export function compileRuntimeModuleInBackground(): void {
  compiling ??= WebAssembly.compile(base64ToBytes(RUNTIME_BASE64)).then((m) => void (compiled ??= m), () => {});
}
