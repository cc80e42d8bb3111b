/** `precompile`: code fetched from an upstream, compiled into the disk cache, found there the second time. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { anvilAvailable, startAnvil } from "../rpc/helpers.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;
const A = "0x00000000000000000000000000000000000000aa";
const EMPTY = "0x00000000000000000000000000000000000000bb";

function precompile(url: string, cacheDir: string, ...addresses: string[]) {
  const args = ["run", "-A", CLI, "precompile", "--fork-url", url, "--cache-dir", cacheDir, "--opt", "0", "--json"];
  for (const a of addresses) args.push("--address", a);
  const r = spawnSync(Deno.execPath(), args, { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { contracts: { address: string; status: string; codeBytes: number }[] };
}

Deno.test({
  name: "precompile compiles upstream contracts into the AOT cache once",
  ignore: !anvilAvailable(),
  sanitizeResources: false,
  fn: async () => {
    const anvil = await startAnvil();
    try {
      // A small loop contract: sums calldata words.
      await anvil.rpc.call("anvil_setCode", [A, "0x600035600052602060002060005260206000f3"]);
      const dir = mkdtempSync(join(tmpdir(), "evmwasm-aot-"));
      const first = precompile(anvil.url, dir, A, EMPTY);
      assert.deepEqual(first.contracts.map((c) => c.status), ["compiled", "no code"]);
      assert.ok(readdirSync(dir, { recursive: true }).length > 0, "the cache folder has the module");
      const second = precompile(anvil.url, dir, A);
      assert.deepEqual(second.contracts.map((c) => c.status), ["already cached"]);
    } finally {
      await anvil.close();
    }
  },
});

Deno.test("precompile rejects bad input with one-line errors", () => {
  for (const [args, pattern] of [
    [["precompile", "--address", A], /needs --fork-url/],
    [["precompile", "--fork-url", "http://127.0.0.1:1"], /at least one --address/],
    [["precompile", "--fork-url", "http://127.0.0.1:1", "--address", "0x12"], /not a 20-byte hex address/],
  ] as const) {
    const r = spawnSync(Deno.execPath(), ["run", "-A", CLI, ...args], { encoding: "utf8" });
    assert.equal(r.status, 2);
    assert.match(r.stderr, pattern);
  }
});
