/** Request parsing stays linear on large bodies: nesting scan, hex data, intrinsic gas. */
import assert from "node:assert/strict";
import { jsonNestingDepth, MAX_JSON_DEPTH } from "../../src/rpc/handler.ts";
import { data, stateOverrides } from "../../src/rpc/params.ts";
import { InvalidParamsError } from "../../src/rpc/errors.ts";
import { bytesToHex, hexToBytes } from "../../src/primitives/hex.ts";
import { createNode } from "../../src/node.ts";

Deno.test("jsonNestingDepth skips strings, escaped quotes and brackets inside them included", () => {
  assert.equal(jsonNestingDepth('{"a":[1,[2]]}'), 3);
  assert.equal(jsonNestingDepth('{"a":"[[[{{{"}'), 1);
  assert.equal(jsonNestingDepth('{"a":"x\\"[[[","b":[[]]}'), 3);
  assert.equal(jsonNestingDepth('{"a":"x\\\\","b":[[]]}'), 3); // an escaped backslash ends the string
  assert.equal(jsonNestingDepth('["unterminated [[['), 1);
  assert.ok(jsonNestingDepth("[".repeat(MAX_JSON_DEPTH * 20)) > MAX_JSON_DEPTH * 10);
});

Deno.test("hex data: 10 MB parses, and bad data is an invalid-params error naming the parameter", () => {
  const big = "0x" + "ab".repeat(5_000_000);
  assert.equal(data(big, "input").length, 5_000_000);
  for (const bad of ["0x1", "12", "0xzz", "0x" + "ab".repeat(1000) + "g0", 7]) {
    assert.throws(
      () => data(bad, "input"),
      (e: unknown) => e instanceof InvalidParamsError && /invalid input/.test(e.message),
    );
  }
  const bytes = new Uint8Array(1000).map((_, i) => i);
  assert.deepEqual(hexToBytes(bytesToHex(bytes)), bytes);
  assert.equal(bytesToHex(new Uint8Array([0, 255])), "0x00ff");
});

Deno.test("an eth_call with 1 MB of calldata is answered", async () => {
  const node = createNode({ accounts: 1, maxBodyBytes: 4 << 20 });
  try {
    const input = "0x" + "00ff".repeat(1 << 19);
    const gas = "0x" + (30_000_000).toString(16);
    const out = await node.request({
      method: "eth_call",
      params: [{ to: "0x000000000000000000000000000000000000e3e3", input, gas }, "latest"],
    });
    assert.equal(out, "0x");
  } finally {
    await node.close();
  }
});

Deno.test("override code: the same text gives the same array (its heat and compiled module carry over)", () => {
  const a = "0x0000000000000000000000000000000000000abc";
  const one = stateOverrides({ [a]: { code: "0x6001600155" } }, "o").get(0xabcn)!.code!;
  const two = stateOverrides({ [a]: { code: "0x6001600155" } }, "o").get(0xabcn)!.code!;
  const other = stateOverrides({ [a]: { code: "0x6002600155" } }, "o").get(0xabcn)!.code!;
  assert.equal(one, two);
  assert.notEqual(one, other);
  assert.deepEqual([...one], [0x60, 1, 0x60, 1, 0x55]);
  assert.throws(() => stateOverrides({ [a]: { code: "0x6" } }, "o"), InvalidParamsError);
});
