/**
 * One scripted-simulation flow through viem, for any EIP-1193 transport: over
 * HTTP to our node or to anvil, or in-process to a node from mod.ts. It
 * returns what it observed (return data, gas, receipts, logs, revert reasons,
 * balances) so that runs on different nodes can be compared.
 */
import assert from "node:assert/strict";
import {
  type Abi,
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createTestClient,
  createWalletClient,
  encodeFunctionData,
  type Hex,
  parseEther,
  publicActions,
  type Transport,
  walletActions,
} from "viem";
import { foundry } from "viem/chains";
import { privateKeyToAccount } from "viem/accounts";
import { artifacts, DEV0, DEV1, DEV_KEY } from "../rpc/helpers.ts";
import type { Observations } from "./harness.ts";

const STRANGER = "0x000000000000000000000000000000000000bEEF" as const;
const counterAbi = artifacts.Counter.abi;
const probeAbi = artifacts.Probe.abi;

type Receipt = {
  status: string;
  gasUsed: bigint;
  cumulativeGasUsed: bigint;
  contractAddress?: string | null;
  effectiveGasPrice: bigint;
  transactionHash: string;
  logs: { address: string; topics: readonly string[]; data: string; logIndex: number }[];
};

function summary(r: Receipt): Record<string, unknown> {
  return {
    status: r.status,
    gasUsed: r.gasUsed,
    cumulativeGasUsed: r.cumulativeGasUsed,
    contractAddress: r.contractAddress ?? null,
    effectiveGasPrice: r.effectiveGasPrice,
    transactionHash: r.transactionHash,
    logs: r.logs.map(({ address, topics, data, logIndex }) => ({ address, topics, data, logIndex })),
  };
}

/** What went wrong, as a user of viem sees it: the error name, the revert reason or the node's short message. */
function failure(e: unknown): Record<string, unknown> {
  if (!(e instanceof BaseError)) throw e;
  const revert = e.walk((x) => x instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
  if (revert) {
    return { name: revert.name, reason: revert.reason, errorName: revert.data?.errorName, args: revert.data?.args };
  }
  const inner = e.walk() as BaseError & { code?: number };
  return { name: e.name, code: inner.code, details: inner.details };
}

async function settle<T>(p: Promise<T>): Promise<unknown> {
  try {
    return { ok: await p };
  } catch (e) {
    return { failed: failure(e) };
  }
}

/** JSON-friendly: bigints as decimal strings. */
export function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x)));
}

/**
 * Observations that differ from anvil by design:
 * - eth_simulateV1 numbers the first simulated block head + 1 (the execution-apis spec, as geth does); anvil 1.7.1
 *   gives it the head's own number.
 * - a reverted call inside eth_simulateV1 has returnData "0x" and carries geth's error `{ code: 3, message:
 *   "execution reverted: <reason>", data }` with the revert data (the spec's test suite); anvil 1.7.1 puts the
 *   revert data in returnData and answers `{ code: -3200, message: "execution failed" }`.
 */
export const VIEM_INTENDED_DIFFERENCES = ["eth_simulateV1 block numbers", "eth_simulateV1 revert error"];

export async function viemFlow(transport: Transport): Promise<Observations> {
  const seen: Record<string, unknown> = {};
  const test = createTestClient({ mode: "anvil", chain: foundry, transport }).extend(publicActions).extend(
    walletActions,
  );
  const pub = createPublicClient({ chain: foundry, transport, pollingInterval: 50, cacheTime: 0 });
  const account = privateKeyToAccount(DEV_KEY);
  const wallet = createWalletClient({ account, chain: foundry, transport });
  const wait = async (hash: Hex) =>
    summary(await pub.waitForTransactionReceipt({ hash, pollingInterval: 20 }) as Receipt);

  // ---- deploy and write with a local account (signed here, eth_sendRawTransaction) ----
  const deployHash = await wallet.deployContract({ abi: counterAbi, bytecode: artifacts.Counter.bytecode });
  seen["deploy Counter"] = await wait(deployHash);
  const counter = (seen["deploy Counter"] as { contractAddress: Hex }).contractAddress;
  const probeHash = await wallet.deployContract({ abi: probeAbi, bytecode: artifacts.Probe.bytecode });
  seen["deploy Probe"] = await wait(probeHash);
  const probe = (seen["deploy Probe"] as { contractAddress: Hex }).contractAddress;
  seen["inc"] = await wait(await wallet.writeContract({ address: counter, abi: counterAbi, functionName: "inc" }));
  seen["nested(7)"] = await wait(
    await wallet.writeContract({ address: probe, abi: probeAbi, functionName: "nested", args: [7n] }),
  );
  // ---- and with the node's own account (eth_sendTransaction) ----
  seen["inc from DEV1 (node-signed)"] = await wait(
    await test.writeContract({ account: DEV1, address: counter, abi: counterAbi, functionName: "inc", chain: foundry }),
  );

  // ---- simulateContract: a result, and a revert with its reason ----
  const sim = await pub.simulateContract({
    account,
    address: probe,
    abi: probeAbi,
    functionName: "nested",
    args: [21n],
  });
  seen["simulateContract nested(21)"] = sim.result;
  seen["simulateContract setCount as stranger"] = await settle(
    pub.simulateContract({
      account: STRANGER,
      address: counter,
      abi: counterAbi,
      functionName: "setCount",
      args: [3n],
    }),
  );
  seen["simulateContract custom error"] = await settle(
    pub.simulateContract({ account, address: probe, abi: probeAbi, functionName: "revertCustom" }),
  );
  seen["simulateContract panic"] = await settle(
    pub.simulateContract({ account, address: probe, abi: probeAbi, functionName: "panicDivide", args: [0n] }),
  );
  seen["readContract hashes"] = await pub.readContract({
    address: probe,
    abi: probeAbi,
    functionName: "hashes",
    args: ["0x616263"],
  });

  // ---- eth_call with state overrides ----
  const countCall = { to: counter, data: encodeFunctionData({ abi: counterAbi, functionName: "count" }) };
  seen["call with stateDiff"] = (await pub.call({
    ...countCall,
    stateOverride: [{
      address: counter,
      stateDiff: [{ slot: `0x${"0".repeat(64)}`, value: `0x${"309".padStart(64, "0")}` }],
    }],
  })).data;
  seen["call with code override"] = (await pub.call({
    to: STRANGER,
    data: countCall.data,
    stateOverride: [{
      address: STRANGER,
      code: await pub.getCode({ address: counter }),
      state: [{ slot: `0x${"0".repeat(64)}`, value: `0x${"2a".padStart(64, "0")}` }],
    }],
  })).data;
  seen["call value transfer without funds"] = await settle(
    pub.call({ account: STRANGER, to: DEV1, value: parseEther("5") }),
  );
  seen["call value transfer with balance override"] = await settle(pub.call({
    account: STRANGER,
    to: DEV1,
    value: parseEther("5"),
    stateOverride: [{ address: STRANGER, balance: parseEther("10") }],
  }));
  seen["count() unchanged by overrides"] = await pub.readContract({
    address: counter,
    abi: counterAbi,
    functionName: "count",
  });

  // ---- estimates and access lists ----
  seen["estimateGas inc"] = await pub.estimateGas({
    account,
    ...countCall,
    data: encodeFunctionData({ abi: counterAbi, functionName: "inc" }),
  });
  seen["estimateGas transfer"] = await pub.estimateGas({ account, to: DEV1, value: 1n });
  seen["estimateContractGas fill(10)"] = await pub.estimateContractGas({
    account,
    address: probe,
    abi: probeAbi,
    functionName: "fill",
    args: [10n],
  });
  seen["estimateContractGas revert"] = await settle(
    pub.estimateContractGas({ account: DEV1, address: counter, abi: counterAbi, functionName: "setCount", args: [1n] }),
  );
  // Entries compared by address: anvil lists them by address, we in the order the call touched them.
  const accessList = await pub.createAccessList({
    account,
    to: probe,
    data: encodeFunctionData({ abi: probeAbi, functionName: "nested", args: [3n] }),
  });
  seen["createAccessList nested(3)"] = {
    gasUsed: accessList.gasUsed,
    accessList: [...accessList.accessList].sort((p, q) => p.address.localeCompare(q.address)),
  };

  // ---- simulateCalls (eth_simulateV1) ----
  const { results } = await pub.simulateCalls({
    account: DEV0,
    calls: [
      { to: counter, abi: counterAbi, functionName: "inc" },
      { to: counter, abi: counterAbi, functionName: "count" },
      { to: counter, abi: counterAbi, functionName: "setCount", args: [99n] },
      { to: counter, abi: counterAbi, functionName: "count" },
      { to: probe, abi: probeAbi, functionName: "revertWithReason" },
      { to: DEV1, value: parseEther("1") },
    ],
  });
  seen["simulateCalls"] = results.map((r) => ({
    status: r.status,
    result: r.result,
    gasUsed: r.gasUsed,
    logs: r.logs?.map(({ address, topics, data }) => ({ address, topics, data })),
    error: r.error ? failure(r.error) : undefined,
  }));
  const raw = await pub.request({
    method: "eth_simulateV1",
    params: [{
      blockStateCalls: [
        { calls: [{ from: DEV0, to: counter, data: encodeFunctionData({ abi: counterAbi, functionName: "inc" }) }] },
        {
          calls: [{
            from: DEV1,
            to: counter,
            data: encodeFunctionData({ abi: counterAbi, functionName: "setCount", args: [5n] }),
          }],
        },
      ],
      validation: false,
    }],
  } as never) as {
    number: Hex;
    gasUsed: Hex;
    calls: { status: Hex; returnData: Hex; gasUsed: Hex; logs: unknown[]; error?: unknown }[];
  }[];
  seen["eth_simulateV1 two blocks"] = raw.map((b) => ({
    gasUsed: b.gasUsed,
    // A failed call's data is compared with its error below (where it lies differs by design).
    calls: b.calls.map(({ status, returnData, gasUsed }) => ({
      status,
      returnData: status === "0x1" ? returnData : undefined,
      gasUsed,
    })),
  }));
  const head = await pub.getBlockNumber({ cacheTime: 0 });
  seen["eth_simulateV1 block numbers"] = raw.map((b) => BigInt(b.number) - head);
  seen["eth_simulateV1 revert error"] = raw[1].calls[0].error;

  // ---- logs ----
  seen["getContractEvents Incremented"] = (await pub.getContractEvents({
    address: counter,
    abi: counterAbi,
    eventName: "Incremented",
    fromBlock: 0n,
  })).map(({ args, blockNumber, logIndex, transactionHash }) => ({ args, blockNumber, logIndex, transactionHash }));
  seen["getLogs by indexed arg"] = (await pub.getLogs({
    address: counter,
    event: (counterAbi as Abi).find((x) => x.type === "event" && x.name === "Incremented") as never,
    args: { by: DEV1 } as never,
    fromBlock: 0n,
    toBlock: "latest",
  })).map(({ topics, data, blockNumber }) => ({ topics, data, blockNumber }));

  // ---- watchBlocks (polling) while blocks are mined ----
  const start = await pub.getBlockNumber({ cacheTime: 0 });
  const seenBlocks: bigint[] = [];
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`watchBlocks saw only ${seenBlocks.join(",")}`)), 15_000);
    const unwatch = pub.watchBlocks({
      poll: true,
      pollingInterval: 25,
      emitMissed: true,
      onBlock: (block) => {
        if (block.number! > start) seenBlocks.push(block.number!);
        if (block.number! >= start + 3n) {
          clearTimeout(timer);
          unwatch();
          resolve();
        }
      },
      onError: reject,
    });
  });
  await new Promise((r) => setTimeout(r, 100));
  await test.mine({ blocks: 1 });
  await wait(await wallet.writeContract({ address: counter, abi: counterAbi, functionName: "inc" }));
  await test.mine({ blocks: 1 });
  await done;
  seen["watchBlocks"] = [...new Set(seenBlocks)].sort().map((n) => n - start);

  // ---- test actions ----
  await test.setBalance({ address: STRANGER, value: parseEther("3") });
  seen["setBalance"] = await pub.getBalance({ address: STRANGER });
  await test.impersonateAccount({ address: STRANGER });
  seen["impersonated send"] = await wait(
    await test.writeContract({
      account: STRANGER,
      address: counter,
      abi: counterAbi,
      functionName: "inc",
      chain: foundry,
    }),
  );
  await test.stopImpersonatingAccount({ address: STRANGER });
  seen["send after stopImpersonating"] = await settle(
    test.sendTransaction({ account: STRANGER, to: DEV1, value: 1n, chain: foundry }),
  );
  const before = await pub.getBlockNumber({ cacheTime: 0 });
  await test.mine({ blocks: 5 });
  seen["mine 5"] = (await pub.getBlockNumber({ cacheTime: 0 })) - before;
  const id = await test.snapshot();
  await wait(
    await wallet.writeContract({ address: counter, abi: counterAbi, functionName: "setCount", args: [1000n] }),
  );
  await test.setBalance({ address: DEV1, value: 1n });
  seen["count after setCount in snapshot"] = await pub.readContract({
    address: counter,
    abi: counterAbi,
    functionName: "count",
  });
  await test.revert({ id });
  seen["count after revert"] = await pub.readContract({ address: counter, abi: counterAbi, functionName: "count" });
  seen["block after revert"] = (await pub.getBlockNumber({ cacheTime: 0 })) - before;
  await test.setStorageAt({ address: counter, index: 0, value: `0x${"7".padStart(64, "0")}` });
  seen["setStorageAt"] = await pub.readContract({ address: counter, abi: counterAbi, functionName: "count" });
  await test.setCode({ address: STRANGER, bytecode: await pub.getCode({ address: counter }) as Hex });
  seen["setCode"] = await pub.readContract({ address: STRANGER, abi: counterAbi, functionName: "owner" });

  // ---- where it all ended ----
  seen["final balances"] = await Promise.all([DEV0, DEV1, STRANGER].map((address) => pub.getBalance({ address })));
  seen["final nonces"] = await Promise.all([DEV0, DEV1].map((address) => pub.getTransactionCount({ address })));
  const last = await pub.getBlock();
  seen["final block"] = { number: last.number, gasUsed: last.gasUsed, baseFeePerGas: last.baseFeePerGas };
  assert.equal(seen["count after revert"], 4n);
  return plain(seen) as Observations;
}
