/** 0x03 RIPEMD-160, left-padded to 32 bytes. */
import { ripemd160 } from "../../primitives/hash.ts";
import { charge, wordCount } from "./input.ts";
import type { Precompile } from "./types.ts";

export const ripemd160Precompile: Precompile = (input, gasLimit) =>
  charge(600 + 120 * wordCount(input.length), gasLimit, () => {
    const out = new Uint8Array(32);
    out.set(ripemd160(input), 12);
    return out;
  });
