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
    const node = await createForkedNode({ fork: { url: up.url, storageCaching: false, timeoutMs: 300 }, log: () => {} });
    try {
      const call = (to: string) => node.handler.call("eth_call", [{ to, data: "0x" }, "latest"]);
      for (const [behaviour, pattern] of [
        ["500", /HTTP 500.*after \d+ attempts/],
        ["429", /HTTP 429.*after \d+ attempts/],
        ["garbage", /invalid JSON.*after \d+ attempts/],
        ["hang", /timed out after 300 ms.*after \d+ attempts/],
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
