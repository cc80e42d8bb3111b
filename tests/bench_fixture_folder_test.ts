/** bench/contracts.ts' loader for a folder of state-test-like fixtures: labels, kind and expected answers. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFixtureFolder } from "../bench/contracts.ts";
import { bytesToHex } from "../src/primitives/hex.ts";

function fixture(info: Record<string, unknown>) {
  return {
    adder: {
      _info: info,
      pre: {
        "0x00000000000000000000000000000000000000aa": {
          nonce: "0x1",
          balance: "0x0",
          code: "0x600160020160005260206000f3",
          storage: { "0x1": "0x2" },
        },
      },
      transaction: { to: "0x00000000000000000000000000000000000000aa", data: ["0x", "0x01"], gasLimit: ["0x186a0"] },
    },
  };
}

function withFolder(doc: unknown, f: (dir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), "evmwasm-bench-fixtures-"));
  try {
    writeFileSync(join(dir, "adder.json"), JSON.stringify(doc));
    f(dir);
  } finally {
    rmSync(dir, { recursive: true });
  }
}

Deno.test("a state-test-like fixture folder gives its cases' labels, kind, expected output and gas", () => {
  const info = {
    kind: "compute",
    labels: { "0": "empty", "1": "one" },
    expected: { "1": { output: "0x" + "00".repeat(31) + "03", gasUsed: "0x5274" } },
  };
  withFolder(fixture(info), (dir) => {
    const cases = loadFixtureFolder(dir);
    assert.deepEqual(cases.map((c) => c.name), ["adder/empty", "adder/one"]);
    assert.deepEqual(cases.map((c) => c.kind), ["compute", "compute"]);
    assert.deepEqual(cases[0].expectedOutput, undefined);
    assert.deepEqual(bytesToHex(cases[1].expectedOutput!), info.expected["1"].output);
    assert.deepEqual(cases[1].expectedGasUsed, 0x5274n);
    assert.deepEqual(cases[1].gas, 100_000n);
    assert.deepEqual(cases[1].pre[0].storage.get(1n), 2n);
  });
});

Deno.test("a fixture's kind must be one the benchmark reports", () => {
  withFolder(fixture({ kind: "heavy" }), (dir) => {
    assert.throws(() => loadFixtureFolder(dir), /_info\.kind is "heavy"/);
  });
});
