import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ForkStateSource, runWithFork } from "../../src/fork/fork_source.ts";
import { UpstreamClient } from "../../src/fork/upstream.ts";
import { cacheFilePath } from "../../src/fork/disk_cache.ts";
import { WorldState } from "../../src/state/world.ts";
import { runCall } from "../../src/evm/run_call.ts";
import { Interpreter } from "../../backends/interpreter/interpreter.ts";
import { bytesToBigInt } from "../../src/primitives/hex.ts";
import { startFakeUpstream, type FakeUpstream } from "./fake_upstream.ts";

const backend = new Interpreter();
const hex = (n: bigint) => "0x" + n.toString(16).padStart(40, "0");
const C1 = 0xc1n, C2 = 0xc2n, C3 = 0xc3n;

/** Code that sums SLOAD(0..n-1), adds the word returned by a STATICCALL to `next` (if any), and returns the sum. */
function summingCode(n: number, next?: bigint): string {
  let code = "6000"; // PUSH1 0 (accumulator)
  for (let i = 0; i < n; i++) code += `60${i.toString(16).padStart(2, "0")}5401`; // PUSH1 i SLOAD ADD
  if (next !== undefined) {
    // STATICCALL(gas, next, 0, 0, 0, 32) then MLOAD(0) ADD
    code += "6020600060006000" + "73" + next.toString(16).padStart(40, "0") + "5afa50" + "60005101";
  }
  return "0x" + code + "60005260206000f3";
}

function seed(up: FakeUpstream) {
  const contracts: [bigint, string][] = [[C1, summingCode(8, C2)], [C2, summingCode(8, C3)], [C3, summingCode(8)]];
  for (const [addr, code] of contracts) {
    up.state.code.set(hex(addr), code);
    for (let i = 0; i < 8; i++) up.state.storage.set(`${hex(addr)}:0x${i.toString(16)}`, BigInt(i + 1) * addr);
  }
  const expected = contracts.reduce((s, [addr]) => s + 36n * addr, 0n);
  up.accessList = () =>
    contracts.map(([addr]) => ({ address: hex(addr), storageKeys: Array.from({ length: 8 }, (_, i) => "0x" + i.toString(16).padStart(64, "0")) }));
  return expected;
}

async function forkedCall(source: ForkStateSource, world: WorldState) {
  return await runWithFork(
    source,
    () => runCall({ backend, world, to: C1, caller: 0x1000n, gas: 10_000_000n }),
    (missed) => {
      world.revertTo(0);
      world.finishTransaction();
      for (const k of missed) if (k.kind !== "blockHash") world.forgetRead(k.address, k.kind === "storage" ? k.slot : undefined);
    },
  );
}

Deno.test("a cold call over 3 contracts and 24 slots takes 2 round trips with an access list; warm takes none", async () => {
  const up = startFakeUpstream();
  try {
    const expected = seed(up);
    const source = new ForkStateSource(new UpstreamClient(up.url), { chainId: 1n, blockNumber: 100n, cacheDir: null });
    const world = new WorldState(source);
    await source.prefetchForCall({ to: hex(C1) }, [{ kind: "account", address: 0x1000n }]);
    const r = await forkedCall(source, world);
    assert.ok(r.success, r.error);
    assert.equal(bytesToBigInt(r.output), expected);
    assert.equal(source.stats.roundTrips, 2);
    assert.equal(up.httpRequests, 2);

    const before = up.httpRequests;
    const r2 = await forkedCall(source, new WorldState(source));
    assert.equal(bytesToBigInt(r2.output), expected);
    assert.equal(up.httpRequests, before, "a warm call makes no upstream request");
  } finally {
    await up.close();
  }
});

Deno.test("without an access list the call discovers its keys by misses and still gets the right answer", async () => {
  const up = startFakeUpstream();
  try {
    const expected = seed(up);
    up.accessList = undefined;
    const source = new ForkStateSource(new UpstreamClient(up.url), { chainId: 1n, blockNumber: 100n, cacheDir: null });
    const world = new WorldState(source);
    await source.prefetchForCall({ to: hex(C1) });
    const r = await forkedCall(source, world);
    assert.equal(bytesToBigInt(r.output), expected);
    assert.ok(source.stats.roundTrips > 3);
  } finally {
    await up.close();
  }
});

Deno.test("the disk cache survives a restart; a corrupted file is discarded, reported, and refetched", async () => {
  const up = startFakeUpstream();
  const dir = mkdtempSync(join(tmpdir(), "evmwasm-fork-"));
  try {
    const expected = seed(up);
    const opts = { chainId: 1n, blockNumber: 100n, cacheDir: dir };
    const s1 = new ForkStateSource(new UpstreamClient(up.url), opts);
    await s1.prefetchForCall({ to: hex(C1) }, [{ kind: "account", address: 0x1000n }]);
    await forkedCall(s1, new WorldState(s1));
    s1.save();
    assert.deepEqual(readdirSync(join(dir, "fork-state", "chain-1")), ["block-100.json"]);

    const before = up.httpRequests;
    const s2 = new ForkStateSource(new UpstreamClient(up.url), opts);
    const r = await forkedCall(s2, new WorldState(s2));
    assert.equal(bytesToBigInt(r.output), expected);
    assert.equal(up.httpRequests, before, "restart served from disk");

    const file = cacheFilePath(dir, 1n, 100n);
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.replace(/"payload":"\{/, '"payload":"{ '));
    const logs: string[] = [];
    const s3 = new ForkStateSource(new UpstreamClient(up.url), { ...opts, log: (l) => logs.push(l) });
    assert.match(logs.join("\n"), /checksum mismatch \(corrupted\); discarded/);
    const r3 = await forkedCall(s3, new WorldState(s3));
    assert.equal(bytesToBigInt(r3.output), expected);

    writeFileSync(file, "\u0000garbage");
    const logs4: string[] = [];
    new ForkStateSource(new UpstreamClient(up.url), { ...opts, log: (l) => logs4.push(l) });
    assert.match(logs4.join("\n"), /not valid JSON/);
  } finally {
    await up.close();
  }
});

Deno.test("an upstream failure during a fork read surfaces as an error, not a hang", async () => {
  const up = startFakeUpstream();
  try {
    seed(up);
    up.script = Array(20).fill("500");
    const source = new ForkStateSource(new UpstreamClient(up.url, { retries: 2, backoffMs: 1 }), { chainId: 1n, blockNumber: 100n, cacheDir: null });
    await assert.rejects(forkedCall(source, new WorldState(source)), /HTTP 500.*after 3 attempts/);
  } finally {
    await up.close();
  }
});

Deno.test("an account that is empty upstream still has its storage read from the upstream", async () => {
  const up = startFakeUpstream();
  try {
    const E = 0xe0n;
    up.state.storage.set(`${hex(E)}:0x5`, 99n);
    const source = new ForkStateSource(new UpstreamClient(up.url), { chainId: 1n, blockNumber: 100n, cacheDir: null });
    const world = new WorldState(source);
    const v = await runWithFork(source, () => world.getStorage(E, 5n), (missed) => {
      for (const k of missed) if (k.kind !== "blockHash") world.forgetRead(k.address, k.kind === "storage" ? k.slot : undefined);
    });
    assert.equal(v, 99n);
  } finally {
    await up.close();
  }
});

Deno.test("the disk cache keeps blocks of the same number but different hashes apart", () => {
  const a = cacheFilePath("/c", 31337n, 5n, "0xaaaa0000000000000000");
  const b = cacheFilePath("/c", 31337n, 5n, "0xbbbb0000000000000000");
  assert.notEqual(a, b);
});
