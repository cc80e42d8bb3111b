/**
 * anvil_rollback and anvil_reorg on our node and on anvil 1.7.1, compared: the blocks left and mined, their
 * transactions (dev-signed ones have the same hashes when built alike), balances and nonces, the removed
 * transactions, the next base fee and timestamps relative to the common block, newHeads over WebSocket, and the
 * errors (code and message).
 */
import assert from "node:assert/strict";
import { type Hex, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { anvilAvailable, DEV0, DEV1, DEV_KEY, type RpcResponse } from "../rpc/helpers.ts";
import { clientTest, startAnvilTarget, startOurs, type Target } from "./harness.ts";

const DEAD = "0x000000000000000000000000000000000000dead";
const BEEF = "0x000000000000000000000000000000000000beef";
// totalDifficulty: anvil's blocks have it, the execution-apis block (ours) has not (docs/serve.md: differences from anvil).
const VOLATILE = new Set([
  "timestamp",
  "hash",
  "parentHash",
  "blockHash",
  "mixHash",
  "stateRoot",
  "size",
  "receiptsRoot",
  "blockTimestamp",
  "totalDifficulty",
]);

function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).filter(([k]) => !VOLATILE.has(k)).map(([k, x]) => [k, strip(x)]));
  }
  return v;
}

type Outcome = { result: unknown } | { error: number; message: string };
const outcome = (r: RpcResponse): Outcome => (r.error ? { error: r.error.code, message: r.error.message } : { result: r.result });

async function flow(t: Target): Promise<Record<string, unknown>> {
  const rpc = t.rpc;
  const o: Record<string, unknown> = {};
  const ask = async (label: string, method: string, params: unknown[] = []) => {
    const r = await rpc.raw(method, params);
    o[label] = strip(outcome(r));
    return r.result;
  };
  const block = (n: string | number) => rpc.call<Record<string, unknown>>("eth_getBlockByNumber", [typeof n === "number" ? "0x" + n.toString(16) : n, false]);

  // Newheads over WebSocket: every block, the reorg's included.
  const heads: number[] = [];
  const ws = new WebSocket(t.url.replace(/^http/, "ws"));
  await new Promise((resolve) => ws.onopen = resolve);
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (m.method === "eth_subscription") heads.push(Number(m.params.result.number));
  };
  ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] }));
  await new Promise((r) => setTimeout(r, 100));

  // Blocks 1..6: transfers, a cheat after block 3.
  const sent: string[] = [];
  for (let i = 1; i <= 3; i++) sent.push((await rpc.send({ from: DEV0, to: DEAD, value: "0x" + (i * 1000).toString(16) })).transactionHash as string);
  await rpc.call("anvil_setBalance", [BEEF, "0x1234"]);
  for (let i = 4; i <= 6; i++) sent.push((await rpc.send({ from: DEV1, to: DEAD, value: "0x" + (i * 1000).toString(16) })).transactionHash as string);
  const t3 = Number((await block(3)).timestamp);
  const snap = await rpc.call("evm_snapshot");

  // ---- rollback ----
  await ask("rollback too deep", "anvil_rollback", [7]);
  await ask("rollback 2", "anvil_rollback", [2]);
  await ask("block number after rollback 2", "eth_blockNumber");
  await ask("latest after rollback 2", "eth_getBlockByNumber", ["latest", false]);
  await ask("block 5 after rollback", "eth_getBlockByNumber", ["0x5", false]);
  await ask("removed tx after rollback", "eth_getTransactionByHash", [sent[4]]);
  await ask("removed receipt after rollback", "eth_getTransactionReceipt", [sent[5]]);
  await ask("kept tx after rollback", "eth_getTransactionByHash", [sent[3]]);
  await ask("DEV1 nonce after rollback", "eth_getTransactionCount", [DEV1, "latest"]);
  await ask("DEAD balance after rollback", "eth_getBalance", [DEAD, "latest"]);
  await ask("BEEF balance after rollback", "eth_getBalance", [BEEF, "latest"]);
  await ask("pending base fee after rollback", "eth_getBlockByNumber", ["pending", false]).then((b) => (o["pending base fee after rollback"] = (b as Record<string, unknown>).baseFeePerGas));
  await ask("default rollback", "anvil_rollback", []);
  await ask("rollback null", "anvil_rollback", [null]);
  await ask("block number after 2 more rollbacks", "eth_blockNumber");
  await ask("BEEF balance at block 3 (set after block 3 was mined)", "eth_getBalance", [BEEF, "latest"]);
  await rpc.call("evm_mine");
  const b3 = await block("latest");
  o["mined after rollback: number, base fee"] = [b3.number, b3.baseFeePerGas];
  o["mined after rollback: timestamp after block 2's"] = Number(b3.timestamp) - t3 <= 2;

  // ---- reorg ----
  const raw = await privateKeyToAccount(DEV_KEY as Hex).signTransaction({
    chainId: 31337,
    type: "eip1559",
    nonce: 3,
    to: BEEF,
    value: 77n,
    gas: 21000n,
    maxFeePerGas: 10_000_000_000n,
    maxPriorityFeePerGas: 1_000_000_000n,
  });
  await ask("reorg too deep", "anvil_reorg", [9, []]);
  await ask("reorg tx beyond depth", "anvil_reorg", [2, [[{ from: DEV0, to: DEAD, value: "0x1" }, 2]]]);
  await ask("reorg 2 with txs", "anvil_reorg", [2, [
    [{ from: DEV1, to: BEEF, value: "0x5", gas: "0x5208" }, 1],
    [{ from: DEV1, to: DEAD, value: "0x6", gas: "0x5208" }, 0],
    [raw, 1],
    [{ from: DEV1, to: DEAD, value: "0x7" }, 1],
  ]]);
  await ask("block number after reorg", "eth_blockNumber");
  for (const n of [2, 3]) await ask(`reorg block ${n}`, "eth_getBlockByNumber", ["0x" + n.toString(16), true]);
  await ask("DEV1 nonce after reorg", "eth_getTransactionCount", [DEV1, "latest"]);
  await ask("BEEF balance after reorg", "eth_getBalance", [BEEF, "latest"]);
  await ask("reorg with an object (anvil reads positions only)", "anvil_reorg", [{ depth: 1, tx_block_pairs: [[{ from: DEV0, to: DEAD, value: "0x" + parseEther("0.001").toString(16) }, 0]] }]);
  await ask("latest after object reorg", "eth_getBlockByNumber", ["latest", true]);
  await ask("empty reorg", "anvil_reorg", [3, []]);
  await ask("blocks after empty reorg", "eth_getBlockByNumber", ["latest", false]);
  await ask("DEAD balance after empty reorg", "eth_getBalance", [DEAD, "latest"]);
  // anvil answers -32001 "Resource not found" and yet puts the snapshot's blocks back (see INTENDED).
  await ask("evm_revert to a snapshot taken before the rollbacks", "evm_revert", [snap]);
  await new Promise((r) => setTimeout(r, 300));
  ws.close();
  o["newHeads numbers"] = heads;
  return o;
}

/** Observations that differ on purpose, and why. */
const INTENDED: Record<string, string> = {
  "evm_revert to a snapshot taken before the rollbacks":
    "a rollback forgets the snapshots taken after its common block (false here); anvil errors -32001 after partly restoring it",
};

clientTest("reorg: anvil_rollback and anvil_reorg answer as anvil 1.7.1's", !anvilAvailable(), async (res) => {
  const ours = res.add(await startOurs());
  const anvil = res.add(await startAnvilTarget());
  const [a, b] = [await flow(ours), await flow(anvil)];
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort());
  const differing = Object.keys(a).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
  const unexpected = differing.filter((k) => !(k in INTENDED));
  for (const k of unexpected) console.error(`differs: ${k}\n  ours:  ${JSON.stringify(a[k])}\n  anvil: ${JSON.stringify(b[k])}`);
  assert.deepEqual(unexpected, []);
  for (const k of differing) console.log(`intended difference: ${k}: ${INTENDED[k]}`);
});
