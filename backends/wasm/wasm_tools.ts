/**
 * Binaryen (optimisation levels above 0, the runtime module's build) and wabt (`compile --wat`).
 *
 * They are a project of their own in ./tools, installed by `deno task setup` (which the test task runs) or here
 * on first use, not dependencies of the root package: `deno task` reads the bin scripts of every direct npm
 * dependency before it runs a task, and Binaryen's nine of 10 MB each cost every `deno task start` 0.23-0.28 s.
 * The node's code loads them through computed specifiers: Deno builds the module graph of a program,
 * dynamic imports included, before running it, and a literal import of Binaryen added 0.1 s to every start.
 * The single-file binary bundles both and says how to load them (setWasmToolLoaders).
 */
import { BaseError } from "../../src/errors/base.ts";
import { nodeFs, nodeModule, nodeProcess } from "../../src/runtime.ts";
import type binaryenApi from "./binaryen.ts";
import type wabtInit from "./wabt.ts";

export type Binaryen = typeof binaryenApi;
export type Wabt = Awaited<ReturnType<typeof wabtInit>>;

interface Loaders {
  binaryen: () => Promise<Binaryen>;
  wabt: () => Promise<typeof wabtInit>;
}

// node: modules are loaded when first needed: the single-file binary loads this module at every start (about
// 8 ms of Bun's node:fs and node:url), and only an install needs them.
let toolsDir: string | undefined;
function toolsDirectory(): string {
  if (toolsDir === undefined) {
    const { fileURLToPath } = nodeModule<typeof import("node:url")>("node:url");
    toolsDir = fileURLToPath(new URL("./tools/", import.meta.url));
  }
  return toolsDir;
}
const PACKAGES = ["binaryen/index.js", "wabt/index.js"];

let loaders: Loaders = {
  binaryen: () => installed().then(() => importComputed("./binaryen.ts")),
  wabt: () => installed().then(() => importComputed("./wabt.ts")),
};
/** One load each for the process, its failure included (a failed install is not tried again per request). */
let binaryen: Promise<Binaryen> | undefined;
let wabt: Promise<typeof wabtInit> | undefined;

/** The single-file binary's own loaders (literal imports, bundled): ./tools is not there. */
export function setWasmToolLoaders(l: Loaders): void {
  loaders = l;
}

export function loadBinaryen(): Promise<Binaryen> {
  return binaryen ??= loaders.binaryen();
}

/** A new instance of wabt's module (its text and binary readers and writers): a failed read can spoil one. */
export async function loadWabt(): Promise<Wabt> {
  return (await (wabt ??= loaders.wabt()))();
}

async function importComputed<T>(path: string): Promise<T> {
  const url = new URL(path, import.meta.url).href;
  return (await import(url)).default as T;
}

/** Binaryen and wabt could not be installed (offline, no space, ...): the command line reports it in one line. */
export class WasmToolsUnavailableError extends BaseError {
  override name = "WasmToolsUnavailableError";
}

let installing: Promise<void> | undefined;

/** Installs ./tools when a package is missing: `deno install` under Deno, `bun install` under Bun. */
function installed(): Promise<void> {
  if (missing().length === 0) return Promise.resolve();
  return installing ??= install().finally(() => installing = undefined);
}

function missing(): string[] {
  return PACKAGES.filter((p) => !nodeFs().existsSync(`${toolsDirectory()}node_modules/${p}`));
}

async function install(): Promise<void> {
  const { execFile } = await import("node:child_process");
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  const cmd = deno ? deno.execPath() : (nodeProcess() as unknown as { execPath: string }).execPath;
  const args = deno ? ["install", "--quiet"] : ["install", "--no-save", "--silent"];
  console.error(`evmwasm: installing Binaryen and wabt into ${toolsDirectory()} (once)`);
  const why = await new Promise<string | undefined>((resolve) =>
    execFile(cmd, args, { cwd: toolsDirectory() }, (error, _stdout, stderr) => {
      const left = missing();
      // The installer's first line says what failed (Deno adds a backtrace after it).
      if (error) resolve(String(stderr).trim().split("\n")[0] || error.message);
      else resolve(left.length ? `${left.join(", ")} still missing` : undefined);
    })
  );
  if (why === undefined) return;
  throw new WasmToolsUnavailableError(`cannot install Binaryen and wabt into ${toolsDirectory()}: ${why}`);
}
