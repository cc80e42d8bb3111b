/**
 * Every engine side by side on the shared benchmark contracts, in one run: our interpreter, our
 * WebAssembly backend (warm; compile time reported apart), @ethereumjs/evm, and anvil's `eth_call`
 * (native revm, from the `@foundry-rs/anvil-linux-amd64` devDependency) over HTTP.
 *
 *   npx -y deno run -A --v8-flags=--stack-size=4000 bench/all_engines.ts [--filter TEXT] [--quick] [--out FILE]
 *   npx -y bun bench/all_engines.ts [...]
 *
 * Outputs (status and return data) are compared across all four engines, gas used among ours and ethereumjs.
 * anvil is timed as the HTTP round trip of `eth_call`; a trivial `eth_call` (no code, no calldata) is timed in
 * the same turns, and "anvil − overhead" subtracts its median. Prints a markdown table and writes
 * bench/results/all_engines[.bun].json.
 */
import { type ChildProcess, execSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { bytesToHex, Fork, hexToBytes, Interpreter } from "../mod.ts";
import {
  blockOf, callOnce, callsPerSample, CHAIN_ID, type Engine, ethereumjsEngine, oursEngine, summarise, type Timing,
  timeInTurns,
} from "./engines.ts";
import { createWasmBackend } from "../backends/wasm/create.ts";
import { CompileService } from "../backends/wasm/compile_service.ts";
import { rulesFor } from "../src/forks/rules.ts";
import { type BenchCase, fixturesDir, loadBenchCases, preStateBatches } from "./contracts.ts";
import { freePort } from "./free_port.ts";
import { bigIntToHex as hex, hexAddress as addr } from "../src/primitives/hex.ts";

/** The compute-heavy contracts issue 3 names (its wasm targets are geometric means over these). */
const COMPUTE_HEAVY = /^(snailtracer|sha1_divs|sha1_shifts|blake2b_huff|swap_math|fibonacci|factorial)/;
const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const ANVIL_BIN = join(REPO_ROOT, "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
/**
 * ethereumjs is left out of cases using more gas than this (onchain_lm_v2, 457M gas: one call takes 45 s on an idle
 * machine and minutes under load; interpreter_vs_ethereumjs.ts covers it). `--ejs-max-gas N` changes it.
 */
const EJS_MAX_GAS = 300_000_000n;
/** Where the trivial eth_call goes: an account with no code. */
const EMPTY_ACCOUNT = 0x00000000000000000000000000000000000e3e3en;

// ---------------------------------------------------------------- anvil

class Anvil {
  private id = 0;
  private snapshot?: string;
  private current?: BenchCase;
  private constructor(readonly url: string, readonly child: ChildProcess, readonly fork: string) {}

  static async start(fork: string): Promise<Anvil> {
    chmodSync(ANVIL_BIN, 0o755);
    const port = await freePort();
    const args = [
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--silent",
      "--hardfork",
      fork.toLowerCase(),
      "--chain-id",
      String(CHAIN_ID),
      "--disable-block-gas-limit",
      "--disable-code-size-limit",
    ]; // deno-fmt-ignore
    const child = spawn(ANVIL_BIN, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const a = new Anvil(`http://127.0.0.1:${port}`, child, fork);
    for (let i = 0;; i++) {
      try {
        await a.rpc("eth_chainId", []);
        break;
      } catch (e) {
        if (child.exitCode !== null || i > 200) throw new Error(`anvil did not start: ${stderr.trim() || e}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    a.snapshot = await a.rpc("evm_snapshot", []) as string;
    return a;
  }

  async rawCall(body: unknown): Promise<unknown> {
    const res = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return await res.json();
  }

  async rpc(method: string, params: unknown[]): Promise<unknown> {
    const r = await this.rawCall({ jsonrpc: "2.0", id: ++this.id, method, params }) as {
      result?: unknown;
      error?: { message: string };
    };
    if (r.error) throw new Error(`${method}: ${r.error.message}`);
    return r.result;
  }

  /** Back to the empty chain, then the case's pre-state through the anvil_set* methods (batched). */
  async load(c: BenchCase): Promise<void> {
    if (this.current === c) return;
    await this.rpc("evm_revert", [this.snapshot]);
    this.snapshot = await this.rpc("evm_snapshot", []) as string;
    for (const batch of preStateBatches(c, () => ++this.id)) {
      const out = await this.rawCall(batch) as { error?: { message: string } }[];
      const bad = out.find((r) => r.error);
      if (bad) throw new Error(`anvil set-up: ${bad.error!.message}`);
    }
    this.current = c;
  }

  /** The eth_call request for the case (or the trivial one), with the case's block fields as overrides. */
  callBody(c: BenchCase, trivial: boolean): unknown {
    const b = blockOf(c);
    // eth_call's gas includes the intrinsic cost; give the execution the case's gas.
    let intrinsic = 21000n;
    for (const x of c.calldata) intrinsic += x ? 16n : 4n;
    const tx = trivial ? { from: addr(c.caller), to: addr(EMPTY_ACCOUNT), gas: hex(c.gas + 21000n) } : {
      from: addr(c.caller),
      to: addr(c.to),
      gas: hex(c.gas + intrinsic),
      value: hex(c.value),
      input: bytesToHex(c.calldata),
    };
    const blockOverrides = {
      number: hex(b.number),
      time: hex(b.timestamp),
      gasLimit: hex(b.gasLimit),
      coinbase: addr(b.coinbase),
      baseFee: hex(b.baseFee),
    };
    return { jsonrpc: "2.0", id: 1, method: "eth_call", params: [tx, "latest", null, blockOverrides] };
  }

  close() {
    this.child.kill("SIGTERM");
  }
}

function anvilEngines(): { engines: [Engine, Engine]; close(): Promise<void> } {
  const nodes = new Map<string, Promise<Anvil>>();
  const nodeFor = async (c: BenchCase) => {
    let n = nodes.get(c.fork);
    if (!n) {
      n = Anvil.start(c.fork);
      nodes.set(c.fork, n);
    }
    const node = await n;
    await node.load(c);
    return node;
  };
  const engine = (name: string, trivial: boolean): Engine => ({
    name,
    async prepare(c) {
      const node = await nodeFor(c);
      const body = JSON.stringify(node.callBody(c, trivial));
      return async () => {
        const res = await fetch(node.url, { method: "POST", headers: { "content-type": "application/json" }, body });
        const r = await res.json() as { result?: string; error?: { message: string; data?: unknown } };
        if (r.error) {
          const data = typeof r.error.data === "string" && r.error.data.startsWith("0x") ? r.error.data : "0x";
          const revert = /revert/i.test(r.error.message);
          return { status: revert ? "revert" : "halt", output: hexToBytes(data), error: r.error.message };
        }
        return { status: "success", output: hexToBytes(r.result!) };
      };
    },
  });
  return {
    engines: [engine("anvil", false), engine("anvil-empty", true)],
    close: async () => {
      for (const n of nodes.values()) await n.then((a) => a.close(), () => {});
    },
  };
}

// ---------------------------------------------------------------- timing


// ---------------------------------------------------------------- checks and report

const equalBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
function short(bytes: Uint8Array): string {
  const h = bytesToHex(bytes);
  return h.length > 74 ? `${h.slice(0, 74)}… (${bytes.length} bytes)` : h;
}

/** Warm-up time of an engine on a case whose calls are cheap. */
const WARM_UP_MS = 5;

interface CaseResult {
  name: string;
  group: string;
  alsoIn: string[];
  fork: string;
  computeHeavy: boolean;
  codeBytes: number;
  status?: string;
  gasUsed?: string;
  /** Compile of the target's code; compileTotalMs adds every other code in the pre-state. */
  compileMs?: number;
  compileTotalMs?: number;
  /** The target's compile when it was the compiler's first work on it, Binaryen not yet warmed up. */
  coldCompileMs?: number;
  /** Calls timed together for one sample (each sample is their mean time), the same for every engine. */
  callsPerSample?: number;
  interpreter?: Timing;
  wasm?: Timing;
  ethereumjs?: Timing;
  anvil?: Timing;
  anvilEmpty?: Timing;
  anvilMinusOverheadMs?: number;
  /** interpreter / wasm. */
  wasmSpeedup?: number;
  /** anvil / wasm (raw round trip, and minus the trivial call's round trip). */
  anvilOverWasm?: number;
  anvilMinusOverheadOverWasm?: number;
  /** ethereumjs / wasm. */
  ethereumjsOverWasm?: number;
  /** Disagreements of any engine with the interpreter, or with the fixture's expected output. */
  problems: string[];
  /** Where anvil alone differs (expected where the block environment differs). */
  anvilDiffers?: string;
  /** Why ethereumjs did not run this case. */
  ethereumjsSkipped?: string;
}

/** First compile of each target code in this process (Binaryen cold), by fork and code. */
const coldCompileTimes = new Map<string, number>();
/**
 * Warm compile time of each code (by fork and code) in this run: the median of WARM_COMPILES compiles (the
 * backend's own, then more of the same code through the same compiler thread, each up to its
 * WebAssembly.Module), as one sample swings by up to 2x on a shared machine.
 */
const compileTimes = new Map<string, number>();
const WARM_COMPILES = 5;


async function benchCase(
  c: BenchCase,
  engines: Engine[],
  wasmBackend: ReturnType<typeof createWasmBackend>,
  compileAgain: (code: Uint8Array, rules: ReturnType<typeof rulesFor>) => void,
  quick: boolean,
  ejsMaxGas: bigint,
): Promise<CaseResult> {
  const r: CaseResult = {
    name: c.name,
    group: c.group,
    alsoIn: c.alsoIn,
    fork: c.fork,
    computeHeavy: COMPUTE_HEAVY.test(c.contract),
    codeBytes: c.code.length,
    problems: [],
  };
  try {
    // Compile every code of the pre-state first, so that the wasm calls below are warm.
    // A code already compiled for an earlier case (same contract, other input) reports that first compile.
    const rules = rulesFor(Fork[c.fork]);
    let total = 0;
    for (const a of c.pre) {
      if (!a.code.length) continue;
      const key = `${c.fork}:${bytesToHex(a.code)}`;
      const t0 = performance.now();
      const m = wasmBackend.obtain(a.code, rules);
      let ms = compileTimes.get(key);
      if (ms === undefined) {
        const samples = [performance.now() - t0];
        if (m !== "failed") {
          for (let i = 1; i < WARM_COMPILES; i++) {
            const t1 = performance.now();
            compileAgain(a.code, rules);
            samples.push(performance.now() - t1);
          }
        }
        ms = summarise(samples).medianMs;
        compileTimes.set(key, ms);
      }
      total += ms;
      if (a.address === c.to) {
        r.compileMs = ms;
        r.coldCompileMs = coldCompileTimes.get(key);
      }
      if (m === "failed") r.problems.push(`wasm: code at ${addr(a.address)} failed to compile`);
    }
    r.compileTotalMs = total;

    // The interpreter first: its gas used decides whether ethereumjs runs at all (see EJS_MAX_GAS).
    const firstRef = await callOnce(engines[0], c);
    const ref = firstRef.outcome;
    r.status = ref.status;
    r.gasUsed = String(ref.gasUsed);
    const active = engines.filter((e) => e.name !== "ethereumjs" || ref.gasUsed! <= ejsMaxGas);
    if (active.length < engines.length) r.ethereumjsSkipped = `gas used over ${ejsMaxGas}`;
    const first = [firstRef];
    for (const e of active.slice(1)) first.push(await callOnce(e, c));
    for (const [k, e] of active.entries()) {
      const o = first[k].outcome;
      if (k === 0 || e.name === "anvil-empty") continue;
      const diffs: string[] = [];
      if (o.status !== ref.status) diffs.push(`status ${o.status}${o.error ? ` (${o.error})` : ""} vs ${ref.status}`);
      if (!equalBytes(o.output, ref.output)) diffs.push(`output ${short(o.output)} vs ${short(ref.output)}`);
      if (o.gasUsed !== undefined && o.gasUsed !== ref.gasUsed) diffs.push(`gas used ${o.gasUsed} vs ${ref.gasUsed}`);
      if (!diffs.length) continue;
      if (e.name === "anvil") r.anvilDiffers = diffs.join("; ");
      r.problems.push(`${e.name} vs interpreter: ${diffs.join("; ")}`);
    }
    if (c.expectedOutput && !equalBytes(ref.output, c.expectedOutput)) {
      r.problems.push(`interpreter output differs from the fixture's ${short(c.expectedOutput)}`);
    }
    // Warm-up where calls are cheap. A slow first call (>1 s) of ethereumjs is kept as its one sample; our engines
    // and anvil make at least one more call, as the first one of the wasm backend runs on V8's baseline tier.
    const seed = first.map((f, i) => (f.ms > 1000 && active[i].name === "ethereumjs" ? [f.ms] : []));
    // The warm-up calls' times set how many calls a sample times together (callsPerSample): the same number for
    // every engine of the case, from the fastest one's.
    // Cheap calls warm up for a few milliseconds, so that the engines' optimising tiers have their code.
    let fastest = Infinity;
    for (const [i, e] of active.entries()) {
      for (let ms = first[i].ms, warm = 0, n = 1; (n < 3 && ms < 300) || (warm < WARM_UP_MS && n < 1000); n++) {
        const t = (await callOnce(e, c)).ms;
        ms += t;
        warm += t;
        fastest = Math.min(fastest, t);
      }
    }
    r.callsPerSample = callsPerSample(fastest);
    const budget = quick ? 100 : 500;
    const minIterations = first.map((f) => (quick || f.ms > 1000 ? 1 : 3));
    const t = await timeInTurns(active, c, budget, minIterations, seed, r.callsPerSample);
    const timing = (name: string) => t[active.findIndex((e) => e.name === name)];
    r.interpreter = timing("interpreter");
    r.wasm = timing("wasm");
    r.ethereumjs = timing("ethereumjs");
    r.anvil = timing("anvil");
    r.anvilEmpty = timing("anvil-empty");
    const w = r.wasm!.medianMs;
    r.wasmSpeedup = r.interpreter!.medianMs / w;
    if (r.ethereumjs) r.ethereumjsOverWasm = r.ethereumjs.medianMs / w;
    r.anvilOverWasm = r.anvil!.medianMs / w;
    r.anvilMinusOverheadMs = r.anvil!.medianMs - r.anvilEmpty!.medianMs;
    // A difference at or below zero (anvil's work lost in the transport's noise) gives no ratio.
    if (r.anvilMinusOverheadMs > 0) r.anvilMinusOverheadOverWasm = r.anvilMinusOverheadMs / w;
  } catch (e) {
    r.problems.push(`error: ${e instanceof Error ? e.message : String(e)}`);
  }
  return r;
}

function geomean(xs: (number | undefined)[]): number | undefined {
  const v = xs.filter((x): x is number => x !== undefined && x > 0);
  return v.length ? Math.exp(v.reduce((s, x) => s + Math.log(x), 0) / v.length) : undefined;
}
const fmt = (ms: number | undefined) =>
  ms === undefined ? "–" : Math.abs(ms) >= 100 ? ms.toFixed(0) : Math.abs(ms) >= 1 ? ms.toFixed(2) : ms.toFixed(4);
const x = (v: number | undefined) => (v === undefined ? "–" : v.toFixed(2) + "x");

function markdownTable(results: CaseResult[]): string {
  const rows = [
    "| case | heavy | interpreter ms | wasm ms | compile ms | ethereumjs ms | anvil ms | anvil − overhead ms | wasm/interpreter speed-up | anvil/wasm | (anvil − overhead)/wasm | check |",
    "|---|:-:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
  ];
  for (const r of results) {
    const ours = r.problems.filter((p) => !p.startsWith("anvil vs"));
    const check = (ours.length ? "**MISMATCH**" : r.anvilDiffers ? "ok; anvil differs" : "ok") +
      (r.ethereumjsSkipped ? "; ethereumjs not run" : "");
    rows.push(
      `| ${r.name} | ${r.computeHeavy ? "yes" : ""} | ${fmt(r.interpreter?.medianMs)} | ${fmt(r.wasm?.medianMs)} | ${
        fmt(r.compileMs)
      } | ${fmt(r.ethereumjs?.medianMs)} | ${fmt(r.anvil?.medianMs)} | ${fmt(r.anvilMinusOverheadMs)} | ${
        x(r.wasmSpeedup)
      } | ${x(r.anvilOverWasm)} | ${x(r.anvilMinusOverheadOverWasm)} | ${check} |`,
    );
  }
  return rows.join("\n");
}

function machineInfo() {
  const g = globalThis as { Deno?: { version: Record<string, string> }; Bun?: { version: string } };
  const runtime = g.Bun
    ? { runtime: "bun", version: g.Bun.version }
    : g.Deno
    ? { runtime: "deno", version: g.Deno.version.deno }
    : { runtime: "node", version: process.versions.node };
  let commit: string | undefined;
  try {
    const git = (a: string) => execSync(`git --no-optional-locks ${a}`, { cwd: REPO_ROOT, encoding: "utf8" }).trim();
    commit = git("rev-parse --short HEAD") + (git("status --porcelain -- backends src mod.ts") ? " (modified)" : "");
  } catch { /* not a git checkout */ }
  let anvil: string | undefined;
  try {
    anvil = execSync(`${ANVIL_BIN} --version`, { encoding: "utf8" }).split("\n")[0];
  } catch { /* reported when it fails to start */ }
  return {
    ...runtime,
    anvil,
    date: new Date().toISOString(),
    commit,
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    loadAverage: os.loadavg(),
  };
}

function parseArgs(argv: string[]) {
  const usage = "usage: all_engines.ts [--filter TEXT] [--quick] [--out FILE] [--ejs-max-gas N]";
  const opts = {
    filter: undefined as string | undefined,
    quick: false,
    out: undefined as string | undefined,
    ejsMaxGas: EJS_MAX_GAS,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") opts.quick = true;
    else if (a === "--filter") opts.filter = argv[++i];
    else if (a === "--out") opts.out = argv[++i];
    else if (a === "--ejs-max-gas") opts.ejsMaxGas = BigInt(argv[++i]);
    else if (a === "--help" || a === "-h") {
      console.log(usage);
      process.exit(0);
    } else {
      console.error(`unknown option ${a}; ${usage}`);
      process.exit(2);
    }
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(ANVIL_BIN)) throw new Error(`no anvil at ${ANVIL_BIN} (npm install the devDependencies)`);
  const filter = opts.filter?.toLowerCase();
  const cases = loadBenchCases().filter((c) => !filter || `${c.group}/${c.name}`.toLowerCase().includes(filter));
  if (!cases.length) {
    console.error(`no benchmark case matches ${JSON.stringify(opts.filter)} in ${fixturesDir()}`);
    process.exit(1);
  }
  const service = new CompileService(0);
  const wasmBackend = createWasmBackend(new Interpreter(), {}, service); // Binaryen -O0 on its compiler thread, no disk cache
  // Binaryen is itself WebAssembly that the engine optimises as it runs: its first modules compile several
  // times slower. Every target code is compiled once first (that cold time goes to the JSON as
  // coldCompileMs); the `compile ms` column is then a warm compiler's, as in a node that has been running.
  for (const c of cases) {
    const key = `${c.fork}:${bytesToHex(c.code)}`;
    if (coldCompileTimes.has(key)) continue;
    const t0 = performance.now();
    service.compileSync(c.code, rulesFor(Fork[c.fork]), 0);
    coldCompileTimes.set(key, performance.now() - t0);
  }
  const anvil = anvilEngines();
  const engines = [
    oursEngine("interpreter", new Interpreter(), false),
    oursEngine("wasm", wasmBackend, false),
    ethereumjsEngine(),
    ...anvil.engines,
  ];
  const started = performance.now();
  const results: CaseResult[] = [];
  const compileAgain = (code: Uint8Array, rules: ReturnType<typeof rulesFor>) =>
    void new WebAssembly.Module(service.compileSync(code, rules, 0) as BufferSource);
  try {
    for (const c of cases) {
      const r = await benchCase(c, engines, wasmBackend, compileAgain, opts.quick, opts.ejsMaxGas);
      results.push(r);
      console.error(
        `${c.group}/${c.name}: interp ${fmt(r.interpreter?.medianMs)}, wasm ${fmt(r.wasm?.medianMs)} (compile ${
          fmt(r.compileMs)
        }), ejs ${fmt(r.ethereumjs?.medianMs)}, anvil ${fmt(r.anvil?.medianMs)} (empty ${
          fmt(r.anvilEmpty?.medianMs)
        }) ms; ${x(r.wasmSpeedup)}, anvil/wasm ${x(r.anvilOverWasm)}` +
          (r.problems.length ? `  PROBLEM: ${r.problems.join(" | ")}` : ""),
      );
    }
  } finally {
    await anvil.close();
  }
  const machine = { ...machineInfo(), wallSeconds: Math.round((performance.now() - started) / 1000) };
  const heavy = results.filter((r) => r.computeHeavy);
  const gm = (rs: CaseResult[], k: keyof CaseResult) => geomean(rs.map((r) => r[k] as number | undefined));
  const summary = {
    computeHeavy: {
      cases: heavy.length,
      wasmSpeedup: gm(heavy, "wasmSpeedup"),
      anvilOverWasm: gm(heavy, "anvilOverWasm"),
      anvilMinusOverheadOverWasm: gm(heavy, "anvilMinusOverheadOverWasm"),
      ethereumjsOverWasm: gm(heavy, "ethereumjsOverWasm"),
    },
    all: {
      cases: results.length,
      wasmSpeedup: gm(results, "wasmSpeedup"),
      anvilOverWasm: gm(results, "anvilOverWasm"),
      anvilMinusOverheadOverWasm: gm(results, "anvilMinusOverheadOverWasm"),
      ethereumjsOverWasm: gm(results, "ethereumjsOverWasm"),
    },
    anvilOverheadMedianMs: geomean(results.map((r) => r.anvilEmpty?.medianMs)),
    mismatches: results.filter((r) => r.problems.some((p) => !p.startsWith("anvil vs"))).length,
    anvilDiffers: results.filter((r) => r.anvilDiffers).length,
  };
  console.log(
    `\n## all engines (${machine.runtime} ${machine.version}, ${machine.anvil}, ${machine.date.slice(0, 10)}${
      opts.quick ? ", quick" : ""
    })\n`,
  );
  console.log(markdownTable(results));
  const line = (label: string, s: typeof summary.all) =>
    `- ${label} (${s.cases} cases): wasm/interpreter ${x(s.wasmSpeedup)}, anvil/wasm ${x(s.anvilOverWasm)}, ` +
    `(anvil − overhead)/wasm ${x(s.anvilMinusOverheadOverWasm)}, ethereumjs/wasm ${x(s.ethereumjsOverWasm)}`;
  console.log(`\nGeometric means:\n${line("compute-heavy", summary.computeHeavy)}\n${line("all", summary.all)}`);
  console.log(
    `- anvil transport overhead (trivial eth_call), geometric mean of the per-case medians: ${
      fmt(summary.anvilOverheadMedianMs)
    } ms`,
  );
  for (const r of results.filter((r) => r.problems.length)) {
    console.log(`\n${r.group}/${r.name}:\n${r.problems.map((p) => `  - ${p}`).join("\n")}`);
  }
  const out = opts.out ??
    join(REPO_ROOT, "bench/results", `all_engines${machine.runtime === "deno" ? "" : "." + machine.runtime}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify({ machine, options: { ...opts, ejsMaxGas: String(opts.ejsMaxGas) }, summary, results }, null, 2) +
      "\n",
  );
  console.error(`\nwrote ${out}`);
  if (summary.mismatches) process.exitCode = 1;
  process.exit(Number(process.exitCode ?? 0)); // the compiler thread would keep the process alive
}

await main();
