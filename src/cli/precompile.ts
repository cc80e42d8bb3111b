/**
 * `precompile --fork-url URL --address A [--address B ...]`: AOT compilation
 * as a service. Fetches the contracts' code from the upstream (one batched
 * round trip), compiles each to WebAssembly and stores it in the on-disk
 * cache, where a node running `--backend wasm|auto` with the same
 * `--cache-dir` finds it instead of compiling.
 */
import process from "node:process";
import { Interpreter } from "../../backends/interpreter/interpreter.ts";
import { createWasmBackend } from "../../backends/wasm/create.ts";
import { defaultCacheDir } from "../cache_dir.ts";
import { UpstreamClient } from "../fork/upstream.ts";
import { Fork, parseFork } from "../forks/fork.ts";
import { rulesFor } from "../forks/rules.ts";
import { hexAddress, hexToBigInt, hexToBytes } from "../primitives/hex.ts";
import { CliError, parseArgs } from "./args.ts";

function progress(done: number, total: number, label: string): void {
  if (!process.stderr.isTTY) return;
  const width = 24;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total} ${label}`.padEnd(100));
  if (done === total) process.stderr.write("\n");
}

export async function precompileCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    string: ["fork-url", "block", "cache-dir", "opt", "hardfork", "timeout"],
    multiple: ["address"],
    boolean: ["json"],
  });
  const url = args["fork-url"] as string | undefined;
  if (!url) throw new CliError("precompile needs --fork-url URL");
  const addresses = (args.address as string[] | undefined) ?? [];
  if (addresses.length === 0) throw new CliError("precompile needs at least one --address");
  for (const a of addresses) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(a)) throw new CliError(`--address: not a 20-byte hex address: ${a}`);
  }
  // The backends' default level, so that a node finds these modules (the level is part of the cache key).
  const opt = Number(args.opt ?? 0);
  if (!(Number.isInteger(opt) && opt >= 0 && opt <= 4)) throw new CliError(`--opt: expected 0..4, got ${args.opt}`);
  const fork = args.hardfork ? parseFork(String(args.hardfork)) : Fork.Osaka;
  const block = String(args.block ?? "latest");
  const cacheDir = String(args["cache-dir"] ?? defaultCacheDir());
  const client = new UpstreamClient(url, { timeoutMs: Number(args.timeout ?? 45_000) });

  const codes = await Promise.all(addresses.map((a) => client.request<string>("eth_getCode", [a, block])));
  const backend = createWasmBackend(new Interpreter(), { cacheDir, optimizeLevel: opt });
  const rules = rulesFor(fork);
  const rows: { address: string; codeBytes: number; status: string; ms: number }[] = [];
  for (const [i, address] of addresses.entries()) {
    const code = hexToBytes(codes[i], `code of ${address}`);
    const t0 = performance.now();
    let status: string;
    if (code.length === 0) status = "no code";
    else {
      const before = backend.compiled;
      const result = backend.obtain(code, rules);
      status = result === "failed" ? "failed (runs on the interpreter)" : backend.compiled > before ? "compiled" : "already cached";
    }
    const ms = performance.now() - t0;
    rows.push({ address: hexAddress(hexToBigInt(address)), codeBytes: code.length, status, ms });
    progress(i + 1, addresses.length, `${address} ${status}`);
  }
  if (args.json) {
    console.log(JSON.stringify({ cacheDir, optimizeLevel: opt, fork: rules.name, contracts: rows }, null, 1));
  } else {
    console.log(`cache: ${cacheDir} (Binaryen -O${opt}, ${rules.name})`);
    for (const r of rows) console.log(`${r.address}  ${String(r.codeBytes).padStart(6)} bytes  ${r.status.padEnd(16)} ${r.ms.toFixed(0)} ms`);
  }
  return rows.some((r) => r.status.startsWith("failed")) ? 1 : 0;
}
