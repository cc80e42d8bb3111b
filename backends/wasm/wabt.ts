/** wabt's module factory, from ./tools (see wasm_tools.ts): CommonJS, so required rather than imported. */
import { createRequire } from "node:module";

export type WabtInit = typeof import("./tools/node_modules/wabt/index.d.ts");

export default createRequire(import.meta.url)("./tools/node_modules/wabt/index.js") as WabtInit;
