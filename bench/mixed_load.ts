/**
 * Mixed load from many clients: our node as `deno task start` runs it and anvil 1.7.1, one after the other in
 * one run, each a server process on loopback. Every client keeps one connection and sends, back to back, a mix
 * of eth_call (a counter read and a 20-slot storage loop), eth_getBalance, eth_blockNumber, eth_chainId,
 * eth_getTransactionReceipt and eth_sendTransaction (a value transfer or a counter increment, automined).
 * Reported per node: requests a second in the first and last tenth of the run, errors (with the first few), the
 * latency median and p99, and the server's resident memory after the warm-up and at the end.
 *
 *   npx -y deno run -A bench/mixed_load.ts [--seconds 60] [--clients 32] [--nodes evmwasm,anvil] [--out FILE]
 *     (node names: evmwasm = `deno task start`, deno = `deno task start:deno`, anvil)
 *     [--node-args "..."]  (flags for our node, e.g. "--prune-history --transaction-block-keeper 64")
 *
 * Writes bench/results/mixed_load.json (or --out). `runMixedLoad` is the CI battery's short load run too.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { calldata, deployData, DEV0 } from "../tests/rpc/helpers.ts";
import { hexAddress } from "../src/primitives/hex.ts";
import { HttpConnection } from "./http_client.ts";
import { buildStartExecutable, START_EXECUTABLE } from "../scripts/start/executable.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const ANVIL_BIN = `${ROOT}node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil`;
const DEV_ACCOUNTS = [
  "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
  "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
  "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc",
  "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
  "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65",
  "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc",
  "0x976ea74026e726554db657fa54763abd0c3a0aa9",
  "0x14dc79964da2c08b23698b3d3cc7ca32193d9955",
  "0x23618e81e3f5cdf7f54c3d65f7fbc0abf5b21e8f",
  "0xa0ee7a142d267c1f36714e4a8f75612f20a79720",
];

export interface LoadReport {
  seconds: number;
  clients: number;
  requests: number;
  errors: number;
  firstErrors: string[];
  /** Requests answered in each second of the run. */
  perSecond: number[];
  /** Mean requests a second over the first and the last tenth of the run (at least one second each). */
  firstRate: number;
  lastRate: number;
  medianMs: number;
  p99Ms: number;
  /** By kind of request. */
  counts: Record<string, number>;
  /** Resident memory of the server (MB), sampled each second, if its pid is known. */
  rssMb: number[];
}

interface Contracts {
  counter: string;
  probe: string;
}

/** Deploys the contracts the mix calls; waits for their receipts. */
export async function deployContracts(url: string): Promise<Contracts> {
  const c = new HttpConnection(url);
  const rpc = async (method: string, params: unknown[]) => {
    const r = JSON.parse(await c.post(JSON.stringify({ jsonrpc: "2.0", id: 1, method, params })));
    if (r.error) throw new Error(`${method}: ${r.error.message}`);
    return r.result;
  };
  const deploy = async (name: "Counter" | "Probe") => {
    const hash = await rpc("eth_sendTransaction", [{ from: DEV0, data: deployData(name) }]);
    for (let i = 0; i < 200; i++) {
      const receipt = await rpc("eth_getTransactionReceipt", [hash]);
      if (receipt) return receipt.contractAddress as string;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no receipt for ${name}`);
  };
  const contracts = { counter: await deploy("Counter"), probe: await deploy("Probe") };
  await rpc("eth_sendTransaction", [{ from: DEV0, to: contracts.probe, data: calldata("Probe", "fill", [20n]) }]);
  c.close();
  return contracts;
}

/** The mix: [weight, kind, request maker]. */
function mix(c: Contracts, client: number, lastHash: () => string | undefined) {
  const from = DEV_ACCOUNTS[client % DEV_ACCOUNTS.length];
  const to = hexAddress(0xc11e0000n + BigInt(client));
  return [
    [25, "eth_call counter", () => ["eth_call", [{ to: c.counter, data: calldata("Counter", "count") }, "latest"]]],
    [20, "eth_call 20 slots", () => ["eth_call", [{ to: c.probe, data: calldata("Probe", "sum", [20n]) }, "latest"]]],
    [15, "eth_getBalance", () => ["eth_getBalance", [from, "latest"]]],
    [10, "eth_blockNumber", () => ["eth_blockNumber", []]],
    [5, "eth_chainId", () => ["eth_chainId", []]],
    [5, "eth_getTransactionReceipt", () => ["eth_getTransactionReceipt", [lastHash() ?? "0x" + "00".repeat(32)]]],
    [12, "send transfer", () => ["eth_sendTransaction", [{ from, to, value: "0x1" }]]],
    [8, "send counter inc", () => ["eth_sendTransaction", [{ from, to: c.counter, data: calldata("Counter", "inc") }]]],
  ] as [number, string, () => [string, unknown[]]][];
}

/** Runs the mix from `clients` connections for `seconds`; `rss` samples the server's memory. */
export async function runMixedLoad(
  url: string,
  options: { seconds: number; clients: number; rss?: () => number; contracts?: Contracts },
): Promise<LoadReport> {
  const contracts = options.contracts ?? await deployContracts(url);
  const seconds = options.seconds;
  const start = performance.now();
  const end = start + seconds * 1000;
  const perSecond = new Array(Math.ceil(seconds)).fill(0);
  const latencies: number[] = [];
  const counts: Record<string, number> = {};
  const firstErrors: string[] = [];
  const rssMb: number[] = [];
  let errors = 0, requests = 0;
  const sampler = options.rss ? setInterval(() => rssMb.push(Math.round(options.rss!())), 1000) : undefined;
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  const client = async (i: number) => {
    const conn = new HttpConnection(url);
    let hash: string | undefined;
    const kinds = mix(contracts, i, () => hash);
    const total = kinds.reduce((n, k) => n + k[0], 0);
    let id = 1;
    try {
      while (performance.now() < end) {
        let pick = rand() % total;
        const [, kind, make] = kinds.find(([w]) => (pick -= w) < 0)!;
        const [method, params] = make();
        const t = performance.now();
        let failure: string | undefined;
        try {
          const r = JSON.parse(await conn.post(JSON.stringify({ jsonrpc: "2.0", id: id++, method, params })));
          if (r.error) failure = `${kind}: ${r.error.code} ${r.error.message}`;
          else if (method === "eth_sendTransaction") hash = r.result;
        } catch (e) {
          failure = `${kind}: ${(e as Error).message}`;
        }
        const done = performance.now();
        requests++;
        counts[kind] = (counts[kind] ?? 0) + 1;
        latencies.push(done - t);
        const second = Math.floor((done - start) / 1000);
        if (second < perSecond.length) perSecond[second]++;
        if (failure) {
          errors++;
          if (firstErrors.length < 5) firstErrors.push(failure);
        }
      }
    } finally {
      conn.close();
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, i) => client(i)));
  if (sampler !== undefined) clearInterval(sampler);
  latencies.sort((a, b) => a - b);
  const tenth = Math.max(1, Math.floor(perSecond.length / 10));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    seconds,
    clients: options.clients,
    requests,
    errors,
    firstErrors,
    perSecond,
    firstRate: Math.round(mean(perSecond.slice(0, tenth))),
    lastRate: Math.round(mean(perSecond.slice(perSecond.length - tenth))),
    medianMs: Number(latencies[Math.floor(latencies.length / 2)].toFixed(2)),
    p99Ms: Number(latencies[Math.floor(latencies.length * 0.99)].toFixed(2)),
    counts,
    rssMb,
  };
}

// ---------------------------------------------------------------- servers (the program)

export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

export interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function waitReady(url: string): Promise<void> {
  const c = new HttpConnection(url);
  for (let i = 0; i < 600; i++) {
    try {
      await c.post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }));
      c.close();
      return;
    } catch {
      c.close();
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not answer`);
}

/**
 * Our node as `deno task start` runs it: the executable it builds from the sources (scripts/start/executable.sh),
 * built first if the sources are newer, then started directly (so that `pid` is the node's), with `extra`
 * flags.
 */
export async function startExecutable(extra: string[] = []): Promise<Server> {
  await buildStartExecutable();
  const port = freePort();
  return spawnServer(START_EXECUTABLE, ["serve", "--port", String(port), "--silent", ...extra], port);
}

/**
 * Our node on Deno as `deno task start:deno` runs it (its flags read from deno.json), with `extra` flags for the
 * node and `denoFlags` for Deno (after `run`, e.g. --inspect).
 */
export function startOurs(extra: string[] = [], denoFlags: string[] = []): Promise<Server> {
  const task = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`)).tasks["start:deno"] as string;
  const args = task.replace(/^deno install && /, "").split(/\s+/).slice(1).map((a) => (a === "cli.ts" ? `${ROOT}cli.ts` : a));
  args.splice(1, 0, ...denoFlags);
  const port = freePort();
  return spawnServer(Deno.execPath(), [...args, "--port", String(port), "--silent", ...extra], port);
}

export function startAnvil(): Promise<Server> {
  chmodSync(ANVIL_BIN, 0o755);
  const port = freePort();
  return spawnServer(ANVIL_BIN, ["--host", "127.0.0.1", "--port", String(port), "--silent"], port);
}

/** Starts a node that listens on `port` and waits until it answers. */
async function spawnServer(command: string, args: string[], port: number): Promise<Server> {
  const child = new Deno.Command(command, { args, cwd: ROOT, stdout: "null", stderr: "inherit" }).spawn();
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url);
  return { url, pid: child.pid, stop: async () => (child.kill("SIGTERM"), void await child.status) };
}

if (import.meta.main) {
  const args = Deno.args;
  const opt = (name: string, dflt: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const seconds = Number(opt("seconds", "60"));
  const clients = Number(opt("clients", "32"));
  const nodes = opt("nodes", "evmwasm,anvil").split(",");
  const nodeArgs = opt("node-args", "").split(" ").filter((a) => a);
  const out = opt("out", `${ROOT}bench/results/mixed_load.json`);
  const results: Record<string, LoadReport> = {};
  for (const name of nodes) {
    const server = name === "anvil"
      ? await startAnvil()
      : name === "deno"
      ? await startOurs(nodeArgs)
      : await startExecutable(nodeArgs);
    try {
      console.error(`${name}: ${clients} clients for ${seconds} s ...`);
      results[name] = await runMixedLoad(server.url, { seconds, clients, rss: () => rssOf(server.pid) });
    } finally {
      await server.stop();
    }
  }
  console.log(`\n### Mixed load: ${clients} clients, ${seconds} s\n`);
  console.log("| node | requests | errors | req/s first 10% | req/s last 10% | last/first | median ms | p99 ms | RSS MB after 10% / max / end |");
  console.log("|---|--:|--:|--:|--:|--:|--:|--:|--:|");
  for (const [name, r] of Object.entries(results)) {
    const warm = r.rssMb[Math.max(0, Math.floor(r.rssMb.length / 10) - 1)];
    const rss = r.rssMb.length ? `${warm} / ${Math.max(...r.rssMb)} / ${r.rssMb[r.rssMb.length - 1]}` : "-";
    console.log(
      `| ${name} | ${r.requests} | ${r.errors} | ${r.firstRate} | ${r.lastRate} | ${(r.lastRate / r.firstRate).toFixed(2)} | ` +
        `${r.medianMs} | ${r.p99Ms} | ${rss} |`,
    );
    for (const e of r.firstErrors) console.log(`  ${name} error: ${e}`);
  }
  mkdirSync(new URL("./results/", import.meta.url).pathname, { recursive: true });
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), seconds, clients, results }, null, 2) + "\n");
  console.error(`written ${out}`);
}
