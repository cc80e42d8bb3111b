/**
 * WebSocket on the node's port: viem's webSocket transport (watchBlocks, watchContractEvent,
 * watchPendingTransactions, plain requests) sees the same on our node as on anvil 1.7.1; eth_subscribe's
 * kinds, parameters and errors answer as anvil's; subscriptions end with their socket.
 */
import assert from "node:assert/strict";
import { createPublicClient, createWalletClient, type Hex, webSocket } from "viem";
import { foundry } from "viem/chains";
import { anvilAvailable, artifacts, DEV0, DEV1, startNode } from "../rpc/helpers.ts";
import { clientTest, startAnvilTarget, startOurs } from "./harness.ts";

const wsUrl = (httpUrl: string) => httpUrl.replace(/^http/, "ws");
const counterAbi = artifacts.Counter.abi;

/** Drives a node through viem over WebSocket only, and returns what the watchers saw. */
async function flow(url: string) {
  const transport = webSocket(wsUrl(url), { retryCount: 0 });
  const client = createPublicClient({ chain: foundry, transport, pollingInterval: 50 });
  const wallet = createWalletClient({ chain: foundry, transport, account: DEV0 });
  const blocks: { number: bigint; transactions: readonly unknown[]; gasUsed: bigint }[] = [];
  const events: { args: unknown; logIndex: number | null; blockNumber: bigint | null; transactionHash: Hex | null }[] = [];
  const pending: Hex[] = [];
  try {
    const deploy = await wallet.deployContract({ abi: counterAbi, bytecode: artifacts.Counter.bytecode });
    const counter = (await client.waitForTransactionReceipt({ hash: deploy })).contractAddress!;
    const stops = [
      client.watchBlocks({ onBlock: (b) => void blocks.push(b), poll: false }),
      client.watchContractEvent({
        address: counter,
        abi: counterAbi,
        eventName: "Incremented",
        onLogs: (logs) => {
          for (const l of logs) {
            events.push({ args: (l as unknown as { args: unknown }).args, logIndex: l.logIndex, blockNumber: l.blockNumber, transactionHash: l.transactionHash });
          }
        },
        poll: false,
      }),
      client.watchPendingTransactions({ onTransactions: (hashes) => void pending.push(...hashes), poll: false }),
    ];
    await new Promise((r) => setTimeout(r, 200)); // the subscriptions are in place
    const sent: Hex[] = [];
    for (let i = 0; i < 3; i++) {
      sent.push(await wallet.writeContract({ address: counter, abi: counterAbi, functionName: "inc" }));
      await client.waitForTransactionReceipt({ hash: sent[sent.length - 1] });
    }
    sent.push(await wallet.sendTransaction({ to: DEV1, value: 5n }));
    await client.waitForTransactionReceipt({ hash: sent[3] });
    const deadline = Date.now() + 10_000;
    while ((blocks.length < 4 || events.length < 3 || pending.length < 4) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const stop of stops) stop();
    return {
      chainId: await client.getChainId(),
      count: await client.readContract({ address: counter, abi: counterAbi, functionName: "count" }),
      blocks: blocks.map((b) => ({ number: b.number, transactions: b.transactions, gasUsed: b.gasUsed })),
      events,
      pending,
      sent,
    };
  } finally {
    await transport({}).value?.getRpcClient().then((c) => c.close()).catch(() => {});
  }
}

clientTest("viem over WebSocket: watchBlocks, watchContractEvent, watchPendingTransactions as on anvil", !anvilAvailable(), async (res) => {
  const ours = res.add(await startOurs());
  const anvil = res.add(await startAnvilTarget());
  const [a, b] = [await flow(ours.url), await flow(anvil.url)];
  assert.equal(a.blocks.length, 4, JSON.stringify(a.blocks, (_, v) => typeof v === "bigint" ? String(v) : v));
  assert.equal(a.events.length, 3);
  assert.deepEqual(a.pending, a.sent);
  assert.deepEqual(a, b);
});

/** A raw WebSocket client: requests by id, notifications by subscription. */
class Socket {
  private nextId = 1;
  private waiting = new Map<number, (m: Record<string, unknown>) => void>();
  readonly notifications: { subscription: string; result: unknown }[] = [];
  private constructor(private ws: WebSocket) {
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.method === "eth_subscription") this.notifications.push(m.params);
      else if (Array.isArray(m)) this.waiting.get(m[0].id)?.(m as unknown as Record<string, unknown>);
      else this.waiting.get(m.id)?.(m);
    };
  }
  static async open(httpUrl: string): Promise<Socket> {
    const ws = new WebSocket(wsUrl(httpUrl));
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    return new Socket(ws);
  }
  request(method: string, params: unknown[] = []): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    });
  }
  raw(text: string, id: number): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.ws.send(text);
    });
  }
  async close(): Promise<void> {
    const closed = new Promise((r) => (this.ws.onclose = r));
    this.ws.close();
    await closed;
  }
}

/** The shape of an answer: result type or error code, without values that differ by node (ids, hashes). */
function shape(r: Record<string, unknown>): unknown {
  if (r.error) return { error: (r.error as { code: number }).code };
  const v = r.result;
  return { result: typeof v === "string" ? (v.startsWith("0x") ? `0x… (${v.length})` : v) : v };
}

const keysOf = (v: unknown) => Object.keys(v as object).sort();

clientTest("eth_subscribe over WebSocket: kinds, parameters, errors and notification shapes as anvil's", !anvilAvailable(), async (res) => {
  const seen: unknown[] = [];
  for (const target of [res.add(await startOurs()), res.add(await startAnvilTarget())]) {
    const s = await Socket.open(target.url);
    const answers: unknown[] = [];
    const subscribe = async (params: unknown[]) => {
      const r = await s.request("eth_subscribe", params);
      answers.push(shape(r));
      return r.result as string;
    };
    const heads = await subscribe(["newHeads"]);
    const logs = await subscribe(["logs", { topics: [] }]);
    const hashes = await subscribe(["newPendingTransactions"]);
    const full = await subscribe(["newPendingTransactions", true]);
    await subscribe(["logs", { address: "0x0000000000000000000000000000000000000001" }]);
    await subscribe(["bogus"]);
    await subscribe([]);
    await subscribe(["logs", true]);
    await subscribe(["newPendingTransactions", 5]);
    answers.push(shape(await s.request("eth_unsubscribe", ["0x1234"])));
    answers.push(shape(await s.request("eth_chainId")));
    answers.push(await s.raw(JSON.stringify([{ jsonrpc: "2.0", id: 77, method: "eth_blockNumber", params: [] }]), 77));
    const deploy = await s.request("eth_sendTransaction", [{ from: DEV0, data: artifacts.Counter.bytecode }]);
    const receipt = async (hash: unknown) => {
      // anvil may answer a send before its block is stored
      for (let i = 0; i < 200; i++) {
        const r = await s.request("eth_getTransactionReceipt", [hash]);
        if (r.result) return r.result as { contractAddress: string };
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no receipt for ${hash}`);
    };
    const counter = (await receipt(deploy.result)).contractAddress;
    await receipt((await s.request("eth_sendTransaction", [{ from: DEV0, to: counter, data: "0x371303c0" }])).result);
    const deadline = Date.now() + 5000;
    while (s.notifications.length < 7 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const of = (id: string) => s.notifications.filter((n) => n.subscription === id).map((n) => n.result);
    const observed = {
      answers,
      // anvil's headers add totalDifficulty, which the execution-apis block has not (docs/serve.md: differences from anvil)
      heads: of(heads).map((h) => keysOf(h).filter((k) => k !== "totalDifficulty")),
      headNumbers: of(heads).map((h) => (h as { number: string }).number),
      logs: of(logs).map((l) => ({ ...(l as Record<string, unknown>), blockHash: 0, blockTimestamp: 0 })),
      hashes: of(hashes),
      // anvil reads the transaction when it sends the notification: under automine it is sometimes mined by then
      // (with a block, and the effective gas price in place of the pending one).
      full: of(full).map((t) => {
        const { blockHash: _h, blockNumber: _n, transactionIndex: _i, blockTimestamp: _t, gasPrice: _p, ...rest } =
          t as Record<string, unknown>;
        return rest;
      }),
      unsubscribed: shape(await s.request("eth_unsubscribe", [heads])),
      again: shape(await s.request("eth_unsubscribe", [heads])),
    };
    await s.close();
    seen.push(observed);
  }
  assert.deepEqual(seen[0], seen[1]);
});

Deno.test({
  name: "subscriptions end with their socket; an upgrade without a handler stays plain HTTP",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const n = await startNode();
    try {
      const s = await Socket.open(n.url);
      await s.request("eth_subscribe", ["newHeads"]);
      await s.request("eth_subscribe", ["logs", {}]);
      assert.equal(n.node.chainListenerCount, 1);
      await s.close();
      const deadline = Date.now() + 2000;
      while (n.node.chainListenerCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(n.node.chainListenerCount, 0);
      // eth_subscribe over HTTP: no connection to notify on.
      const r = await n.rpc.raw("eth_subscribe", ["newHeads"]);
      assert.equal(r.error?.code, -32601);
    } finally {
      await n.close();
    }
  },
});
