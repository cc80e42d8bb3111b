/**
 * End to end: our node as a user starts it (`deno task start`, default flags: the executable built from the sources;
 * and the sources on Deno, `deno task start:deno`, or the packed `dist/evmwasm serve` by --nodes) beside
 * anvil (npm `@foundry-rs/anvil-linux-amd64`, default flags), the same JSON-RPC requests over HTTP, in one run.
 *
 * Every case's pre-state goes in through the anvil_* cheats; the call is an eth_call at "latest" with the case's
 * block fields as block overrides. Per case and node: the first call (cold: analysis, compile), the median of
 * calls 2-10, the median of calls 91-100 ("steady"), p99/median over the steady window, and throughput with 1, 4
 * and 16 concurrent clients. Every answer is compared with anvil's (and with the node's own first one), and the
 * gas used (eth_simulateV1) too. Also the RPC floor: eth_chainId, eth_blockNumber and a trivial eth_call.
 *
 *   deno task bench:node [--quick] [--filter TEXT[,TEXT...]] [--out FILE]
 *                        [--nodes evmwasm,interpreter,deno,deno-interpreter,binary,binary-interpreter,wasm,auto,anvil]
 *                        [--calls N] [--seconds S] [--client http|fetch] [--verbose] [FIXTURE_DIR ...]
 *
 * --filter: the cases whose group/name contains any of the comma-separated texts.
 * FIXTURE_DIR: any folder of benchmark fixtures (see loadFixtureFolder), e.g. bench/heldout/fixtures; only the
 * folders given are run (default ../shared/fixtures/bench).
 * Writes bench/results/node_vs_anvil.json and .svg (with --quick or --filter: only with --out).
 */
import { type ChildProcess, execSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { bigIntToHex as hex, bytesToHex, hexAddress as addr } from "../src/primitives/hex.ts";
import { type BenchCase, fixturesDir, loadFixtureFolder, preStateBatches } from "./contracts.ts";
import { HttpConnection } from "./http_client.ts";
import { freePort } from "./free_port.ts";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const ANVIL_BIN = join(REPO_ROOT, "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
const BINARY = join(REPO_ROOT, "dist/evmwasm");
/** Where the trivial eth_call goes: an account with no code. */
const EMPTY_ACCOUNT = "0x000000000000000000000000000000000000e3e3";
/**
 * The compute-heavy contracts (issue 3's list, with the two it names for when they are present), by case name.
 * Other cases are "micro" in a micro/ folder, compute-heavy elsewhere under evm-benchmarks and evmone, and
 * real-world code (revmc's contracts and any other folder) otherwise, unless the fixture gives its kind.
 */
const COMPUTE =
  /^(snailtracer|sha1_divs|sha1_shifts|blake2b|swap_math|fibonacci|factorial|bswap64|hash_10k|onchain_lm|weierstrudel)/;
type CaseKind = "real-world" | "compute" | "micro";

function kindOf(c: BenchCase): CaseKind {
  if (c.kind) return c.kind;
  if (COMPUTE.test(c.name)) return "compute";
  if (c.group.endsWith("/micro")) return "micro";
  return c.group.startsWith("evm") ? "compute" : "real-world";
}
const CONCURRENCY = [1, 4, 16];
/**
 * Reference nodes (our node on the interpreter: `deno task start --backend interpreter`, and Deno's and the
 * packed binary's with the same flag) are there for the first calls: the default backend's first call is
 * compared with theirs, on the same runtime. They make the first REFERENCE_CALLS calls only (no steady window,
 * no throughput).
 */
const REFERENCE_CALLS = 10;
/** The pause between starting the nodes and the first request (ms). */
const SETTLE_MS = 5000;
/** --verbose: the nodes' stderr and every call's time. */
let verbose = false;

// ---------------------------------------------------------------- nodes

type NodeKind =
  | "evmwasm"
  | "interpreter"
  | "deno"
  | "deno-interpreter"
  | "binary"
  | "binary-interpreter"
  | "wasm"
  | "auto"
  | "anvil";
/**
 * Each node: its label, how it is started (`deno task start`, `deno task start:deno`, the packed binary's serve, or
 * anvil) and the backend it is given by flag (none: the default).
 */
interface NodeSpec {
  label: string;
  launch: "start" | "start:deno" | "binary" | "anvil";
  backend?: string;
}
const NODES: Record<NodeKind, NodeSpec> = {
  evmwasm: { label: "evmwasm (deno task start)", launch: "start" },
  interpreter: { label: "evmwasm --backend interpreter", launch: "start", backend: "interpreter" },
  deno: { label: "evmwasm on Deno (deno task start:deno)", launch: "start:deno" },
  "deno-interpreter": {
    label: "deno task start:deno --backend interpreter",
    launch: "start:deno",
    backend: "interpreter",
  },
  binary: { label: "evmwasm (dist/evmwasm serve)", launch: "binary" },
  "binary-interpreter": {
    label: "dist/evmwasm serve --backend interpreter",
    launch: "binary",
    backend: "interpreter",
  },
  wasm: { label: "evmwasm --backend wasm", launch: "start", backend: "wasm" },
  auto: { label: "evmwasm --backend auto", launch: "start", backend: "auto" },
  anvil: { label: "anvil", launch: "anvil" },
};
const NODE_KINDS = Object.keys(NODES) as NodeKind[];
const isReference = (k: NodeKind) => NODES[k].backend === "interpreter";
/** The reference node a node's first calls are compared with: the interpreter on the same runtime. */
const referenceOf = (k: NodeKind): NodeKind =>
  NODE_KINDS.find((r) => isReference(r) && NODES[r].launch === NODES[k].launch)!;

interface RpcReply {
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

interface Client {
  post(body: string): Promise<string>;
  close(): void;
}

/** --client fetch: requests through fetch, as a script would send them (its cost is in every time measured). */
let useFetch = false;

function newClient(url: string): Client {
  if (!useFetch) return new HttpConnection(url);
  return {
    post: async (body) =>
      await (await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body })).text(),
    close() {},
  };
}

class RunningNode {
  private id = 0;
  private connections: Client[] = [];
  private snapshot?: string;
  /** From spawning the process to its first answer to eth_chainId. */
  startupMs = 0;
  constructor(readonly kind: NodeKind, readonly url: string, private readonly child: ChildProcess) {}

  static async start(kind: NodeKind): Promise<RunningNode> {
    const port = String(await freePort());
    const { launch, backend } = NODES[kind];
    const flags = ["--port", port, ...(backend ? ["--backend", backend] : [])];
    const [cmd, args] = launch === "anvil"
      ? [ANVIL_BIN, ["--port", port]]
      : launch === "binary"
      ? [BINARY, ["serve", ...flags]]
      : ["npx", ["-y", "deno", "task", launch, ...flags]];
    if (kind === "anvil") chmodSync(ANVIL_BIN, 0o755);
    const t0 = performance.now();
    // Its own process group, so that stopping it stops what `npx` and `deno task` started under it.
    const child = spawn(cmd, args, { cwd: REPO_ROOT, detached: true, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d) => {
      stderr = (stderr + d).slice(-4000);
      if (verbose) process.stderr.write(`[${kind}] ${d}`);
    });
    const node = new RunningNode(kind, `http://127.0.0.1:${port}`, child);
    for (;;) {
      try {
        await node.rpc("eth_chainId", []);
        break;
      } catch (e) {
        if (child.exitCode !== null || performance.now() - t0 > 120_000) {
          node.stop();
          throw new Error(`${NODES[kind].label} did not start: ${stderr.trim() || e}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    node.startupMs = performance.now() - t0;
    node.snapshot = await node.rpc("evm_snapshot", []) as string;
    return node;
  }

  /** One request on the node's first connection. */
  post(body: string): Promise<string> {
    return this.connection(0).post(body);
  }

  /** The k-th kept-alive connection (concurrent clients each use their own). */
  connection(k: number): Client {
    while (this.connections.length <= k) this.connections.push(newClient(this.url));
    return this.connections[k];
  }

  async rpc(method: string, params: unknown[]): Promise<unknown> {
    const r = JSON.parse(
      await this.post(JSON.stringify({ jsonrpc: "2.0", id: ++this.id, method, params })),
    ) as RpcReply;
    if (r.error) throw new Error(`${method}: ${r.error.message}`);
    return r.result;
  }

  /** Back to the state the node started with, then the case's pre-state through the anvil_set* methods. */
  async load(c: BenchCase): Promise<void> {
    if (!(await this.rpc("evm_revert", [this.snapshot]))) throw new Error(`${this.kind}: evm_revert failed`);
    this.snapshot = await this.rpc("evm_snapshot", []) as string;
    for (const batch of preStateBatches(c, () => ++this.id)) {
      const out = JSON.parse(await this.post(JSON.stringify(batch))) as RpcReply[];
      const bad = out.find((r) => r.error);
      if (bad) throw new Error(`${this.kind} set-up: ${bad.error!.message}`);
    }
  }

  stop(): void {
    for (const c of this.connections) c.close();
    try {
      process.kill(-this.child.pid!, "SIGTERM");
    } catch { /* already gone */ }
  }
}

// ---------------------------------------------------------------- requests

function blockOverrides(c: BenchCase) {
  const b = { number: 1n, timestamp: 1n, coinbase: 0n, baseFee: 0n, ...c.block };
  const gas = callGas(c);
  return {
    number: hex(b.number),
    time: hex(b.timestamp),
    gasLimit: hex(b.gasLimit !== undefined && b.gasLimit > gas ? b.gasLimit : gas),
    coinbase: addr(b.coinbase),
    baseFee: hex(b.baseFee),
  };
}

/** eth_call's gas includes the intrinsic cost: the execution gets the case's gas. */
function callGas(c: BenchCase): bigint {
  let intrinsic = 21000n;
  for (const x of c.calldata) intrinsic += x ? 16n : 4n;
  const gas = c.gas + intrinsic;
  return gas > 0x7fffffffffffffffn ? 0x7fffffffffffffffn : gas;
}

function callTx(c: BenchCase) {
  return {
    from: addr(c.caller),
    to: addr(c.to),
    gas: hex(callGas(c)),
    value: hex(c.value),
    input: bytesToHex(c.calldata),
  };
}

function callBody(c: BenchCase): string {
  return JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "eth_call",
    params: [callTx(c), "latest", {}, blockOverrides(c)],
  });
}

/**
 * eth_simulateV1 of the call, for its gas used. The simulated block is numbered and timed after the node's head
 * (simulated blocks must go forward), the same on every node: anvil and the specification number it differently.
 */
function simulateBody(c: BenchCase, head: { number: bigint; timestamp: bigint }): string {
  const calls = [callTx(c)];
  const { gasLimit, coinbase, baseFee } = blockOverrides(c);
  const block = { number: hex(head.number + 1n), time: hex(head.timestamp + 1n), gasLimit, coinbase, baseFee };
  return JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "eth_simulateV1",
    params: [{ blockStateCalls: [{ blockOverrides: block, calls }] }, "latest"],
  });
}

/** What eth_simulateV1 may spend in all (execution-apis; geth's default RPC gas cap). */
const SIMULATE_GAS_BUDGET = 50_000_000n;

/** debug_traceCall of the call with the call tracer, for its gas used when eth_simulateV1's budget is too small. */
function traceCallBody(c: BenchCase): string {
  return JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "debug_traceCall",
    params: [callTx(c), "latest", { tracer: "callTracer" }],
  });
}

/** What a node answered, without the id: the result, or the error's code and data (messages differ by node). */
function answerOf(text: string): string {
  let r: RpcReply;
  try {
    r = JSON.parse(text);
  } catch {
    return `unparsable: ${text.slice(0, 200)}`;
  }
  if (r.error) {
    return `error ${r.error.code === 3 || /revert/i.test(r.error.message) ? "revert" : "halt"} ${
      JSON.stringify(r.error.data ?? null)
    }`;
  }
  return JSON.stringify(r.result);
}

function short(s: string): string {
  return s.length > 120 ? `${s.slice(0, 120)}… (${s.length} chars)` : s;
}

// ---------------------------------------------------------------- statistics

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
const median = (xs: number[]) => quantile(xs, 0.5);

function geomean(xs: (number | undefined)[]): number | undefined {
  const v = xs.filter((x): x is number => x !== undefined && x > 0 && Number.isFinite(x));
  return v.length ? Math.exp(v.reduce((s, x) => s + Math.log(x), 0) / v.length) : undefined;
}

// ---------------------------------------------------------------- one case

interface NodeTiming {
  firstMs: number;
  /** Median of calls 2-10. */
  earlyMs: number;
  /** Median of calls 91-100 (of the last ten calls with fewer calls); not measured on reference nodes. */
  steadyMs?: number;
  /** p99 and median over the steady window (calls 91 on, with the extra calls after 100). */
  steadyP50Ms?: number;
  steadyP99Ms?: number;
  calls: number;
  /** Requests per second with 1, 4 and 16 concurrent clients. */
  throughput: Record<string, number>;
}

interface CaseResult {
  name: string;
  group: string;
  kind: CaseKind;
  codeBytes: number;
  answer?: string;
  gasUsed?: string;
  problems: string[];
  nodes: Partial<Record<NodeKind, NodeTiming>>;
}

async function timeOne(node: RunningNode, body: string): Promise<{ ms: number; text: string }> {
  const t0 = performance.now();
  const text = await node.post(body);
  return { ms: performance.now() - t0, text };
}

async function throughput(node: RunningNode, body: string, clients: number, ms: number): Promise<number> {
  let done = 0;
  const end = performance.now() + ms;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, async (_, k) => {
    const connection = node.connection(k);
    while (performance.now() < end) {
      await connection.post(body);
      done++;
    }
  }));
  return done / ((performance.now() - t0) / 1000);
}

interface Options {
  quick: boolean;
  filter?: string;
  nodes: NodeKind[];
  out?: string;
  calls: number;
  steadySeconds: number;
  throughputSeconds: number;
  dirs: string[];
}

async function benchCase(c: BenchCase, nodes: RunningNode[], o: Options): Promise<CaseResult> {
  const r: CaseResult = {
    name: c.name,
    group: c.group,
    kind: kindOf(c),
    codeBytes: c.code.length,
    problems: [],
    nodes: {},
  };
  for (const n of nodes) await n.load(c);
  const body = callBody(c);
  const times = new Map<RunningNode, number[]>(nodes.map((n) => [n, []]));
  const first = new Map<RunningNode, string>();
  const note = (n: RunningNode, text: string) => {
    const a = answerOf(text);
    if (!first.has(n)) first.set(n, a);
    else if (first.get(n) !== a && r.problems.length < 8) {
      r.problems.push(
        `${n.kind}: call ${times.get(n)!.length} answered ${short(a)}, its first call ${short(first.get(n)!)}`,
      );
    }
  };
  // Calls 1..N in turns, one call of each node a turn, so that load from elsewhere falls on all of them.
  for (let i = 0; i < o.calls; i++) {
    for (const n of nodes) {
      if (i >= REFERENCE_CALLS && isReference(n.kind)) continue;
      const { ms, text } = await timeOne(n, body);
      times.get(n)!.push(ms);
      note(n, text);
    }
  }
  // The steady window goes on until each node has spent steadySeconds in it (at least 100 calls of it in all).
  const steadyFrom = Math.max(1, o.calls - 10);
  const spent = new Map(nodes.map((n) => [n, times.get(n)!.slice(steadyFrom).reduce((s, x) => s + x, 0)]));
  for (;;) {
    const pending = nodes.filter((n) =>
      !isReference(n.kind) &&
      (spent.get(n)! < o.steadySeconds * 1000 || times.get(n)!.length - steadyFrom < Math.min(100, o.calls))
    );
    if (pending.length === 0) break;
    for (const n of pending) {
      const { ms, text } = await timeOne(n, body);
      times.get(n)!.push(ms);
      spent.set(n, spent.get(n)! + ms);
      note(n, text);
    }
  }
  if (verbose) {
    for (const n of nodes) {
      console.error(
        `${n.kind} ms:`,
        times.get(n)!.map((t) => t.toFixed(2)).join(" "),
      );
    }
  }
  const reference = nodes.find((n) => n.kind === "anvil") ?? nodes[0];
  r.answer = first.get(reference);
  if (c.expectedOutput) {
    const want = JSON.stringify(bytesToHex(c.expectedOutput));
    if (r.answer !== want) {
      r.problems.push(`${reference.kind} answered ${short(r.answer ?? "")}, the fixture ${short(want)}`);
    }
  }
  for (const n of nodes) {
    if (n !== reference && first.get(n) !== first.get(reference)) {
      r.problems.push(`${n.kind} answered ${short(first.get(n)!)}, ${reference.kind} ${short(first.get(reference)!)}`);
    }
  }
  // Gas used, from eth_simulateV1 (after the timed calls, so that it warms nothing they measure).
  const gas = new Map<RunningNode, string>();
  const heads = await Promise.all(nodes.map((n) => n.rpc("eth_getBlockByNumber", ["latest", false])));
  const head = heads.map((h) => h as { number: string; timestamp: string }).reduce(
    (m, h) => ({
      number: BigInt(h.number) > m.number ? BigInt(h.number) : m.number,
      timestamp: BigInt(h.timestamp) > m.timestamp ? BigInt(h.timestamp) : m.timestamp,
    }),
    { number: 0n, timestamp: 0n },
  );
  for (const n of nodes) {
    const a = JSON.parse(await n.post(simulateBody(c, head))) as RpcReply;
    const call = (a.result as { calls?: { gasUsed?: string }[] }[] | undefined)?.[0]?.calls?.[0];
    gas.set(n, call?.gasUsed ?? `error: ${a.error?.message}`);
  }
  // eth_simulateV1 runs within the specification's 50M gas budget (anvil has none): a call that needs more is
  // compared by its call trace's gas used.
  if (/^0x[0-9a-f]+$/i.test(gas.get(reference)!) && BigInt(gas.get(reference)!) >= SIMULATE_GAS_BUDGET) {
    for (const n of nodes) {
      const a = JSON.parse(await n.post(traceCallBody(c))) as RpcReply;
      gas.set(n, (a.result as { gasUsed?: string } | undefined)?.gasUsed ?? `error: ${a.error?.message}`);
    }
  }
  r.gasUsed = gas.get(reference);
  if (c.expectedGasUsed !== undefined && r.gasUsed !== hex(c.expectedGasUsed)) {
    r.problems.push(`${reference.kind} used gas ${r.gasUsed}, the fixture ${hex(c.expectedGasUsed)}`);
  }
  for (const n of nodes) {
    if (gas.get(n) !== gas.get(reference)) {
      r.problems.push(`${n.kind} used gas ${gas.get(n)}, ${reference.kind} ${gas.get(reference)}`);
    }
  }
  const tput = new Map<RunningNode, Record<string, number>>(nodes.map((n) => [n, {}]));
  for (const clients of CONCURRENCY) {
    for (const n of nodes) {
      if (!isReference(n.kind)) tput.get(n)![clients] = await throughput(n, body, clients, o.throughputSeconds * 1000);
    }
  }
  for (const n of nodes) {
    const t = times.get(n)!;
    if (isReference(n.kind)) {
      r.nodes[n.kind] = { firstMs: t[0], earlyMs: median(t.slice(1, 10)), calls: t.length, throughput: {} };
      continue;
    }
    const last10 = t.length >= 100 ? t.slice(90, 100) : t.slice(steadyFrom, steadyFrom + 10);
    const window = t.slice(steadyFrom);
    r.nodes[n.kind] = {
      firstMs: t[0],
      earlyMs: median(t.slice(1, 10)),
      steadyMs: median(last10),
      steadyP50Ms: median(window),
      steadyP99Ms: quantile(window, 0.99),
      calls: t.length,
      throughput: tput.get(n)!,
    };
  }
  return r;
}

// ---------------------------------------------------------------- RPC floor

interface FloorResult {
  request: string;
  nodes: Partial<Record<NodeKind, { p50Ms: number; p99Ms: number }>>;
}

async function rpcFloor(nodes: RunningNode[], samples: number): Promise<FloorResult[]> {
  const trivialCall = { from: addr(0x1111n), to: EMPTY_ACCOUNT, gas: "0x5208" };
  const requests: [string, unknown[]][] = [["eth_chainId", []], ["eth_blockNumber", []], ["eth_call", [
    trivialCall,
    "latest",
  ]]];
  const out: FloorResult[] = [];
  for (const [method, params] of requests) {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
    const times = new Map<RunningNode, number[]>(nodes.map((n) => [n, []]));
    for (let i = 0; i < samples; i++) {
      for (const n of nodes) times.get(n)!.push((await timeOne(n, body)).ms);
    }
    const res: FloorResult = { request: method === "eth_call" ? "eth_call (no code)" : method, nodes: {} };
    for (const n of nodes) {
      const t = times.get(n)!.slice(Math.min(20, samples >> 1));
      res.nodes[n.kind] = { p50Ms: median(t), p99Ms: quantile(t, 0.99) };
    }
    out.push(res);
  }
  return out;
}

// ---------------------------------------------------------------- report

const ours = (o: Options) => o.nodes.filter((k) => k !== "anvil");
const fmt = (ms: number | undefined) =>
  ms === undefined
    ? "–"
    : ms >= 100
    ? ms.toFixed(0)
    : ms >= 10
    ? ms.toFixed(1)
    : ms >= 1
    ? ms.toFixed(2)
    : ms.toFixed(3);
const x = (v: number | undefined) => v === undefined ? "–" : `${v >= 10 ? v.toFixed(1) : v.toFixed(2)}x`;

/** anvil's time over ours (above 1: we are faster), for one measure. */
function speedup(r: CaseResult, k: NodeKind, measure: "firstMs" | "earlyMs" | "steadyMs"): number | undefined {
  const a = r.nodes.anvil?.[measure], b = r.nodes[k]?.[measure];
  return a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
}

function tputRatio(r: CaseResult, k: NodeKind, clients: number): number | undefined {
  const a = r.nodes.anvil?.throughput[clients], b = r.nodes[k]?.throughput[clients];
  return a && b ? b / a : undefined;
}

interface Summary {
  node: NodeKind;
  kind: string;
  cases: number;
  early: number | undefined;
  steady: number | undefined;
  worstSteady: { name: string; ratio: number } | undefined;
  throughput16: number | undefined;
  worstP99OverP50: number | undefined;
  /**
   * Our first call over the first call of the interpreter node on the same runtime (geometric mean, and the case
   * where it is largest).
   */
  firstOverInterpreter: number | undefined;
  worstFirst: { name: string; ratio: number } | undefined;
}

function summarise(results: CaseResult[], o: Options): Summary[] {
  const rows: Summary[] = [];
  if (!o.nodes.includes("anvil")) return rows;
  for (const k of ours(o).filter((k) => !isReference(k))) {
    for (const kind of ["real-world", "compute", "micro", "all"]) {
      const rs = results.filter((r) => (kind === "all" || r.kind === kind) && r.nodes[k] && r.nodes.anvil);
      if (rs.length === 0) continue;
      const worstOf = (xs: { name: string; ratio: number }[], better: (a: number, b: number) => boolean) =>
        xs.reduce<{ name: string; ratio: number } | undefined>((w, s) => (w === undefined || better(s.ratio, w.ratio) ? s : w), undefined);
      const steady = rs.map((r) => ({ name: r.name, ratio: speedup(r, k, "steadyMs")! }));
      const ref = referenceOf(k);
      const first = rs.filter((r) => r.nodes[ref]).map((r) => ({
        name: r.name,
        ratio: r.nodes[k]!.firstMs / r.nodes[ref]!.firstMs,
      }));
      rows.push({
        node: k,
        kind,
        cases: rs.length,
        early: geomean(rs.map((r) => speedup(r, k, "earlyMs"))),
        steady: geomean(steady.map((s) => s.ratio)),
        worstSteady: worstOf(steady, (a, b) => a < b),
        throughput16: geomean(rs.map((r) => tputRatio(r, k, 16))),
        worstP99OverP50: Math.max(...rs.map((r) => r.nodes[k]!.steadyP99Ms! / r.nodes[k]!.steadyP50Ms!)),
        firstOverInterpreter: geomean(first.map((f) => f.ratio)),
        worstFirst: worstOf(first, (a, b) => a > b),
      });
    }
  }
  return rows;
}

function markdown(
  results: CaseResult[],
  floor: FloorResult[],
  summary: Summary[],
  o: Options,
  machine: Machine,
): string {
  const lines: string[] = [];
  lines.push(
    `## Node vs anvil over HTTP (${
      machine.date.slice(0, 10)
    }, commit ${machine.commit}, ${machine.cores} cores, ${machine.anvil})`,
    "",
    "Speed-up = anvil's time / ours (above 1x: ours is faster); throughput = ours / anvil's; first call = ours / the",
    "first call of the interpreter node on the same runtime (`--backend interpreter`; at most 1.2x is the target).",
    "Geometric means over the cases.",
    "",
    "| node | contracts | cases | calls 2-10 | steady (91-100) | slowest case, steady | 16 clients throughput | worst p99/p50 | first call vs interpreter (worst) |",
    "|---|---|--:|--:|--:|---|--:|--:|---|",
  );
  for (const s of summary) {
    lines.push(
      `| ${NODES[s.node].label} | ${s.kind} | ${s.cases} | ${x(s.early)} | ${x(s.steady)} | ${
        s.worstSteady ? `${s.worstSteady.name} ${x(s.worstSteady.ratio)}` : "–"
      } | ${x(s.throughput16)} | ${s.worstP99OverP50?.toFixed(2) ?? "–"} | ${x(s.firstOverInterpreter)}${
        s.worstFirst ? ` (${s.worstFirst.name} ${x(s.worstFirst.ratio)})` : ""
      } |`,
    );
  }
  lines.push("", "RPC floor (ms, p50 / p99):", "", `| request | ${o.nodes.map((k) => NODES[k].label).join(" | ")} |`);
  lines.push(`|---|${o.nodes.map(() => "--:").join("|")}|`);
  for (const f of floor) {
    lines.push(
      `| ${f.request} | ${o.nodes.map((k) => `${fmt(f.nodes[k]?.p50Ms)} / ${fmt(f.nodes[k]?.p99Ms)}`).join(" | ")} |`,
    );
  }
  lines.push(
    "",
    "Per case (ms; first call / median of calls 2-10 / steady median of calls 91-100; p99/p50 over the steady window; requests/s with 16 clients):",
    "",
    `| case | kind | ${o.nodes.map((k) => NODES[k].label).join(" | ")} | ${
      ours(o).filter((k) => !isReference(k)).map((k) => `${k} speed-up 2-10 / steady`).join(" | ")
    } | check |`,
    `|---|---|${o.nodes.map(() => "--:").join("|")}|${ours(o).filter((k) => !isReference(k)).map(() => "--:").join("|")}|---|`,
  );
  for (const r of results) {
    const cells = o.nodes.map((k) => {
      const t = r.nodes[k];
      if (!t) return "–";
      if (t.steadyMs === undefined) return `${fmt(t.firstMs)} / ${fmt(t.earlyMs)}`;
      return `${fmt(t.firstMs)} / ${fmt(t.earlyMs)} / ${fmt(t.steadyMs)}; ${(t.steadyP99Ms! / t.steadyP50Ms!).toFixed(1)}; ${
        t.throughput[16]?.toFixed(0)
      }/s`;
    });
    const ratios = ours(o).filter((k) => !isReference(k)).map((k) =>
      `${x(speedup(r, k, "earlyMs"))} / ${x(speedup(r, k, "steadyMs"))}`
    );
    lines.push(
      `| ${r.name} | ${r.kind} | ${cells.join(" | ")} | ${ratios.join(" | ")} | ${
        r.problems.length ? "**" + r.problems.join("; ") + "**" : "ok"
      } |`,
    );
  }
  return lines.join("\n");
}

/** Horizontal bars: steady and calls 2-10 speed-up over anvil per case, log scale, a line at 1x. */
function chart(results: CaseResult[], node: NodeKind, title: string): string {
  const rows = results.filter((r) => r.nodes[node] && r.nodes.anvil);
  const rowH = 18, left = 250, width = 560, top = 40;
  const h = top + rows.length * rowH + 40;
  const lo = Math.log10(0.1), hi = Math.log10(100);
  const px = (v: number) => left + ((Math.log10(Math.min(100, Math.max(0.1, v))) - lo) / (hi - lo)) * width;
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${
      left + width + 80
    }" height="${h}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="18" font-size="13" font-weight="bold">${esc(title)}</text>`,
    `<rect x="${left}" y="24" width="10" height="8" fill="#2b6cb0"/><text x="${
      left + 14
    }" y="32">steady (calls 91-100)</text>`,
    `<rect x="${left + 160}" y="24" width="10" height="8" fill="#90cdf4"/><text x="${
      left + 174
    }" y="32">calls 2-10</text>`,
  ];
  for (const v of [0.1, 0.3, 1, 3, 10, 30, 100]) {
    out.push(
      `<line x1="${px(v)}" y1="${top}" x2="${px(v)}" y2="${h - 30}" stroke="${v === 1 ? "#c00" : "#ddd"}"/>`,
      `<text x="${px(v)}" y="${h - 16}" text-anchor="middle">${v}x</text>`,
    );
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const s = speedup(r, node, "steadyMs")!, e = speedup(r, node, "earlyMs")!;
    out.push(
      `<text x="${left - 6}" y="${y + 12}" text-anchor="end">${esc(r.name)}</text>`,
      `<rect x="${px(0.1)}" y="${y + 2}" width="${px(s) - px(0.1)}" height="7" fill="#2b6cb0"/>`,
      `<rect x="${px(0.1)}" y="${y + 9}" width="${px(e) - px(0.1)}" height="6" fill="#90cdf4"/>`,
      `<text x="${px(s) + 4}" y="${y + 10}">${x(s)}</text>`,
    );
  });
  out.push("</svg>");
  return out.join("\n");
}

// ---------------------------------------------------------------- main

interface Machine {
  date: string;
  commit?: string;
  anvil?: string;
  deno?: string;
  cpu?: string;
  cores: number;
  loadAverage: number[];
  startupMs: Partial<Record<NodeKind, number>>;
  wallSeconds?: number;
}

function machineInfo(): Machine {
  const run = (cmd: string) => {
    try {
      return execSync(cmd, { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return undefined;
    }
  };
  const dirty = run("git --no-optional-locks status --porcelain -- backends src mod.ts cli.ts");
  return {
    date: new Date().toISOString(),
    commit: (run("git --no-optional-locks rev-parse --short HEAD") ?? "?") + (dirty ? " (modified)" : ""),
    anvil: run(`${ANVIL_BIN} --version`)?.split("\n")[0],
    deno: (globalThis as { Deno?: { version: { deno: string } } }).Deno?.version.deno,
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    loadAverage: os.loadavg(),
    startupMs: {},
  };
}

function parseOptions(argv: string[]): Options {
  const usage =
    "usage: node_vs_anvil.ts [--quick] [--filter TEXT[,TEXT...]] [--nodes evmwasm,interpreter,deno,deno-interpreter,binary,binary-interpreter,wasm,auto,anvil] [--out FILE] [--calls N] [--seconds S] [--client http|fetch] [--verbose] [FIXTURE_DIR ...]";
  const o: Options = {
    quick: false,
    nodes: [],
    calls: 100,
    steadySeconds: 1,
    throughputSeconds: 2,
    dirs: [],
  };
  let nodes: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${usage}`);
      return v;
    };
    if (a === "--quick") o.quick = true;
    else if (a === "--verbose") verbose = true;
    else if (a === "--client") {
      const c = value();
      if (c !== "fetch" && c !== "http") throw new Error(`--client: http or fetch, not "${c}"\n${usage}`);
      useFetch = c === "fetch";
    } else if (a === "--filter") o.filter = value();
    else if (a === "--nodes") nodes = value();
    else if (a === "--out") o.out = value();
    else if (a === "--calls") o.calls = Number(value());
    else if (a === "--seconds") o.throughputSeconds = Number(value());
    else if (a === "--help") {
      console.log(usage);
      process.exit(0);
    } else if (a.startsWith("-")) throw new Error(`unknown option ${a}\n${usage}`);
    else o.dirs.push(a);
  }
  if (o.quick) {
    o.calls = Math.min(o.calls, 20);
    o.steadySeconds = 0.1;
    o.throughputSeconds = Math.min(o.throughputSeconds, 0.3);
  }
  if (!(o.calls >= 12)) throw new Error(`--calls: at least 12\n${usage}`);
  const defaultNodes: NodeKind[] = ["evmwasm", "interpreter", "deno", "deno-interpreter", "anvil"];
  o.nodes = nodes === undefined ? defaultNodes : nodes.split(",").map((n) => {
    if (!NODE_KINDS.includes(n as NodeKind)) throw new Error(`--nodes: unknown node "${n}" (${NODE_KINDS.join(", ")})`);
    return n as NodeKind;
  });
  if ((o.nodes.includes("binary") || o.nodes.includes("binary-interpreter")) && !existsSync(BINARY)) {
    throw new Error(`no ${BINARY}: build it with npx -y deno task binary`);
  }
  if (o.nodes.includes("anvil") && !existsSync(ANVIL_BIN)) {
    throw new Error(`no anvil at ${ANVIL_BIN} (npx -y deno install)`);
  }
  return o;
}

/** In --quick runs, one case per contract at most, and not the calls that take seconds. */
function quickCases(cases: BenchCase[]): BenchCase[] {
  const seen = new Set<string>();
  return cases.filter((c) => {
    if (seen.has(c.contract) || c.gas > 100_000_000n && /snailtracer|onchain_lm/.test(c.name)) return false;
    seen.add(c.contract);
    return true;
  });
}

async function main() {
  const o = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const dirs = o.dirs.length ? o.dirs : [fixturesDir()];
  let cases = dirs.flatMap((d) => loadFixtureFolder(d));
  if (o.filter) {
    const parts = o.filter.split(",");
    cases = cases.filter((c) => parts.some((p) => `${c.group}/${c.name}`.includes(p)));
  }
  if (o.quick) cases = quickCases(cases);
  if (cases.length === 0) throw new Error("no benchmark cases");
  const machine = machineInfo();
  const nodes: RunningNode[] = [];
  const stopAll = () => nodes.forEach((n) => n.stop());
  process.on("SIGINT", () => {
    stopAll();
    process.exit(130);
  });
  const results: CaseResult[] = [];
  let floor: FloorResult[] = [];
  try {
    for (const k of o.nodes) {
      const n = await RunningNode.start(k);
      nodes.push(n);
      machine.startupMs[k] = Math.round(n.startupMs);
      console.error(`started ${NODES[k].label} at ${n.url} in ${n.startupMs.toFixed(0)} ms`);
    }
    // As a user starts a node, then the scripts that use it: our node's compiler thread loads and warms up its
    // compiler in the background after start-up, which on two cores would fall on the first measurements.
    await new Promise((r) => setTimeout(r, o.quick ? 1000 : SETTLE_MS));
    floor = await rpcFloor(nodes, o.quick ? 50 : 300);
    for (const c of cases) {
      const t0 = performance.now();
      const r = await benchCase(c, nodes, o);
      results.push(r);
      const ratios = ours(o).map((k) =>
        isReference(k)
          ? `${k} first ${fmt(r.nodes[k]?.firstMs)} ms`
          : `${k} ${x(speedup(r, k, "earlyMs"))}/${x(speedup(r, k, "steadyMs"))} first ${fmt(r.nodes[k]?.firstMs)} ms`
      ).join(", ");
      console.error(
        `${r.name}: ${r.problems.length ? "MISMATCH " + r.problems.join("; ") + " " : ""}${ratios} (${
          ((performance.now() - t0) / 1000).toFixed(1)
        } s)`,
      );
    }
  } finally {
    stopAll();
  }
  machine.wallSeconds = Math.round((performance.now() - started) / 1000);
  const summary = summarise(results, o);
  console.log(markdown(results, floor, summary, o, machine));
  const partial = o.quick || o.filter !== undefined || o.dirs.length > 0;
  const out = o.out ?? (partial ? undefined : join(REPO_ROOT, "bench/results/node_vs_anvil.json"));
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ machine, options: o, summary, floor, results }, null, 2) + "\n");
    const main = o.nodes.find((k) => k !== "anvil");
    if (main && o.nodes.includes("anvil")) {
      const title = `${NODES[main].label}: speed-up over anvil's eth_call over HTTP (${
        machine.date.slice(0, 10)
      }, ${machine.commit})`;
      writeFileSync(out.replace(/\.json$/, "") + ".svg", chart(results, main, title) + "\n");
    }
    console.error(`wrote ${out}`);
  }
  const mismatched = results.filter((r) => r.problems.length > 0).length;
  console.log(
    `\n${results.length - mismatched} passed, ${mismatched} failed (cases whose answers and gas agree on every node)`,
  );
  process.exitCode = mismatched > 0 ? 1 : 0;
}

await main();
