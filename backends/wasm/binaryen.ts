/**
 * Binaryen, for the code that builds modules with it (runtime/, scripts, tests, benchmarks). It comes from its
 * own project in ./tools (wasm_tools.ts says why); code on the node's path loads it with loadBinaryen() instead.
 */
// @ts-types="./tools/node_modules/binaryen/index.d.ts"
import binaryen from "./tools/node_modules/binaryen/index.js";

export default binaryen;
