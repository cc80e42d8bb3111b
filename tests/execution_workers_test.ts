/**
 * Long executions leave the node's thread: a call that runs past its slice finishes in a worker with the
 * answer it has on the node's thread, eth_chainId is answered meanwhile, and a runaway call ends at its limit.
 */
import assert from "node:assert/strict";
import { Interpreter } from "../backends/interpreter/interpreter.ts";
import { createNode, type NodeOptions } from "../src/node.ts";
import { DEV0 } from "./rpc/helpers.ts";

// Counts down from the calldata word, then returns the count it started from: 5b-loop with a SUB per round.
// PUSH1 0 CALLDATALOAD DUP1 JUMPDEST(4) PUSH1 1 SWAP1 SUB DUP1 PUSH1 4 JUMPI POP PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
const COUNTDOWN = "0x600035805b600190038060045750600052602060" + "00f3";
const TARGET = "0x00000000000000000000000000000000000c0de1";
const word = (n: number) => "0x" + n.toString(16).padStart(64, "0");
// The interpreter, so that a loop of a few million rounds takes long enough; a block gas limit that lets a
// call run far longer than its time limit.
const interpreted: NodeOptions = {
  accounts: 1,
  backend: new Interpreter(),
  backendSpec: { name: "interpreter" },
  gasLimit: 1n << 62n,
  executionSliceMs: 20,
};

Deno.test({
  name: "execution workers: a long call is answered there, with the same answer, and the node stays responsive",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const node = createNode({ ...interpreted, callTimeoutMs: 20_000 });
    try {
      await node.request({ method: "anvil_setCode", params: [TARGET, COUNTDOWN] });
      const call = (n: number) => ({ from: DEV0, to: TARGET, input: word(n), gas: "0x" + (2n ** 40n).toString(16) });
      assert.equal(await node.request({ method: "eth_call", params: [call(1000), "latest"] }), word(1000));
      // Long enough to pass the slice on either backend: the worker answers it.
      const started = performance.now();
      const long = node.request({ method: "eth_call", params: [call(1_000_000), "latest"] });
      let answered = 0, slowest = 0;
      let done = false;
      long.finally(() => (done = true));
      while (!done) {
        const t0 = performance.now();
        assert.equal(await node.request({ method: "eth_chainId" }), "0x7a69");
        slowest = Math.max(slowest, performance.now() - t0);
        answered++;
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.equal(await long, word(1_000_000));
      const took = performance.now() - started;
      assert.ok(took > 150, `the long call took ${took.toFixed(0)} ms: too short to test`);
      assert.ok(answered >= 5, `eth_chainId answered ${answered} times while the call ran`);
      // A node held by the call would take its whole length (seconds); a loaded machine stays well under this.
      assert.ok(slowest < 1000, `eth_chainId took up to ${slowest.toFixed(0)} ms`);
      // An estimate and an access list of the same call (worked out in a worker) agree with the call's gas.
      const estimate = BigInt(await node.request<string>({ method: "eth_estimateGas", params: [call(1_000_000), "latest"] }));
      const list = await node.request<{ gasUsed: string }>({ method: "eth_createAccessList", params: [call(1_000_000), "latest"] });
      assert.equal(estimate, BigInt(list.gasUsed));
    } finally {
      await node.close();
    }
  },
});

Deno.test({
  name: "execution workers: a runaway call ends at its time limit with an error naming it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const node = createNode({ ...interpreted, callTimeoutMs: 3000 });
    try {
      await node.request({ method: "anvil_setCode", params: [TARGET, "0x5b600056"] });
      const t0 = performance.now();
      await assert.rejects(
        node.request({ method: "eth_call", params: [{ to: TARGET, gas: "0x" + (2n ** 62n).toString(16) }, "latest"] }),
        (e: Error & { code?: number }) => /timed out/.test(e.message) && /3000 ms/.test(e.message) && e.code === -32000,
      );
      const took = performance.now() - t0;
      assert.ok(took >= 2900 && took < 8000, `the runaway call ended after ${took.toFixed(0)} ms`);
      assert.equal(await node.request({ method: "eth_chainId" }), "0x7a69");
    } finally {
      await node.close();
    }
  },
});

Deno.test({
  name: "execution workers: a worker started ahead, compiling on the node's compiler thread, answers a long call",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const node = createNode({ accounts: 1, backendSpec: { name: "auto" }, gasLimit: 1n << 62n, executionSliceMs: 20 });
    try {
      node.prewarmExecutions();
      await node.request({ method: "anvil_setCode", params: [TARGET, COUNTDOWN] });
      const call = (n: number) => ({ from: DEV0, to: TARGET, input: word(n), gas: "0x" + (2n ** 40n).toString(16) });
      for (let i = 0; i < 3; i++) {
        assert.equal(await node.request({ method: "eth_call", params: [call(3_000_000 + i), "latest"] }), word(3_000_000 + i));
      }
    } finally {
      await node.close();
    }
  },
});
