/**
 * Fork mode, cold and warm eth_call: our node vs anvil, both forking the same
 * upstream (anvil) through a counting proxy that adds latency per request.
 * The call touches 24 storage slots over 3 contracts.
 *
 *   npx -y deno run -A --v8-flags=--stack-size=4000 bench/fork_cold_call.ts [--latency MS] [--slots N]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createForkedNode } from "../src/node.ts";
import { hexAddress } from "../src/primitives/hex.ts";
import { RpcClient, startAnvil } from "../tests/rpc/helpers.ts";
import { startCountingProxy, summingCode } from "../tests/fork/counting_proxy.ts";

const args = Deno.args;
const flag = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const LATENCY = flag("latency", 50);
const SLOTS = flag("slots", 8);
const CONTRACTS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const upstream = await startAnvil();
const addrs = Array.from({ length: CONTRACTS }, (_, i) => 0xfeed0000n + BigInt(i));
for (const [i, a] of addrs.entries()) {
  await upstream.rpc.call("anvil_setCode", [hexAddress(a), summingCode(SLOTS, addrs[i + 1])]);
  for (let s = 0; s < SLOTS; s++) {
    await upstream.rpc.call("anvil_setStorageAt", [hexAddress(a), "0x" + s.toString(16), "0x" + (BigInt(s + 1) * a).toString(16).padStart(64, "0")]);
  }
}
await upstream.rpc.call("evm_mine", []);
const call = [{ to: hexAddress(addrs[0]), data: "0x" }, "latest"];
const expected = await upstream.rpc.call<string>("eth_call", call);

interface Row {
  engine: string;
  coldMs: number;
  coldHttpRequests: number;
  coldRpcCalls: number;
  warmMedianMs: number;
  warmHttpRequests: number;
}

async function measure(engine: string, rpc: RpcClient, proxy: ReturnType<typeof startCountingProxy>): Promise<Row> {
  proxy.reset();
  const t0 = performance.now();
  const got = await rpc.call<string>("eth_call", call);
  const coldMs = performance.now() - t0;
  if (got !== expected) throw new Error(`${engine}: eth_call returned ${got}, upstream ${expected}`);
  const cold = { http: proxy.httpRequests, rpc: proxy.rpcCalls };
  proxy.reset();
  const warm: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await rpc.call("eth_call", call);
    warm.push(performance.now() - t);
  }
  return { engine, coldMs, coldHttpRequests: cold.http, coldRpcCalls: cold.rpc, warmMedianMs: median(warm), warmHttpRequests: proxy.httpRequests };
}

const rows: Row[] = [];
{
  const proxy = startCountingProxy(upstream.url, LATENCY);
  const node = await createForkedNode({ fork: { url: proxy.url, storageCaching: false, timeoutMs: 30_000 }, log: () => {} });
  const server = await node.listen({ hostname: "127.0.0.1", port: 0 });
  rows.push(await measure("evmwasm", new RpcClient(server.url), proxy));
  await node.close();
  await proxy.close();
}
{
  const proxy = startCountingProxy(upstream.url, LATENCY);
  const forked = await startAnvil(["--fork-url", proxy.url, "--no-storage-caching"]);
  rows.push(await measure("anvil", forked.rpc, proxy));
  await forked.close();
  await proxy.close();
}
await upstream.close();

const ours = rows[0], anvil = rows[1];
console.log(`\nFork mode, cold eth_call touching ${SLOTS * CONTRACTS} slots over ${CONTRACTS} contracts; upstream latency ${LATENCY} ms per request\n`);
console.log("| engine | cold ms | cold upstream HTTP requests (round trips) | cold JSON-RPC calls | warm median ms | warm upstream requests |");
console.log("|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(`| ${r.engine} | ${r.coldMs.toFixed(1)} | ${r.coldHttpRequests} | ${r.coldRpcCalls} | ${r.warmMedianMs.toFixed(2)} | ${r.warmHttpRequests} |`);
}
console.log(`\ncold call: evmwasm ${(anvil.coldMs / ours.coldMs).toFixed(1)}x faster than anvil`);
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(new URL("./results/fork_cold_call.json", import.meta.url), JSON.stringify({
  date: new Date().toISOString(), runtime: `deno ${Deno.version.deno}`, latencyMs: LATENCY, slots: SLOTS * CONTRACTS, contracts: CONTRACTS, rows,
  coldSpeedup: anvil.coldMs / ours.coldMs,
}, null, 1) + "\n");
