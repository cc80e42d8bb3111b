/** `blocktest [--backend B] [--filter S] [--json] [--known-failures FILE] PATH...` */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type BlockTestResult, runBlockchainFile } from "../blocktest/runner.ts";
import { createBackend } from "../../backends/registry.ts";
import { WasmBackend } from "../../backends/wasm/backend.ts";
import { CliError, parseArgs } from "./args.ts";

function collectFiles(path: string, out: string[]): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new CliError(`no such file or folder: ${path}`);
  }
  if (st.isDirectory()) {
    for (const name of readdirSync(path).sort()) collectFiles(join(path, name), out);
  } else if (path.endsWith(".json")) out.push(path);
}

export function blocktestId(r: BlockTestResult): string {
  return `${r.file}::${r.test}`;
}

export function blocktestCommand(argv: string[]): number {
  const args = parseArgs(argv, { string: ["backend", "filter", "known-failures"], boolean: ["json"] });
  if (args.positional.length === 0) throw new CliError("blocktest needs at least one PATH (a fixture file or folder)");
  const backend = createBackend(String(args.backend ?? "interpreter"));
  const files: string[] = [];
  for (const p of args.positional) collectFiles(p, files);
  const known = new Set<string>();
  if (args["known-failures"]) {
    for (const line of readFileSync(String(args["known-failures"]), "utf8").split("\n")) {
      const t = line.trim();
      if (t && !t.startsWith("#")) known.add(t);
    }
  }
  const failures: BlockTestResult[] = [];
  const nowPassing: string[] = [];
  let passed = 0, failed = 0, knownFailed = 0;
  const start = performance.now();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      text = `<unreadable: ${(e as Error).message}>`;
    }
    for (const r of runBlockchainFile(file, text, { backend, filter: args.filter as string | undefined })) {
      const id = blocktestId(r);
      if (r.passed) {
        passed++;
        if (known.has(id)) nowPassing.push(id);
      } else if (known.has(id)) {
        knownFailed++;
      } else {
        failed++;
        failures.push(r);
        if (!args.json) console.log(`FAIL ${r.file} ${r.test} [${r.network}]: ${r.detail}`);
      }
    }
  }
  // The wasm backend runs code it cannot compile on the interpreter: a pass there would not be the compiler's.
  if (backend instanceof WasmBackend && backend.rejected > 0) {
    failed += backend.rejected;
    if (!args.json) {
      console.log(`FAIL ${backend.rejected} codes were rejected by the compiler (they ran on the interpreter)`);
    }
  }
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  if (args.json) {
    console.log(
      JSON.stringify({ passed, failed, knownFailed, nowPassing, seconds: Number(seconds), failures }, null, 1),
    );
  } else {
    if (known.size) {
      console.log(`${knownFailed} known failures still failing (listed in ${args["known-failures"]})`);
      for (const id of nowPassing) console.log(`NOW PASSING (remove from the known-failures list): ${id}`);
    }
    console.log(`${files.length} files, ${seconds} s, backend ${backend.name}`);
    console.log(`${passed} passed, ${failed} failed`);
  }
  return failed > 0 ? 1 : 0;
}
