/**
 * The u256 runtime as its own WebAssembly module, shared by every compiled
 * contract: built once with Binaryen (scripts/build_runtime_wasm.ts writes it
 * to runtime_module_binary.ts), compiled once by the engine, and instantiated
 * next to each contract instance on the same imported memory. Contract modules
 * import its entry points (declareU256RuntimeImports), so they carry none of
 * its code: less to generate, emit and compile per contract.
 */
import { RUNTIME_MODULE_BASE64 } from "./runtime_module_binary.ts";
import { IMPORT_MEMORY, IMPORT_MODULE } from "./layout.ts";
import { base64ToBytes } from "../../src/primitives/hex.ts";

/** Builds the runtime module's binary (memory imported as `evm.memory`, entry points exported). */
export async function buildRuntimeBinary(): Promise<Uint8Array> {
  const [{ default: binaryen }, { addU256Runtime, U256_FUNCS, U256_SCRATCH_FUNCS }, layout, { KECCAK_CACHE_BYTES }] =
    await Promise.all([
      import("binaryen"),
      import("./runtime/u256.ts"),
      import("./layout.ts"),
      import("./runtime/keccak.ts"),
    ]);
  const { GAS_ADDR, INITIAL_PAGES, KECCAK_CACHE, MAX_PAGES, SCRATCH_A, SCRATCH_B, SCRATCH_C, SCRATCH_OUT } = layout;
  if (KECCAK_CACHE + KECCAK_CACHE_BYTES > GAS_ADDR) throw new Error("keccak256's cache runs into the frame header");
  const m = new binaryen.Module();
  try {
    m.setFeatures(binaryen.Features.MVP | binaryen.Features.MutableGlobals | binaryen.Features.SignExt);
    m.setMemory(INITIAL_PAGES, MAX_PAGES, null, [], false, false, "0");
    m.addMemoryImport("0", IMPORT_MODULE, IMPORT_MEMORY);
    addU256Runtime(m, undefined, {
      scratch: { a: SCRATCH_A, b: SCRATCH_B, c: SCRATCH_C, out: SCRATCH_OUT },
      keccakCache: KECCAK_CACHE,
    });
    for (const name of [...Object.values(U256_FUNCS), ...Object.values(U256_SCRATCH_FUNCS)]) {
      m.addFunctionExport(name, name);
    }
    if (!m.validate()) throw new Error("the runtime module does not validate");
    binaryen.setOptimizeLevel(2);
    binaryen.setShrinkLevel(0);
    m.optimize();
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

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
