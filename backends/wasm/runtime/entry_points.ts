/**
 * The names and signatures of the u256 runtime's entry points (runtime_module.ts), which compiled contract
 * modules import: apart from the library's Binaryen code (u256.ts), so that the compiler needs no Binaryen.
 */
import { RUNTIME_IMPORT_MODULE } from "../layout.ts";

/** A module being built (Binaryen's, or wasm_builder's) that can declare function imports. */
export interface ImportingModule {
  addFunctionImport(name: string, module: string, base: string, params: number, results: number): void;
}

/** Type ids of the builder (Binaryen's numbering in both). */
export interface TypeNames {
  i32: number;
  none: number;
  createType(types: number[]): number;
}

export const U256_FUNCS = {
  mul: "u256_mul",
  div: "u256_div",
  sdiv: "u256_sdiv",
  mod: "u256_mod",
  smod: "u256_smod",
  addmod: "u256_addmod",
  mulmod: "u256_mulmod",
  mulmodMax: "u256_mulmod_max",
  exp: "u256_exp",
  expByteLen: "u256_byte_len",
  keccak: "keccak256",
} as const;

/**
 * Scratch variants of the entry points: no parameters, the operands and result at fixed addresses (those of
 * U256RuntimeOptions.scratch, in the same order as the pointer variant's parameters). Compiled contracts
 * call these: their accesses at constant addresses need no bounds checks.
 */
export const U256_SCRATCH_FUNCS = {
  mul: "u256_mul_s",
  div: "u256_div_s",
  sdiv: "u256_sdiv_s",
  mod: "u256_mod_s",
  smod: "u256_smod_s",
  addmod: "u256_addmod_s",
  mulmod: "u256_mulmod_s",
  mulmodMax: "u256_mulmod_max_s",
  exp: "u256_exp_s",
} as const;

/** Parameter count (all i32 pointers or lengths) and result of each entry point. */
const SIGNATURES: Record<keyof typeof U256_FUNCS, [params: number, result: "none" | "i32"]> = {
  mul: [3, "none"],
  div: [3, "none"],
  sdiv: [3, "none"],
  mod: [3, "none"],
  smod: [3, "none"],
  addmod: [4, "none"],
  mulmod: [4, "none"],
  mulmodMax: [3, "none"],
  exp: [3, "none"],
  expByteLen: [1, "i32"],
  keccak: [3, "none"],
};

/**
 * Declares the library's entry points as function imports of the same names: compiled contracts import them
 * from the runtime module; a module optimised with Binaryen gets them linked in (u256.ts, linkU256Runtime).
 */
export function declareU256RuntimeImports(m: ImportingModule, t: TypeNames): void {
  for (const [key, name] of Object.entries(U256_FUNCS) as [keyof typeof U256_FUNCS, string][]) {
    const [params, result] = SIGNATURES[key];
    const type = t.createType(Array(params).fill(t.i32));
    m.addFunctionImport(name, RUNTIME_IMPORT_MODULE, name, type, result === "i32" ? t.i32 : t.none);
  }
  for (const name of Object.values(U256_SCRATCH_FUNCS)) {
    m.addFunctionImport(name, RUNTIME_IMPORT_MODULE, name, t.none, t.none);
  }
}

/** A module whose one function uses i64.mul_wide_u (opcode 0xfc 0x16). */
const WIDE_ARITHMETIC_PROBE = bytesFromHex(
  "0061736d 01000000", // magic, version
  "01 07 01 60 02 7e 7e 01 7e", // type section: (i64, i64) -> i64
  "03 02 01 00", // function section: one function of type 0
  "0a 0b 01 09 00 20 00 20 01 fc 16 1a 0b", // code: local.get 0, local.get 1, i64.mul_wide_u, drop, end
);

function bytesFromHex(...parts: string[]): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(parts.join("").replace(/\s/g, "").match(/../g)!, (byte) => parseInt(byte, 16));
}

/** Whether this engine runs wide-arithmetic code (see U256RuntimeOptions.wideArithmetic). */
export function wideArithmeticSupported(): boolean {
  return WebAssembly.validate(WIDE_ARITHMETIC_PROBE);
}
