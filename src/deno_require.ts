/**
 * require() for the modules that load a dependency on first use, under Deno. Those modules call a literal
 * require() under Bun (whose bundler turns it into a module run when first required); Deno has no require in an
 * ES module, so they come here. The require function is made on first use: node:module's createRequire took
 * about a millisecond of every start under Bun, which never needs it.
 */
import { nodeModule } from "./runtime.ts";

let denoRequireFn: ((id: string) => unknown) | undefined;

export function denoRequire(id: string): unknown {
  denoRequireFn ??= nodeModule<typeof import("node:module")>("node:module").createRequire(import.meta.url);
  return denoRequireFn(id);
}
