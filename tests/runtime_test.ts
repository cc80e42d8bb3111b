// What a node's start under Deno reads and runs: no Node compatibility layer (src/runtime.ts, 30-50 ms of every
// start) and no npm package (src/npm_packages.ts, 40 ms).
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { envVar, joinPath, processId, readTextIfPresent } from "../src/runtime.ts";

const ROOT = new URL("../", import.meta.url).pathname;

Deno.test("the modules a node's start evaluates import no node: module", async () => {
  const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json", "cli.ts"], cwd: ROOT }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const graph: {
    roots: string[];
    modules: { specifier: string; dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[] }[];
  } = JSON.parse(new TextDecoder().decode(out.stdout));
  const bySpecifier = new Map(graph.modules.map((m) => [m.specifier, m]));
  // cli.ts and what it imports statically, and the serve command, which it imports when it runs.
  const serve = new URL("src/cli/serve.ts", new URL(`file://${ROOT}`)).href;
  const seen = new Set<string>();
  const builtins: string[] = [];
  const walk = (s: string) => {
    if (seen.has(s)) return;
    seen.add(s);
    for (const d of bySpecifier.get(s)?.dependencies ?? []) {
      if (!d.code || d.isDynamic) continue;
      const to = d.code.specifier;
      if (to.startsWith("node:")) builtins.push(`${s.slice(s.lastIndexOf("/") + 1)}: ${to}`);
      else walk(to);
    }
  };
  [...graph.roots, serve].forEach(walk);
  assert.ok(seen.has(serve) && seen.size > 100, `only ${seen.size} modules: not the node's graph`);
  assert.deepEqual(builtins, [], "load these when first used (src/runtime.ts: nodeModule, nodeFs, nodePath)");
});

Deno.test("the program names no npm package literally (Deno would read each before every start)", async () => {
  const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json", "cli.ts"], cwd: ROOT }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const graph: {
    roots: string[];
    modules: { specifier: string; dependencies?: { code?: { specifier: string } }[] }[];
  } = JSON.parse(new TextDecoder().decode(out.stdout));
  const bySpecifier = new Map(graph.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const packages: string[] = [];
  // Code imports, literal dynamic ones and require()s included: what `deno run` reads before it starts.
  const walk = (s: string) => {
    if (seen.has(s)) return;
    seen.add(s);
    for (const d of bySpecifier.get(s)?.dependencies ?? []) {
      const to = d.code?.specifier;
      if (!to) continue;
      if (to.startsWith("npm:") || to.includes("/node_modules/")) {
        packages.push(`${s.slice(s.lastIndexOf("/") + 1)}: ${to}`);
      } else walk(to);
    }
  };
  graph.roots.forEach(walk);
  assert.ok(seen.size > 100, `only ${seen.size} modules: not the program's graph`);
  assert.deepEqual(packages, [], "load these through src/npm_packages.ts");
});

Deno.test("runtime: paths, files, environment", () => {
  assert.equal(joinPath("/home/u", ".cache", "evmwasm"), "/home/u/.cache/evmwasm");
  assert.equal(joinPath("/home/u/", "", "/x//y"), "/home/u/x/y");
  assert.equal(joinPath("relative", "a"), "relative/a");
  const dir = mkdtempSync(join(tmpdir(), "evmwasm-runtime-"));
  assert.equal(readTextIfPresent(join(dir, "missing.json")), undefined);
  writeFileSync(join(dir, "here.json"), "[1]");
  assert.equal(readTextIfPresent(join(dir, "here.json")), "[1]");
  assert.throws(() => readTextIfPresent(dir), "a folder is an error, not a missing file");
  assert.equal(envVar("PATH"), Deno.env.get("PATH"));
  assert.equal(envVar("EVMWASM_SURELY_UNSET_VARIABLE"), undefined);
  assert.equal(processId(), Deno.pid);
});
