/** The WebAssembly compiler thread inside the single-file binary (see ./evmwasm.ts). */
import { normalJitPolicy } from "../../src/jit_policy.ts";
import "./wasm_tools.ts";
import "./npm_packages.ts";
import "../../backends/wasm/compile_worker.ts";

normalJitPolicy();
