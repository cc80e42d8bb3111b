/**
 * Upstream faults at the node: an answer cut off mid-body, and an upstream process killed while a request waits
 * on it. Each ends the request with an error naming the fault, well before the time budget; the node goes on.
 */
import assert from "node:assert/strict";
import { createForkedNode } from "../../src/node.ts";
import { startFakeUpstream } from "./fake_upstream.ts";

const cold = (n: number) => ({ to: "0x00000000000000000000000000000000000c0d" + n.toString(16).padStart(2, "0"), data: "0x" });

Deno.test({
  name: "fork mode: an upstream answer cut off mid-body is retried, then named; the node goes on",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const up = startFakeUpstream();
    const node = await createForkedNode({ fork: { url: up.url, storageCaching: false, timeoutMs: 5000 }, log: () => {} });
    try {
      // Once: the retry gets the whole answer.
      up.script = ["truncated"];
      assert.deepEqual(await node.handler.call("eth_call", [cold(1), "latest"]), { result: "0x" });
      // Always: a clear error after the bounded retries.
      up.script = Array(50).fill("truncated");
      const r = await node.handler.call("eth_call", [cold(2), "latest"]);
      assert.ok("error" in r, JSON.stringify(r));
      assert.equal(r.error.code, -32000);
      assert.match(r.error.message, /upstream response broke off.*after \d+ attempts/);
      up.script = [];
      assert.deepEqual(await node.handler.call("eth_chainId", []), { result: "0x1" });
      assert.deepEqual(await node.handler.call("eth_call", [cold(2), "latest"]), { result: "0x" });
    } finally {
      await node.close();
      await up.close();
    }
  },
});

Deno.test({
  name: "fork mode: an upstream killed mid-request ends the request at once with a named error; the node goes on",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const repo = new URL("../../", import.meta.url).pathname;
    // The upstream in its own process, told through stdin how to answer.
    const script = `
      import { startFakeUpstream } from "./tests/fork/fake_upstream.ts";
      const up = startFakeUpstream();
      console.log(up.url);
      for await (const chunk of Deno.stdin.readable) up.script = Array(50).fill(new TextDecoder().decode(chunk).trim());
    `;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--ext=ts", script],
      cwd: repo,
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const reader = child.stdout.getReader();
    const url = new TextDecoder().decode((await reader.read()).value).trim();
    reader.releaseLock();
    const node = await createForkedNode({ fork: { url, storageCaching: false, timeoutMs: 20_000 }, log: () => {} });
    const stdin = child.stdin.getWriter();
    try {
      await stdin.write(new TextEncoder().encode("hang\n"));
      await new Promise((r) => setTimeout(r, 200));
      const t0 = performance.now();
      const pending = node.handler.call("eth_call", [cold(3), "latest"]);
      await new Promise((r) => setTimeout(r, 300));
      child.kill("SIGKILL");
      await child.status;
      const r = await pending;
      const took = performance.now() - t0;
      assert.ok("error" in r, JSON.stringify(r));
      assert.equal(r.error.code, -32000);
      assert.match(r.error.message, /upstream/);
      assert.match(r.error.message, /connection refused|broke off|closed|reset|unreachable/i);
      // Noticed when the connection dropped, not when the 20 s budget ran out.
      assert.ok(took < 10_000, `the request ended after ${took.toFixed(0)} ms`);
      assert.deepEqual(await node.handler.call("eth_chainId", []), { result: "0x1" });
      assert.deepEqual(await node.handler.call("eth_blockNumber", []), { result: "0x64" });
    } finally {
      await stdin.close().catch(() => {});
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
      await child.stdout.cancel().catch(() => {});
      await node.close();
    }
  },
});
