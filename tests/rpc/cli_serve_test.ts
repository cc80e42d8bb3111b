/** `cli.ts serve`: flag parsing, the banner, serving, and a clean stop on SIGINT. */
import assert from "node:assert/strict";
import { parseServeArgs } from "../../src/cli/serve.ts";
import { CliError } from "../../src/cli/args.ts";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { DEV0, spawnServe } from "./helpers.ts";
import { parseServeFlags, SERVE_FLAG_GROUPS } from "../../src/cli/serve_flags.ts";

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
  assert.deepEqual(Object.fromEntries(Object.entries(c.node.fork!).filter(([, v]) => v !== undefined)), {
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

Deno.test("serve flags: --prune-history with or without a number, --transaction-block-keeper", () => {
  const pruned = parseServeArgs(["--prune-history", "--port", "1"]).node;
  assert.equal(pruned.pruneHistory, true);
  assert.equal(pruned.stateHistory, undefined);
  const counted = parseServeArgs(["--prune-history", "50", "--transaction-block-keeper", "10"]).node;
  assert.deepEqual([counted.pruneHistory, counted.stateHistory, counted.transactionBlockKeeper], [true, 50, 10]);
  assert.equal(parseServeArgs([]).node.pruneHistory, false);
  for (const bad of [["--prune-history=x"], ["--prune-history=0"], ["--transaction-block-keeper", "-1"]]) {
    assert.throws(() => parseServeArgs(bad), CliError, bad.join(" "));
  }
});

Deno.test("cli.ts with no command serves JSON-RPC, prints the banner and stops on SIGINT", async () => {
  const node = await spawnServe(["--accounts", "2", "--chain-id", "4242"]);
  let code;
  try {
    const out = node.out();
    assert.match(out, /\(0\) 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 \(10000\.000000000000000000 ETH\)/);
    assert.match(out, /\(1\) 0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d/);
    assert.match(out, /Chain ID\n=+\n\n4242/);
    assert.equal(await node.rpc.call("eth_chainId"), "0x1092");
    assert.equal((await node.rpc.call<string[]>("eth_accounts")).length, 2);
  } finally {
    code = await node.stop();
  }
  assert.equal(code, 0);
});

Deno.test({
  name: "serve --state: loads the file when present, saves every --state-interval and on exit; a corrupt file stops the start",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = Deno.makeTempDirSync({ prefix: "evmwasm-state-" });
    try {
      const file = `${dir}/state.json`;
      const first = await spawnServe(["--state", file, "--state-interval", "1", "--accounts", "2"]);
      await first.rpc.send({ from: DEV0, to: "0x000000000000000000000000000000000000dead", value: "0x7" });
      const deadline = Date.now() + 10_000;
      while (!existsSync(file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.ok(existsSync(file), "a periodic save came before the exit");
      await first.rpc.call("anvil_mine", ["0x2"]);
      assert.equal(await first.stop(), 0);
      const second = await spawnServe(["--state", file, "--accounts", "2"]);
      try {
        assert.equal(await second.rpc.call("eth_blockNumber"), "0x3");
        assert.equal(await second.rpc.call("eth_getBalance", ["0x000000000000000000000000000000000000dead", "latest"]), "0x7");
      } finally {
        await second.stop();
      }
      writeFileSync(file, "{\"accounts\": []");
      const bad = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--no-check", "cli.ts", "--port", "0", "--load-state", file],
        cwd: new URL("../../", import.meta.url).pathname,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(bad.code, 2);
      assert.match(new TextDecoder().decode(bad.stderr), /evmwasm: invalid state dump\s+Details: .*state\.json: not JSON/);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test("serve --help and docs/serve.md list every flag of the table with its aliases", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", "cli.ts", "serve", "--help"],
    cwd: new URL("../../", import.meta.url).pathname,
    stdout: "piped",
  }).output();
  assert.equal(out.code, 0);
  const text = new TextDecoder().decode(out.stdout);
  for (const f of SERVE_FLAG_GROUPS.flatMap((g) => g.flags)) {
    assert.ok(text.includes(`--${f.name}`), f.name);
    for (const a of f.aliases ?? []) assert.ok(text.includes(`--${a}`), a);
  }
  const doc = Deno.readTextFileSync(new URL("../../docs/serve.md", import.meta.url));
  for (const f of SERVE_FLAG_GROUPS.flatMap((g) => g.flags)) assert.ok(doc.includes(`--${f.name}`), `docs/serve.md lists --${f.name}`);
  for (const [alias, canonical] of [["--base-fee", "block-base-fee-per-gas"], ["--rpc-url", "fork-url"], ["-b", "block-time"]]) {
    assert.ok(parseServeFlags([alias, "1"])[canonical], alias);
  }
});
const SUITE = new URL("../../../shared/fixtures/execution-apis/tests/", import.meta.url).pathname;

Deno.test({
  name: "serve --init genesis.json --import chain.rlp: a truncated file imports its whole blocks and says where it stopped",
  ignore: !existsSync(SUITE + "chain.rlp"),
  fn: async () => {
    const chain = readFileSync(SUITE + "chain.rlp");
    const dir = Deno.makeTempDirSync();
    const truncated = `${dir}/chain.rlp`;
    Deno.writeFileSync(truncated, chain.subarray(0, chain.length - 100));
    const node = await spawnServe(["--no-mining", "--init", SUITE + "genesis.json", "--import", truncated], [
      "--v8-flags=--stack-size=4000",
    ]);
    let code;
    try {
      assert.equal(await node.rpc.call("eth_chainId"), "0xc72dd9d5e883e");
      // Every block but the damaged last one.
      assert.equal(await node.rpc.call("eth_blockNumber"), "0x35");
      const genesis = await node.rpc.call<{ hash: string }>("eth_getBlockByNumber", ["0x0", false]);
      assert.equal(genesis.hash, "0x44fd89d504659cd58f48f4796b77a7e7012cf296a2409afa2f6c3cb99b5b3d99");
    } finally {
      code = await node.stop();
    }
    assert.match(node.err(), /import of .* stopped: block: chain file: block 53 of the file, at byte \d+, is truncated/);
    assert.equal(code, 0);
    Deno.removeSync(dir, { recursive: true });
  },
});

Deno.test("serve --init: a malformed genesis is a one-line error, and genesis values cannot be set twice", () => {
  const dir = Deno.makeTempDirSync();
  Deno.writeFileSync(`${dir}/g.json`, new TextEncoder().encode('{"config":{"chainId":1},"alloc":{},"difficulty":"0x0"}'));
  assert.throws(() => parseServeArgs(["--init", `${dir}/g.json`]), /genesis file .*: genesis: missing field gasLimit/);
  assert.throws(() => parseServeArgs(["--init", `${dir}/nope.json`]), /cannot read genesis file/);
  assert.throws(() => parseServeArgs(["--init", `${dir}/g.json`, "--chain-id", "5"]), /--chain-id cannot be combined/);
  Deno.removeSync(dir, { recursive: true });
});
