import type { ForkId } from "../../forks/fork.ts";

/**
 * Outcome of one precompile call. A failure (bad input, out of gas) consumes
 * all the gas given to the call and returns no data.
 */
export type PrecompileResult =
  | { ok: true; gasUsed: number; output: Uint8Array }
  | { ok: false; reason: string };

/** gasLimit never exceeds 2^53; gas costs above it may be returned as Infinity or any value > gasLimit. */
export type Precompile = (input: Uint8Array, gasLimit: number, fork: ForkId) => PrecompileResult;
