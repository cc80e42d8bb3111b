/** Malformed requests get the right JSON-RPC error and the server goes on serving. */
import assert from "node:assert/strict";
import { DEV0, startNode } from "./helpers.ts";

type Case = [name: string, body: string, code: number, message?: RegExp];

const call = (method: string, params: unknown) => JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });

const CASES: Case[] = [
  ["bad JSON", "{bad", -32700, /Parse error/],
  ["truncated JSON", '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"', -32700],
  ["empty body", "", -32700],
  ["a number", "42", -32600],
  ["a string", '"eth_chainId"', -32600],
  ["null", "null", -32600],
  ["missing jsonrpc", '{"id":1,"method":"eth_chainId"}', -32600, /jsonrpc/],
  ["wrong jsonrpc", '{"jsonrpc":"1.0","id":1,"method":"eth_chainId"}', -32600, /jsonrpc/],
  ["method not a string", '{"jsonrpc":"2.0","id":1,"method":7}', -32600, /method/],
  ["object id", '{"jsonrpc":"2.0","id":{},"method":"eth_chainId"}', -32600, /id/],
  ["fractional id", '{"jsonrpc":"2.0","id":1.5,"method":"eth_chainId"}', -32600, /id/],
  ["id beyond 2^64", '{"jsonrpc":"2.0","id":18446744073709551617,"method":"eth_chainId"}', -32600, /id/],
  ["id beyond 2^53", '{"jsonrpc":"2.0","id":9007199254740993,"method":"eth_chainId"}', -32600, /id/],
  ["params a string", '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":"x"}', -32600, /params/],
  ["unknown method", call("eth_doesNotExist", []), -32601, /eth_doesNotExist/],
  ["prototype key as method", call("__proto__", []), -32601],
  ["named params", call("eth_getBalance", { address: DEV0 }), -32602, /array/],
  ["missing param", call("eth_getBalance", []), -32602, /argument 0 \(address\)/],
  ["address as a number", call("eth_getBalance", [123, "latest"]), -32602, /invalid address/],
  ["short address", call("eth_getBalance", ["0x1234", "latest"]), -32602, /invalid address/],
  ["bad block tag", call("eth_getBalance", [DEV0, "newest"]), -32602, /invalid block/],
  ["block number as a JSON number", call("eth_getBalance", [DEV0, 1]), -32602, /invalid block/],
  ["block number in decimal", call("eth_getBalance", [DEV0, "1"]), -32602, /invalid block/],
  ["too many params", call("eth_blockNumber", [1]), -32602, /too many arguments/],
  ["quantity too large", call("anvil_setBalance", [DEV0, "0x1" + "0".repeat(64)]), -32602, /balance/],
  ["negative number", call("anvil_mine", [-1]), -32602, /numBlocks/],
  ["odd-length data", call("eth_call", [{ to: DEV0, data: "0x123" }, "latest"]), -32602, /transaction\.data/],
  ["unknown call field", call("eth_call", [{ to: DEV0, gass: "0x1" }, "latest"]), -32602, /transaction\.gass/],
  ["call not an object", call("eth_call", ["0x00", "latest"]), -32602, /transaction/],
  ["bad state override", call("eth_call", [{ to: DEV0 }, "latest", { [DEV0]: { balanse: "0x1" } }]), -32602, /balanse/],
  ["garbage raw transaction", call("eth_sendRawTransaction", ["0xdeadbeef"]), -32602, /decode/],
  ["empty raw transaction", call("eth_sendRawTransaction", ["0x"]), -32602],
  ["bad hash", call("eth_getTransactionByHash", ["0x12"]), -32602, /hash/],
  ["unknown filter", call("eth_getFilterChanges", ["0x99"]), -32000, /filter not found/],
  ["bad filter topics", call("eth_getLogs", [{ topics: [1, 2, 3, 4, 5] }]), -32602, /topics/],
  ["bad typed data", call("eth_signTypedData_v4", [DEV0, "{not json"]), -32602, /typedData/],
  [
    "unsupported tracer",
    call("debug_traceCall", [{ to: DEV0 }, "latest", { tracer: "js:function(){}" }]),
    -32602,
    /tracer/,
  ],
  ["fee history percentiles", call("eth_feeHistory", ["0x1", "latest", [90, 10]]), -32602, /ascending/],
  ["empty batch", "[]", -32600, /empty batch/],
];

Deno.test("bad-input battery: each malformed request gets its error, the node keeps serving", async () => {
  const { rpc, close } = await startNode();
  try {
    for (const [name, body, code, message] of CASES) {
      const { status, text } = await rpc.post(body);
      assert.equal(status, 200, name);
      const response = JSON.parse(text);
      assert.equal(response.jsonrpc, "2.0", name);
      assert.equal(response.error?.code, code, `${name}: ${text}`);
      if (message) assert.match(response.error.message, message, name);
      assert.equal(await rpc.call("eth_chainId"), "0x7a69", `still serving after ${name}`);
    }
  } finally {
    await close();
  }
});

Deno.test("oversized bodies, huge batches and deep nesting are refused without harm", async () => {
  const { rpc, close } = await startNode();
  try {
    const big = call("eth_call", [{ to: DEV0, data: "0x" + "ab".repeat(1_100_000) }, "latest"]);
    const tooLarge = await rpc.post(big);
    assert.equal(tooLarge.status, 413);
    assert.equal(JSON.parse(tooLarge.text).error.code, -32600);
    assert.match(JSON.parse(tooLarge.text).error.message, /too large/);

    const batch = JSON.stringify(
      Array.from({ length: 1001 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "eth_chainId" })),
    );
    const huge = JSON.parse((await rpc.post(batch)).text);
    assert.equal(huge.error.code, -32600);
    assert.match(huge.error.message, /1001 requests exceeds the limit of 1000/);

    const ok = JSON.parse(
      (await rpc.post(
        JSON.stringify(Array.from({ length: 1000 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "eth_chainId" }))),
      )).text,
    );
    assert.equal(ok.length, 1000);

    // Deep nesting would overflow JSON.parse's native stack under the raised V8 stack limit.
    for (
      const deep of ["[".repeat(200_000) + "]".repeat(200_000), '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000)]
    ) {
      const deepResponse = await rpc.post(deep);
      assert.equal(deepResponse.status, 200);
      assert.equal(JSON.parse(deepResponse.text).error.code, -32700);
      assert.match(JSON.parse(deepResponse.text).error.message, /nested/);
    }
    const params = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "eth_call",
      params: [{ to: DEV0 }, "latest", { nested: "[[[[{{{{" }],
    });
    assert.equal(JSON.parse((await rpc.post(params)).text).error.code, -32602, "brackets inside strings do not count");

    // mixed batch: answers for requests, none for the notification, errors in place
    const mixed = JSON.parse(
      (await rpc.post(JSON.stringify([
        { jsonrpc: "2.0", id: "a", method: "eth_chainId" },
        { jsonrpc: "2.0", method: "eth_chainId" },
        { jsonrpc: "2.0", id: "c", method: "nope" },
        5,
      ]))).text,
    );
    assert.deepEqual(mixed.map((r: { id: unknown }) => r.id), ["a", "c", null]);
    assert.equal(mixed[1].error.code, -32601);
    assert.equal(mixed[2].error.code, -32600);

    const onlyNotification = await rpc.post(JSON.stringify({ jsonrpc: "2.0", method: "evm_mine" }));
    assert.equal(onlyNotification.status, 200);
    assert.equal(onlyNotification.text, "");
    assert.equal(await rpc.call("eth_blockNumber"), "0x1", "the notification ran");

    const get = await fetch(rpc.url);
    assert.equal(get.status, 200);
    await get.body?.cancel();
    assert.equal(await rpc.call("eth_chainId"), "0x7a69");
  } finally {
    await close();
  }
});
