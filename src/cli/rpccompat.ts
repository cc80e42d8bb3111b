/** `rpccompat [--backend B] [--filter S] [--known-failures FILE] [DIR]`: the execution-apis JSON-RPC test suite. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createBackend } from "../../backends/registry.ts";
import { runRpcCompat } from "../rpccompat/runner.ts";
import { CliError, parseArgs } from "./args.ts";

export const DEFAULT_RPCCOMPAT_DIR = "../shared/fixtures/execution-apis/tests";

export async function rpccompatCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { string: ["backend", "filter", "known-failures"], boolean: ["verbose"] });
  if (args.positional.length > 1) throw new CliError("rpccompat takes at most one DIR");
  const dir = args.positional[0] ?? DEFAULT_RPCCOMPAT_DIR;
  for (const f of ["genesis.json", "chain.rlp", "headfcu.json"]) {
    if (!existsSync(join(dir, f))) {
      throw new CliError(`rpccompat: ${join(dir, f)} not found (DIR is execution-apis' tests folder)`);
    }
  }
  const known = new Map<string, string>();
  if (args["known-failures"]) {
    for (const line of readFileSync(String(args["known-failures"]), "utf8").split("\n")) {
      const t = line.trim();
      if (t && !t.startsWith("#")) known.set(t.split(/\s+/)[0], t);
    }
  }
  const start = performance.now();
  const results = await runRpcCompat(dir, {
    backend: args.backend ? createBackend(String(args.backend)) : undefined,
    filter: args.filter as string | undefined,
  });
  let passed = 0, failed = 0, knownFailed = 0;
  for (const r of results) {
    if (r.passed) {
      passed++;
      if (known.has(r.name)) console.log(`NOW PASSING (remove from the known-failures list): ${r.name}`);
      else if (args.verbose) console.log(`ok   ${r.name}`);
    } else if (known.has(r.name)) {
      knownFailed++;
      if (args.verbose) console.log(`known ${r.name}: ${r.detail}`);
    } else {
      failed++;
      console.log(`FAIL ${r.name}: ${r.detail}`);
    }
  }
  if (known.size) console.log(`${knownFailed} known failures still failing (listed in ${args["known-failures"]})`);
  console.log(`${results.length} files, ${((performance.now() - start) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}
