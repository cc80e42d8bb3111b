import assert from "node:assert/strict";
import { UpstreamClient } from "../../src/fork/upstream.ts";
import { UpstreamError } from "../../src/fork/errors.ts";
import { startFakeUpstream } from "./fake_upstream.ts";

const A = "0x00000000000000000000000000000000000000aa";

Deno.test("calls made in one tick go out as one batch; duplicates share one answer", async () => {
  const up = startFakeUpstream();
  try {
    up.state.balances.set(A, 7n);
    const c = new UpstreamClient(up.url);
    const results = await Promise.all([
      c.request("eth_getBalance", [A, "latest"]),
      c.request("eth_getBalance", [A, "latest"]),
      c.request("eth_getTransactionCount", [A, "latest"]),
      c.request("eth_getCode", [A, "latest"]),
    ]);
    assert.deepEqual(results, ["0x7", "0x7", "0x0", "0x"]);
    assert.equal(up.httpRequests, 1);
    assert.equal(up.calls.length, 3);
    assert.equal(c.stats.deduplicated, 1);
  } finally {
    await up.close();
  }
});

Deno.test("429 and 500 are retried with backoff, then succeed", async () => {
  const up = startFakeUpstream();
  try {
    up.script = ["429", "500", "ok"];
    const c = new UpstreamClient(up.url, { backoffMs: 5 });
    assert.equal(await c.request("eth_getBalance", [A, "latest"]), "0x0");
    assert.equal(up.httpRequests, 3);
    assert.equal(c.stats.retries, 2);
  } finally {
    await up.close();
  }
});

Deno.test("garbage and persistent errors give a clear error after bounded retries", async () => {
  const up = startFakeUpstream();
  try {
    up.script = Array(10).fill("garbage");
    const c = new UpstreamClient(up.url, { backoffMs: 1, retries: 2 });
    await assert.rejects(c.request("eth_getBalance", [A, "latest"]), (e: unknown) => {
      assert.ok(e instanceof UpstreamError);
      assert.match((e as Error).message, /invalid JSON.*after 3 attempts/);
      return true;
    });
    assert.equal(up.httpRequests, 3);
  } finally {
    await up.close();
  }
});

Deno.test("a hanging upstream times out within the one budget retries included, and the client keeps working", async () => {
  const up = startFakeUpstream();
  try {
    up.script = ["hang"];
    const c = new UpstreamClient(up.url, { timeoutMs: 300, backoffMs: 1, retries: 4 });
    const t0 = performance.now();
    await assert.rejects(c.request("eth_getBalance", [A, "latest"]), /timed out after 300 ms \(after 1 attempt in \d+ ms\)/);
    const spent = performance.now() - t0;
    assert.ok(spent >= 290 && spent < 1000, `${spent} ms`);
    assert.equal(await c.request("eth_getBalance", [A, "latest"]), "0x0");
  } finally {
    await up.close();
  }
});

Deno.test("an upstream without batch support is used one call at a time", async () => {
  const up = startFakeUpstream();
  try {
    up.script = ["no-batch"];
    up.state.balances.set(A, 1n);
    const c = new UpstreamClient(up.url);
    const r = await Promise.all([c.request("eth_getBalance", [A, "latest"]), c.request("eth_getCode", [A, "latest"])]);
    assert.deepEqual(r, ["0x1", "0x"]);
  } finally {
    await up.close();
  }
});

Deno.test("an unreachable upstream and a bad URL are named errors", async () => {
  assert.throws(() => new UpstreamClient("ftp://x"), /invalid upstream URL/);
  const c = new UpstreamClient("http://127.0.0.1:1", { retries: 1, backoffMs: 1 });
  await assert.rejects(c.request("eth_chainId", []), /upstream unreachable/);
});

Deno.test("an upstream JSON-RPC error is passed on with its message", async () => {
  const up = startFakeUpstream();
  try {
    const c = new UpstreamClient(up.url);
    await assert.rejects(c.request("eth_nope", []), /upstream error on eth_nope: method eth_nope not found/);
  } finally {
    await up.close();
  }
});
