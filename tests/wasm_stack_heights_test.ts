// The entry-height analysis (backends/wasm/stack_heights.ts): what it proves, and where it must prove nothing.
import assert from "node:assert/strict";
import { analyseCode } from "../backends/wasm/analysis.ts";
import { analyseStackFlow } from "../backends/wasm/stack_heights.ts";
import { Fork } from "../src/forks/fork.ts";
import { rulesFor } from "../src/forks/rules.ts";
import { hexToBytes } from "../src/primitives/hex.ts";

/** pc -> proven height, or undefined when the analysis proves nothing. */
function heightsByPc(hex: string): Map<number, number> | undefined {
  const a = analyseCode(hexToBytes(hex), rulesFor(Fork.Osaka));
  const flow = analyseStackFlow(a);
  if (!flow) return undefined;
  return new Map([...flow.heights].map(([k, height]) => [a.blocks[k].pc, height]));
}

/** pc of a block ending in a jump -> the destinations the analysis found for it. */
function jumpTargetsByPc(hex: string): Map<number, number[]> | undefined {
  const a = analyseCode(hexToBytes(hex), rulesFor(Fork.Osaka));
  const flow = analyseStackFlow(a);
  if (!flow) return undefined;
  return new Map([...flow.jumpTargets].map(([k, targets]) => [a.blocks[k].pc, targets]));
}

/**
 * A function f at 0x30 that doubles the word under its return address, called from 0x06 with the stack
 * [5, r1] and from 0x12 with [10, 7, r2]: it returns to 0x0b at height 1 and to 0x14 at height 2.
 */
const TWO_CALL_SITES = "0x6005600b603056000000005b60076014603056005b0160005260206000f3" + "00".repeat(18) +
  "5b9080019056";

Deno.test("stack heights: return sites of a function called at two heights are proved, its body is not", () => {
  const h = heightsByPc(TWO_CALL_SITES);
  assert.ok(h);
  assert.equal(h.get(0x00), 0);
  assert.equal(h.get(0x0b), 1);
  assert.equal(h.get(0x14), 2);
  assert.equal(h.has(0x30), false, "f is entered at heights 2 and 3");
});

Deno.test("stack heights: a function's return jump has each call site's return address as a destination", () => {
  const t = jumpTargetsByPc(TWO_CALL_SITES);
  assert.ok(t);
  assert.deepEqual(t.get(0x30), [0x0b, 0x14]);
  assert.deepEqual(t.get(0x00), [0x30], "the call from 0x06");
  assert.deepEqual(t.get(0x0b), [0x30], "the call from 0x12");
});

Deno.test("stack heights: a loop entered at one height is proved", () => {
  // i = 0; do { i++ } while (i < 10): the loop head at 0x02 is entered at height 1 from both edges.
  const h = heightsByPc("0x60005b60010180600a1160025700");
  assert.ok(h);
  assert.equal(h.get(0x02), 1);
});

Deno.test("stack heights: nothing is proved when a destination is not a pushed constant", () => {
  assert.equal(heightsByPc("0x600035565b00"), undefined);
  // A destination computed from constants is not tracked either.
  assert.equal(heightsByPc("0x6002600201565b00"), undefined);
});

Deno.test("stack heights: a path that underflows enters nothing after it", () => {
  // POP on an empty stack halts before the jump to 0x04: the block there is never entered.
  const h = heightsByPc("0x506004565b00");
  assert.ok(h);
  assert.equal(h.get(0x00), 0);
  assert.equal(h.has(0x04), false);
});
