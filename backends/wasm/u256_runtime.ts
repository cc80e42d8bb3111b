/** The u256 runtime (256-bit MUL/DIV/MOD/EXP families and keccak256 inside WebAssembly): `addU256Runtime(module)`. */
export { addU256Runtime } from "./runtime/u256.ts";
