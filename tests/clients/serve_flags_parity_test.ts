/**
 * The flags of issue 18 on our CLI and on anvil 1.7.1's, started side by side with the same flags: what each
 * flag changes must be the same on both (code size limits, the block gas limit, the CREATE2 deployer, fees,
 * the pool's order, safe/finalized, the memory limit, IPC, --config-out, logs and silence, traces, random
 * mnemonics) and the fork flags (headers, retries on 429, --fork-transaction-hash, --fork-chain-id offline).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { connect } from "node:net";
import { anvilAvailable, DEV0, DEV1, freePort, RpcClient } from "../rpc/helpers.ts";
import { clientTest, REPO } from "./harness.ts";

const ANVIL = new URL("../../node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil", import.meta.url).pathname;
const DEAD = "0x000000000000000000000000000000000000dead";

interface Launched {
  rpc: RpcClient;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `which` with `args` (and --port) and waits for its first answer; collects its stdout. */
async function launch(which: "ours" | "anvil", args: string[]): Promise<Launched> {
  const port = freePort();
  const [cmd, base] = which === "anvil"
    ? [ANVIL, []]
    : [Deno.execPath(), ["run", "-A", "--no-check", "--v8-flags=--stack-size=4000", join(REPO, "cli.ts"), "serve"]];
  const child = new Deno.Command(cmd, {
    args: [...base, "--port", String(port), ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let out = "";
  const decoder = new TextDecoder();
  const pump = (async () => {
    for await (const chunk of child.stdout) out += decoder.decode(chunk, { stream: true });
  })();
  const errPump = (async () => {
    for await (const _ of child.stderr) { /* drained */ }
  })();
  const rpc = new RpcClient(`http://127.0.0.1:${port}`);
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    await child.status;
    await pump.catch(() => {});
    await errPump.catch(() => {});
  };
  try {
    await rpc.waitReady(30_000);
  } catch (e) {
    await stop();
    throw new Error(`${which} ${args.join(" ")} did not start: ${(e as Error).message}\n${out}`);
  }
  return { rpc, url: rpc.url, output: () => out, stop };
}

/** One JSON-RPC request over a Unix socket. */
function ipcCall(path: string, method: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let text = "";
    socket.on("data", (d) => {
      text += d.toString();
      try {
        const j = JSON.parse(text);
        socket.end();
        resolve(j.result);
      } catch { /* more to come */ }
    });
    socket.on("error", reject);
    socket.write(JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [] }));
  });
}

/** 24.6 KB of runtime code: deploying it needs the code size limit off. */
const BIG_CODE_INIT = "0x61" + (25_000).toString(16).padStart(4, "0") + "6000f3";
/** Returns 200 bytes of code: above a --code-size-limit of 100. */
const SMALL_CODE_INIT = "0x60c86000f3";
/** Touches memory at 200 KB: past a --memory-limit of 100000. */
const BIG_MEMORY = "0x600162030d4052";

async function observeEnvironment(n: Launched) {
  const rpc = n.rpc;
  const o: Record<string, unknown> = {};
  o.create2 = await rpc.call("eth_getCode", ["0x4e59b44847b379578588920ca78fbf26c0b4956c", "latest"]);
  o.baseFee = (await rpc.call<Record<string, string>>("eth_getBlockByNumber", ["latest", false])).baseFeePerGas;
  const small = await rpc.send({ from: DEV0, data: SMALL_CODE_INIT, gas: "0x30000" });
  o.smallDeploy = small.status;
  const memory = await rpc.raw("eth_call", [{ from: DEV0, data: BIG_MEMORY, gas: "0x1000000" }]);
  o.memoryLimit = memory.error?.message ?? memory.result;
  await rpc.call("evm_setAutomine", [false]);
  // fifo: the cheaper transaction first, as it came first
  const cheap = await rpc.call("eth_sendTransaction", [{ from: DEV0, to: DEAD, value: "0x1", maxPriorityFeePerGas: "0x1" }]);
  const dear = await rpc.call("eth_sendTransaction", [{ from: DEV1, to: DEAD, value: "0x1", maxPriorityFeePerGas: "0x77359400" }]);
  await rpc.call("evm_mine");
  const block = await rpc.call<{ transactions: string[] }>("eth_getBlockByNumber", ["latest", false]);
  o.fifo = block.transactions.map((h) => (h === cheap ? "cheap" : h === dear ? "dear" : h));
  await rpc.call("anvil_mine", ["0x5"]);
  o.safe = (await rpc.call<Record<string, string>>("eth_getBlockByNumber", ["safe", false])).number;
  o.finalized = (await rpc.call<Record<string, string>>("eth_getBlockByNumber", ["finalized", false])).number;
  return o;
}

clientTest("serve flags: the environment flags change the same things as on anvil", !anvilAvailable(), async (res) => {
  const dir = mkdtempSync(join(tmpdir(), "evmwasm-flags-"));
  res.defer(() => rmSync(dir, { recursive: true, force: true }));
  const args = (name: string) => [
    "--code-size-limit", "100",
    "--disable-default-create2-deployer",
    "--block-base-fee-per-gas", "5000000000",
    "--order", "fifo",
    "--slots-in-an-epoch", "2",
    "--memory-limit", "100000",
    "--config-out", join(dir, `${name}.json`),
    "--ipc", join(dir, `${name}.ipc`),
    "--steps-tracing",
  ]; // deno-fmt-ignore
  const ours = await launch("ours", args("ours"));
  res.defer(() => ours.stop());
  const anvil = await launch("anvil", args("anvil"));
  res.defer(() => anvil.stop());
  const [a, b] = [await observeEnvironment(ours), await observeEnvironment(anvil)];
  assert.deepEqual(a, b);
  assert.equal(a.create2, "0x");
  assert.equal(a.smallDeploy, "0x0", "200 bytes of code over a limit of 100");
  assert.match(String(a.memoryLimit), /MemoryLimitOOG/);
  assert.deepEqual(a.fifo, ["cheap", "dear"]);
  assert.equal(a.safe, "0x5", "head 7, two slots an epoch");

  // --ipc: the same answers on the socket
  assert.equal(await ipcCall(join(dir, "ours.ipc"), "eth_chainId"), await ipcCall(join(dir, "anvil.ipc"), "eth_chainId"));
  // --config-out: the same fields and values, the genesis time aside
  const config = (name: string) => {
    const c = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8"));
    delete c.genesis_timestamp;
    return c;
  };
  assert.deepEqual(config("ours"), config("anvil"));
  // --steps-tracing: struct logs of a mined transaction
  const h = await ours.rpc.call<string>("eth_sendTransaction", [{ from: DEV0, to: DEAD, value: "0x1" }]);
  await ours.rpc.call("evm_mine");
  const trace = await ours.rpc.call<{ structLogs: unknown[] }>("debug_traceTransaction", [h]);
  assert.ok(Array.isArray(trace.structLogs));
  await ours.stop();
  assert.ok(!existsSync(join(dir, "ours.ipc")), "the socket file is removed on exit");
});

clientTest("serve flags: no code size limit, no block gas limit, random mnemonic, quiet", !anvilAvailable(), async (res) => {
  const args = ["--disable-code-size-limit", "--disable-block-gas-limit", "--mnemonic-random", "15", "-q"];
  const seen = [];
  for (const which of ["ours", "anvil"] as const) {
    const n = await launch(which, args);
    res.defer(() => n.stop());
    const [from] = await n.rpc.call<string[]>("eth_accounts");
    const big = await n.rpc.send({ from, data: BIG_CODE_INIT, gas: "0x1000000" });
    const overLimit = await n.rpc.raw("eth_sendTransaction", [{ from, to: DEAD, gas: "0x2000000" }]);
    seen.push({
      bigDeploy: big.status,
      overBlockGasLimit: overLimit.error ? overLimit.error.code : (await n.rpc.receipt(overLimit.result as string)).status,
      notTheTestMnemonic: from !== DEV0,
    });
    await n.stop();
    assert.equal(n.output(), "", `${which}: -q prints nothing`);
  }
  assert.deepEqual(seen[0], seen[1]);
  assert.deepEqual(seen[0], { bigDeploy: "0x1", overBlockGasLimit: "0x1", notTheTestMnemonic: true });
});

clientTest("serve flags: logs as anvil's (methods, mined transactions), --json, --print-traces", !anvilAvailable(), async (res) => {
  const lines = async (which: "ours" | "anvil", extra: string[] = []) => {
    const n = await launch(which, extra);
    res.defer(() => n.stop());
    const deploy = await n.rpc.send({ from: DEV0, data: "0x600a600c600039600a6000f3602a60005560206000f3" });
    await n.rpc.send({ from: DEV0, to: deploy.contractAddress, data: "0x12345678", gas: "0x10000" });
    await n.rpc.call("eth_call", [{ to: "0x0000000000000000000000000000000000000004", data: "0xc0ffee" }]);
    await n.rpc.call("evm_mine");
    await n.rpc.call("anvil_setLoggingEnabled", [false]);
    await n.rpc.call("eth_chainId");
    await n.stop();
    const text = n.output();
    return text.slice(text.indexOf("Listening on")).split("\n").slice(1)
      // anvil logs eth_accounts inside eth_sendTransaction; block hashes and times differ by nature
      .filter((l) => l !== "eth_accounts" && l !== "eth_getTransactionReceipt")
      .map((l) => l.replace(/0x[0-9a-f]{64}/g, "0x<hash>").replace(/Block Time: ".*"/, 'Block Time: "<time>"'));
  };
  assert.deepEqual(await lines("ours"), await lines("anvil"));
  const traced = (await lines("ours", ["--print-traces"])).join("\n");
  assert.match(traced, /Traces:\n  \[\d+\] → new <unknown>@0x5FbDB2315678afecb367f032d93F642f64180aa3/);
  assert.match(traced, /PRECOMPILES::identity\(0xc0ffee\)\n    └─ ← \[Return\] 0xc0ffee/);
  const json = await launch("ours", ["--json"]);
  res.defer(() => json.stop());
  await json.rpc.call("eth_chainId");
  await json.stop();
  const logged = json.output().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  assert.ok(logged.some((e) => e.fields?.message === "eth_chainId" && e.level === "INFO"), json.output());
});

/** An HTTP proxy that records request headers and answers 429 to the first `rateLimited` requests. */
function recordingProxy(upstream: string, rateLimited: number) {
  const seen: { headers: Headers; at: number }[] = [];
  let left = rateLimited;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    seen.push({ headers: req.headers, at: performance.now() });
    const body = await req.text();
    if (left > 0) {
      left--;
      return new Response("rate limited", { status: 429 });
    }
    const r = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body });
    return new Response(await r.text(), { status: r.status, headers: { "content-type": "application/json" } });
  });
  return { url: `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`, seen, close: () => server.shutdown() };
}

clientTest("fork flags: headers, retries after 429, --fork-transaction-hash, --fork-chain-id offline", !anvilAvailable(), async (res) => {
  const upstream = await launch("anvil", ["--no-mining"]);
  res.defer(() => upstream.stop());
  const hashes: string[] = [];
  for (const [i, value] of ["0x1", "0x2", "0x3"].entries()) {
    hashes.push(await upstream.rpc.call<string>("eth_sendTransaction", [{ from: i === 1 ? DEV1 : DEV0, to: DEAD, value }]));
  }
  await upstream.rpc.call("evm_mine");
  const cache = mkdtempSync(join(tmpdir(), "evmwasm-fork-cache-"));
  res.defer(() => rmSync(cache, { recursive: true, force: true }));

  const proxy = recordingProxy(upstream.url, 2);
  res.defer(() => proxy.close());
  const forkArgs = [
    "--fork-url", proxy.url,
    "--fork-transaction-hash", hashes[1],
    "--fork-header", "X-Test: flags",
    "--retries", "3",
    "--fork-retry-backoff", "50",
    "--compute-units-per-second", "1000",
  ]; // deno-fmt-ignore
  const ours = await launch("ours", [...forkArgs, "--cache-dir", cache]);
  res.defer(() => ours.stop());
  assert.ok(proxy.seen.length > 2, "the two 429 answers were retried");
  assert.ok(proxy.seen.every((s) => s.headers.get("x-test") === "flags"), "every request carries --fork-header");
  const anvil = await launch("anvil", forkArgs);
  res.defer(() => anvil.stop());
  const forked = async (n: Launched) => {
    // The forced transactions go first into the next block anvil's miner makes (here: for a new transaction).
    await n.rpc.send({ from: "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", to: DEAD, value: "0x10" });
    const head = await n.rpc.call<{ number: string; transactions: string[] }>("eth_getBlockByNumber", ["latest", false]);
    return {
      number: head.number,
      transactions: head.transactions,
      dead: await n.rpc.call("eth_getBalance", [DEAD, "latest"]),
    };
  };
  assert.deepEqual(await forked(ours), await forked(anvil));
  const head = await ours.rpc.call<{ transactions: string[] }>("eth_getBlockByNumber", ["0x1", false]);
  assert.deepEqual(head.transactions.slice(0, 2), hashes.slice(0, 2));
  await ours.stop();

  // --fork-chain-id with a block number: a start with the upstream gone, from what the first start cached
  const number = BigInt(await upstream.rpc.call<string>("eth_blockNumber"));
  const warm = await launch("ours", ["--fork-url", upstream.url, "--fork-block-number", String(number), "--cache-dir", cache, "--fork-chain-id", "31337"]);
  await warm.stop();
  await upstream.stop();
  const offline = await launch("ours", ["--fork-url", upstream.url, "--fork-block-number", String(number), "--cache-dir", cache, "--fork-chain-id", "31337"]);
  res.defer(() => offline.stop());
  assert.equal(await offline.rpc.call("eth_chainId"), "0x7a69");
  assert.equal(await offline.rpc.call("eth_getBalance", [DEV0, "latest"]), "0x21e19e0c9bab2400000");
});
