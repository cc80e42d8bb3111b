/** The u256 runtime module's build with Binaryen (runtime_module.ts runs the checked-in result). */
import binaryen from "./binaryen.ts";
import { addU256Runtime, U256_FUNCS, U256_SCRATCH_FUNCS } from "./runtime/u256.ts";
import { KECCAK_CACHE_BYTES } from "./runtime/keccak.ts";
import {
  GAS_ADDR,
  IMPORT_MEMORY,
  IMPORT_MODULE,
  INITIAL_PAGES,
  KECCAK_CACHE,
  MAX_PAGES,
  SCRATCH_A,
  SCRATCH_B,
  SCRATCH_C,
  SCRATCH_OUT,
} from "./layout.ts";

/**
 * Builds the runtime module's binary (memory imported as `evm.memory`, entry points exported); `wideArithmetic`:
 * the variant for engines that have i64.mul_wide_u (U256RuntimeOptions.wideArithmetic).
 */
export function buildRuntimeBinary(wideArithmetic = false): Uint8Array {
  if (KECCAK_CACHE + KECCAK_CACHE_BYTES > GAS_ADDR) throw new Error("keccak256's cache runs into the frame header");
  const m = new binaryen.Module();
  try {
    m.setFeatures(binaryen.Features.MVP | binaryen.Features.MutableGlobals | binaryen.Features.SignExt);
    m.setMemory(INITIAL_PAGES, MAX_PAGES, null, [], false, false, "0");
    m.addMemoryImport("0", IMPORT_MODULE, IMPORT_MEMORY);
    addU256Runtime(m, undefined, {
      scratch: { a: SCRATCH_A, b: SCRATCH_B, c: SCRATCH_C, out: SCRATCH_OUT },
      keccakCache: KECCAK_CACHE,
      wideArithmetic,
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
