/**
 * Binaryen and wabt inside the single-file binary: literal imports, so that `bun build` bundles them (as chunks
 * loaded on first use); backends/wasm/wasm_tools.ts would look for them in the source tree.
 */
import { setWasmToolLoaders } from "../../backends/wasm/wasm_tools.ts";
import type { WabtInit } from "../../backends/wasm/wabt.ts";

setWasmToolLoaders({
  binaryen: () => import("../../backends/wasm/binaryen.ts").then((m) => m.default),
  wabt: () =>
    import("../../backends/wasm/tools/node_modules/wabt/index.js").then((m) =>
      (m as unknown as { default: WabtInit }).default
    ),
});
