/**
 * Saved state in anvil's layout: a state dumped by anvil 1.7.1 loads here and answers the same, a state dumped
 * here loads in anvil and answers the same (anvil_dumpState/anvil_loadState and the --state/--dump-state/
 * --load-state files), corrupt files are refused with a clear error, and saves are atomic.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { gzipSync } from "node:zlib";
import { createNode } from "../../src/node.ts";
import { loadStateFile, saveStateFile, StateSaver } from "../../src/chain/state_file.ts";
import { StateFileError } from "../../src/chain/state_dump.ts";
import { anvilAvailable, calldata, deployData, DEV0, DEV1, type RpcClient, startAnvil, startNode } from "./helpers.ts";

const STRANGER = "0x000000000000000000000000000000000000beef";
const DEAD = "0x000000000000000000000000000000000000dead";

/** Transactions of every kind the dump must carry: creation with logs, legacy, impersonated, reverted; cheats. */
async function scenario(rpc: RpcClient): Promise<{ contracts: string[]; txs: string[] }> {
  const counter = await rpc.deploy("Counter");
  const probe = await rpc.deploy("Probe");
  const txs: string[] = [];
  const send = async (tx: Record<string, unknown>) => txs.push((await rpc.send(tx)).transactionHash as string);
  await send({ from: DEV0, to: counter, data: calldata("Counter", "inc") });
  await send({ from: DEV0, to: counter, data: calldata("Counter", "setCount", [7n]), gasPrice: "0x77359400" });
  await send({ from: DEV1, to: DEAD, value: "0x10", accessList: [{ address: DEAD, storageKeys: ["0x" + "00".repeat(31) + "01"] }] });
  await send({ from: DEV0, to: probe, data: calldata("Probe", "fill", [3n]) });
  await rpc.call("anvil_impersonateAccount", [STRANGER]);
  await rpc.call("anvil_setBalance", [STRANGER, "0xde0b6b3a7640000"]);
  await send({ from: STRANGER, to: DEAD, value: "0x5" });
  await send({ from: DEV0, to: probe, data: calldata("Probe", "revertWithReason"), gas: "0x30000" });
  await rpc.call("anvil_setStorageAt", [counter, "0x5", "0x" + "07".repeat(32)]);
  await rpc.call("anvil_setCode", [DEAD, "0x6001"]);
  await rpc.call("anvil_setNonce", [DEAD, "0x9"]);
  return { contracts: [counter, probe], txs };
}

/** Everything a client reads that the state must reproduce. */
async function observe(rpc: RpcClient, accounts: string[], txs: string[]) {
  const head = BigInt(await rpc.call<string>("eth_blockNumber"));
  const blocks = [];
  for (let n = 0n; n <= head; n++) {
    const b = await rpc.call<Record<string, unknown>>("eth_getBlockByNumber", ["0x" + n.toString(16), true]);
    // Known differences of the block format, not of saved state (README, differences from anvil): anvil's size
    // leaves out the empty withdrawals list, anvil adds totalDifficulty, and we write blockTimestamp in transactions.
    delete b.size;
    delete b.totalDifficulty;
    for (const t of b.transactions as Record<string, unknown>[]) delete t.blockTimestamp;
    blocks.push(b);
  }
  const state = [];
  for (const a of accounts) {
    state.push([
      a,
      await rpc.call("eth_getBalance", [a, "latest"]),
      await rpc.call("eth_getTransactionCount", [a, "latest"]),
      await rpc.call("eth_getCode", [a, "latest"]),
      ...(await Promise.all([0, 1, 2, 5].map((s) => rpc.call("eth_getStorageAt", [a, "0x" + s.toString(16), "latest"])))),
    ]);
  }
  const receipts = [];
  for (const h of txs) {
    const r = await rpc.call<Record<string, unknown>>("eth_getTransactionReceipt", [h]);
    delete r.blockTimestamp;
    // The execution-apis receipt has blobGasPrice only for blob transactions; anvil's has it on every one.
    if (r.type !== "0x3") delete r.blobGasPrice;
    for (const l of r.logs as Record<string, unknown>[]) delete l.blockTimestamp;
    receipts.push(r);
  }
  const tx = [];
  for (const h of txs) {
    const t = await rpc.call<Record<string, unknown>>("eth_getTransactionByHash", [h]);
    delete t.blockTimestamp;
    tx.push(t);
  }
  return { head, blocks, state, receipts, tx };
}

/** What the next block looks like on top of the loaded state (base fee, number, parent, gas). */
async function nextBlock(rpc: RpcClient) {
  const r = await rpc.send({ from: DEV0, to: DEAD, value: "0x1" });
  const b = await rpc.call<Record<string, string>>("eth_getBlockByNumber", ["latest", false]);
  return { status: r.status, gasUsed: r.gasUsed, number: b.number, parentHash: b.parentHash, baseFee: b.baseFeePerGas };
}

/** The state text with block 2's parent hash changed. */
function relinked(text: string): string {
  const state = JSON.parse(text);
  const block = state.blocks.find((b: { header: { number: string } }) => b.header.number === "0x2");
  block.header.parentHash = "0x" + "11".repeat(32);
  return JSON.stringify(state);
}

const ACCOUNTS = [DEV0, DEV1, STRANGER, DEAD, "0x4e59b44847b379578588920ca78fbf26c0b4956c"];

Deno.test({
  name: "saved state: anvil's dump loads here and answers the same; ours loads in anvil and answers the same",
  ignore: !anvilAvailable(),
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const anvil = await startAnvil();
    const ours = await startNode();
    const anvil2 = await startAnvil();
    const ours2 = await startNode();
    try {
      // anvil -> ours
      const a = await scenario(anvil.rpc);
      const dump = await anvil.rpc.call<string>("anvil_dumpState");
      assert.equal(await ours2.rpc.call("anvil_loadState", [dump]), true);
      const accounts = [...ACCOUNTS, ...a.contracts];
      assert.deepEqual(await observe(ours2.rpc, accounts, a.txs), await observe(anvil.rpc, accounts, a.txs));
      assert.deepEqual(await nextBlock(ours2.rpc), await nextBlock(anvil.rpc));

      // ours -> anvil
      const o = await scenario(ours.rpc);
      const ourDump = await ours.rpc.call<string>("anvil_dumpState");
      assert.equal(await anvil2.rpc.call("anvil_loadState", [ourDump]), true);
      const ourAccounts = [...ACCOUNTS, ...o.contracts];
      assert.deepEqual(await observe(anvil2.rpc, ourAccounts, o.txs), await observe(ours.rpc, ourAccounts, o.txs));
      assert.deepEqual(await nextBlock(anvil2.rpc), await nextBlock(ours.rpc));
    } finally {
      await Promise.all([anvil.close(), ours.close(), anvil2.close(), ours2.close()]);
    }
  },
});

Deno.test({
  name: "state files: anvil --dump-state loads with --load-state here; ours loads in anvil --load-state",
  ignore: !anvilAvailable(),
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = mkdtempSync(join(tmpdir(), "evmwasm-state-"));
    try {
      const anvilFile = join(dir, "anvil.json");
      const anvil = await startAnvil(["--dump-state", anvilFile]);
      let a;
      let expected;
      try {
        a = await scenario(anvil.rpc);
        expected = await observe(anvil.rpc, [...ACCOUNTS, ...a.contracts], a.txs);
      } finally {
        await anvil.close(); // SIGTERM: anvil writes the file on its way out
      }
      assert.ok(existsSync(anvilFile), "anvil wrote its state file");
      const ours = await startNode();
      try {
        loadStateFile(ours.node.chain, anvilFile);
        assert.deepEqual(await observe(ours.rpc, [...ACCOUNTS, ...a.contracts], a.txs), expected);
        const o = await scenario(ours.rpc);
        const ourFile = join(dir, "folder");
        Deno.mkdirSync(ourFile);
        saveStateFile(ours.node.chain, ourFile); // a folder means folder/state.json, as anvil has it
        assert.ok(existsSync(join(ourFile, "state.json")));
        const reloaded = await startAnvil(["--load-state", ourFile]);
        try {
          const accounts = [...ACCOUNTS, ...a.contracts, ...o.contracts];
          const txs = [...a.txs, ...o.txs];
          assert.deepEqual(await observe(reloaded.rpc, accounts, txs), await observe(ours.rpc, accounts, txs));
        } finally {
          await reloaded.close();
        }
      } finally {
        await ours.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});

Deno.test("state files: corrupt, foreign and truncated files are refused with an error naming the file and the problem", () => {
  const dir = mkdtempSync(join(tmpdir(), "evmwasm-state-"));
  const node = createNode({ accounts: 1 });
  try {
    const good = join(dir, "good.json");
    node.chain.mine(2n);
    saveStateFile(node.chain, good);
    const text = readFileSync(good, "utf8");
    const cases: [string, string | Uint8Array, RegExp][] = [
      ["truncated.json", text.slice(0, text.length / 2), /truncated\.json: not JSON/],
      ["foreign.json", JSON.stringify({ alloc: {}, config: { chainId: 1 } }), /foreign\.json: state\.accounts: expected an object/],
      ["garbage.gz", new Uint8Array([0x1f, 0x8b, 1, 2, 3]), /garbage\.gz: not gzip'ed JSON/],
      ["badvalue.json", text.replace(/"balance":"0x[0-9a-f]+"/, '"balance":"oops"'), /badvalue\.json: state\.accounts\.0x[0-9a-f]{40}\.balance: expected a number or a hex quantity, got "oops"/],
      ["badlink.json", relinked(text), /badlink\.json: blocks: block 2's parent hash is not block 1's hash/],
      ["missing.json", "", /cannot read .*missing\.json/],
    ];
    for (const [name, content, pattern] of cases) {
      if (name !== "missing.json") writeFileSync(join(dir, name), content);
      const before = node.chain.blockNumber;
      assert.throws(() => loadStateFile(node.chain, join(dir, name)), (e: unknown) => {
        assert.ok(e instanceof StateFileError, String(e));
        assert.match((e as Error).message, pattern);
        return true;
      });
      assert.equal(node.chain.blockNumber, before, "a refused file changes nothing");
    }
    // gzip'ed JSON is read too (what anvil_dumpState gives, decoded from hex).
    writeFileSync(join(dir, "state.json.gz"), gzipSync(text));
    loadStateFile(node.chain, join(dir, "state.json.gz"));
  } finally {
    node.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test({
  name: "anvil_loadState: bad input is -32602 \"Failed to decode state dump\"; a dump round-trips in one node",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const n = await startNode({ accounts: 2 });
    try {
      for (const bad of ["0x1234", "0x" + Buffer.from('{"accounts":5}').toString("hex")]) {
        const r = await n.rpc.raw("anvil_loadState", [bad]);
        assert.equal(r.error?.code, -32602);
        assert.match(r.error!.message, /^Failed to decode state dump/);
      }
      assert.equal((await n.rpc.raw("anvil_loadState", ["zz"])).error?.code, -32602);
      await n.rpc.send({ from: DEV0, data: deployData("Counter") });
      const dump = await n.rpc.call<string>("anvil_dumpState");
      const before = await n.rpc.call("eth_getBlockByNumber", ["latest", true]);
      await n.rpc.call("anvil_reset");
      assert.equal(await n.rpc.call("eth_blockNumber"), "0x0");
      await n.rpc.call("anvil_loadState", [dump]);
      assert.deepEqual(await n.rpc.call("eth_getBlockByNumber", ["latest", true]), before);
      // The states before the head are not in a dump (as on anvil without --preserve-historical-states).
      const past = await n.rpc.raw("eth_getBalance", [DEV0, "0x0"]);
      assert.ok(past.error, JSON.stringify(past));
    } finally {
      await n.close();
    }
  },
});

Deno.test({
  name: "state saver: periodic saves are atomic (a kill mid-save leaves a complete file) and stop() saves once more",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = mkdtempSync(join(tmpdir(), "evmwasm-state-"));
    try {
      const file = join(dir, "state.json");
      const repo = new URL("../../", import.meta.url).pathname;
      // A child that fills a large state and saves it in a loop; it is killed at random moments.
      const script = `
        import { createNode } from "./src/node.ts";
        import { saveStateFile } from "./src/chain/state_file.ts";
        const node = createNode({ accounts: 1 });
        for (let i = 0n; i < 3000n; i++) node.chain.setStorageAt(0xabcn, i, i + 1n);
        console.log("ready");
        for (;;) saveStateFile(node.chain, ${JSON.stringify(file)});
      `;
      for (let round = 0; round < 4; round++) {
        const child = new Deno.Command(Deno.execPath(), {
          args: ["eval", "--ext=ts", script],
          cwd: repo,
          stdout: "piped",
          stderr: "null",
        }).spawn();
        const reader = child.stdout.getReader();
        await reader.read(); // "ready"
        await new Promise((r) => setTimeout(r, 150 + Math.random() * 400));
        child.kill("SIGKILL");
        await child.status;
        reader.releaseLock();
        await child.stdout.cancel().catch(() => {});
        if (!existsSync(file)) continue;
        const node = createNode({ accounts: 1 });
        loadStateFile(node.chain, file); // throws on a partial file
        assert.equal(node.chain.head.getStorage(0xabcn, 2999n), 3000n);
        node.close();
      }
      assert.ok(existsSync(file), "some save completed");
      const node = createNode({ accounts: 1 });
      const saver = new StateSaver(() => node.chain, join(dir, "final.json"), 0);
      node.chain.setBalance(0x1234n, 77n);
      assert.equal(saver.stop(), true);
      const again = createNode({ accounts: 1 });
      loadStateFile(again.chain, join(dir, "final.json"));
      assert.equal(again.chain.head.getBalance(0x1234n), 77n);
      node.close();
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});
