/**
 * cast (npm @foundry-rs/cast-linux-amd64) against our node and against anvil:
 * the same commands in the same order, and the outputs compared.
 */
import assert from "node:assert/strict";
import { chmodSync } from "node:fs";
import { join } from "node:path";
import { artifacts, DEV0, DEV1, DEV_KEY } from "../rpc/helpers.ts";
import {
  assertSameObservations,
  clientTest,
  ensureClientDeps,
  foundryAvailable,
  json,
  type Observations,
  run,
  runOk,
  startAnvilTarget,
  startOurs,
  type Target,
} from "./harness.ts";

const DEV1_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

/** The receipt fields both nodes must agree on. */
function receiptSummary(r: Record<string, unknown>): Record<string, unknown> {
  const logs = (r.logs as Record<string, unknown>[]).map(({ address, topics, data, logIndex }) => ({
    address,
    topics,
    data,
    logIndex,
  }));
  const { status, gasUsed, cumulativeGasUsed, contractAddress, from, to, type, logsBloom } = r;
  return { status, gasUsed, cumulativeGasUsed, contractAddress, from, to, type, logsBloom, logs };
}

export async function castFlow(cast: string, target: Target, home: string): Promise<Observations> {
  const rpc = ["--rpc-url", target.url];
  const env = { HOME: home };
  const c = (sub: string, ...args: string[]) => runOk(cast, [sub, ...rpc, ...args], { env, timeoutMs: 60_000 });
  const seen: Observations = {};

  seen["chain-id"] = (await c("chain-id")).trim();
  seen["block-number"] = (await c("block-number")).trim();
  seen["balance"] = (await c("balance", DEV0)).trim();
  seen["balance --ether"] = (await c("balance", DEV1, "--ether")).trim();
  seen["nonce"] = (await c("nonce", DEV0)).trim();

  // Deployments: a raw (signed) transaction, and one the node signs (--unlocked).
  const created = json(await c("send", "--private-key", DEV_KEY, "--json", "--create", artifacts.Counter.bytecode));
  const counter = created.contractAddress as string;
  seen["send --create (signed)"] = receiptSummary(created);
  const createdProbe = json(
    await c("send", "--unlocked", "--from", DEV0, "--json", "--create", artifacts.Probe.bytecode),
  );
  const probe = createdProbe.contractAddress as string;
  seen["send --create (unlocked)"] = receiptSummary(createdProbe);

  // Calls with a signature and arguments.
  seen["call count()(uint256)"] = (await c("call", counter, "count()(uint256)")).trim();
  seen["call owner()(address)"] = (await c("call", counter, "owner()(address)")).trim();
  seen["call hashes(bytes)"] = (await c("call", probe, "hashes(bytes)(bytes32,bytes20,bytes)", "0x616263")).trim();
  seen["call modexp"] = (await c("call", probe, "modexp(uint256,uint256,uint256)(bytes)", "3", "5", "7")).trim();
  seen["call setCount as owner"] = (await c("call", counter, "setCount(uint256)", "5", "--from", DEV0)).trim();

  // A revert with a reason: cast must print the reason.
  const reverted = await run(cast, ["call", ...rpc, counter, "setCount(uint256)", "5", "--from", DEV1], { env });
  assert.notEqual(reverted.code, 0, "a reverting cast call exits non-zero");
  assert.match(reverted.stderr, /execution reverted: Counter: not owner/, "cast call prints the revert reason");
  seen["call revert"] = { code: reverted.code, stderr: reverted.stderr.trim() };
  const revertedNested = await run(cast, ["call", ...rpc, probe, "nestedRevert()"], { env });
  assert.match(revertedNested.stderr, /inner reason/);
  seen["call nested revert"] = { code: revertedNested.code, stderr: revertedNested.stderr.trim() };
  const sendReverted = await run(cast, ["send", ...rpc, counter, "setCount(uint256)", "5", "--private-key", DEV1_KEY], {
    env,
  });
  assert.notEqual(sendReverted.code, 0);
  assert.match(sendReverted.stderr, /Counter: not owner/, "cast send prints the revert reason of its gas estimate");
  seen["send revert"] = { code: sendReverted.code, stderr: sendReverted.stderr.trim() };

  seen["estimate inc()"] = (await c("estimate", counter, "inc()", "--from", DEV0)).trim();

  // Sends from dev accounts, and their receipts.
  const inc = json(await c("send", counter, "inc()", "--private-key", DEV_KEY, "--json"));
  seen["send inc() (signed)"] = receiptSummary(inc);
  const inc2 = json(await c("send", counter, "inc()", "--unlocked", "--from", DEV1, "--json"));
  seen["send inc() (unlocked)"] = receiptSummary(inc2);
  const nested = json(await c("send", probe, "nested(uint256)", "42", "--private-key", DEV_KEY, "--json"));
  seen["send nested(42)"] = receiptSummary(nested);
  const value = json(await c("send", DEV1, "--value", "1ether", "--private-key", DEV_KEY, "--json"));
  seen["send value"] = receiptSummary(value);

  const receipt = json(await c("receipt", inc.transactionHash as string, "--json"));
  seen["receipt"] = receiptSummary(receipt);
  seen["receipt status field"] = (await c("receipt", inc.transactionHash as string, "status")).trim();
  seen["receipt gasUsed field"] = (await c("receipt", inc.transactionHash as string, "gasUsed")).trim();
  seen["tx input"] = (await c("tx", inc.transactionHash as string, "input")).trim();

  // Replays of mined transactions (cast forks the node at the parent block and traces locally).
  for (const [label, r] of [["inc", inc], ["nested", nested]] as const) {
    const out = await c("run", r.transactionHash as string);
    assert.match(out, /Transaction successfully executed/);
    seen[`run ${label}`] = out.trim();
  }

  seen["storage slot 0"] = (await c("storage", counter, "0")).trim();
  seen["storage slot 1"] = (await c("storage", counter, "1")).trim();
  seen["code"] = (await c("code", counter)).trim();
  seen["codesize"] = (await c("codesize", probe)).trim();
  seen["block-number after"] = (await c("block-number")).trim();
  seen["balance after"] = (await c("balance", DEV0)).trim();
  const block = json(await c("block", "latest", "--json"));
  seen["block"] = {
    number: block.number,
    gasUsed: block.gasUsed,
    transactions: block.transactions,
    logsBloom: block.logsBloom,
  };
  seen["logs"] = json<Record<string, unknown>[]>(await c("logs", "--from-block", "0", "--address", counter, "--json"))
    .map(({ address, topics, data, blockNumber, logIndex }) => ({ address, topics, data, blockNumber, logIndex }));
  return seen;
}

clientTest(
  "cast: chain-id, block-number, balance, call (with revert reason), send, receipt, run, storage, code — same as anvil",
  !foundryAvailable(),
  async (res) => {
    const deps = await ensureClientDeps("foundry");
    const cast = join(deps, "node_modules/@foundry-rs/cast-linux-amd64/bin/cast");
    chmodSync(cast, 0o755);
    const home = Deno.makeTempDirSync({ prefix: "evmwasm-cast-" });
    res.defer(() => Deno.removeSync(home, { recursive: true }));
    const [ours, anvil] = [res.add(await startOurs()), res.add(await startAnvilTarget())];
    const [a, b] = [await castFlow(cast, ours, home), await castFlow(cast, anvil, home)];
    assert.equal(a["chain-id"], "31337");
    assert.equal(a["call count()(uint256)"], "0");
    assert.equal(a["storage slot 0"], "0x" + "2".padStart(64, "0"));
    assertSameObservations(a, b);
  },
);
