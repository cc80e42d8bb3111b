/**
 * Long differential fuzzing runs: `deno run -A tests/fuzz/run.ts [--seed N] [--count N]`.
 * Prints the seed first; every divergence is printed as a case to add to tests/wasm_regressions_test.ts.
 */
import { parseArgs } from "../../src/cli/args.ts";
import { Interpreter } from "../../backends/interpreter/interpreter.ts";
import { createWasmBackend } from "../../backends/wasm/create.ts";
import { fuzz } from "./differential.ts";

const args = parseArgs(Deno.args, { string: ["seed", "count"] });
const seed = args.seed ? Number(args.seed) : (Date.now() % 1_000_000_007);
const count = Number(args.count ?? 2000);
console.log(`fuzz seed ${seed}, ${count} programs`);
const t0 = performance.now();
const report = fuzz(new Interpreter(), createWasmBackend(), seed, count, 20);
for (const d of report.divergences) console.log(`DIVERGENCE ${d.case}\n  ${d.diffs.join("\n  ")}`);
console.log(`${count} programs, ${report.divergences.length} divergences, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
Deno.exit(report.divergences.length ? 1 : 0);
