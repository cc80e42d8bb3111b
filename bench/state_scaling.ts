/**
 * Cost per block against the size of the state: our node and anvil 1.7.1,
 * each a server process on loopback, measured in the same run.
 *
 * - scaling: value-transfer latency (eth_sendTransaction, automine) with 10, 20,000 and 100,000 funded accounts,
 *   and the server's CPU time per transfer
 * - sequence: a long run of transfers to one recipient: rate and resident memory per tenth
 * - fresh: transfers to a new recipient each: rate and resident memory every 2,000
 *
 * Our node runs as `deno task start:deno` runs it (on Deno), with the inspector on (loopback) so that its live
 * heap after a full collection is read beside the resident size (`--no-heap`: without).
 *
 *   npx -y deno run -A bench/state_scaling.ts [--phases scaling,sequence,fresh] [--sizes 10,20000,100000]
 *     [--samples 100] [--sequence 100000] [--fresh 20000] [--node-args "..."] [--no-anvil] [--no-heap]
 *
 * Prints a markdown table per phase and writes bench/results/state_scaling.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { DEV0 } from "../tests/rpc/helpers.ts";
import { hexAddress } from "../src/primitives/hex.ts";
import { HttpConnection } from "./http_client.ts";
import { freePort, rssOf, startAnvil, startOurs } from "./mixed_load.ts";
import { HeapProbe } from "./heap_probe.ts";

const args = Deno.args;
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const PHASES = opt("phases", "scaling,sequence,fresh").split(",");
const SIZES = opt("sizes", "10,20000,100000").split(",").map(Number);
const SAMPLES = Number(opt("samples", "100"));
const SEQUENCE = Number(opt("sequence", "100000"));
const FRESH = Number(opt("fresh", "20000"));
const NODE_ARGS = opt("node-args", "").split(" ").filter((a) => a);
const WITH_ANVIL = !args.includes("--no-anvil");
const WITH_HEAP = !args.includes("--no-heap");

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

interface Server {
  name: string;
  conn: HttpConnection;
  /** Resident memory of the server process, MB. */
  rssMb(): number;
  /** CPU time the server process has used (all its threads), ms: less sensitive than latency to load from elsewhere. */
  cpuMs(): number;
  /** Live V8 heap after a full collection, MB (our node only). */
  heapMb?(): Promise<number>;
  close(): Promise<void>;
}

/** Our node as `deno task start:deno` runs it (plus --node-args), or anvil 1.7.1; one keep-alive connection each. */
async function start(name: "evmwasm" | "anvil"): Promise<Server> {
  const inspect = name === "evmwasm" && WITH_HEAP ? `127.0.0.1:${freePort()}` : undefined;
  const server = name === "anvil" ? await startAnvil() : await startOurs(NODE_ARGS, inspect ? [`--inspect=${inspect}`] : []);
  const conn = new HttpConnection(server.url);
  const probe = inspect ? await HeapProbe.connect(inspect) : undefined;
  return {
    name,
    conn,
    rssMb: () => rssOf(server.pid),
    cpuMs: () => cpuOf(server.pid),
    heapMb: probe && (async () => (await probe.heapAfterGc()).usedMb),
    close: async () => (probe?.close(), conn.close(), await server.stop()),
  };
}

/** utime + stime of a process, ms (clock ticks of 10 ms). */
function cpuOf(pid: number): number {
  const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).replace(/^.*\) /, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

let nextId = 1;
async function rpc(s: Server, body: unknown): Promise<string> {
  const text = await s.conn.post(JSON.stringify(body));
  if (text.includes('"error"')) throw new Error(`${s.name}: ${text.slice(0, 300)}`);
  return text;
}

/** Funds accounts [from, to) with anvil_setBalance, 500 to a batch. */
async function fund(s: Server, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += 500) {
    const batch = [];
    for (let j = i; j < Math.min(to, i + 500); j++) {
      batch.push({ jsonrpc: "2.0", id: j, method: "anvil_setBalance", params: [hexAddress(0x100000n + BigInt(j)), "0xde0b6b3a7640000"] });
    }
    await rpc(s, batch);
  }
}

async function transfer(s: Server, to: bigint): Promise<number> {
  const t = performance.now();
  await rpc(s, { jsonrpc: "2.0", id: nextId++, method: "eth_sendTransaction", params: [{ from: DEV0, to: hexAddress(to), value: "0x1" }] });
  return performance.now() - t;
}

const servers: Server[] = [await start("evmwasm")];
if (WITH_ANVIL) servers.push(await start("anvil"));
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  nodeArgs: NODE_ARGS,
  deno: Deno.version.deno,
};

try {
  if (PHASES.includes("scaling")) {
    const rows: { accounts: number; name: string; medianMs: number; p90Ms: number; cpuMsPerTx: number; rssMb: number }[] = [];
    let funded = 0;
    for (const size of SIZES) {
      const extra = Math.max(0, size - 10);
      for (const s of servers) await fund(s, funded, extra);
      funded = Math.max(funded, extra);
      const times = new Map<string, number[]>(servers.map((s) => [s.name, []]));
      const cpu = new Map<string, number>(servers.map((s) => [s.name, 0]));
      for (const s of servers) for (let i = 0; i < 5; i++) await transfer(s, 0xdead0000n); // warm-up
      // Take turns of 10 so that load from elsewhere falls on both.
      for (let i = 0; i < SAMPLES; i += 10) {
        for (const s of servers) {
          const c0 = s.cpuMs();
          for (let j = 0; j < 10; j++) times.get(s.name)!.push(await transfer(s, 0xdead0000n + BigInt(j)));
          cpu.set(s.name, cpu.get(s.name)! + s.cpuMs() - c0);
        }
      }
      for (const s of servers) {
        const t = times.get(s.name)!;
        rows.push({
          accounts: size,
          name: s.name,
          medianMs: round(quantile(t, 0.5), 3),
          p90Ms: round(quantile(t, 0.9), 3),
          cpuMsPerTx: round(cpu.get(s.name)! / t.length, 3),
          rssMb: round(s.rssMb(), 0),
        });
      }
      console.error(`scaling: ${size} accounts done`);
    }
    results.scaling = rows;
    console.log("\n### Transfer latency against accounts in state\n");
    console.log(
      "| accounts | " + servers.map((s) => `${s.name} median / p90 (ms) | ${s.name} CPU ms/tx`).join(" | ") + " | ratio (median) | ratio (CPU) |",
    );
    console.log("|--:|" + servers.map(() => "--:|--:|").join("") + "--:|--:|");
    for (const size of SIZES) {
      const r = rows.filter((x) => x.accounts === size);
      const ratio = r.length > 1 ? round(r[0].medianMs / r[1].medianMs) : NaN;
      const cpuRatio = r.length > 1 ? round(r[0].cpuMsPerTx / r[1].cpuMsPerTx) : NaN;
      console.log(`| ${size} | ` + r.map((x) => `${x.medianMs} / ${x.p90Ms} | ${x.cpuMsPerTx}`).join(" | ") + ` | ${ratio}x | ${cpuRatio}x |`);
    }
    const ours = rows.filter((x) => x.name === "evmwasm");
    console.log(`\nevmwasm: ${SIZES[SIZES.length - 1]} accounts / ${SIZES[0]}: ${round(ours[ours.length - 1].medianMs / ours[0].medianMs)}x`);
  }

  for (const phase of ["sequence", "fresh"] as const) {
    if (!PHASES.includes(phase)) continue;
    const total = phase === "sequence" ? SEQUENCE : FRESH;
    const step = phase === "sequence" ? Math.max(1, Math.floor(total / 10)) : 2000;
    const rows: { name: string; done: number; perTxMs: number; txPerS: number; rssMb: number; heapMb?: number }[] = [];
    let recipient = 0x500000000n;
    for (const s of servers) {
      for (let done = 0; done < total;) {
        const n = Math.min(step, total - done);
        const t = performance.now();
        for (let i = 0; i < n; i++) await transfer(s, phase === "fresh" ? recipient++ : 0xbeef0000n);
        const ms = performance.now() - t;
        done += n;
        const rssMb = round(s.rssMb(), 0);
        const heapMb = s.heapMb && round(await s.heapMb(), 1);
        rows.push({ name: s.name, done, perTxMs: round(ms / n, 3), txPerS: round((n * 1000) / ms, 0), rssMb, heapMb });
        console.error(`${phase}: ${s.name} ${done}/${total}: ${round(ms / n, 3)} ms/tx, RSS ${rssMb} MB, heap ${heapMb ?? "-"} MB`);
      }
    }
    results[phase] = rows;
    console.log(`\n### ${phase === "sequence" ? `${total} transfers to one recipient` : `${total} transfers to fresh recipients`}\n`);
    const heapCol = (s: Server) => (s.heapMb ? ` | ${s.name} heap MB` : "");
    console.log("| transactions | " + servers.map((s) => `${s.name} ms/tx | ${s.name} RSS MB${heapCol(s)}`).join(" | ") + " |");
    console.log("|--:|" + servers.map((s) => (s.heapMb ? "--:|--:|--:|" : "--:|--:|")).join(""));
    const ours = rows.filter((r) => r.name === servers[0].name);
    for (const r of ours) {
      const cells = servers.map((s) => rows.find((x) => x.name === s.name && x.done === r.done)!)
        .map((x) => `${x.perTxMs} | ${x.rssMb}${x.heapMb !== undefined ? ` | ${x.heapMb}` : ""}`);
      console.log(`| ${r.done} | ${cells.join(" | ")} |`);
    }
  }
} finally {
  for (const s of servers) await s.close();
}

const out = new URL("./results/state_scaling.json", import.meta.url).pathname;
mkdirSync(new URL("./results/", import.meta.url).pathname, { recursive: true });
writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
console.error(`written ${out}`);
