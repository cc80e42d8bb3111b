/**
 * Named limits: trace size (steps, bytes, with an error naming the limit), megabytes of calldata parsed without
 * recursion, the module cache's size cap with least-recently-used eviction, and temporary files of cut-off writes
 * removed at start.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Interpreter } from "../backends/interpreter/interpreter.ts";
import { DiskCache } from "../backends/wasm/disk_cache.ts";
import { createNode } from "../src/node.ts";
import { removeStaleTemporaryFiles } from "../src/cache_dir.ts";
import { calldata, deployData, DEV0 } from "./rpc/helpers.ts";

/** Code that loops until its gas runs out: JUMPDEST, PUSH1 0, JUMP. */
const LOOP = "0x00000000000000000000000000000000000100f5";

async function probeNode(traceLimits?: { maxSteps?: number; maxBytes?: number }) {
  const node = createNode({ accounts: 1, backend: new Interpreter(), traceLimits });
  const hash = await node.request<string>({ method: "eth_sendTransaction", params: [{ from: DEV0, data: deployData("Probe") }] });
  const receipt = await node.request<{ contractAddress: string }>({ method: "eth_getTransactionReceipt", params: [hash] });
  await node.request({ method: "anvil_setCode", params: [LOOP, "0x5b600056"] });
  return { node, probe: receipt.contractAddress };
}

Deno.test("trace limits: steps and bytes end the trace with an error naming the limit; the node goes on", async () => {
  const { node, probe } = await probeNode({ maxSteps: 10_000, maxBytes: 2 * 1024 * 1024 });
  try {
    const burn = { from: DEV0, to: LOOP, gas: "0x1c9c380" }; // 30M gas
    const steps = await node.handler.call("debug_traceCall", [burn, "latest", {}]);
    assert.ok("error" in steps);
    assert.equal(steps.error.code, -32000);
    assert.match(steps.error.message, /trace too large: more than 10000 steps \(--trace-max-steps\)/);
    // Memory copies fill the bytes before the steps run out: the error says what filled them.
    const fill = { from: DEV0, to: probe, data: calldata("Probe", "fill", [300n]) };
    const bytes = await node.handler.call("debug_traceCall", [fill, "latest", { enableMemory: true }]);
    assert.ok("error" in bytes);
    assert.match(bytes.error.message, /more than 2097152 bytes \(--trace-max-bytes; .*memory [0-9.]+ MiB/);
    // A geth "limit" keeps the first steps: no error.
    const limited = await node.handler.call("debug_traceCall", [burn, "latest", { limit: 100 }]);
    assert.ok("result" in limited && (limited.result as { structLogs: unknown[] }).structLogs.length === 100);
    // The call tracer counts call inputs: 1.5 MiB of calldata (3 MiB of hex) is past 2 MiB.
    const big = { from: DEV0, to: probe, data: "0x" + "00".repeat(1536 * 1024), gas: "0x1c9c380" };
    const calls = await node.handler.call("debug_traceCall", [big, "latest", { tracer: "callTracer" }]);
    assert.ok("error" in calls);
    assert.match(calls.error.message, /more than 2097152 bytes \(--trace-max-bytes; calls/);
    assert.deepEqual(await node.handler.call("eth_chainId", []), { result: "0x7a69" });
  } finally {
    await node.close();
  }
});

Deno.test("trace limits by default: a 30M-gas loop's struct log ends with an error, not a crash", async () => {
  const { node, probe } = await probeNode();
  try {
    const burn = { from: DEV0, to: LOOP, gas: "0x1c9c380" };
    void probe;
    const t0 = performance.now();
    const r = await node.handler.call("debug_traceCall", [burn, "latest", {}]);
    assert.ok("error" in r, "expected an error");
    assert.match(r.error.message, /trace too large: more than 134217728 bytes/);
    assert.ok(performance.now() - t0 < 60_000);
  } finally {
    await node.close();
  }
});

Deno.test("10 MiB of calldata is parsed without recursion (no stack overflow) and answered", async () => {
  const node = createNode({ accounts: 1, backend: new Interpreter(), gasLimit: 1_000_000_000n });
  try {
    const data = "0x" + "00".repeat(10 * 1024 * 1024);
    const r = await node.handler.call("eth_call", [{ to: "0x00000000000000000000000000000000000000ff", data, gas: "0x3b9aca00" }, "latest"]);
    assert.deepEqual(r, { result: "0x" });
    const bad = await node.handler.call("eth_call", [{ to: DEV0, data: data.slice(0, -1) + "g" }, "latest"]);
    assert.ok("error" in bad && bad.error.code === -32602 && /transaction\.data/.test(bad.error.message));
    const long = await node.handler.call("eth_getBalance", [DEV0, "0x" + "f".repeat(1_000_000)]);
    assert.ok("error" in long && long.error.code === -32602);
  } finally {
    await node.close();
  }
});

Deno.test("module cache: past its size cap the modules used longest ago are removed", () => {
  const dir = mkdtempSync(join(tmpdir(), "evmwasm-module-cache-"));
  try {
    const cache = new DiskCache(dir, 0, 100_000);
    const key = (i: number) => new Uint8Array(32).fill(i + 1);
    const module = new Uint8Array(9_000).fill(7);
    for (let i = 0; i < 30; i++) {
      cache.put(key(i), module);
      // The first module is read all along: it stays.
      assert.ok(cache.get(key(0)), `module 0 evicted at ${i}`);
    }
    assert.ok(cache.size <= 100_000, `${cache.size} bytes`);
    const kept = readdirSync(dir).filter((f) => f.endsWith(".wasmc")).length;
    assert.ok(kept >= 8 && kept <= 11, `${kept} files`);
    assert.ok(cache.get(key(29)), "the newest is kept");
    assert.equal(cache.get(key(1)), undefined, "an old unread one is gone");
    // Another process (a second cache on the folder) sees the same cap.
    assert.ok(new DiskCache(dir, 0, 100_000).size <= 100_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("temporary files of writes cut off are removed at start; others' live writes and other files stay", () => {
  const dir = mkdtempSync(join(tmpdir(), "evmwasm-stale-"));
  try {
    const dead = 2 ** 22 + 12345; // above pid_max's default: no such process
    const files = {
      deadWriter: `abc.wasmc.${dead}.k3j4.tmp`,
      deadState: `.state.json.${dead}.tmp`,
      liveWriter: `abc.wasmc.${Deno.pid}.x1.tmp`,
      oldLive: `old.json.${Deno.pid}.y2.tmp`,
      module: "abc.wasmc",
      userFile: "notes.txt",
    };
    for (const f of Object.values(files)) writeFileSync(join(dir, f), "x");
    const twoHoursAgo = Date.now() / 1000 - 7200;
    utimesSync(join(dir, files.oldLive), twoHoursAgo, twoHoursAgo);
    assert.equal(removeStaleTemporaryFiles(dir), 3);
    for (const gone of [files.deadWriter, files.deadState, files.oldLive]) assert.ok(!existsSync(join(dir, gone)), gone);
    for (const kept of [files.liveWriter, files.module, files.userFile]) assert.ok(existsSync(join(dir, kept)), kept);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test({
  name: "trace limits apply in the execution workers too (a long debug_traceCall finishes there)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const node = createNode({
      accounts: 1,
      backend: new Interpreter(),
      backendSpec: { name: "interpreter" },
      executionSliceMs: 20,
      traceLimits: { maxSteps: 400_000 },
    });
    try {
      await node.request({ method: "anvil_setCode", params: [LOOP, "0x5b600056"] });
      const burn = { from: DEV0, to: LOOP, gas: "0x1c9c380" };
      // The node's thread passes its slice before 400,000 steps: a worker finishes the trace, under the same limit.
      for (let i = 0; i < 2; i++) {
        const r = await node.handler.call("debug_traceCall", [burn, "latest", { disableStack: true }]);
        assert.ok("error" in r, JSON.stringify(r).slice(0, 200));
        assert.match(r.error.message, /more than 400000 steps/);
      }
    } finally {
      await node.close();
    }
  },
});

Deno.test({
  name: "module cache: a process killed while it writes leaves whole modules only; its temporary file goes at the next start",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = mkdtempSync(join(tmpdir(), "evmwasm-killed-writer-"));
    const repo = new URL("../", import.meta.url).pathname;
    try {
      // A writer putting 1 MB modules in a loop, killed at random moments.
      const script = `
        import { DiskCache } from "./backends/wasm/disk_cache.ts";
        const cache = new DiskCache(${JSON.stringify(dir)}, 0, 1 << 30);
        const module = new Uint8Array(1 << 20).fill(5);
        console.log("ready");
        for (let i = 0; ; i++) cache.put(new Uint8Array(32).fill(i % 200), module);
      `;
      let cutOff = 0;
      for (let round = 0; round < 4; round++) {
        const child = new Deno.Command(Deno.execPath(), { args: ["eval", "--ext=ts", script], cwd: repo, stdout: "piped", stderr: "null" })
          .spawn();
        const reader = child.stdout.getReader();
        await reader.read(); // "ready"
        await new Promise((r) => setTimeout(r, 200 + Math.random() * 300));
        child.kill("SIGKILL");
        await child.status;
        reader.releaseLock();
        await child.stdout.cancel().catch(() => {});
        if (readdirSync(dir).some((f) => f.endsWith(".tmp"))) cutOff++;
      }
      // The next process on the folder: no temporary files left, and every module there reads back whole.
      const cache = new DiskCache(dir, 0, 1 << 30);
      const modules = readdirSync(dir).filter((f) => f.endsWith(".wasmc"));
      assert.ok(cache.size > 0 && modules.length > 0, "some write completed");
      assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith(".tmp")), []);
      for (const f of modules) {
        const body = cache.get(Uint8Array.from(f.slice(0, 64).match(/../g)!.map((h) => parseInt(h, 16))));
        assert.ok(body && body.length === 1 << 20 && body.every((b) => b === 5), `${f} damaged`);
      }
      console.log(`${cutOff} of 4 kills cut a write off; ${modules.length} modules whole`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});
