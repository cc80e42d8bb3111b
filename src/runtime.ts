/**
 * What the program needs of its runtime, without Node's compatibility layer on the way to a node's first answer.
 * Under Deno the layer's first use (any `node:` import, or the global `process`) costs about 30 ms, and the five
 * `node:` modules the start path used cost 50 ms of every start. So modules that a start evaluates import no
 * `node:` module: what a start does goes through Deno's own API here (under Bun, whose `node:` modules are
 * native, through Node's), and anything else loads its `node:` module when first used (`nodeModule`).
 */
import type * as NodeFs from "node:fs";
import type * as NodePath from "node:path";

interface DenoApi {
  args: string[];
  pid: number;
  exitCode: number;
  env: { get(name: string): string | undefined };
  readTextFileSync(path: string): string;
  addSignalListener(signal: "SIGINT" | "SIGTERM", handler: () => void): void;
  removeSignalListener(signal: "SIGINT" | "SIGTERM", handler: () => void): void;
  errors: { NotFound: new () => Error };
}

const deno = (globalThis as { Deno?: DenoApi }).Deno;

interface NodeProcess {
  argv: string[];
  pid: number;
  exitCode?: number;
  env: Record<string, string | undefined>;
  getBuiltinModule(name: string): unknown;
  once(signal: string, handler: () => void): void;
  kill(pid: number, signal: number): void;
  off(signal: string, handler: () => void): void;
}

/** Node's global process (under Deno, loading it starts the compatibility layer). */
export function nodeProcess(): NodeProcess {
  return (globalThis as unknown as { process: NodeProcess }).process;
}

/** A `node:` module, loaded when first asked for. */
export function nodeModule<T>(name: `node:${string}`): T {
  return nodeProcess().getBuiltinModule(name) as T;
}

export const nodeFs = (): typeof NodeFs => nodeModule<typeof NodeFs>("node:fs");
export const nodePath = (): typeof NodePath => nodeModule<typeof NodePath>("node:path");

/** The command's arguments (after the program). */
export function commandArgs(): string[] {
  return deno ? deno.args : nodeProcess().argv.slice(2);
}

export function setExitCode(code: number): void {
  if (deno) deno.exitCode = code;
  else nodeProcess().exitCode = code;
}

export function envVar(name: string): string | undefined {
  return deno ? deno.env.get(name) : nodeProcess().env[name];
}

export function processId(): number {
  return deno ? deno.pid : nodeProcess().pid;
}

/** The current user's home folder ($HOME, or %USERPROFILE% on Windows). */
export function homeDir(): string {
  const home = envVar("HOME") ?? envVar("USERPROFILE");
  return home ?? nodeModule<typeof import("node:os")>("node:os").homedir();
}

/** Joins path segments with "/" (which every platform takes), dropping empty ones and doubled separators. */
export function joinPath(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/").replace(/(?<!^)[\/\\]+/g, "/");
}

interface BunApi {
  mmap(path: string): Uint8Array;
}

const bun = (globalThis as { Bun?: BunApi }).Bun;
const utf8 = new TextDecoder();

/** A text file's contents, or undefined when there is no such file (other errors are thrown). */
export function readTextIfPresent(path: string): string | undefined {
  if (bun) {
    // Bun's node:fs costs about 6 ms of a start to load, for the one small file a start reads (dev-accounts.json).
    try {
      return utf8.decode(bun.mmap(path));
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "ENOENT") return undefined;
      if (code === "EINVAL") return ""; // an empty file cannot be mapped
      // anything else: node:fs reads it or says why not
    }
  }
  if (!deno) {
    try {
      return nodeFs().readFileSync(path, "utf8");
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return undefined;
      throw e;
    }
  }
  try {
    return deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** Calls `f` once, on the first SIGINT or SIGTERM. */
export function onceTerminated(f: () => void): void {
  const signals = ["SIGINT", "SIGTERM"] as const;
  let called = false;
  const handler = () => {
    if (called) return;
    called = true;
    for (const s of signals) {
      if (deno) deno.removeSignalListener(s, handler);
      else nodeProcess().off(s, handler);
    }
    f();
  };
  for (const s of signals) {
    if (deno) deno.addSignalListener(s, handler);
    else nodeProcess().once(s, handler);
  }
}

/**
 * Calls `f` after `ms` milliseconds unless cancelled (the returned function), without keeping the process alive.
 * For timers a start sets before its first answer: under Deno the global setTimeout is Node's, and its first use
 * loads Node's timers (12-30 ms); an AbortSignal's timeout takes about a millisecond.
 */
export function afterMs(ms: number, f: () => void): () => void {
  let cancelled = false;
  AbortSignal.timeout(ms).addEventListener("abort", () => {
    if (!cancelled) f();
  }, { once: true });
  return () => void (cancelled = true);
}
