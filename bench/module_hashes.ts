/**
 * Digests of the WebAssembly modules the compiler emits for every benchmark contract, to check that a change
 * to the compiler's sources leaves its output byte-identical: run before and after, compare the last line.
 *
 *   npx -y deno run -A bench/module_hashes.ts [--all-forks] [--opt N] [--verbose]
 *
 * Each distinct code is compiled under its case's fork (with --all-forks: under every fork); prints the number
 * of modules and one digest over all of them (with --verbose: a line per module first).
 */
import { createHash } from "node:crypto";
import process from "node:process";
import binaryen from "../backends/wasm/binaryen.ts";
import { compileToWasm } from "../backends/wasm/compiler.ts";
import { FORK_NAMES, parseFork } from "../src/forks/fork.ts";
import { rulesFor } from "../src/forks/rules.ts";
import { bytesToHex } from "../src/primitives/hex.ts";
import { loadBenchCases } from "./contracts.ts";

const argv = process.argv.slice(2);
const allForks = argv.includes("--all-forks");
const verbose = argv.includes("--verbose");
const optIndex = argv.indexOf("--opt");
const optimizeLevel = optIndex >= 0 ? Number(argv[optIndex + 1]) : 0;

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const jobs = new Map<string, { code: Uint8Array; fork: number }>();
for (const c of loadBenchCases()) {
  const forks = allForks ? FORK_NAMES.map((_, id) => id) : [parseFork(c.fork)];
  for (const fork of forks) jobs.set(`${sha256(c.code)} ${fork}`, { code: c.code, fork });
}
const total = createHash("sha256");
let failed = 0;
for (const [key, { code, fork }] of [...jobs].sort(([a], [b]) => (a < b ? -1 : 1))) {
  let line: string;
  try {
    line = sha256(compileToWasm(code, rulesFor(fork as never), { optimizeLevel, binaryen }).binary);
  } catch (e) {
    failed++;
    line = `rejected: ${(e as Error).message.split("\n")[0]}`;
  }
  total.update(`${key} ${line}\n`);
  if (verbose) console.log(`${line} ${FORK_NAMES[fork]} ${key.slice(0, 16)} ${bytesToHex(code).length / 2 - 1} bytes`);
}
console.log(`${jobs.size} modules (${failed} rejected), digest ${total.digest("hex")}`);
