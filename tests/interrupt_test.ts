/** An execution past its deadline stops on either backend, in a loop of its own and in one of nested calls. */
import assert from "node:assert/strict";
import { Interpreter } from "../backends/interpreter/interpreter.ts";
import { createWasmBackend } from "../backends/wasm/create.ts";
import { runCall } from "../src/evm/run_call.ts";
import { ExecutionInterrupted, withDeadline } from "../src/evm/interrupt.ts";
import { hexToBytes } from "../src/primitives/hex.ts";

const LOOP = hexToBytes("0x5b600056"); // JUMPDEST PUSH1 0 JUMP, forever
// Calls itself with all its gas, forever (each frame ends at the depth limit, then the chain starts again).
const RECURSE = hexToBytes("0x5b60006000600060006000305af150600056");
const GAS = 1n << 62n;

for (const [name, backend] of [["interpreter", new Interpreter()], ["wasm", createWasmBackend(new Interpreter())]] as const) {
  Deno.test({
    name: `interrupt: a runaway call on ${name} stops at its deadline`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn() {
      for (const code of [LOOP, RECURSE]) {
        runCall({ backend, code, gas: 100_000n }); // compiled outside the deadline
        const t0 = performance.now();
        assert.throws(
          () => withDeadline(100, "timeout", () => runCall({ backend, code, gas: GAS })),
          (e: unknown) => e instanceof ExecutionInterrupted && e.reason === "timeout" && /100 ms/.test(e.message),
        );
        const took = performance.now() - t0;
        assert.ok(took < 1000, `stopped after ${took.toFixed(0)} ms`);
        // Without a deadline the same code runs out of gas as before.
        assert.equal(runCall({ backend, code, gas: 1_000_000n }).success, false);
      }
    },
  });
}

Deno.test("interrupt: the nearer of two deadlines applies, and the outer one is restored", () => {
  const backend = new Interpreter();
  assert.throws(
    () => withDeadline(10_000, "timeout", () => withDeadline(50, "slice", () => runCall({ backend, code: LOOP, gas: GAS }))),
    (e: unknown) => e instanceof ExecutionInterrupted && e.reason === "slice",
  );
  assert.throws(
    () => withDeadline(50, "slice", () => withDeadline(10_000, "timeout", () => runCall({ backend, code: LOOP, gas: GAS }))),
    (e: unknown) => e instanceof ExecutionInterrupted && e.reason === "slice",
  );
});
