// What a node's start under Deno reads and runs: no Node compatibility layer (src/runtime.ts, 30-50 ms of every
// start) and no npm package (src/npm_packages.ts, 40 ms); no timer of Node's before the first answer (afterMs).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { envVar, joinPath, processId, readTextIfPresent } from "../src/runtime.ts";
import { fileURLToPath } from "node:url";
import { cliModuleGraph, projectModule, reach } from "./module_graph.ts";
import { spawnServe } from "./rpc/helpers.ts";

Deno.test("the modules a node's start evaluates import no node: module", async () => {
  const graph = await cliModuleGraph();
  // cli.ts and what it imports statically, and the serve command, which it imports when it runs.
  const serve = projectModule("src/cli/serve.ts");
  const { seen, stopped } = reach(graph, [...graph.roots, serve], {
    staticOnly: true,
    stop: (s) => s.startsWith("node:"),
  });
  assert.ok(seen.has(serve) && seen.size > 100, `only ${seen.size} modules: not the node's graph`);
  assert.deepEqual(stopped, [], "load these when first used (src/runtime.ts: nodeModule, nodeFs, nodePath)");
});

Deno.test("the program names no npm package literally (Deno would read each before every start)", async () => {
  const graph = await cliModuleGraph();
  // Code imports, literal dynamic ones and require()s included: what `deno run` reads before it starts.
  const { seen, stopped } = reach(graph, graph.roots, {
    stop: (s) => s.startsWith("npm:") || s.includes("/node_modules/"),
  });
  assert.ok(seen.size > 100, `only ${seen.size} modules: not the program's graph`);
  assert.deepEqual(stopped, [], "load these through src/npm_packages.ts");
});

Deno.test("runtime: paths, files, environment", () => {
  assert.equal(joinPath("/home/u", ".cache", "evmwasm"), "/home/u/.cache/evmwasm");
  assert.equal(joinPath("/home/u/", "", "/x//y"), "/home/u/x/y");
  assert.equal(joinPath("relative", "a"), "relative/a");
  const dir = mkdtempSync(join(tmpdir(), "evmwasm-runtime-"));
  try {
    assert.equal(readTextIfPresent(join(dir, "missing.json")), undefined);
    writeFileSync(join(dir, "here.json"), "[1]");
    assert.equal(readTextIfPresent(join(dir, "here.json")), "[1]");
    assert.throws(() => readTextIfPresent(dir), "a folder is an error, not a missing file");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(envVar("PATH"), Deno.env.get("PATH"));
  assert.equal(envVar("EVMWASM_SURELY_UNSET_VARIABLE"), undefined);
  assert.equal(processId(), Deno.pid);
});

Deno.test({
  name: "runtime: readTextIfPresent under Bun (a mapped file): missing, empty, present, a folder",
  ignore: Deno.build.os !== "linux", // bun from npm, as the binary's build takes it
  fn: async () => {
    const dir = mkdtempSync(join(tmpdir(), "evmwasm-runtime-bun-"));
    try {
      writeFileSync(join(dir, "empty.json"), "");
      writeFileSync(join(dir, "here.json"), "[1, \"é\"]");
      const runtime = fileURLToPath(new URL("../src/runtime.ts", import.meta.url));
      const script = `import { readTextIfPresent } from ${JSON.stringify(runtime)};
        const d = ${JSON.stringify(dir)};
        let folder = "no error";
        try { readTextIfPresent(d); } catch (e) { folder = e.code; }
        console.log(JSON.stringify([readTextIfPresent(d + "/missing.json") ?? null, readTextIfPresent(d + "/empty.json"),
          readTextIfPresent(d + "/here.json"), folder]));`;
      writeFileSync(join(dir, "probe.ts"), script);
      const out = await new Deno.Command("npx", { args: ["-y", "bun", join(dir, "probe.ts")], stderr: "inherit" })
        .output();
      assert.ok(out.success, "bun ran the probe");
      const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
      assert.deepEqual(JSON.parse(lines[lines.length - 1]), [null, "", "[1, \"é\"]", "EISDIR"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});

for (const entry of ["cli.ts", "scripts/start/start.ts"]) {
  Deno.test(`${entry}: a node uses no global that loads Node's timers or process before its first answer`, async () => {
    const preload = fileURLToPath(new URL("./start_trap_preload.js", import.meta.url));
    const node = await spawnServe([], ["--preload", preload], entry);
    try {
      await node.rpc.call("eth_chainId");
      for (let i = 0; i < 100 && !node.err().includes("TRAP first answer"); i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await node.stop();
    }
    const stderr = node.err();
    const before = stderr.slice(0, stderr.indexOf("TRAP first answer"));
    assert.ok(stderr.includes("TRAP first answer"), stderr);
    assert.ok(!before.includes("TRAP first use"), `used before the first answer (src/runtime.ts: afterMs):\n${before}`);
  });
}
