/** 0x02 SHA2-256. */
import { sha256 } from "../../primitives/hash.ts";
import { charge, wordCount } from "./input.ts";
import type { Precompile } from "./types.ts";

export const sha256Precompile: Precompile = (input, gasLimit) =>
  charge(60 + 12 * wordCount(input.length), gasLimit, () => sha256(input));
