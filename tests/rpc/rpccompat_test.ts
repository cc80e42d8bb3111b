/** The execution-apis suite runner: hive's comparison rules, the schema checks, and the suite itself. */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { type Json, jsonDiff, redactErrorMessages } from "../../src/rpccompat/compare.ts";
import { parseIoFile } from "../../src/rpccompat/io_file.ts";
import { runRpcCompat } from "../../src/rpccompat/runner.ts";
import { validate, validateResult } from "../../src/rpccompat/schemas.ts";

const SUITE = new URL("../../../shared/fixtures/execution-apis/tests/", import.meta.url).pathname;

Deno.test("rpccompat: error messages are ignored only where both sides have an error; every other field counts", () => {
  const got: Json = { id: 1, error: { code: -32602, message: "ours" } };
  const want: Json = { id: 1, error: { code: -32602, message: "geth's" } };
  redactErrorMessages(got, want);
  assert.deepEqual(jsonDiff(got, want), []);
  const nested: Json = { result: [{ calls: [{ error: { code: 3, message: "a", data: "0x01" } }] }] };
  const nestedWant: Json = { result: [{ calls: [{ error: { code: 3, message: "b", data: "0x02" } }] }] };
  redactErrorMessages(nested, nestedWant);
  assert.equal(jsonDiff(nested, nestedWant).length, 1);
  assert.match(jsonDiff({ a: 1, extra: 2 }, { a: 1 })[0], /extra: unexpected/);
  assert.match(jsonDiff({ a: 1 }, { a: 1, b: null })[0], /b: missing/);
  assert.deepEqual(jsonDiff({ n: 1.0 }, { n: 1 }), []);
});

Deno.test("rpccompat: .io files and result schemas", () => {
  const t = parseIoFile("x", '// a\n// speconly: schema\n>> {"method":"m"}\n<< {"result":1}\n');
  assert.equal(t.speconly, true);
  assert.equal(t.messages.length, 2);
  assert.throws(() => parseIoFile("x", ">> {nope"));
  assert.deepEqual(validateResult("eth_estimateGas", "0x5208"), []);
  assert.equal(validateResult("eth_estimateGas", "0x05208").length, 1);
  assert.equal(validateResult("txpool_status", { pending: "0x1" }).length, 1);
  assert.equal(validate({ oneOf: [{ type: "string" }, { type: "null" }] }, 5).length, 1);
  assert.equal(validateResult("no_such_method", 1).length, 1);
});

Deno.test(
  "rpccompat: the execution-apis suite passes in full",
  { ignore: !existsSync(SUITE + "chain.rlp") },
  async () => {
    const results = await runRpcCompat(SUITE);
    const failed = results.filter((r) => !r.passed);
    assert.ok(results.length >= 200, `only ${results.length} files`);
    assert.deepEqual(failed.map((r) => `${r.name}: ${r.detail}`), []);
  },
);
