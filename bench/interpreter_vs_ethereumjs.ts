/**
 * The interpreter side by side with @ethereumjs/evm on the shared benchmark contracts.
 *
 *   npx -y deno task bench [--filter NAME] [--quick] [--out FILE]
 *   npx -y bun bench/interpreter_vs_ethereumjs.ts [--filter NAME] [--quick] [--out FILE]
 *
 * Each case runs once per engine to compare status, output and gas used, then is timed: every
 * sample starts from a freshly built pre-state (built outside the timed region) and times one call.
 * Prints a markdown table and writes JSON (default bench/results/interpreter_vs_ethereumjs[.bun].json).
 */
import { execSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { bytesToHex, Interpreter } from "../mod.ts";
import { callOnce, type Engine, ethereumjsEngine, type Outcome, oursEngine, type Timing, timeInTurns } from "./engines.ts";
import { type BenchCase, fixturesDir, loadBenchCases } from "./contracts.ts";

/** Contracts whose run time is spent computing rather than in call set-up or state access. */
const COMPUTE_HEAVY =
  /^(snailtracer|sha1_divs|sha1_shifts|blake2b_huff|blake2b_shifts|swap_math|weierstrudel|fibonacci|factorial|bswap64|hash_10k|onchain_lm)/;

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));


function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function short(bytes: Uint8Array): string {
  const hex = bytesToHex(bytes);
  return hex.length > 74 ? `${hex.slice(0, 74)}… (${bytes.length} bytes)` : hex;
}

/** Problems with the two outcomes: a disagreement between engines, or with the fixture's expected output. */
function checkOutcomes(c: BenchCase, ours: Outcome, theirs: Outcome): string[] {
  const problems: string[] = [];
  if (ours.status !== theirs.status) {
    problems.push(
      `status: interpreter ${ours.status}${ours.error ? ` (${ours.error})` : ""}, ethereumjs ${theirs.status}${
        theirs.error ? ` (${theirs.error})` : ""
      }`,
    );
  }
  if (!equalBytes(ours.output, theirs.output)) {
    problems.push(`output: interpreter ${short(ours.output)}, ethereumjs ${short(theirs.output)}`);
  }
  if (ours.gasUsed !== theirs.gasUsed) {
    problems.push(`gas used: interpreter ${ours.gasUsed}, ethereumjs ${theirs.gasUsed}`);
  }
  if (c.expectedOutput) {
    for (const [name, o] of [["interpreter", ours], ["ethereumjs", theirs]] as const) {
      if (!equalBytes(o.output, c.expectedOutput)) {
        problems.push(`${name} output differs from the fixture's ${short(c.expectedOutput)}`);
      }
    }
  }
  return problems;
}

interface CaseResult {
  name: string;
  group: string;
  alsoIn: string[];
  fork: string;
  computeHeavy: boolean;
  status?: string;
  gasUsed?: string;
  interpreter?: Timing;
  ethereumjs?: Timing;
  /** ethereumjs median / interpreter median. */
  ratio?: number;
  problems: string[];
}

async function benchCase(c: BenchCase, engines: [Engine, Engine], quick: boolean): Promise<CaseResult> {
  const result: CaseResult = {
    name: c.name,
    group: c.group,
    alsoIn: c.alsoIn,
    fork: c.fork,
    computeHeavy: COMPUTE_HEAVY.test(c.contract),
    problems: [],
  };
  const [ours, theirs] = engines;
  try {
    // The first call of each engine is both the correctness check and warm-up.
    const first = [await callOnce(ours, c), await callOnce(theirs, c)];
    result.status = first[0].outcome.status;
    result.gasUsed = String(first[0].outcome.gasUsed);
    result.problems = checkOutcomes(c, first[0].outcome, first[1].outcome);
    // Warm-up: a few more calls when they are cheap.
    for (const [i, engine] of engines.entries()) {
      for (let ms = first[i].ms, n = 1; n < 3 && ms < 300; n++) ms += (await callOnce(engine, c)).ms;
    }
    const [budgetMs, minIterations] = quick ? [100, 1] : [1000, 3];
    [result.interpreter, result.ethereumjs] = await timeInTurns(engines, c, budgetMs, engines.map(() => minIterations), engines.map(() => []));
    result.ratio = result.ethereumjs!.medianMs / result.interpreter!.medianMs;
  } catch (e) {
    result.problems.push(`error: ${e instanceof Error ? e.message : String(e)}`);
  }
  return result;
}

function geomean(xs: number[]): number | undefined {
  return xs.length ? Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length) : undefined;
}

function formatMs(ms: number | undefined): string {
  if (ms === undefined) return "–";
  return ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(4);
}

function markdownTable(results: CaseResult[]): string {
  const rows = [
    "| case | group | heavy | gas used | interpreter ms | ethereumjs ms | ratio | interpreter Mgas/s | check |",
    "|---|---|:-:|--:|--:|--:|--:|--:|---|",
  ];
  for (const r of results) {
    const mgas = r.interpreter && r.gasUsed ? (Number(r.gasUsed) / r.interpreter.medianMs / 1000).toFixed(1) : "–";
    const check = r.problems.length
      ? `**MISMATCH** (${r.problems.length}, see below)`
      : r.status === "success"
      ? "ok"
      : `ok (both ${r.status})`;
    const group = [r.group, ...r.alsoIn].join(", ");
    rows.push(
      `| ${r.name} | ${group} | ${r.computeHeavy ? "yes" : ""} | ${r.gasUsed ?? "–"} | ${
        formatMs(r.interpreter?.medianMs)
      } | ${formatMs(r.ethereumjs?.medianMs)} | ${r.ratio ? r.ratio.toFixed(2) + "x" : "–"} | ${mgas} | ${check} |`,
    );
  }
  return rows.join("\n");
}

function machineInfo() {
  const g = globalThis as { Deno?: { version: Record<string, string> }; Bun?: { version: string; revision: string } };
  const runtime = g.Bun
    ? { runtime: "bun", version: g.Bun.version, engine: `JavaScriptCore` }
    : g.Deno
    ? { runtime: "deno", version: g.Deno.version.deno, engine: `V8 ${g.Deno.version.v8}` }
    : { runtime: "node", version: process.versions.node, engine: `V8 ${process.versions.v8}` };
  const git = (args: string) =>
    execSync(`git --no-optional-locks ${args}`, { cwd: REPO_ROOT, encoding: "utf8" }).trim();
  let commit: string | undefined;
  try {
    // The work tree may hold uncommitted interpreter changes; say so next to the commit.
    commit = git("rev-parse --short HEAD") + (git("status --porcelain -- backends src mod.ts") ? " (modified)" : "");
  } catch { /* not a git checkout */ }
  return {
    ...runtime,
    date: new Date().toISOString(),
    commit,
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

function parseArgs(argv: string[]) {
  const opts = { filter: undefined as string | undefined, quick: false, out: undefined as string | undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") opts.quick = true;
    else if (a === "--filter") opts.filter = argv[++i];
    else if (a === "--out") opts.out = argv[++i];
    else if (a === "--help" || a === "-h") {
      console.log("usage: interpreter_vs_ethereumjs.ts [--filter NAME] [--quick] [--out FILE]");
      process.exit(0);
    } else {
      console.error(`unknown option ${a}; usage: interpreter_vs_ethereumjs.ts [--filter NAME] [--quick] [--out FILE]`);
      process.exit(2);
    }
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const machine = machineInfo();
  const filter = opts.filter?.toLowerCase();
  const cases = loadBenchCases().filter((c) => !filter || `${c.group}/${c.name}`.toLowerCase().includes(filter));
  if (cases.length === 0) {
    console.error(`no benchmark case matches ${JSON.stringify(opts.filter)} in ${fixturesDir()}`);
    process.exit(1);
  }
  const engines: [Engine, Engine] = [oursEngine("interpreter", new Interpreter(), true), ethereumjsEngine()];
  const results: CaseResult[] = [];
  for (const c of cases) {
    const r = await benchCase(c, engines, opts.quick);
    results.push(r);
    console.error(
      `${c.group}/${c.name}: interpreter ${formatMs(r.interpreter?.medianMs)} ms, ethereumjs ${
        formatMs(r.ethereumjs?.medianMs)
      } ms` +
        (r.ratio ? `, ${r.ratio.toFixed(2)}x` : "") + (r.problems.length ? "  MISMATCH" : ""),
    );
  }

  const ratios = (rs: CaseResult[]) => rs.flatMap((r) => (r.ratio ? [r.ratio] : []));
  const summary = {
    geomeanRatioComputeHeavy: geomean(ratios(results.filter((r) => r.computeHeavy))),
    geomeanRatioAll: geomean(ratios(results)),
    mismatches: results.filter((r) => r.problems.length).length,
  };

  console.log(
    `\n## interpreter vs @ethereumjs/evm (${machine.runtime} ${machine.version}, ${machine.date.slice(0, 10)}${
      opts.quick ? ", quick" : ""
    })\n`,
  );
  console.log(markdownTable(results));
  console.log(`\nratio = ethereumjs median / interpreter median (higher is better for the interpreter).`);
  console.log(`Geometric mean ratio, compute-heavy cases: ${summary.geomeanRatioComputeHeavy?.toFixed(2) ?? "–"}x`);
  console.log(`Geometric mean ratio, all cases: ${summary.geomeanRatioAll?.toFixed(2) ?? "–"}x`);
  for (const r of results.filter((r) => r.problems.length)) {
    console.log(`\nMISMATCH ${r.group}/${r.name}:\n${r.problems.map((p) => `  - ${p}`).join("\n")}`);
  }

  const out = opts.out ??
    join(
      REPO_ROOT,
      "bench/results",
      `interpreter_vs_ethereumjs${machine.runtime === "deno" ? "" : "." + machine.runtime}.json`,
    );
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ machine, options: opts, summary, results }, null, 2) + "\n");
  console.error(`\nwrote ${out}`);
  if (summary.mismatches > 0) process.exitCode = 1;
}

await main();
