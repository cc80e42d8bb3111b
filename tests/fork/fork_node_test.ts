/**
 * Fork mode against a real upstream: anvil (npm) holds deployed contracts;
 * our node forks it and must answer like the upstream itself, with cold calls
 * bounded by a few upstream round trips and warm calls making none.
 */
import assert from "node:assert/strict";
import { createForkedNode } from "../../src/node.ts";
import { anvilAvailable, calldata, DEV0, DEV1, RpcClient, startAnvil, type RpcResponse } from "../rpc/helpers.ts";
import { startCountingProxy, summingCode } from "./counting_proxy.ts";

const hexAddr = (n: bigint) => "0x" + n.toString(16).padStart(40, "0");
const outcome = (r: RpcResponse) =>
  r.error ? { error: { code: r.error.code, message: r.error.message, data: r.error.data } } : { result: r.result };

async function seedChain(upstream: RpcClient): Promise<bigint[]> {
  // Three contracts, 8 slots each, calling one another: a cold call touches 24 slots over 3 contracts.
  const addrs = [0xc0ffee01n, 0xc0ffee02n, 0xc0ffee03n];
  for (const [i, a] of addrs.entries()) {
    await upstream.call("anvil_setCode", [hexAddr(a), summingCode(8, addrs[i + 1])]);
    for (let s = 0; s < 8; s++) {
      await upstream.call("anvil_setStorageAt", [hexAddr(a), "0x" + s.toString(16), "0x" + (BigInt(s + 1) * a).toString(16).padStart(64, "0")]);
    }
  }
  await upstream.call("evm_mine", []);
  return addrs;
}

Deno.test({
  name: "fork mode: answers like the upstream, cold call in <= 3 round trips, warm call in none",
  ignore: !anvilAvailable(),
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const anvil = await startAnvil();
    const proxy = startCountingProxy(anvil.url);
    let node;
    try {
      const upstream = anvil.rpc;
      const probeReceipt = await upstream.send({ from: DEV0, data: (await import("../rpc/helpers.ts")).deployData("Probe") });
      const probe = probeReceipt.contractAddress as string;
      const counter = await upstream.deploy("Counter");
      await upstream.send({ from: DEV0, to: probe, data: calldata("Probe", "fill", [25n]) });
      const addrs = await seedChain(upstream);

      node = await createForkedNode({ fork: { url: proxy.url, storageCaching: false, timeoutMs: 10_000 }, log: () => {} });
      const server = await node.listen({ hostname: "127.0.0.1", port: 0 });
      const ours = new RpcClient(server.url);

      // ---- the cold call: 24 slots over 3 contracts ----
      proxy.reset();
      const before = await ours.call<Record<string, number>>("evmwasm_upstreamStats");
      const call = { to: hexAddr(addrs[0]), data: "0x" };
      const [a, b] = await Promise.all([ours.raw("eth_call", [call, "latest"]), upstream.raw("eth_call", [call, "latest"])]);
      assert.deepEqual(outcome(a), outcome(b));
      const after = await ours.call<Record<string, number>>("evmwasm_upstreamStats");
      assert.ok(after.roundTrips - before.roundTrips <= 3, `cold call took ${after.roundTrips - before.roundTrips} round trips`);
      assert.ok(proxy.httpRequests <= 3, `cold call took ${proxy.httpRequests} HTTP requests`);

      // ---- warm: no upstream traffic at all ----
      proxy.reset();
      assert.deepEqual(outcome(await ours.raw("eth_call", [call, "latest"])), outcome(b));
      assert.equal(proxy.httpRequests, 0, "warm call made upstream requests");

      // ---- the same answers as the upstream ----
      const probeCall = (fn: string, args: unknown[] = [], extra: Record<string, unknown> = {}) => ({ from: DEV0, to: probe, data: calldata("Probe", fn, args), ...extra });
      const calls: [string, Record<string, unknown>][] = [
        ["count", { to: counter, data: calldata("Counter", "count") }],
        ["revert with reason (require)", { from: DEV1, to: counter, data: calldata("Counter", "setCount", [1n]) }],
        ["revert with reason", probeCall("revertWithReason")],
        ["custom error", probeCall("revertCustom")],
        ["panic overflow", probeCall("panicOverflow", [1n])],
        ["out of gas", probeCall("burn", [], { gas: "0x30000" })],
        ["precompiles via contract", probeCall("hashes", ["0x616263"])],
        ["modexp via contract", probeCall("modexp", [3n, 200n, 1000007n])],
        ["nested call", probeCall("nested", [5n])],
        ["nested revert", probeCall("nestedRevert")],
        ["CREATE2", probeCall("deploy", ["0x" + "02".repeat(32)])],
        ["storage loop over 25 slots", probeCall("sum", [25n])],
        ["sha256 precompile", { to: "0x0000000000000000000000000000000000000002", data: "0x616263" }],
        ["plain transfer", { from: DEV0, to: DEV1, value: "0x1" }],
      ];
      for (const [name, c] of calls) {
        const [x, y] = await Promise.all([ours.raw("eth_call", [c, "latest"]), upstream.raw("eth_call", [c, "latest"])]);
        assert.deepEqual(outcome(x), outcome(y), `eth_call: ${name}`);
      }
      for (const [name, c] of calls.slice(0, 4).concat(calls.slice(8, 12))) {
        const [x, y] = await Promise.all([ours.raw("eth_estimateGas", [c, "latest"]), upstream.raw("eth_estimateGas", [c, "latest"])]);
        assert.deepEqual(outcome(x), outcome(y), `eth_estimateGas: ${name}`);
      }
      const reads: [string, unknown[]][] = [
        ["eth_getBalance", [DEV1, "latest"]],
        ["eth_getBalance", [probe, "latest"]],
        ["eth_getCode", [probe, "latest"]],
        ["eth_getCode", [hexAddr(addrs[1]), "latest"]],
        ["eth_getStorageAt", [probe, "0x0", "latest"]],
        ["eth_getStorageAt", [hexAddr(addrs[2]), "0x7", "latest"]],
        ["eth_getTransactionCount", [DEV0, "latest"]],
        ["eth_getTransactionCount", [probe, "latest"]],
        ["eth_getBlockByNumber", ["latest", false]],
        ["eth_getBlockByNumber", ["0x1", false]],
        ["eth_getBalance", [DEV0, "0x1"]],
        ["eth_createAccessList", [probeCall("sum", [3n]), "latest"]],
        ["eth_getProof", [probe, ["0x" + "00".repeat(32), "0x" + "00".repeat(31) + "01"], "latest"]],
        ["eth_getProof", [probe, ["0x1"], "latest"]],
      ];
      for (const [method, params] of reads) {
        const [x, y] = await Promise.all([ours.raw(method, params), upstream.raw(method, params)]);
        assert.deepEqual(outcome(x), outcome(y), `${method} ${JSON.stringify(params)}`);
      }

      // ---- a transaction on the fork changes the fork only ----
      const receipt = await ours.send({ from: DEV1, to: counter, data: calldata("Counter", "inc") });
      assert.equal(receipt.status, "0x1");
      const countOurs = await ours.call("eth_call", [{ to: counter, data: calldata("Counter", "count") }, "latest"]);
      const countUp = await upstream.call("eth_call", [{ to: counter, data: calldata("Counter", "count") }, "latest"]);
      assert.equal(BigInt(countOurs as string), BigInt(countUp as string) + 1n);
    } finally {
      await node?.close();
      await proxy.close();
      await anvil.close();
    }
  },
});
