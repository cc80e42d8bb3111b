// The annotated WebAssembly text of compiled contracts (`compile --wat`, backends/wasm/wat.ts) is valid:
// it assembles back through wabt to the very same binary (so disassembling that again gives the same
// text), and the reassembled module runs a call exactly as the directly compiled one and the interpreter.
//
// wabt's JavaScript build parses nested blocks recursively on a 64 KiB (Emscripten) stack: at 169 levels
// of block/loop/if nesting, parseWat overflows it and fails with "memory access out of bounds" or "table
// index is out of bounds", or never returns. The compiler keeps its nesting (the dispatch's br_table nest)
// to about sqrt(JUMPDESTs) levels, so benchmark contracts stay far below that; the depth is checked
// before wabt is given the text, so that a deeper module fails here rather than hanging.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import wabtInit from "../backends/wasm/wabt.ts";
import { Interpreter } from "../backends/interpreter/interpreter.ts";
import type { Backend } from "../backends/backend.ts";
import { WasmBackend } from "../backends/wasm/backend.ts";
import { compileToWasm } from "../backends/wasm/compiler.ts";
import { watWithPcs } from "../backends/wasm/wat.ts";
import { type BenchCase, fixturesDir, loadBenchCases } from "../bench/contracts.ts";
import { callCase, preState } from "../bench/engines.ts";
import { Fork, type ForkId } from "../src/forks/fork.ts";
import { rulesFor } from "../src/forks/rules.ts";
import { bytesToHex, hexToBytes } from "../src/primitives/hex.ts";
import { compareOutcomes, type Outcome, outcomeOf, runCase } from "./fuzz/differential.ts";

/** The features compileToWasm enables (m.setFeatures), in wabt's spelling. */
const WABT_FEATURES = {
  mutable_globals: true,
  sign_extension: true,
  bulk_memory: true,
  sat_float_to_int: true,
  multi_value: true,
  simd: true,
  tail_call: true,
};

/** Deepest block nesting wabt.js is given; 169 levels already overflow its stack (measured, wabt 1.0.39). */
const WABT_MAX_DEPTH = 160;

const PC_COMMENT = /^\s*;; ---- EVM pc \d+ /;

function nestingDepth(text: string): number {
  let depth = 0, max = 0;
  for (const line of text.split("\n")) {
    const s = line.trimStart();
    if (/^(block|loop|if)\b/.test(s)) max = Math.max(max, ++depth);
    else if (/^end\b/.test(s)) depth--;
  }
  return max;
}

function withoutComments(text: string): string {
  return text.split("\n").filter((l) => !/^\s*;;/.test(l)).join("\n");
}

/** wat -> wasm through wabt, on a fresh instance each time (a failed parse can leave one corrupted). */
async function wabtAssemble(name: string, text: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat(name, text, WABT_FEATURES);
  try {
    mod.resolveNames();
    mod.validate();
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

interface Compiled {
  /** compileToWasm(..., { annotate: true }).binary: the module the text was dumped from. */
  direct: Uint8Array;
  /** The text assembled back. */
  roundTripped: Uint8Array;
}

/** Compiles code, dumps the annotated text, checks it and assembles it back. */
async function roundTrip(name: string, code: Uint8Array, fork: ForkId): Promise<Compiled> {
  const direct = compileToWasm(code, rulesFor(fork), { annotate: true }).binary;
  const text = await watWithPcs(direct, code);
  const marks = text.split("\n").filter((l) => PC_COMMENT.test(l)).length;
  assert.ok(marks > 0 && /;; ---- EVM pc 0 \(0x0\): /.test(text), `${name}: no EVM pc annotations in the text`);
  const depth = nestingDepth(text);
  assert.ok(depth <= WABT_MAX_DEPTH, `${name}: blocks nest ${depth} deep, too deep for wabt.js (${WABT_MAX_DEPTH})`);
  const roundTripped = await wabtAssemble(`${name}.wat`, text);
  // Disassembling the reassembled module gives the same text, annotations included ...
  const again = await watWithPcs(roundTripped, code);
  assert.equal(withoutComments(again), withoutComments(text), `${name}: text changes after a round trip`);
  assert.equal(again, text, `${name}: pc annotations change after a round trip`);
  // ... because it is byte for byte the module compileToWasm emitted.
  assert.equal(roundTripped.length, direct.length, `${name}: reassembled module has another size`);
  const at = direct.findIndex((b, i) => b !== roundTripped[i]);
  assert.equal(at, -1, `${name}: reassembled module differs from the compiled one at byte ${at}`);
  return { direct, roundTripped };
}

/** A WasmBackend that runs the given binaries (by code) and counts compile failures. */
function backendOf(binaries: Map<string, Uint8Array>): { backend: WasmBackend; errors: unknown[] } {
  const errors: unknown[] = [];
  const backend = new WasmBackend({
    compile: (code) => {
      const binary = binaries.get(bytesToHex(code));
      if (!binary) throw new Error(`no binary prepared for code ${bytesToHex(code).slice(0, 40)}...`);
      return binary;
    },
    fallback: new Interpreter(),
    onCompileError: (e) => errors.push(e),
  });
  return { backend, errors };
}

/** Runs a benchmark case (its pre-state and block) as bench/engines.ts' oursEngine does, as an Outcome. */
function runBench(backend: Backend, c: BenchCase): Outcome {
  const world = preState(c);
  return outcomeOf(callCase(backend, c, world), world);
}

/** The interpreter, the compiled binary and the reassembled one agree on `run`; wasm really ran. */
function threeWays(name: string, code: Uint8Array, compiled: Compiled, run: (b: Backend) => Outcome): Outcome {
  const reference = run(new Interpreter());
  for (const [which, binary] of [["direct", compiled.direct], ["round-tripped", compiled.roundTripped]] as const) {
    const { backend, errors } = backendOf(new Map([[bytesToHex(code), binary]]));
    const outcome = run(backend);
    assert.deepEqual(errors, [], `${name} (${which}): the module was not accepted`);
    assert.equal(backend.compiled, 1, `${name} (${which}): the call did not run compiled code`);
    assert.deepEqual(compareOutcomes(reference, outcome), [], `${name} (${which} binary vs interpreter)`);
  }
  return reference;
}

// A loop summing n..1 (n from calldata) with a JUMPI out of it, SSTORE and LOG0 of the sum, then
// RETURN of an odd sum and REVERT of an even one.
const LOOP = hexToBytes(
  "600035" + "6000" + "5b" + "8115601657" + "8101" + "906001900390" + "600556" + // n, acc; loop: acc += n, n -= 1
    "5b" + "80600055" + "80600052" + "60206000a0" + "600116602f57" + "60206000fd" + "5b60206000f3",
);

Deno.test("wasm text: a small loop's annotated text reassembles through wabt to the same module and behaviour", async () => {
  const compiled = await roundTrip("loop", LOOP, Fork.Osaka);
  const word = (n: number) => hexToBytes("0x" + n.toString(16).padStart(64, "0"));
  const cases = [
    { n: 10, gas: 1_000_000n, expect: "return" }, // 55
    { n: 4, gas: 1_000_000n, expect: "revert" }, // 10
    { n: 0, gas: 1_000_000n, expect: "revert" }, // 0, the loop never entered
    { n: 100_000, gas: 50_000n, expect: "halt" }, // out of gas inside the loop
  ];
  for (const { n, gas, expect } of cases) {
    const c = { code: LOOP, input: word(n), gas, fork: Fork.Osaka, kind: "loop" };
    const r = threeWays(`loop n=${n}`, LOOP, compiled, (b) => runCase(b, c));
    assert.equal(r.success ? "return" : r.reverted ? "revert" : "halt", expect, `loop n=${n}`);
    if (expect === "return") assert.equal(BigInt(r.output), BigInt(n * (n + 1) / 2));
  }
});

/** Benchmark contracts with real logic and short runs. */
const BENCH = ["fibonacci-calldata", "sha1_shifts/5311", "weth", "erc20_transfer", "swap_math/spent", "snailtracer"];
const haveFixtures = existsSync(fixturesDir());
const benchCases = haveFixtures ? loadBenchCases() : [];

for (const name of BENCH) {
  Deno.test({
    name: `wasm text: benchmark ${name}: the annotated text reassembles to a module that runs the call identically`,
    ignore: !haveFixtures,
    async fn() {
      const c = benchCases.find((x) => x.name === name);
      assert.ok(c, `no benchmark case ${name} in ${fixturesDir()}`);
      const compiled = await roundTrip(name, c.code, Fork[c.fork]);
      const r = threeWays(name, c.code, compiled, (b) => runBench(b, c));
      assert.ok(r.success, `${name}: the call failed (${r.error})`);
    },
  });
}
