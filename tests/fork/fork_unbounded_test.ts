/**
 * Fork mode without a ceiling on state not fetched yet: a call into a contract already cached that reads 500
 * slots never fetched answers as the upstream (anvil) does, in one round of misses; estimateGas and a
 * transaction likewise. anvil_reset into fork mode uses the node's --cache-dir.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createForkedNode, createNode } from "../../src/node.ts";
import { anvilAvailable, DEV0, RpcClient, startAnvil } from "../rpc/helpers.ts";
import { startCountingProxy } from "./counting_proxy.ts";

/** Runtime code: sums SLOAD(from .. to-1), from and to the first two calldata words; returns the sum. */
const SUM_RANGE = "0x" + [
  "6000", // acc = 0
  "600035", // i = calldata[0]
  "5b", // 0x05 loop:
  "602035", // to
  "81", // dup i
  "10", // i < to
  "15", // !(i < to)
  "601b", // end
  "57", // jumpi
  "80", "54", // sload(i)
  "82", "01", // + acc
  "91", "50", // acc = that
  "600101", // i + 1
  "6005", "56", // jump loop
  "5b", // 0x1b end:
  "50", // pop i
  "60005260206000f3", // return acc
].join("");

const word = (n: number | bigint) => BigInt(n).toString(16).padStart(64, "0");
const CONTRACT = "0x00000000000000000000000000000000005ca1ab";
const SLOTS = 1600;

Deno.test({
  name: "fork mode: 500 slots never fetched in one call answer as the upstream, in one round of misses",
  ignore: !anvilAvailable(),
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const anvil = await startAnvil();
    const proxy = startCountingProxy(anvil.url);
    let node;
    try {
      const upstream = anvil.rpc;
      await upstream.call("anvil_setCode", [CONTRACT, SUM_RANGE]);
      for (let i = 0; i < SLOTS; i += 200) {
        const batch = [];
        for (let s = i; s < i + 200; s++) {
          batch.push({ jsonrpc: "2.0", id: s, method: "anvil_setStorageAt", params: [CONTRACT, "0x" + s.toString(16), "0x" + word(s * 7 + 1)] });
        }
        await upstream.post(JSON.stringify(batch));
      }
      await upstream.call("evm_mine", []);
      node = await createForkedNode({ fork: { url: proxy.url, storageCaching: false, timeoutMs: 10_000 }, log: () => {} });
      const server = await node.listen({ hostname: "127.0.0.1", port: 0 });
      const ours = new RpcClient(server.url);
      const range = (from: number, to: number) => ({ to: CONTRACT, data: "0x" + word(from) + word(to) });

      // The contract is cached with 10 of its slots...
      assert.equal(await ours.call("eth_call", [range(0, 10), "latest"]), await upstream.call("eth_call", [range(0, 10), "latest"]));
      // ...then one call reads 500 more: no access-list hint (its account is cached), every miss found in one run.
      const stats = () => ours.call<Record<string, number>>("evmwasm_upstreamStats");
      const before = await stats();
      const call = range(10, 510);
      assert.equal(await ours.call("eth_call", [call, "latest"]), await upstream.call("eth_call", [call, "latest"]));
      const after = await stats();
      assert.equal(after.roundTrips - before.roundTrips, 1, "500 new slots: one round trip");
      assert.equal(after.keysFetched - before.keysFetched, 500);

      // eth_estimateGas over 500 more, then a transaction over 500 more still.
      const est = range(510, 1010);
      assert.equal(await ours.call("eth_estimateGas", [est, "latest"]), await upstream.call("eth_estimateGas", [est, "latest"]));
      const tx = { from: DEV0, ...range(1010, 1510) };
      const receipt = await ours.send(tx);
      assert.equal(receipt.status, "0x1");
      assert.equal(
        receipt.gasUsed,
        await upstream.call("eth_estimateGas", [tx, "latest"]),
        "gas used on the fork equals the upstream's estimate for the same call",
      );
    } finally {
      await node?.close();
      await proxy.close();
      await anvil.close();
    }
  },
});

Deno.test({
  name: "fork mode: anvil_reset into a fork writes its state cache under the node's --cache-dir",
  ignore: !anvilAvailable(),
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const anvil = await startAnvil();
    const dir = mkdtempSync(join(tmpdir(), "evmwasm-reset-cache-"));
    const node = createNode({ forkSettings: { cacheDir: dir, storageCaching: true, timeoutMs: 10_000 }, log: () => {} });
    try {
      await anvil.rpc.call("anvil_setCode", [CONTRACT, SUM_RANGE]);
      await anvil.rpc.call("evm_mine", []);
      await node.request({ method: "anvil_reset", params: [{ forking: { jsonRpcUrl: anvil.url } }] });
      await node.request({ method: "eth_call", params: [{ to: CONTRACT, data: "0x" + word(0) + word(3) }, "latest"] });
      await node.close();
      assert.ok(existsSync(dir) && readdirSync(dir, { recursive: true }).length > 0, "no cache file under --cache-dir");
    } finally {
      await node.close();
      await anvil.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
});
