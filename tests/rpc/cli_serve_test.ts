/** `cli.ts serve`: flag parsing, the banner, serving, and a clean stop on SIGINT. */
import assert from "node:assert/strict";
import { parseServeArgs } from "../../src/cli/serve.ts";
import { CliError } from "../../src/cli/args.ts";
import { RpcClient } from "./helpers.ts";

Deno.test("serve flags: anvil's names, fork options kept for the fork bridge, bad values refused", () => {
  const c = parseServeArgs([
    "-p",
    "9000",
    "--host",
    "0.0.0.0",
    "--chain-id",
    "1337",
    "--accounts",
    "3",
    "--balance",
    "1.5",
    "--block-time",
    "2",
    "--gas-limit",
    "0x1c9c380",
    "--fork-url",
    "http://127.0.0.1:1",
    "--fork-block-number",
    "100",
    "--cache-dir",
    "/tmp/c",
    "--no-storage-caching",
    "--timeout",
    "5000",
  ]);
  assert.equal(c.port, 9000);
  assert.equal(c.host, "0.0.0.0");
  assert.equal(c.node.chainId, 1337n);
  assert.equal(c.node.accounts, 3);
  assert.equal(c.node.balance, 1_500_000_000_000_000_000n);
  assert.equal(c.node.blockTime, 2);
  assert.equal(c.node.gasLimit, 30_000_000n);
  assert.deepEqual(c.node.fork, {
    url: "http://127.0.0.1:1",
    blockNumber: 100n,
    cacheDir: "/tmp/c",
    storageCaching: false,
    timeoutMs: 5000,
  });
  assert.equal(parseServeArgs([]).port, 8545);
  assert.equal(parseServeArgs([]).node.fork, undefined);
  for (
    const bad of [
      ["--port", "70000"],
      ["--accounts", "x"],
      ["--balance", "-1"],
      ["--block-time", "1", "--no-mining"],
      ["--fork-block-number", "5"],
      ["--nope"],
      ["extra"],
    ]
  ) {
    assert.throws(() => parseServeArgs(bad), CliError, bad.join(" "));
  }
});

Deno.test("cli.ts with no command serves JSON-RPC, prints the banner and stops on SIGINT", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", "cli.ts", "--port", "0", "--accounts", "2", "--chain-id", "4242"],
    cwd: new URL("../../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  try {
    while (!/Listening on 127\.0\.0\.1:(\d+)/.test(out)) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    const port = /Listening on 127\.0\.0\.1:(\d+)/.exec(out)?.[1];
    assert.ok(port, out);
    assert.match(out, /\(0\) 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 \(10000\.000000000000000000 ETH\)/);
    assert.match(out, /\(1\) 0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d/);
    assert.match(out, /Chain ID\n=+\n\n4242/);
    const rpc = new RpcClient(`http://127.0.0.1:${port}`);
    assert.equal(await rpc.call("eth_chainId"), "0x1092");
    assert.equal((await rpc.call<string[]>("eth_accounts")).length, 2);
  } finally {
    child.kill("SIGINT");
    await reader.cancel().catch(() => {});
    await child.stderr.cancel().catch(() => {});
  }
  const status = await child.status;
  assert.equal(status.code, 0);
});
