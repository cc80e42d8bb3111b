/**
 * The library path for simulations: the viem flow of viem_flow.ts through
 * EIP-1193 `request` on a node from mod.ts (no HTTP, no port), compared with
 * the same flow over HTTP on anvil; then a fork of anvil made in-process.
 */
import assert from "node:assert/strict";
import { custom, http } from "viem";
import { createForkedNode, createNode, type EvmwasmNode } from "../../mod.ts";
import { anvilAvailable, deployData, DEV0 } from "../rpc/helpers.ts";
import { assertSameObservations, clientTest, startAnvilTarget } from "./harness.ts";
import { VIEM_INTENDED_DIFFERENCES, viemFlow } from "./viem_flow.ts";

/**
 * viem's transport over a node's request(): errors keep their JSON-RPC code, message and data. No retries:
 * viem retries errors it does not know from a custom transport (a revert, code 3, among them).
 */
export const inProcess = (node: EvmwasmNode) =>
  custom({ request: ({ method, params }) => node.request({ method, params }) }, { retryCount: 0 });

clientTest(
  "in-process (mod.ts, no HTTP): the viem flow gives the same observations as anvil over HTTP",
  !anvilAvailable(),
  async (res) => {
    const node = res.add(createNode());
    const anvil = res.add(await startAnvilTarget());
    const a = await viemFlow(inProcess(node));
    const b = await viemFlow(http(anvil.url));
    assertSameObservations(a, b, VIEM_INTENDED_DIFFERENCES);
  },
);

clientTest(
  "in-process fork of anvil (createForkedNode): upstream contracts readable, local changes stay local",
  !anvilAvailable(),
  async (res) => {
    const anvil = res.add(await startAnvilTarget());
    const deployed = await anvil.rpc.send({ from: DEV0, data: deployData("Counter") });
    const counter = deployed.contractAddress as string;
    await anvil.rpc.send({ from: DEV0, to: counter, data: "0x371303c0" }); // inc()
    const node = res.add(
      await createForkedNode({ fork: { url: anvil.url, storageCaching: false, timeoutMs: 20_000 }, log: () => {} }),
    );
    const count = { to: counter, data: "0x06661abd" };
    assert.equal(BigInt(await node.call(count)), 1n);
    await node.sendTransaction({ from: DEV0, to: counter, data: "0x371303c0" });
    assert.equal(BigInt(await node.call(count)), 2n);
    assert.equal(BigInt(await anvil.rpc.call<string>("eth_call", [count, "latest"])), 1n);
    assert.equal(await node.getBlockNumber(), BigInt(await anvil.rpc.call<string>("eth_blockNumber")) + 1n);
  },
);
