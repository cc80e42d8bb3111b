/** 0x04 identity: returns a copy of its input. */
import { charge, wordCount } from "./input.ts";
import type { Precompile } from "./types.ts";

export const identityPrecompile: Precompile = (input, gasLimit) =>
  charge(15 + 3 * wordCount(input.length), gasLimit, () => input.slice());
