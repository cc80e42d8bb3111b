/**
 * The WebAssembly backend side by side with the interpreter on the shared benchmark contracts:
 * warm run time of each, the speed-up, and the compile time (Binaryen in this thread, cold module).
 *
 *   npx -y deno run -A --v8-flags=--stack-size=4000 bench/wasm_vs_interpreter.ts [--filter S] [--quick] [--opt N] [--out FILE]
 *   npx -y bun bench/wasm_vs_interpreter.ts [...]
 *
 * Outputs must agree (status, output, gas used); a mismatch is reported and makes the exit status 1.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import binaryen from "../backends/wasm/binaryen.ts";
import { bytesToHex, Fork, Interpreter } from "../mod.ts";
import type { Backend } from "../backends/backend.ts";
import { WasmBackend } from "../backends/wasm/backend.ts";
import { compileToWasm } from "../backends/wasm/compiler.ts";
import { rulesFor } from "../src/forks/rules.ts";
import { callCase, caseBlock, preState } from "./engines.ts";
import { type BenchCase, loadBenchCases } from "./contracts.ts";

const COMPUTE_HEAVY =
  /^(snailtracer|sha1_divs|sha1_shifts|blake2b_huff|blake2b_shifts|swap_math|weierstrudel|fibonacci|factorial|bswap64|hash_10k|onchain_lm)/;
const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const GAS_CAP = 1_000_000_000n;

function argsOf(argv: string[]) {
  const o = { filter: undefined as string | undefined, quick: false, opt: 0, out: undefined as string | undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") o.quick = true;
    else if (a === "--filter") o.filter = argv[++i];
    else if (a === "--opt") o.opt = Number(argv[++i]);
    else if (a === "--out") o.out = argv[++i];
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

function call(backend: Backend, c: BenchCase) {
  const world = preState(c);
  const block = caseBlock(c);
  const t0 = performance.now();
  const r = callCase(backend, c, world, c.gas < GAS_CAP ? c.gas : GAS_CAP, block);
  return { ms: performance.now() - t0, r };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function timeIt(backend: Backend, c: BenchCase, budgetMs: number): { medianMs: number; iterations: number } {
  for (let i = 0, spent = 0; i < 3 && spent < 300; i++) spent += call(backend, c).ms; // warm-up
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 3 || performance.now() - start < budgetMs) samples.push(call(backend, c).ms);
  return { medianMs: median(samples), iterations: samples.length };
}

function geomean(xs: number[]): number | undefined {
  return xs.length ? Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length) : undefined;
}

const fmt = (
  ms: number | undefined,
) => (ms === undefined ? "–" : ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(4));

const opts = argsOf(process.argv.slice(2));
const filter = opts.filter?.toLowerCase();
const cases = loadBenchCases().filter((c) => !filter || `${c.group}/${c.name}`.toLowerCase().includes(filter));
const interpreter = new Interpreter();
const compileMs = new Map<string, { compileMs: number; wasmBytes: number }>();
const wasm = new WasmBackend({
  compile: (code, rules) => {
    const t0 = performance.now();
    const out = compileToWasm(code, rules, { binaryen, optimizeLevel: opts.opt });
    new WebAssembly.Module(out.binary as BufferSource);
    compileMs.set(bytesToHex(code), { compileMs: performance.now() - t0, wasmBytes: out.binary.length });
    return out.binary;
  },
  fallback: interpreter,
  onCompileError: (e) => console.error("compile error:", e),
});
// Binaryen's own warm-up (its first module is slow) is not part of any contract's compile time.
compileToWasm(new Uint8Array([0x60, 1, 0x60, 2, 0x01, 0x00]), rulesFor(Fork.Osaka));

const budget = opts.quick ? 100 : 1000;
const rows: Record<string, unknown>[] = [];
for (const c of cases) {
  const heavy = COMPUTE_HEAVY.test(c.contract);
  const first = call(wasm, c); // compiles the code of every account the call reaches
  const ref = call(interpreter, c);
  const problems: string[] = [];
  if (first.r.success !== ref.r.success) problems.push(`status ${ref.r.success} vs ${first.r.success}`);
  if (bytesToHex(first.r.output) !== bytesToHex(ref.r.output)) problems.push("output differs");
  if (first.r.gasUsed !== ref.r.gasUsed) problems.push(`gas ${ref.r.gasUsed} vs ${first.r.gasUsed}`);
  const ti = timeIt(interpreter, c, budget);
  const tw = timeIt(wasm, c, budget);
  const comp = compileMs.get(bytesToHex(c.code));
  const row = {
    name: `${c.group}/${c.name}`,
    heavy,
    codeBytes: c.code.length,
    gasUsed: String(ref.r.gasUsed),
    interpreterMs: ti.medianMs,
    wasmMs: tw.medianMs,
    speedup: ti.medianMs / tw.medianMs,
    compileMs: comp?.compileMs,
    wasmBytes: comp?.wasmBytes,
    problems,
  };
  rows.push(row);
  console.error(
    `${row.name}: interpreter ${fmt(ti.medianMs)} ms, wasm ${fmt(tw.medianMs)} ms, ${
      row.speedup.toFixed(2)
    }x, compile ${fmt(comp?.compileMs)} ms${problems.length ? "  MISMATCH " + problems.join("; ") : ""}`,
  );
}

const runtime = (globalThis as { Bun?: unknown }).Bun ? "bun" : "deno";
console.log(`\n## wasm backend vs interpreter (${runtime}, Binaryen -O${opts.opt}${opts.quick ? ", quick" : ""})\n`);
console.log(
  "| case | heavy | code bytes | gas used | interpreter ms | wasm ms | speed-up | compile ms | wasm bytes | check |",
);
console.log("|---|:-:|--:|--:|--:|--:|--:|--:|--:|---|");
for (const r of rows) {
  console.log(
    `| ${r.name} | ${r.heavy ? "yes" : ""} | ${r.codeBytes} | ${r.gasUsed} | ${fmt(r.interpreterMs as number)} | ${
      fmt(r.wasmMs as number)
    } | ${(r.speedup as number).toFixed(2)}x | ${fmt(r.compileMs as number | undefined)} | ${r.wasmBytes ?? "–"} | ${
      (r.problems as string[]).length ? "**MISMATCH**" : "ok"
    } |`,
  );
}
const speedups = (f: (r: Record<string, unknown>) => boolean) => rows.filter(f).map((r) => r.speedup as number);
const summary = {
  geomeanSpeedupComputeHeavy: geomean(speedups((r) => r.heavy as boolean)),
  geomeanSpeedupAll: geomean(speedups(() => true)),
  mismatches: rows.filter((r) => (r.problems as string[]).length).length,
};
console.log(
  `\nGeometric mean speed-up, compute-heavy: ${summary.geomeanSpeedupComputeHeavy?.toFixed(2)}x; all: ${
    summary.geomeanSpeedupAll?.toFixed(2)
  }x`,
);
const out = opts.out ??
  join(REPO_ROOT, "bench/results", `wasm_vs_interpreter${runtime === "deno" ? "" : "." + runtime}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  JSON.stringify({ runtime, date: new Date().toISOString(), options: opts, summary, rows }, null, 2) + "\n",
);
console.error(`wrote ${out}`);
if (summary.mismatches) process.exitCode = 1;
