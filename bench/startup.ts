/**
 * Start-up of the node: time from spawning the process to its first eth_chainId
 * answer, for the single-file binary (dist/evmwasm, `deno task binary`; unpacked
 * already, and on its first run, which unpacks it), anvil (npm, a
 * devDependency), the README's `deno task start` (the executable built from the sources, with and without npx
 * in front), `deno task start:deno` and its command (the sources bundled, on Deno), and cli.ts (the sources)
 * under Deno and under Bun; plus file sizes.
 *
 *   npx -y deno run -A bench/startup.ts [--runs 10] [--out bench/results/startup.json] [--binary dist/evmwasm]
 *                                       [--only TEXT[,TEXT]]  (the subjects whose name contains a TEXT)
 *                                       [--baseline DIR]  (also the binary and `deno task start` of another
 *                                                          checkout, e.g. main's, installed and built: before/after)
 *
 * Builds dist/evmwasm first when it is missing. The subjects start in turns
 * (one start of each per round, after an untimed round that warms the page
 * cache), so that load from elsewhere on the machine falls on all of them;
 * each start polls the port every 2 ms. The table gives the median and the best
 * of the runs and their ratio to anvil's (the JSON keeps every run and the load
 * average: on a busy machine the ratios move less than the times). The runtimes
 * are called directly except in the `npx -y deno task start` subject, which
 * measures what a user of the README waits for (npx's own start included).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { VERSION } from "../src/version.ts";
import { buildStartExecutable, START_EXECUTABLE } from "../scripts/start/executable.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "10" },
    out: { type: "string", default: "bench/results/startup.json" },
    binary: { type: "string", default: "dist/evmwasm" },
    only: { type: "string" },
    baseline: { type: "string" },
  },
});
const RUNS = Number(values.runs);
const ROOT = new URL("../", import.meta.url).pathname;

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function output(cmd: string, args: string[], env?: Record<string, string>): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd: ROOT, stdout: "piped", stderr: "inherit", env }).output();
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")} failed`);
  return new TextDecoder().decode(out.stdout).trim();
}

/** The processes below `pid` (a task runner's node, npx's deno), children first. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^[0-9]+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(e.name)]);
    } catch { /* exited meanwhile */ }
  }
  const below = (p: number): number[] => (children.get(p) ?? []).flatMap((c) => [...below(c), c]);
  return below(pid);
}

/** Milliseconds from spawn to the first eth_chainId result. */
async function startOnce(
  cmd: string,
  args: (port: number) => string[],
  env?: () => Record<string, string>,
  cwd = ROOT,
): Promise<number> {
  const port = freePort();
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
  const vars = env?.();
  const t0 = performance.now();
  const child = new Deno.Command(cmd, { args: args(port), cwd, stdout: "null", stderr: "null", env: vars }).spawn();
  try {
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        const j = await res.json();
        if (j.result === "0x7a69") return performance.now() - t0;
      } catch { /* not listening yet */ }
      if (performance.now() - t0 > 30_000) throw new Error(`${cmd}: no answer in 30 s`);
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    for (const pid of descendants(child.pid)) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch { /* exited */ }
    }
    child.kill("SIGKILL");
    await child.status;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const BINARY = values.binary!.startsWith("/") ? values.binary! : `${ROOT}${values.binary}`;
if (!existsSync(BINARY)) {
  if (values.binary !== "dist/evmwasm") throw new Error(`no binary at ${BINARY}`);
  await output("npx", ["-y", "deno", "task", "binary"]);
}
const deno = await output("npx", ["-y", "deno", "eval", "console.log(Deno.execPath())"]);
const bun = await output("npx", ["-y", "bun", "-e", "console.log(process.execPath)"]);
const anvil = `${ROOT}node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil`;
Deno.chmodSync(anvil, 0o755);

// The binary unpacks its executable on its first run (scripts/binary/build.ts): into a folder of this run for
// the warm subject (its first start, not timed, unpacks), a new one each start for the first-run subject.
const unpackRoot = Deno.makeTempDirSync({ prefix: "evmwasm-startup-" });
globalThis.addEventListener("unload", () => Deno.removeSync(unpackRoot, { recursive: true }));
let firstRuns = 0;
const unpackedDir = { EVMWASM_UNPACK_DIR: `${unpackRoot}/warm` };
const denoVersion = `evmwasm ${VERSION} on deno ${await output(deno, ["eval", "console.log(Deno.version.deno)"])}`;
// The start:deno task's own `deno run` arguments (deno.json), so that this subject and the task share V8's code
// cache (a cache made under other V8 flags is rejected, and the two would invalidate each other's every run).
const startTask: string = JSON.parse(readFileSync(`${ROOT}deno.json`, "utf8")).tasks["start:deno"];
const startArgs = startTask.split(/\s+/).slice(1);
if (startArgs[0] !== "run") throw new Error(`deno.json's start:deno task is not a deno run: ${startTask}`);
// `deno task start` builds its executable first when the sources are newer (scripts/start/executable.sh).
await buildStartExecutable();
const startVersion = await output(START_EXECUTABLE, ["--version"]);
const subjects: {
  name: string;
  cmd: string;
  args: (p: number) => string[];
  env?: () => Record<string, string>;
  cwd?: string;
  file?: string;
  version: string;
}[] = [
  {
    name: "evmwasm binary (bun build --compile, packed)",
    cmd: BINARY,
    args: (p) => ["serve", "--port", String(p), "--silent"],
    env: () => unpackedDir,
    file: BINARY,
    version: await output(BINARY, ["--version"], unpackedDir),
  },
  {
    name: "evmwasm binary, first run (unpacks first)",
    cmd: BINARY,
    args: (p) => ["serve", "--port", String(p), "--silent"],
    env: () => {
      if (firstRuns > 0) Deno.removeSync(`${unpackRoot}/first-${firstRuns}`, { recursive: true });
      return { EVMWASM_UNPACK_DIR: `${unpackRoot}/first-${++firstRuns}` };
    },
    file: BINARY,
    version: "",
  },
  {
    name: "anvil (npm @foundry-rs/anvil-linux-amd64)",
    cmd: anvil,
    args: (p) => ["--port", String(p), "--silent"],
    file: anvil,
    version: await output(anvil, ["--version"]),
  },
  {
    name: "deno task start (the executable built from the sources)",
    cmd: deno,
    args: (p) => ["task", "start", "--port", String(p), "--silent"],
    version: startVersion,
  },
  {
    name: "npx -y deno task start",
    cmd: "npx",
    args: (p) => ["-y", "deno", "task", "start", "--port", String(p), "--silent"],
    version: startVersion,
  },
  {
    name: "deno task start:deno (the sources on Deno, bundled)",
    cmd: deno,
    args: (p) => ["task", "start:deno", "--port", String(p), "--silent"],
    version: denoVersion,
  },
  {
    name: `deno ${startArgs.join(" ").replace(/--v8-flags=\S+ /, "")} (start:deno's command)`,
    cmd: deno,
    args: (p) => [...startArgs, "--port", String(p), "--silent"],
    version: denoVersion,
  },
  {
    name: "deno run -A cli.ts serve (the sources, unbundled)",
    cmd: deno,
    args: (p) => [...startArgs.map((a) => (a.endsWith("start.ts") ? "cli.ts" : a)), "--port", String(p), "--silent"],
    version: denoVersion,
  },
  {
    name: "bun cli.ts serve",
    cmd: bun,
    args: (p) => ["cli.ts", "serve", "--port", String(p), "--silent"],
    version: `evmwasm ${VERSION} on bun ${await output(bun, ["--version"])}`,
  },
];
if (values.baseline) {
  const dir = resolve(values.baseline) + "/";
  const baselineUnpacked = { EVMWASM_UNPACK_DIR: `${unpackRoot}/baseline` };
  subjects.push({
    name: `baseline (${values.baseline}): evmwasm binary`,
    cmd: `${dir}dist/evmwasm`,
    args: (p) => ["serve", "--port", String(p), "--silent"],
    env: () => baselineUnpacked,
    file: `${dir}dist/evmwasm`,
    version: await output(`${dir}dist/evmwasm`, ["--version"], baselineUnpacked),
  }, {
    name: `baseline (${values.baseline}): deno task start`,
    cmd: deno,
    args: (p) => ["task", "start", "--port", String(p), "--silent"],
    cwd: dir,
    version: denoVersion,
  });
}

const only = values.only?.split(",");
const chosen = subjects.filter((s) => !only || only.some((t) => s.name.includes(t)));
const times: number[][] = chosen.map(() => []);
for (const s of chosen) await startOnce(s.cmd, s.args, s.env, s.cwd); // warms the page cache and the runtimes' caches
for (let i = 0; i < RUNS; i++) {
  for (const [k, s] of chosen.entries()) times[k].push(await startOnce(s.cmd, s.args, s.env, s.cwd));
}
const rows = chosen.map((s, k) => ({
  name: s.name,
  version: s.version.split("\n")[0],
  sizeBytes: s.file ? statSync(s.file).size : null,
  startupMs: { median: median(times[k]), best: Math.min(...times[k]), runs: times[k].map((t) => Math.round(t * 10) / 10) },
}));

const mb = (b: number | null) => (b === null ? "—" : `${(b / 1e6).toFixed(1)} MB`);
const anvilRow = rows.find((r) => r.name.startsWith("anvil"));
const ratio = (ours: number, theirs: number | undefined) => (theirs ? `${(ours / theirs).toFixed(2)}x` : "—");
console.log("| node | size | start-up to first eth_chainId (median) | best | median / anvil's | best / anvil's |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
for (const r of rows) {
  console.log(
    `| ${r.name} | ${mb(r.sizeBytes)} | ${r.startupMs.median.toFixed(0)} ms | ${r.startupMs.best.toFixed(0)} ms | ` +
      `${ratio(r.startupMs.median, anvilRow?.startupMs.median)} | ${ratio(r.startupMs.best, anvilRow?.startupMs.best)} |`,
  );
}
const unpacked = !existsSync(unpackedDir.EVMWASM_UNPACK_DIR) ? undefined : [...Deno.readDirSync(unpackedDir.EVMWASM_UNPACK_DIR)].map((e) => `${unpackedDir.EVMWASM_UNPACK_DIR}/${e.name}/evmwasm`)
  .find((f) => existsSync(f));
const unpackedBytes = unpacked ? statSync(unpacked).size : null;
if (unpackedBytes !== null) console.log(`\nThe binary unpacks (on its first run) to an executable of ${mb(unpackedBytes)}.`);
const report = {
  date: new Date().toISOString(),
  machine: { os: Deno.build.os, arch: Deno.build.arch, cpus: navigator.hardwareConcurrency, loadAverage1m: loadavg()[0] },
  runs: RUNS,
  binaryUnpackedBytes: unpackedBytes,
  results: rows,
};
const out = values.out!.startsWith("/") ? values.out! : `${ROOT}${values.out}`;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(report, null, 1) + "\n");
console.log(`\nwrote ${values.out}`);
