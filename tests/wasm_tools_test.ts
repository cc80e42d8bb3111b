// Binaryen and wabt come from their own project (backends/wasm/tools, see wasm_tools.ts): loaded on demand, and
// never part of the module graph that Deno reads before it runs the node.
import assert from "node:assert/strict";
import { loadBinaryen, loadWabt } from "../backends/wasm/wasm_tools.ts";
import { compileToWasm } from "../backends/wasm/compiler.ts";
import { rulesFor } from "../src/forks/rules.ts";
import { Fork } from "../src/forks/fork.ts";
import { cliModuleGraph, reach } from "./module_graph.ts";

Deno.test("Binaryen and wabt load on demand and work", async () => {
  const binaryen = await loadBinaryen();
  assert.equal(await loadBinaryen(), binaryen, "loaded once");
  const code = Uint8Array.from([0x60, 0x01, 0x60, 0x02, 0x01, 0x60, 0x00, 0x55]);
  const plain = compileToWasm(code, rulesFor(Fork.Osaka), { optimizeLevel: 0 }).binary;
  const optimised = compileToWasm(code, rulesFor(Fork.Osaka), { optimizeLevel: 2, binaryen }).binary;
  assert.ok(new WebAssembly.Module(optimised as BufferSource));
  assert.notDeepEqual(optimised, plain);
  const wabt = await loadWabt();
  const mod = wabt.readWasm(plain, { readDebugNames: true, simd: true, tail_call: true });
  try {
    assert.match(mod.toText({}), /^\(module/);
  } finally {
    mod.destroy();
  }
});

Deno.test("the node's module graph holds neither Binaryen nor wabt", async () => {
  const graph = await cliModuleGraph();
  // What `deno run` reads before it starts: the code imports (literal dynamic ones included), not the type ones.
  const { seen } = reach(graph, graph.roots, {});
  assert.ok(seen.size > 100, `only ${seen.size} modules: not the node's graph`);
  const tools = [...seen].filter((s) => /binaryen|wabt|\/backends\/wasm\/tools\//.test(s));
  assert.deepEqual(tools, [], "a literal import reaches Binaryen or wabt: Deno would read it before every start");
});
