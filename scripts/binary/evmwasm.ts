/**
 * Entry point of the single-file binary (`deno task binary`): the command line,
 * then an explicit exit once the command is done.
 *
 * `bun build --compile` puts every entry point at the root of its embedded file
 * system, next to this one. The compiler thread is started as
 * `new URL("./compile_worker.ts", import.meta.url)` from a module that is
 * bundled into this file, so inside the binary that URL names the root: the
 * worker's entry point (./compile_worker.ts beside this file) is built there; the execution workers'
 * (./execution_worker.ts) likewise.
 *
 * The exit: under Bun an idle compiler thread keeps the process alive after
 * `run`/`statetest` with `--backend wasm|auto` (its unref() is undone by the
 * listeners attached after it), so the binary exits itself when cli.ts has
 * finished (cli.ts awaits its command at the top level, `serve` included).
 */
import process from "node:process";
import "./wasm_tools.ts";
import "./npm_packages.ts";

await import("../../cli.ts");
process.exit(process.exitCode ?? 0);
