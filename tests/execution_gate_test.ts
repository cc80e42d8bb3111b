/** The execution gate sends a long read-only call to a worker while other requests wait, and only then. */
import assert from "node:assert/strict";
import { ExecutionGate, type ExecutionPool, OFFLOAD_WHEN_BUSY_MS } from "../src/exec/execution_pool.ts";

function stubPool(): { pool: ExecutionPool; jobs: string[] } {
  const jobs: string[] = [];
  const pool = {
    isSlow: () => false,
    markSlow: () => {},
    hasRoom: () => true,
    run: (method: string) => {
      jobs.push(method);
      return Promise.resolve("from a worker");
    },
  } as unknown as ExecutionPool;
  return { pool, jobs };
}

/** A call that holds the thread for `ms`. */
function busy(ms: number): () => string {
  return () => {
    const end = performance.now() + ms;
    while (performance.now() < end) { /* computing */ }
    return "on the node's thread";
  };
}

const params = [{ to: "0x00000000000000000000000000000000000000aa", input: "0x12345678" }, "latest"];

Deno.test("execution gate: a long eth_call goes to a worker while other requests wait", async () => {
  const { pool, jobs } = stubPool();
  const load = { inFlight: 2 };
  const gate = new ExecutionGate(pool, 60_000, 100, load);
  // The first run is on the node's thread: its time makes the call known as long.
  assert.equal(await gate.run("eth_call", params, busy(OFFLOAD_WHEN_BUSY_MS + 1)), "on the node's thread");
  const answers: unknown[] = [];
  for (let i = 0; i < 10; i++) answers.push(await gate.run("eth_call", params, busy(OFFLOAD_WHEN_BUSY_MS + 1)));
  assert.ok(jobs.length >= 2, `${jobs.length} of 10 calls went to a worker`);
  assert.ok(answers.includes("from a worker"));
  // A short call stays on the node's thread.
  const other = [{ to: "0x00000000000000000000000000000000000000bb", input: "0x" }, "latest"];
  const before = jobs.length;
  for (let i = 0; i < 10; i++) assert.equal(await gate.run("eth_call", other, () => "quick"), "quick");
  assert.equal(jobs.length, before);
});

Deno.test("execution gate: with one request at a time, long calls stay on the node's thread", async () => {
  const { pool, jobs } = stubPool();
  const gate = new ExecutionGate(pool, 60_000, 100, { inFlight: 1 });
  for (let i = 0; i < 12; i++) {
    assert.equal(await gate.run("eth_call", params, busy(OFFLOAD_WHEN_BUSY_MS + 1)), "on the node's thread");
  }
  assert.equal(jobs.length, 0);
});
