/** viem's public, wallet and test actions (anvil mode) against our node, as ../shared/CLIENTS.md runs them on anvil. */
import assert from "node:assert/strict";
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createTestClient,
  createWalletClient,
  type Hex,
  http,
  publicActions,
  walletActions,
} from "viem";
import { foundry } from "viem/chains";
import { privateKeyToAccount } from "viem/accounts";
import { artifacts, DEV_KEY, startNode } from "./helpers.ts";

const { abi, bytecode } = artifacts.Counter;
const STRANGER = "0x000000000000000000000000000000000000bEEF" as const;

Deno.test("viem: deploy, write, read, events, test actions, overrides and simulateCalls", async () => {
  const { url, close } = await startNode();
  try {
    const transport = http(url);
    const test = createTestClient({ mode: "anvil", chain: foundry, transport }).extend(publicActions).extend(
      walletActions,
    );
    const pub = createPublicClient({ chain: foundry, transport });
    const account = privateKeyToAccount(DEV_KEY);
    const wallet = createWalletClient({ account, chain: foundry, transport });

    const deployHash = await wallet.deployContract({ abi, bytecode });
    const deployed = await pub.waitForTransactionReceipt({ hash: deployHash });
    const address = deployed.contractAddress!;
    assert.equal(deployed.status, "success");

    await pub.waitForTransactionReceipt({ hash: await wallet.writeContract({ address, abi, functionName: "inc" }) });
    assert.equal(await pub.readContract({ address, abi, functionName: "count" }), 1n);

    await test.setBalance({ address: STRANGER, value: 10n ** 18n });
    assert.equal(await pub.getBalance({ address: STRANGER }), 10n ** 18n);
    await test.impersonateAccount({ address: STRANGER });
    const hash = await test.writeContract({ account: STRANGER, address, abi, functionName: "inc", chain: foundry });
    const receipt = await pub.waitForTransactionReceipt({ hash });
    assert.equal(receipt.from.toLowerCase(), STRANGER.toLowerCase());
    await test.stopImpersonatingAccount({ address: STRANGER });

    const before = await pub.getBlockNumber({ cacheTime: 0 });
    await test.mine({ blocks: 5 });
    assert.equal(await pub.getBlockNumber({ cacheTime: 0 }), before + 5n);

    await test.setStorageAt({ address, index: 0, value: `0x${"7".padStart(64, "0")}` as Hex });
    assert.equal(await pub.readContract({ address, abi, functionName: "count" }), 7n);
    const id = await test.snapshot();
    await test.setStorageAt({ address, index: 0, value: `0x${"9".padStart(64, "0")}` as Hex });
    await test.revert({ id });
    assert.equal(await pub.readContract({ address, abi, functionName: "count" }), 7n);

    const t0 = (await pub.getBlock()).timestamp;
    await test.increaseTime({ seconds: 1000 });
    await test.mine({ blocks: 1 });
    assert.ok((await pub.getBlock()).timestamp >= t0 + 1000n);
    await test.setNextBlockTimestamp({ timestamp: t0 + 5000n });
    await test.mine({ blocks: 1 });
    assert.equal((await pub.getBlock()).timestamp, t0 + 5000n);

    const ok = await pub.simulateContract({ account, address, abi, functionName: "setCount", args: [3n] });
    assert.equal(ok.result, undefined);
    await assert.rejects(
      pub.simulateContract({ account: STRANGER, address, abi, functionName: "setCount", args: [3n] }),
      (e: unknown) => {
        const revert = (e as BaseError).walk((x) =>
          x instanceof ContractFunctionRevertedError
        ) as ContractFunctionRevertedError;
        return revert?.reason === "Counter: not owner";
      },
    );

    const { data } = await pub.call({
      to: address,
      data: "0x06661abd", // count()
      stateOverride: [{ address, stateDiff: [{ slot: `0x${"0".repeat(64)}`, value: `0x${"309".padStart(64, "0")}` }] }],
    });
    assert.equal(BigInt(data!), 777n);

    const { results } = await pub.simulateCalls({
      account: account.address,
      calls: [{ to: address, abi, functionName: "inc" }, { to: address, abi, functionName: "count" }],
    });
    assert.deepEqual(results.map((r) => r.status), ["success", "success"]);
    assert.equal(results[1].result, 8n);

    const events = await pub.getContractEvents({ address, abi, eventName: "Incremented", fromBlock: 0n });
    assert.equal(events.length, 2);
    assert.equal((events[1].args as { newCount: bigint }).newCount, 2n);
  } finally {
    await close();
  }
});
