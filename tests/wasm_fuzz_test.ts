// Bounded differential fuzzing, interpreter vs WebAssembly backend. The seed is printed; rerun one with
// EVMWASM_FUZZ_SEED=N (and EVMWASM_FUZZ_COUNT=N for more programs), or longer with tests/fuzz/run.ts.
// A divergence found here goes into tests/wasm_regressions_test.ts.
import assert from "node:assert/strict";
import process from "node:process";
import { Interpreter } from "../backends/interpreter/interpreter.ts";
import { fuzz, wasmUnderTest } from "./fuzz/differential.ts";

Deno.test("wasm: differential fuzzing against the interpreter (bounded)", () => {
  const seed = Number(process.env.EVMWASM_FUZZ_SEED ?? (Date.now() % 2147483647));
  const count = Number(process.env.EVMWASM_FUZZ_COUNT ?? 400);
  console.log(`fuzz seed ${seed} (EVMWASM_FUZZ_SEED=${seed} reruns it), ${count} programs`);
  const { wasm, rejected } = wasmUnderTest();
  const report = fuzz(new Interpreter(), wasm, seed, count);
  const text = report.divergences.map((d) => `${d.case}\n  ${d.diffs.join("\n  ")}`).join("\n");
  assert.equal(report.divergences.length, 0, `divergences (seed ${seed}):\n${text}`);
  assert.deepEqual(rejected, [], `programs the compiler rejected (seed ${seed})`);
});
