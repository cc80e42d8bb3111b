// Bounded differential fuzzing, interpreter vs WebAssembly backend. The seed is printed; rerun one with
// EVMWASM_FUZZ_SEED=N (and EVMWASM_FUZZ_COUNT=N for more programs), or longer with tests/fuzz/run.ts.
// A divergence found here goes into tests/wasm_regressions_test.ts.
import assert from "node:assert/strict";
import process from "node:process";
import { Buffer } from "node:buffer";
import binaryen from "binaryen";
import { Interpreter } from "../backends/interpreter/interpreter.ts";
import { WasmBackend } from "../backends/wasm/backend.ts";
import { compileToWasm } from "../backends/wasm/compiler.ts";
import { fuzz } from "./fuzz/differential.ts";

Deno.test("wasm: differential fuzzing against the interpreter (bounded)", () => {
  const seed = Number(process.env.EVMWASM_FUZZ_SEED ?? (Date.now() % 2147483647));
  const count = Number(process.env.EVMWASM_FUZZ_COUNT ?? 400);
  console.log(`fuzz seed ${seed} (EVMWASM_FUZZ_SEED=${seed} reruns it), ${count} programs`);
  // A program the compiler rejects would silently run on the interpreter: count those as failures too.
  const rejected: string[] = [];
  const wasm = new WasmBackend({
    compile: (code, rules) => compileToWasm(binaryen, code, rules).binary,
    onCompileError: (e, code) => rejected.push(`${(e as Error).message} (code 0x${Buffer.from(code).toString("hex")})`),
  });
  const report = fuzz(new Interpreter(), wasm, seed, count);
  const text = report.divergences.map((d) => `${d.case}\n  ${d.diffs.join("\n  ")}`).join("\n");
  assert.equal(report.divergences.length, 0, `divergences (seed ${seed}):\n${text}`);
  assert.deepEqual(rejected, [], `programs the compiler rejected (seed ${seed})`);
});
