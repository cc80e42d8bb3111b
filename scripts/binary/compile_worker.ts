/** The WebAssembly compiler thread inside the single-file binary (see ./evmwasm.ts). */
import "../../backends/wasm/compile_worker.ts";
