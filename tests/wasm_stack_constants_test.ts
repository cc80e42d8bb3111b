// Constants in stack slots at block entries (backends/wasm/stack_constants.ts): what the analysis finds, and
// compiled code that relies on it answering as the interpreter does.
import assert from "node:assert/strict";
import { analyseCode } from "../backends/wasm/analysis.ts";
import { compileToWasm } from "../backends/wasm/compiler.ts";
import { WasmBackend } from "../backends/wasm/backend.ts";
import { analyseStackFlow } from "../backends/wasm/stack_heights.ts";
import { stackConstants } from "../backends/wasm/stack_constants.ts";
import { Interpreter } from "../backends/interpreter/interpreter.ts";
import { Fork } from "../src/forks/fork.ts";
import { rulesFor } from "../src/forks/rules.ts";
import { hexToBytes } from "../src/primitives/hex.ts";
import { compareOutcomes, runCase } from "./fuzz/differential.ts";

/** pc of each block with known constants -> position (-1: the top slot at entry) -> constant. */
function constantsByPc(hex: string): Map<number, Map<number, bigint>> {
  const a = analyseCode(hexToBytes(hex), rulesFor(Fork.Osaka));
  const flow = analyseStackFlow(a);
  assert.ok(flow, "the jumps are accounted for");
  return new Map([...stackConstants(a, flow)].map(([k, c]) => [a.blocks[k].pc, c]));
}

const interpreter = new Interpreter();
const wasm = new WasmBackend({ compile: (code, rules) => compileToWasm(code, rules).binary, fallback: interpreter });

/** Runs code on both backends and returns the compiled run's output. */
function output(hex: string, input = "0x"): string {
  const c = { code: hexToBytes(hex), input: hexToBytes(input), gas: 1_000_000n, fork: Fork.Osaka, kind: "test" };
  const a = runCase(interpreter, c), b = runCase(wasm, c);
  assert.deepEqual(compareOutcomes(a, b), [], `code ${hex}`);
  return b.output;
}

const word = (v: bigint) => "0x" + v.toString(16).padStart(64, "0");

/**
 * A 64-bit mask pushed once, then a loop (head 0x0d, entered at [mask, acc, i]) that adds 2^64 - 16 to acc five
 * times, masking the sum with a DUP of the mask each time; returns acc.
 */
const MASK_LOOP = "0x67ffffffffffffffff" + "6000" + "6005" + "5b" + "90" + "67fffffffffffffff0" + "01" + "82" + "16" +
  "90" + "6001" + "90" + "03" + "80" + "600d" + "57" + "50" + "600052" + "60206000f3";

Deno.test("stack constants: a mask pushed once is known at a loop head entered from two places", () => {
  const c = constantsByPc(MASK_LOOP);
  assert.equal(c.get(0x0d)?.get(-3), (1n << 64n) - 1n);
  assert.equal(c.get(0x0d)?.has(-2), false, "acc differs between the entry and the back edge");
  assert.equal(c.get(0x0d)?.has(-1), false, "so does the counter");
  let acc = 0n;
  for (let i = 0; i < 5; i++) acc = (acc + 0xfffffffffffffff0n) & ((1n << 64n) - 1n);
  assert.equal(output(MASK_LOOP), word(acc));
});

/** A join (0x0f) reached with 0xff on the stack from one side and 0x0f from the other; returns what it has. */
const TWO_CONSTANTS = "0x600035" + "600c57" + "60ff" + "600f56" + "00" + "5b" + "600f" + "5b" +
  "7f" + "ff".repeat(32) + "16" + "600052" + "60206000f3";

Deno.test("stack constants: a slot with different constants on two ways in is not a constant there", () => {
  const c = constantsByPc(TWO_CONSTANTS);
  assert.equal(c.get(0x0f)?.has(-1) ?? false, false);
  assert.equal(output(TWO_CONSTANTS, word(0n)), word(0xffn));
  assert.equal(output(TWO_CONSTANTS, word(1n)), word(0x0fn));
});

/**
 * A loop (head 0x04, entered at [k, n]) that adds k to the word at 0 and replaces k: 7 on entry, 9 from the back
 * edge. Two rounds: 7 + 9.
 */
const REPLACED_IN_LOOP = "0x6007" + "6002" + "5b" + "90" + "600051" + "01" + "600052" + "6009" + "90" +
  "6001" + "90" + "03" + "80" + "600457" + "60206000f3";

Deno.test("stack constants: a constant the loop replaces by another is not known at its head", () => {
  const c = constantsByPc(REPLACED_IN_LOOP);
  assert.equal(c.get(0x04)?.has(-2) ?? false, false);
  assert.equal(output(REPLACED_IN_LOOP), word(16n));
});
