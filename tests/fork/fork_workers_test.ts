/**
 * Fork mode with execution workers: a call moved to a worker reads the fork's state through the node, which
 * fetches from the upstream what is not cached yet; the answer is the upstream's.
 */
import assert from "node:assert/strict";
import { Interpreter } from "../../backends/interpreter/interpreter.ts";
import { createForkedNode } from "../../src/node.ts";
import { anvilAvailable, calldata, DEV0, deployData, startAnvil } from "../rpc/helpers.ts";

Deno.test({
  name: "fork mode: a call in an execution worker reads upstream state through the node and answers as the upstream",
  ignore: !anvilAvailable(),
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const anvil = await startAnvil();
    let node;
    try {
      const upstream = anvil.rpc;
      const probe = (await upstream.send({ from: DEV0, data: deployData("Probe") })).contractAddress as string;
      await upstream.send({ from: DEV0, to: probe, data: calldata("Probe", "fill", [40n]) });
      node = await createForkedNode({
        fork: { url: anvil.url, storageCaching: false, timeoutMs: 10_000 },
        backend: new Interpreter(),
        backendSpec: { name: "interpreter" },
        executionSliceMs: 0.01, // every call moves to a worker
        log: () => {},
      });
      const sum = { to: probe, data: calldata("Probe", "sum", [300n]) };
      const expected = await upstream.call("eth_call", [sum, "latest"]);
      assert.equal(await node.request({ method: "eth_call", params: [sum, "latest"] }), expected);
      // More slots than the first call read: the node fetches them while the worker waits.
      const more = { to: probe, data: calldata("Probe", "sum", [500n]) };
      assert.equal(await node.request({ method: "eth_call", params: [more, "latest"] }), await upstream.call("eth_call", [more, "latest"]));
      const stats = await node.request<{ roundTrips: number }>({ method: "evmwasm_upstreamStats" });
      assert.ok(stats.roundTrips >= 1);
    } finally {
      await node?.close();
      await anvil.close();
    }
  },
});
