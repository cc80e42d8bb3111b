/**
 * Shared by the client tests: the client tools installed from npm into a
 * per-user cache, child processes with a deadline, and our node next to anvil
 * so that one flow runs against both and their observations can be compared.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { keccak256 } from "../../src/primitives/hash.ts";
import { bytesToHex } from "../../src/primitives/hex.ts";
import { anvilAvailable, RpcClient, startAnvil, startNode } from "../rpc/helpers.ts";
import type { NodeOptions } from "../../src/node.ts";

export const REPO = new URL("../../", import.meta.url).pathname;

/** npm packages per client, pinned (the versions ../shared/CLIENTS.md verified). */
export const CLIENT_PACKAGES = {
  foundry: {
    "@foundry-rs/cast-linux-amd64": "1.7.1",
    "@foundry-rs/forge-linux-amd64": "1.7.1",
  },
  hardhat: {
    "hardhat": "2.29.1",
    "@nomicfoundation/hardhat-ethers": "3.1.3",
    "ethers": "6.17.0",
    "solc": "0.8.37",
    "chai": "4.5.0",
  },
} as const;
export type ClientName = keyof typeof CLIENT_PACKAGES;

/** The linux-amd64 Foundry binaries (like anvil's, the only platform the npm packages cover here). */
export const foundryAvailable = anvilAvailable;

export function nodeAvailable(): boolean {
  try {
    return new Deno.Command("node", { args: ["--version"], stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}

/** Where client packages are installed: $EVMWASM_CLIENT_DEPS, else $XDG_CACHE_HOME/evmwasm-clients, else ~/.cache/evmwasm-clients. */
export function clientDepsRoot(): string {
  const env = Deno.env.toObject();
  if (env.EVMWASM_CLIENT_DEPS) return env.EVMWASM_CLIENT_DEPS;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "evmwasm-clients");
}

/**
 * The folder holding node_modules for one client, installed on first use with
 * `npm install` (no lock file, no install scripts) into a temporary folder
 * that is renamed into place, so a crashed or concurrent install never leaves
 * a half-filled folder behind.
 */
export async function ensureClientDeps(name: ClientName): Promise<string> {
  const packages = CLIENT_PACKAGES[name];
  const spec = JSON.stringify(packages);
  const id = bytesToHex(keccak256(new TextEncoder().encode(spec))).slice(2, 12);
  const dir = join(clientDepsRoot(), `${name}-${id}`);
  const marker = join(dir, ".complete");
  if (existsSync(marker)) return dir;
  const tmp = `${dir}.tmp-${Deno.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, "package.json"), JSON.stringify({ private: true, dependencies: packages }, null, 1));
  const npm = await run("npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--no-package-lock",
    "--ignore-scripts",
    "--loglevel=error",
  ], {
    cwd: tmp,
    timeoutMs: 10 * 60_000,
  });
  if (npm.code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`npm install for ${name} failed (${npm.code}):\n${npm.stderr}`);
  }
  writeFileSync(join(tmp, ".complete"), spec);
  try {
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(marker)) throw e; // not another run that finished first
  }
  return dir;
}

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** The child is killed (SIGKILL) when it runs longer; default 3 minutes. */
  timeoutMs?: number;
  stdin?: string;
}

/** Runs a command to completion (killed at the deadline) and returns its exit code and output. */
export async function run(cmd: string, args: string[], options: RunOptions = {}): Promise<ProcessResult> {
  const timeoutMs = options.timeoutMs ?? 180_000;
  const child = new Deno.Command(cmd, {
    args,
    cwd: options.cwd,
    env: { NO_COLOR: "1", ...options.env },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, timeoutMs);
  try {
    if (options.stdin !== undefined) {
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode(options.stdin));
      await w.close();
    }
    const out = await child.output();
    const dec = new TextDecoder();
    const result = { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
    if (timedOut) throw new Error(`${cmd} ${args.join(" ")}: killed after ${timeoutMs} ms\n${result.stderr}`);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/** Like run, but throws with the output when the exit code is not 0. */
export async function runOk(cmd: string, args: string[], options: RunOptions = {}): Promise<string> {
  const r = await run(cmd, args, options);
  if (r.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} exited with ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  }
  return r.stdout;
}

/** One node a flow runs against. */
export interface Target {
  name: "evmwasm" | "anvil";
  url: string;
  rpc: RpcClient;
  close(): Promise<void>;
}

/** Our node (in this process, on a free loopback port). */
export async function startOurs(options: NodeOptions = {}): Promise<Target> {
  const n = await startNode({
    onInternalError: (m, e) => console.error(`evmwasm internal error in ${m}:`, e),
    ...options,
  });
  return { name: "evmwasm", url: n.url, rpc: n.rpc, close: n.close };
}

/** anvil from npm on a free loopback port (a second try if the port was taken meanwhile). */
export async function startAnvilTarget(args: string[] = []): Promise<Target> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const a = await startAnvil(args);
      return { name: "anvil", url: a.url, rpc: a.rpc, close: a.close };
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

/** Closes everything started, whatever happens in between. */
export class Resources {
  private closers: (() => Promise<void> | void)[] = [];
  add<T extends { close(): Promise<void> | void }>(r: T): T {
    this.closers.push(() => r.close());
    return r;
  }
  defer(fn: () => Promise<void> | void): void {
    this.closers.push(fn);
  }
  async closeAll(): Promise<void> {
    for (const c of this.closers.reverse()) {
      try {
        await c();
      } catch (e) {
        console.error("closing:", e);
      }
    }
    this.closers = [];
  }
}

/**
 * A client test (which starts servers and child processes, so Deno's sanitizers are off): skipped when
 * `ignore`; whatever `body` adds to `res` is closed afterwards, however it ends.
 */
export function clientTest(name: string, ignore: boolean, body: (res: Resources) => Promise<void>): void {
  Deno.test({
    name,
    ignore,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const res = new Resources();
      try {
        await body(res);
      } finally {
        await res.closeAll();
      }
    },
  });
}

/** A fresh temporary folder holding a copy of a project under tests/clients/. */
export function copyProject(name: string, into: string): string {
  const dir = join(into, name);
  const src = new URL(`./${name}/`, import.meta.url).pathname;
  copyTree(src, dir);
  return dir;
}

function copyTree(src: string, dst: string): void {
  mkdirSync(dst, { recursive: true });
  for (const e of Deno.readDirSync(src)) {
    if (["node_modules", "out", "cache", "artifacts", "broadcast"].includes(e.name)) continue;
    const [s, d] = [join(src, e.name), join(dst, e.name)];
    if (e.isDirectory) copyTree(s, d);
    else {
      writeFileSync(d, readFileSync(s));
      Deno.chmodSync(d, Deno.statSync(s).mode ?? 0o644);
    }
  }
}

export type Observations = Record<string, unknown>;

/**
 * Asserts that two runs of one flow saw the same things, key by key, except
 * the keys listed as intended differences (which must exist in both).
 */
export function assertSameObservations(ours: Observations, anvil: Observations, intended: string[] = []): void {
  assert.deepEqual(Object.keys(ours).sort(), Object.keys(anvil).sort(), "the same observations were made");
  for (const key of Object.keys(anvil)) {
    if (intended.includes(key)) continue;
    assert.deepEqual(ours[key], anvil[key], `observation "${key}" differs between evmwasm and anvil`);
  }
}

/** Parses the first JSON value in a tool's stdout. */
export function json<T = Record<string, unknown>>(stdout: string): T {
  return JSON.parse(stdout.trim()) as T;
}
