/** `compile --code <hex|@file> [--out file.wasm] [--wat file.wat] [--fork NAME] [--opt N] [--json]`: AOT compilation. */
import { writeFileSync } from "node:fs";
import { Fork, parseFork } from "../forks/fork.ts";
import { rulesFor } from "../forks/rules.ts";
import { CliError, parseArgs } from "./args.ts";
import { readHexArg } from "./run.ts";
import { loadBinaryen } from "../../backends/wasm/wasm_tools.ts";

export async function compileCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { string: ["code", "out", "wat", "fork", "opt"], boolean: ["json"] });
  if (!args.code) throw new CliError("compile needs --code <hex|@file>");
  const code = readHexArg(String(args.code), "--code");
  const fork = args.fork ? parseFork(String(args.fork)) : Fork.Osaka;
  const level = Number(args.opt ?? 0);
  if (!Number.isInteger(level) || level < 0 || level > 4) throw new CliError(`--opt: expected 0..4, got ${args.opt}`);
  const t0 = performance.now();
  const [binaryen, { compileToWasm }, { watWithPcs }] = await Promise.all([
    level > 0 ? loadBinaryen() : undefined,
    import("../../backends/wasm/compiler.ts"),
    import("../../backends/wasm/wat.ts"),
  ]);
  const loadMs = performance.now() - t0;
  const wat = args.wat ? String(args.wat) : undefined;
  const out = compileToWasm(code, rulesFor(fork), { optimizeLevel: level, binaryen, annotate: !!wat });
  const totalMs = out.ms.lower + out.ms.optimize + out.ms.emit;
  new WebAssembly.Module(out.binary as BufferSource); // validates
  if (args.out) writeFileSync(String(args.out), out.binary);
  if (wat) writeFileSync(wat, await watWithPcs(out.binary, code));
  const report = { codeBytes: code.length, wasmBytes: out.binary.length, blocks: out.blocks, compileMs: totalMs, ...out.ms, loadMs };
  if (args.json) console.log(JSON.stringify(report));
  else {
    console.log(`${code.length} bytes of EVM code, ${out.blocks} blocks -> ${out.binary.length} bytes of WebAssembly in ${totalMs.toFixed(1)} ms (lower ${out.ms.lower.toFixed(1)}, optimize ${out.ms.optimize.toFixed(1)}, emit ${out.ms.emit.toFixed(1)})`);
    if (args.out) console.log(`wrote ${args.out}`);
    if (wat) console.log(`wrote ${wat}`);
  }
  return 0;
}
