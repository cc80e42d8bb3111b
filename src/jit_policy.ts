/**
 * The single-file binary starts with JavaScriptCore's JIT reluctant to compile (scripts/binary/build.ts:
 * `--compile-jit-policy`), so that the code that runs once while the node starts stays in the interpreter instead
 * of being compiled on the way to the first answer. This puts the normal policy back, for the current thread:
 * once the node is interactive, and at once for every other command and in worker threads. Elsewhere (Deno, Bun
 * running source) a no-op.
 */
export function normalJitPolicy(): void {
  (globalThis as { Bun?: { unsafe?: { setJITPolicy?: (scale: number) => void } } }).Bun?.unsafe?.setJITPolicy?.(1);
}
