/**
 * forge (npm @foundry-rs/forge-linux-amd64) with the project in
 * tests/clients/foundry/ (solc-js through ./solc-wrapper.cjs): `forge script
 * --broadcast`, `forge test --fork-url` and `forge create` against our node
 * and against anvil, plus `forge test` through our node in fork mode over
 * anvil (the contracts then live on the upstream).
 */
import assert from "node:assert/strict";
import { chmodSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createForkedNode } from "../../src/node.ts";
import { DEV0, DEV_KEY, RpcClient } from "../rpc/helpers.ts";
import {
  assertSameObservations,
  clientTest,
  copyProject,
  ensureClientDeps,
  foundryAvailable,
  nodeAvailable,
  type Observations,
  REPO,
  runOk,
  startAnvilTarget,
  startOurs,
  type Target,
} from "./harness.ts";

export interface Forge {
  bin: string;
  project: string;
  env: Record<string, string>;
}

/** forge installed and the project copied into a temporary folder (forge writes out/, cache/, broadcast/ there). */
export async function setUpForge(tmp: string): Promise<Forge> {
  const deps = await ensureClientDeps("foundry");
  const bin = join(deps, "node_modules/@foundry-rs/forge-linux-amd64/bin/forge");
  chmodSync(bin, 0o755);
  const project = copyProject("foundry", tmp);
  // solc-wrapper.cjs requires npm `solc`: the repository's own (a devDependency, installed by `deno install`).
  const env = { HOME: tmp, NODE_PATH: join(REPO, "node_modules") };
  await runOk(bin, ["build", "--offline"], { cwd: project, env });
  return { bin, project, env };
}

/** The `[PASS] name() (gas: N)` lines and the suite counts of a `forge test` run (timings left out). */
export function testResults(stdout: string): string[] {
  return stdout.split("\n")
    .map((l) => l.trim())
    .filter((l) => /^\[(PASS|FAIL)/.test(l) || /^Suite result/.test(l))
    .map((l) => l.replace(/; finished in .*$/, ""))
    .sort();
}

/** `forge test --fork-url url` with the expectations the tests read from the environment. */
export async function forkTest(forge: Forge, url: string, counter: string): Promise<string[]> {
  const rpc = new RpcClient(url);
  const count = BigInt(await rpc.call<string>("eth_call", [{ to: counter, data: "0x06661abd" }, "latest"]));
  const env = {
    ...forge.env,
    COUNTER_ADDR: counter,
    EXPECTED_COUNT: count.toString(),
    DEV0_BALANCE: BigInt(await rpc.call<string>("eth_getBalance", [DEV0, "latest"])).toString(),
    FORK_BLOCK: BigInt(await rpc.call<string>("eth_blockNumber")).toString(),
  };
  const out = await runOk(forge.bin, ["test", "--fork-url", url, "--no-storage-caching", "--offline"], {
    cwd: forge.project,
    env,
  });
  const results = testResults(out);
  assert.ok(results.some((l) => l.startsWith("Suite result: ok. 5 passed; 0 failed")), out);
  return results;
}

export async function forgeFlow(forge: Forge, target: Target): Promise<{ seen: Observations; counter: string }> {
  const seen: Observations = {};
  const rpc = target.rpc;
  const receiptOf = async (hash: string) => {
    const r = await rpc.receipt(hash);
    const logs = (r.logs as Record<string, unknown>[]).map(({ address, topics, data }) => ({ address, topics, data }));
    return { status: r.status, gasUsed: r.gasUsed, contractAddress: r.contractAddress, to: r.to, logs };
  };

  // forge script: deploys a Counter and calls inc() twice, broadcast as signed transactions.
  const script = await runOk(forge.bin, [
    "script",
    "script/Deploy.s.sol:Deploy",
    "--rpc-url",
    target.url,
    "--private-key",
    DEV_KEY,
    "--broadcast",
    "--offline",
  ], { cwd: forge.project, env: forge.env });
  assert.match(script, /ONCHAIN EXECUTION COMPLETE & SUCCESSFUL/);
  seen["script: estimated gas"] = /Estimated total gas used for script: (\d+)/.exec(script)?.[1];
  // The receipts in block order: forge 1.7.1 sometimes pairs the entries of "transactions" with one another's
  // hashes in run-latest.json, so those are not used.
  const broadcast = JSON.parse(
    readFileSync(join(forge.project, "broadcast/Deploy.s.sol/31337/run-latest.json"), "utf8"),
  ) as { receipts: { transactionHash: string; blockNumber: string; transactionIndex: string }[] };
  const order = (r: { blockNumber: string; transactionIndex: string }) =>
    Number(r.blockNumber) * 1e6 + Number(r.transactionIndex);
  const hashes = broadcast.receipts.sort((a, b) => order(a) - order(b)).map((r) => r.transactionHash);
  const receipts = await Promise.all(hashes.map(receiptOf));
  assert.equal(receipts.length, 3, "a deployment and two calls");
  seen["script: receipts"] = receipts;
  const counter = receipts[0].contractAddress as string;
  seen["script: count()"] = await rpc.call("eth_call", [{ to: counter, data: "0x06661abd" }, "latest"]);

  // forge test forking the node: reads the Counter, changes it only inside forge's fork.
  seen["test --fork-url"] = await forkTest(forge, target.url, counter);
  seen["count() after test"] = await rpc.call("eth_call", [{ to: counter, data: "0x06661abd" }, "latest"]);

  // forge create.
  const created = await runOk(forge.bin, [
    "create",
    "src/Counter.sol:Counter",
    "--rpc-url",
    target.url,
    "--private-key",
    DEV_KEY,
    "--broadcast",
    "--offline",
  ], { cwd: forge.project, env: forge.env });
  const address = /Deployed to: (0x[0-9a-fA-F]{40})/.exec(created)?.[1];
  const hash = /Transaction hash: (0x[0-9a-fA-F]{64})/.exec(created)?.[1];
  assert.ok(address && hash, created);
  seen["create: address"] = address;
  seen["create: receipt"] = await receiptOf(hash);
  seen["create: owner()"] = await rpc.call("eth_call", [{ to: address, data: "0x8da5cb5b" }, "latest"]);
  return { seen, counter };
}

clientTest(
  "forge: script --broadcast, test --fork-url, create — same as anvil; test through our fork mode over anvil",
  !foundryAvailable() || !nodeAvailable(),
  async (res) => {
    const tmp = Deno.makeTempDirSync({ prefix: "evmwasm-forge-" });
    res.defer(() => Deno.removeSync(tmp, { recursive: true }));
    const forge = await setUpForge(tmp);
    const ours = res.add(await startOurs());
    const anvil = res.add(await startAnvilTarget());
    const a = await forgeFlow(forge, ours);
    const b = await forgeFlow(forge, anvil);
    assert.equal(a.seen["script: count()"], "0x" + "2".padStart(64, "0"));
    assertSameObservations(a.seen, b.seen);

    // Our node forking anvil: forge's tests read the Counter deployed on the upstream through it.
    const forked = await createForkedNode({
      fork: { url: anvil.url, storageCaching: false, timeoutMs: 20_000 },
      log: () => {},
    });
    res.add(forked);
    const server = await forked.listen({ hostname: "127.0.0.1", port: 0 });
    const throughFork = await forkTest(forge, server.url, b.counter);
    const direct = await forkTest(forge, anvil.url, b.counter);
    assert.deepEqual(throughFork, direct);
  },
);
