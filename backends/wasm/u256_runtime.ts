/** The u256 runtime (256-bit MUL/DIV/MOD/EXP families and keccak256), imported by compiled modules from runtime_module.ts. */
export { declareU256RuntimeImports } from "./runtime/entry_points.ts";
