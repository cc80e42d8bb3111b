/** `run --code <hex|@file> [--input <hex>] [--gas N] [--fork NAME] [--repeat N] [--json]` */
import { readFileSync } from "node:fs";
import { createBackend } from "../../backends/registry.ts";
import { runCall } from "../evm/run_call.ts";
import { Fork, parseFork } from "../forks/fork.ts";
import { bytesToHex, hexToBytes } from "../primitives/hex.ts";
import { WorldState } from "../state/world.ts";
import { CliError, type ParsedArgs, parseArgs } from "./args.ts";
import { rulesFor } from "../forks/rules.ts";
import { WasmBackend } from "../../backends/wasm/backend.ts";
import { defaultCacheDir } from "../cache_dir.ts";
import type { WasmSetup } from "../../backends/wasm/create.ts";

/** A hex string, or @path to a file holding hex. */
export function readHexArg(value: string, what: string): Uint8Array {
  let text = value;
  if (value.startsWith("@")) {
    try {
      text = readFileSync(value.slice(1), "utf8").trim();
    } catch (e) {
      throw new CliError(`${what}: cannot read ${value.slice(1)}: ${(e as Error).message}`);
    }
  }
  return hexToBytes(text.trim(), what);
}

/** --cache-dir DIR (default: the per-user folder), --no-cache, --opt N: options of the WebAssembly backends. */
export function wasmSetup(args: ParsedArgs): WasmSetup {
  const opt = args.opt === undefined ? undefined : Number(args.opt);
  if (opt !== undefined && !(Number.isInteger(opt) && opt >= 0 && opt <= 4)) throw new CliError(`--opt: expected 0..4, got ${args.opt}`);
  return { cacheDir: args["no-cache"] ? undefined : String(args["cache-dir"] ?? defaultCacheDir()), optimizeLevel: opt };
}

export function runCommand(argv: string[]): number {
  const args = parseArgs(argv, {
    string: ["backend", "code", "input", "gas", "fork", "repeat", "cache-dir", "opt"],
    boolean: ["json", "no-cache"],
  });
  if (!args.code) throw new CliError("run needs --code <hex|@file>");
  const code = readHexArg(String(args.code), "--code");
  const input = readHexArg(String(args.input ?? "0x"), "--input");
  const gasText = String(args.gas ?? "30000000");
  if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(gasText)) throw new CliError(`--gas: not a number: ${gasText}`);
  const gas = BigInt(gasText);
  const repeat = Number(args.repeat ?? 1);
  if (!Number.isInteger(repeat) || repeat < 1) throw new CliError(`--repeat: expected a positive integer, got ${args.repeat}`);
  const fork = args.fork ? parseFork(String(args.fork)) : Fork.Osaka;
  const backendName = String(args.backend ?? "interpreter");
  const backend = createBackend(backendName, wasmSetup(args));
  // The WebAssembly backend compiles (or loads from the disk cache) before the timed runs.
  let compileMs = 0;
  if (backend instanceof WasmBackend) {
    const t0 = performance.now();
    backend.obtain(code, rulesFor(fork));
    compileMs = performance.now() - t0;
  }
  const runMs: number[] = [];
  let last;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    last = runCall({ backend, world: new WorldState(), code, input, gas, fork });
    runMs.push(performance.now() - t0);
  }
  const r = last!;
  const out = { success: r.success, output: bytesToHex(r.output), gasUsed: Number(r.gasUsed), compileMs, runMs, error: r.error };
  if (args.json) console.log(JSON.stringify(out));
  else {
    console.log(`success: ${r.success}${r.error ? ` (${r.error})` : ""}`);
    console.log(`output:  ${out.output}`);
    console.log(`gasUsed: ${out.gasUsed}`);
    if (backend instanceof WasmBackend) console.log(`compileMs: ${compileMs.toFixed(3)}`);
    console.log(`runMs:   ${runMs.map((m) => m.toFixed(3)).join(" ")}`);
  }
  return r.success ? 0 : 1;
}
