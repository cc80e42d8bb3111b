/**
 * Long differential fuzzing runs: `deno run -A tests/fuzz/run.ts [--seed N] [--count N]`.
 * Prints the seed first; every divergence is printed as a case to add to tests/wasm_regressions_test.ts.
 */
import { parseArgs } from "../../src/cli/args.ts";
import { Interpreter } from "../../backends/interpreter/interpreter.ts";
import { fuzz, wasmUnderTest } from "./differential.ts";

const args = parseArgs(Deno.args, { string: ["seed", "count"] });
const seed = args.seed ? Number(args.seed) : (Date.now() % 1_000_000_007);
const count = Number(args.count ?? 2000);
console.log(`fuzz seed ${seed}, ${count} programs`);
const t0 = performance.now();
const { wasm, rejected } = wasmUnderTest();
const report = fuzz(new Interpreter(), wasm, seed, count, 20);
for (const d of report.divergences) console.log(`DIVERGENCE ${d.case}\n  ${d.diffs.join("\n  ")}`);
for (const r of rejected.slice(0, 20)) console.log(`REJECTED ${r}`);
console.log(
  `${count} programs, ${report.divergences.length} divergences, ${rejected.length} rejected by the compiler, ${
    ((performance.now() - t0) / 1000).toFixed(1)
  } s`,
);
Deno.exit(report.divergences.length || rejected.length ? 1 : 0);
