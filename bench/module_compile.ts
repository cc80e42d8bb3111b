/**
 * What the engine pays to turn our modules into machine code: every distinct contract code of the benchmark
 * sets (`../shared/fixtures/bench` and `bench/heldout/fixtures`, the target and every other code of each case's
 * pre-state) compiled by our compiler, then by the engine's optimising compiler alone, eagerly and on one thread,
 * as a node started by `deno task start` compiles a hot contract (--no-liftoff, --no-wasm-lazy-compilation;
 * --single-threaded so that the time is the work, not the share of it the machine's cores took). In-process
 * engine figures.
 *
 *   npx -y deno run -A --v8-flags=--no-liftoff,--no-wasm-lazy-compilation,--single-threaded,\
 *     --experimental-wasm-wide-arithmetic bench/module_compile.ts [--rounds 3] [--out bench/results/module_compile.json]
 *
 * Per code: EVM bytes, module bytes, our compile (ms) and the engine's (ms), the best of the rounds; then totals.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { compileToWasm } from "../backends/wasm/compiler.ts";
import { type ForkId, parseFork } from "../src/forks/fork.ts";
import { rulesFor } from "../src/forks/rules.ts";
import { VERSION } from "../src/version.ts";
import { loadBenchCases, loadFixtureFolder } from "./contracts.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    out: { type: "string", default: "bench/results/module_compile.json" },
  },
});
const ROUNDS = Number(values.rounds);
const ROOT = new URL("../", import.meta.url).pathname;

interface Row {
  name: string;
  evmBytes: number;
  wasmBytes: number;
  lowerMs: number;
  engineMs: number;
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const codes = new Map<string, { name: string; code: Uint8Array; fork: ForkId }>();
for (const c of [...loadBenchCases(), ...loadFixtureFolder(`${ROOT}bench/heldout/fixtures`)]) {
  c.pre.forEach((a, i) => {
    if (a.code.length === 0) return;
    const key = sha256(a.code);
    const name = a.code === c.code ? c.contract : `${c.contract} (pre-state code ${i})`;
    if (!codes.has(key)) codes.set(key, { name, code: a.code, fork: parseFork(c.fork) });
  });
}

/**
 * The module with a custom section naming the round: the engine keeps the machine code of modules it has
 * compiled and hands it out again for the same bytes, which would time a look-up.
 */
function withRound(binary: Uint8Array, round: number): Uint8Array {
  const name = new TextEncoder().encode("round");
  const section = [0, name.length + 2, name.length, ...name, round & 0x7f];
  const out = new Uint8Array(binary.length + section.length);
  out.set(binary);
  out.set(section, binary.length);
  return out;
}

const rows: Row[] = [];
for (const { name, code, fork } of codes.values()) {
  const rules = rulesFor(fork);
  let best: Row | undefined;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    const { binary } = compileToWasm(code, rules);
    const t1 = performance.now();
    new WebAssembly.Module(withRound(binary, r) as BufferSource);
    const t2 = performance.now();
    const row = { name, evmBytes: code.length, wasmBytes: binary.length, lowerMs: t1 - t0, engineMs: t2 - t1 };
    if (!best || row.engineMs < best.engineMs) best = row;
  }
  rows.push(best!);
}

const sum = (f: (r: Row) => number) => rows.reduce((s, r) => s + f(r), 0);
const totals = {
  codes: rows.length,
  evmBytes: sum((r) => r.evmBytes),
  wasmBytes: sum((r) => r.wasmBytes),
  lowerMs: sum((r) => r.lowerMs),
  engineMs: sum((r) => r.engineMs),
};
console.log("| code | EVM bytes | module bytes | our compile ms | engine compile ms |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const r of [...rows].sort((a, b) => b.engineMs - a.engineMs)) {
  console.log(`| ${r.name} | ${r.evmBytes} | ${r.wasmBytes} | ${r.lowerMs.toFixed(1)} | ${r.engineMs.toFixed(1)} |`);
}
console.log(
  `\n${totals.codes} codes: ${totals.evmBytes} EVM bytes, ${totals.wasmBytes} module bytes; our compile ` +
    `${totals.lowerMs.toFixed(0)} ms, the engine's ${totals.engineMs.toFixed(0)} ms (best of ${ROUNDS})`,
);
mkdirSync(dirname(values.out!), { recursive: true });
writeFileSync(
  values.out!,
  JSON.stringify({ date: new Date().toISOString(), version: VERSION, deno: Deno.version, rounds: ROUNDS, totals, rows }),
);
console.log(`wrote ${values.out}`);
