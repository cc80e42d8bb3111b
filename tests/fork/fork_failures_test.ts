/** A forked node whose upstream fails: clear -32000 errors after bounded retries, and the node keeps serving. */
import assert from "node:assert/strict";
import { createForkedNode } from "../../src/node.ts";
import { startFakeUpstream } from "./fake_upstream.ts";

const COLD = { to: "0x00000000000000000000000000000000000c0de1", data: "0x" };

Deno.test({
  name: "fork mode: 429, 500, garbage and a hanging upstream give clear errors; the node stays up",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const up = startFakeUpstream();
    const node = await createForkedNode({ fork: { url: up.url, storageCaching: false, timeoutMs: 2000 }, log: () => {} });
    try {
      const call = (to: string) => node.handler.call("eth_call", [{ to, data: "0x" }, "latest"]);
      for (const [behaviour, pattern] of [
        ["500", /HTTP 500.*after \d+ attempts/],
        ["429", /HTTP 429.*after \d+ attempts/],
        ["garbage", /invalid JSON.*after \d+ attempts/],
        ["hang", /timed out after 2000 ms.*after \d+ attempts? in \d+ ms/],
      ] as const) {
        up.script = Array(50).fill(behaviour);
        const t0 = performance.now();
        const r = await call(`0x00000000000000000000000000000000000c0d${behaviour.length}${behaviour === "429" ? "a" : "b"}`);
        assert.ok("error" in r, `${behaviour}: expected an error`);
        assert.equal(r.error.code, -32000, `${behaviour}: ${JSON.stringify(r.error)}`);
        assert.match(r.error.message, pattern);
        assert.ok(performance.now() - t0 < 30_000, `${behaviour}: bounded`);
        up.script = [];
        const alive = await node.handler.call("eth_chainId", []);
        assert.deepEqual(alive, { result: "0x1" });
      }
      // once the upstream recovers, the same call works
      up.script = [];
      const ok = await node.handler.call("eth_call", [COLD, "latest"]);
      assert.deepEqual(ok, { result: "0x" });
    } finally {
      await node.close();
      await up.close();
    }
  },
});

Deno.test("fork mode: an unreachable upstream at start-up is a clear error", async () => {
  await assert.rejects(
    createForkedNode({ fork: { url: "http://127.0.0.1:1", storageCaching: false, timeoutMs: 500 }, log: () => {} }),
    /upstream unreachable/,
  );
  await assert.rejects(
    createForkedNode({ fork: { url: "not a url", storageCaching: false, timeoutMs: 500 }, log: () => {} }),
    /invalid upstream URL/,
  );
});

Deno.test("fork mode: a refused connection or an unknown host fails at once, saying which (no retries)", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // nothing listens there now
  for (const [url, pattern] of [
    [`http://127.0.0.1:${port}`, /upstream unreachable: connection refused by 127\.0\.0\.1:\d+/],
    ["http://no-such-host.invalid:8545", /upstream unreachable: DNS lookup of no-such-host\.invalid failed/],
  ] as const) {
    const t0 = performance.now();
    await assert.rejects(
      createForkedNode({ fork: { url, storageCaching: false, timeoutMs: 5000, retries: 4 }, log: () => {} }),
      pattern,
    );
    assert.ok(performance.now() - t0 < 1000, `${url}: failed in ${performance.now() - t0} ms`);
  }
});

Deno.test({
  name: "fork mode: a hanging upstream costs one time budget per request, and eth_chainId is answered meanwhile",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const up = startFakeUpstream();
    const node = await createForkedNode({ fork: { url: up.url, storageCaching: false, timeoutMs: 1000 }, log: () => {} });
    try {
      up.script = Array(50).fill("hang");
      const t0 = performance.now();
      const pending = node.handler.call("eth_call", [{ to: "0x00000000000000000000000000000000000c0de9", data: "0x" }, "latest"]);
      await new Promise((r) => setTimeout(r, 50));
      const t1 = performance.now();
      assert.deepEqual(await node.handler.call("eth_chainId", []), { result: "0x1" });
      assert.deepEqual(await node.handler.call("eth_blockNumber", []), { result: "0x64" });
      assert.ok(performance.now() - t1 < 250, "eth_chainId waited for the hanging request");
      const r = await pending;
      const spent = performance.now() - t0;
      assert.ok("error" in r && /timed out after 1000 ms/.test(r.error.message), JSON.stringify(r));
      // The prefetch's failure ends the request: not a second budget for the fetch after it.
      assert.ok(spent < 1900, `the request took ${spent} ms`);
    } finally {
      up.script = [];
      await node.close();
      await up.close();
    }
  },
});
