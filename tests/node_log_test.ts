// serve's log goes out in batches, in order: one write for the lines of a burst, the rest on flush.
import assert from "node:assert/strict";
import { BatchedLines } from "../src/cli/node_log.ts";

Deno.test("log lines: written in order, a batch per write, soon after the first and at once on flush", async () => {
  const writes: string[] = [];
  const out = new BatchedLines((t) => writes.push(t));
  out.write("eth_chainId");
  out.write("eth_call");
  assert.equal(writes.length, 0);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(writes, ["eth_chainId\neth_call"]);
  for (let i = 0; i < 1030; i++) out.write(`line ${i}`);
  assert.equal(writes.length, 2); // the first 1024 at once
  assert.equal(writes[1].split("\n").length, 1024);
  out.flush();
  assert.deepEqual(writes[2].split("\n"), ["line 1024", "line 1025", "line 1026", "line 1027", "line 1028", "line 1029"]);
  out.flush();
  assert.equal(writes.length, 3);
  await new Promise((r) => setTimeout(r, 30)); // the timer of the second batch finds nothing left
  assert.equal(writes.length, 3);
});
