/** The dev chain over HTTP: transactions, blocks, receipts, logs, filters, snapshots, mining modes, cheats. */
import assert from "node:assert/strict";
import {
  decodeEventLog,
  fromRlp,
  type Hex,
  keccak256 as viemKeccak,
  recoverMessageAddress,
  recoverTypedDataAddress,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { artifacts, calldata, decodeResult, deployData, DEV0, DEV1, DEV_KEY, startNode } from "./helpers.ts";

const account = privateKeyToAccount(DEV_KEY);
const STRANGER = "0x1234567890123456789012345678901234567890";

Deno.test("signed raw transaction: deploy, call, receipt, logs, getLogs, filters", async () => {
  const { rpc, close } = await startNode();
  try {
    assert.equal(await rpc.call("eth_chainId"), "0x7a69");
    const accounts = await rpc.call<string[]>("eth_accounts");
    assert.equal(accounts[0], DEV0);
    assert.equal(await rpc.call("eth_getBalance", [DEV0, "latest"]), "0x21e19e0c9bab2400000");

    // deploy with a transaction signed by viem, sent raw
    const raw = await account.signTransaction({
      chainId: 31337,
      nonce: 0,
      gas: 1_000_000n,
      maxFeePerGas: 3_000_000_000n,
      maxPriorityFeePerGas: 1_000_000_000n,
      data: deployData("Counter"),
      type: "eip1559",
    });
    const hash = await rpc.call<Hex>("eth_sendRawTransaction", [raw]);
    assert.equal(hash, viemKeccak(raw));
    const receipt = await rpc.call<Record<string, unknown>>("eth_getTransactionReceipt", [hash]);
    assert.equal(receipt.status, "0x1");
    assert.equal(receipt.blockNumber, "0x1");
    const counter = receipt.contractAddress as Hex;
    assert.ok(counter);
    assert.notEqual(await rpc.call("eth_getCode", [counter, "latest"]), "0x");

    const blockFilter = await rpc.call<string>("eth_newBlockFilter");
    const logFilter = await rpc.call<string>("eth_newFilter", [{ address: counter }]);

    const inc = await rpc.send({ from: DEV1, to: counter, data: calldata("Counter", "inc") });
    assert.equal(inc.status, "0x1");
    const logs = inc.logs as { topics: Hex[]; data: Hex; logIndex: string; address: string }[];
    assert.equal(logs.length, 1);
    const event = decodeEventLog({ abi: artifacts.Counter.abi, topics: logs[0].topics as [Hex], data: logs[0].data });
    assert.equal(event.eventName, "Incremented");
    assert.deepEqual(event.args, { by: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", newCount: 1n });

    const found = await rpc.call<unknown[]>("eth_getLogs", [{
      fromBlock: "0x0",
      toBlock: "latest",
      address: counter,
      topics: [logs[0].topics[0]],
    }]);
    assert.equal(found.length, 1);
    assert.deepEqual(
      await rpc.call("eth_getLogs", [{ fromBlock: "0x0", address: counter, topics: [null, "0x" + "00".repeat(32)] }]),
      [],
    );
    assert.equal((await rpc.call<unknown[]>("eth_getLogs", [{ blockHash: inc.blockHash }])).length, 1);

    const newBlocks = await rpc.call<string[]>("eth_getFilterChanges", [blockFilter]);
    assert.deepEqual(newBlocks, [inc.blockHash]);
    assert.equal((await rpc.call<unknown[]>("eth_getFilterChanges", [logFilter])).length, 1);
    assert.deepEqual(await rpc.call("eth_getFilterChanges", [logFilter]), []);
    assert.equal(await rpc.call("eth_uninstallFilter", [logFilter]), true);
    const gone = await rpc.raw("eth_getFilterChanges", [logFilter]);
    assert.equal(gone.error?.message, "filter not found");

    assert.equal(
      decodeResult(
        "Counter",
        "count",
        await rpc.call<Hex>("eth_call", [{ to: counter, data: calldata("Counter", "count") }, "latest"]),
      ),
      1n,
    );
    // the same call at the block before the increment
    assert.equal(
      decodeResult(
        "Counter",
        "count",
        await rpc.call<Hex>("eth_call", [{ to: counter, data: calldata("Counter", "count") }, "0x1"]),
      ),
      0n,
    );

    // a revert with a reason: code 3, decoded reason, revert data
    const revert = await rpc.raw("eth_call", [
      { from: DEV1, to: counter, data: calldata("Counter", "setCount", [5n]) },
      "latest",
    ]);
    assert.equal(revert.error?.code, 3);
    assert.equal(revert.error?.message, "execution reverted: Counter: not owner");
    assert.match(String(revert.error?.data), /^0x08c379a0/);
    const estimate = await rpc.raw("eth_estimateGas", [{
      from: DEV1,
      to: counter,
      data: calldata("Counter", "setCount", [5n]),
    }]);
    assert.equal(estimate.error?.code, 3);

    // block shape and roots
    const block = await rpc.call<Record<string, unknown>>("eth_getBlockByNumber", ["latest", true]);
    assert.equal(block.number, inc.blockNumber);
    assert.equal((block.transactions as { hash: string }[])[0].hash, inc.transactionHash);
    assert.equal(
      await rpc.call("eth_getBlockByHash", [block.hash, false]).then((b) => (b as { hash: string }).hash),
      block.hash,
    );
    assert.equal(await rpc.call("eth_getBlockByNumber", ["0x99", false]), null);
    assert.equal(await rpc.call("eth_getTransactionReceipt", ["0x" + "11".repeat(32)]), null);
  } finally {
    await close();
  }
});

Deno.test("snapshot and revert restore balances, storage, nonces and block number exactly", async () => {
  const { rpc, close } = await startNode();
  try {
    const probe = await rpc.deploy("Probe");
    await rpc.send({ from: DEV0, to: probe, data: calldata("Probe", "fill", [3n]) });
    const watched = [DEV0, DEV1, STRANGER, probe, "0x0000000000000000000000000000000000000000"];
    const capture = async () => ({
      block: await rpc.call("eth_blockNumber"),
      latest: await rpc.call("eth_getBlockByNumber", ["latest", false]),
      balances: await Promise.all(watched.map((a) => rpc.call("eth_getBalance", [a, "latest"]))),
      nonces: await Promise.all(watched.map((a) => rpc.call("eth_getTransactionCount", [a, "latest"]))),
      code: await Promise.all(watched.map((a) => rpc.call("eth_getCode", [a, "latest"]))),
      storage: await Promise.all([0n, 1n, 2n, 3n].map(async (i) => {
        const slot = viemKeccak(`0x${i.toString(16).padStart(64, "0")}${"01".padStart(64, "0")}`);
        return await rpc.call("eth_getStorageAt", [probe, slot, "latest"]);
      })),
      gasPrice: await rpc.call("eth_gasPrice"),
    });
    const before = await capture();
    const id = await rpc.call<string>("evm_snapshot");

    const tx = await rpc.send({ from: DEV0, to: DEV1, value: "0xde0b6b3a7640000" });
    await rpc.send({ from: DEV1, to: probe, data: calldata("Probe", "fill", [5n]) });
    await rpc.call("anvil_setBalance", [STRANGER, "0x1000"]);
    await rpc.call("anvil_setNonce", [DEV1, "0x50"]);
    await rpc.call("anvil_setCode", [STRANGER, "0x6001"]);
    await rpc.call("anvil_setStorageAt", [probe, "0x2", "0x" + "ff".repeat(32)]);
    await rpc.call("anvil_mine", ["0x3"]);
    await rpc.call("evm_increaseTime", ["0x1000"]);
    assert.notDeepEqual(await capture(), before);

    // anvil keeps the next block's base fee through a revert (anvil_methods_parity_test compares it with anvil's).
    const gasPriceBeforeRevert = await rpc.call("eth_gasPrice");
    assert.equal(await rpc.call("evm_revert", [id]), true);
    assert.deepEqual(await capture(), { ...before, gasPrice: gasPriceBeforeRevert });
    assert.equal(await rpc.call("eth_getTransactionByHash", [tx.transactionHash]), null);
    assert.equal(await rpc.call("evm_revert", [id]), false, "a snapshot is used up by reverting to it");

    // the chain goes on from the restored head
    const next = await rpc.send({ from: DEV0, to: DEV1, value: "0x1" });
    assert.equal(BigInt(next.blockNumber as string), BigInt(before.block as string) + 1n);
  } finally {
    await close();
  }
});

Deno.test("no-mining mode: transactions wait in the pool until evm_mine; automine and interval switches", async () => {
  const { rpc, close } = await startNode({ noMining: true });
  try {
    const h1 = await rpc.call<string>("eth_sendTransaction", [{ from: DEV0, to: DEV1, value: "0x1" }]);
    const h2 = await rpc.call<string>("eth_sendTransaction", [{ from: DEV0, to: DEV1, value: "0x2" }]);
    assert.equal(await rpc.call("eth_blockNumber"), "0x0");
    assert.equal(await rpc.call("eth_getTransactionReceipt", [h1]), null);
    const pending = await rpc.call<Record<string, unknown>>("eth_getTransactionByHash", [h2]);
    assert.equal(pending.blockNumber, null);
    assert.equal(pending.nonce, "0x1");
    assert.equal(await rpc.call("eth_getTransactionCount", [DEV0, "pending"]), "0x2");
    assert.equal(await rpc.call("eth_getTransactionCount", [DEV0, "latest"]), "0x0");
    assert.deepEqual(await rpc.call("txpool_status"), { pending: "0x2", queued: "0x0" });

    // the pending block is the block mining now would make: hash, roots, the pool's transactions in it
    const pb = await rpc.call<Record<string, unknown>>("eth_getBlockByNumber", ["pending", true]);
    assert.match(pb.hash as string, /^0x[0-9a-f]{64}$/);
    assert.equal(pb.number, "0x1");
    assert.equal(pb.nonce, "0x0000000000000000");
    assert.equal(pb.gasUsed, "0xa410");
    const pbTxs = pb.transactions as Record<string, unknown>[];
    assert.deepEqual(pbTxs.map((t) => t.hash), [h1, h2]);
    assert.equal(pbTxs[1].blockHash, pb.hash);
    assert.equal(await rpc.call("eth_getBlockTransactionCountByNumber", ["pending"]), "0x2");
    // "pending" reads see the state after it; the chain itself is untouched
    const balance = (tag: string) => rpc.call<string>("eth_getBalance", [DEV1, tag]);
    assert.equal(BigInt(await balance("pending")), BigInt(await balance("latest")) + 3n);
    assert.equal(await rpc.call("eth_blockNumber"), "0x0");
    assert.equal(await rpc.call("eth_getTransactionReceipt", [h1]), null);

    // a dropped transaction never gets mined
    const h3 = await rpc.call<string>("eth_sendTransaction", [{ from: DEV1, to: DEV0, value: "0x3" }]);
    assert.equal(await rpc.call("anvil_dropTransaction", [h3]), h3);

    assert.equal(await rpc.call("evm_mine"), "0x0");
    const mined = await rpc.call<Record<string, unknown>>("eth_getBlockByNumber", ["0x1", false]);
    assert.equal(mined.transactionsRoot, pb.transactionsRoot);
    assert.equal(mined.stateRoot, pb.stateRoot);
    const r1 = await rpc.call<Record<string, unknown>>("eth_getTransactionReceipt", [h1]);
    const r2 = await rpc.call<Record<string, unknown>>("eth_getTransactionReceipt", [h2]);
    assert.equal(r1.blockNumber, "0x1");
    assert.equal(r2.blockNumber, "0x1");
    assert.equal(r2.transactionIndex, "0x1");
    assert.equal(r2.cumulativeGasUsed, "0xa410");
    assert.equal(await rpc.call("eth_getTransactionByHash", [h3]), null);

    assert.equal(await rpc.call("anvil_getAutomine"), false);
    await rpc.call("evm_setAutomine", [true]);
    const auto = await rpc.send({ from: DEV0, to: DEV1, value: "0x1" });
    assert.equal(auto.blockNumber, "0x2");

    await rpc.call("evm_setIntervalMining", [1]);
    const start = BigInt(await rpc.call<string>("eth_blockNumber"));
    await new Promise((r) => setTimeout(r, 2300));
    assert.ok(BigInt(await rpc.call<string>("eth_blockNumber")) >= start + 1n, "interval mining mines blocks");
    await rpc.call("evm_setIntervalMining", [0]);
  } finally {
    await close();
  }
});

Deno.test("time travel, base fee evolution, impersonation and block cheats", async () => {
  const { rpc, close } = await startNode();
  try {
    const t0 = BigInt((await rpc.call<Record<string, string>>("eth_getBlockByNumber", ["latest", false])).timestamp);
    await rpc.call("evm_increaseTime", [3600]);
    await rpc.call("evm_mine");
    const t1 = BigInt((await rpc.call<Record<string, string>>("eth_getBlockByNumber", ["latest", false])).timestamp);
    assert.ok(t1 >= t0 + 3600n);
    await rpc.call("evm_setNextBlockTimestamp", [`0x${(t1 + 100n).toString(16)}`]);
    await rpc.call("evm_mine");
    assert.equal(
      (await rpc.call<Record<string, string>>("eth_getBlockByNumber", ["latest", false])).timestamp,
      `0x${(t1 + 100n).toString(16)}`,
    );
    const past = await rpc.raw("evm_setNextBlockTimestamp", ["0x1"]);
    assert.equal(past.error?.code, -32602);
    await rpc.call("evm_mine", [{ timestamp: `0x${(t1 + 200n).toString(16)}`, blocks: 2 }]);
    assert.equal(await rpc.call("eth_blockNumber"), "0x4");

    // EIP-1559: empty blocks lower the base fee by 1/8
    const b3 = await rpc.call<Record<string, string>>("eth_getBlockByNumber", ["0x3", false]);
    const b4 = await rpc.call<Record<string, string>>("eth_getBlockByNumber", ["0x4", false]);
    assert.equal(BigInt(b4.baseFeePerGas), BigInt(b3.baseFeePerGas) - BigInt(b3.baseFeePerGas) / 8n);
    await rpc.call("anvil_setNextBlockBaseFeePerGas", ["0x7"]);
    await rpc.call("evm_mine");
    assert.equal(
      (await rpc.call<Record<string, string>>("eth_getBlockByNumber", ["latest", false])).baseFeePerGas,
      "0x7",
    );
    const history = await rpc.call<Record<string, unknown>>("eth_feeHistory", ["0x3", "latest", [50]]);
    assert.equal((history.baseFeePerGas as string[]).length, 4);
    assert.equal(history.oldestBlock, "0x3");

    // impersonation: a stranger sends once impersonated, not after
    const refused = await rpc.raw("eth_sendTransaction", [{ from: STRANGER, to: DEV0, value: "0x1" }]);
    assert.equal(refused.error?.code, -32602);
    assert.match(refused.error!.message, /No Signer available/);
    assert.equal(await rpc.call("hardhat_impersonateAccount", [STRANGER]), null, "anvil answers null");
    await rpc.call("hardhat_setBalance", [STRANGER, "0xde0b6b3a7640000"]);
    const r = await rpc.send({ from: STRANGER, to: DEV0, value: "0x1" });
    assert.equal(r.from, STRANGER);
    assert.equal(r.status, "0x1");
    await rpc.call("anvil_stopImpersonatingAccount", [STRANGER]);
    assert.equal(
      (await rpc.raw("eth_sendTransaction", [{ from: STRANGER, to: DEV0, value: "0x1" }])).error?.code,
      -32602,
    );

    // an impersonated contract can send too (no EIP-3607 check on a dev node)
    await rpc.call("anvil_setCode", [STRANGER, "0x00"]);
    await rpc.call("anvil_impersonateAccount", [STRANGER]);
    assert.equal((await rpc.send({ from: STRANGER, to: DEV0, value: "0x1" })).status, "0x1");

    const info = await rpc.call<Record<string, unknown>>("anvil_nodeInfo");
    assert.equal(info.hardFork, "Bpo1");
    await rpc.call("anvil_reset");
    assert.equal(await rpc.call("eth_blockNumber"), "0x0");
    assert.equal(await rpc.call("eth_getBalance", [STRANGER, "latest"]), "0x0");
  } finally {
    await close();
  }
});

Deno.test("signing: eth_sign, personal_sign and eth_signTypedData_v4 recover to the dev account", async () => {
  const { rpc, close } = await startNode();
  try {
    const message = "0x68656c6c6f"; // "hello"
    const s1 = await rpc.call<Hex>("personal_sign", [message, DEV0]);
    assert.equal(s1, await account.signMessage({ message: { raw: message } }));
    assert.equal((await recoverMessageAddress({ message: { raw: message }, signature: s1 })).toLowerCase(), DEV0);
    assert.equal(await rpc.call("eth_sign", [DEV0, message]), s1);

    const typedData = {
      types: {
        EIP712Domain: [{ name: "name", type: "string" }, { name: "version", type: "string" }, {
          name: "chainId",
          type: "uint256",
        }, { name: "verifyingContract", type: "address" }],
        Person: [{ name: "name", type: "string" }, { name: "wallet", type: "address" }],
        Mail: [
          { name: "from", type: "Person" },
          { name: "to", type: "Person[]" },
          { name: "contents", type: "string" },
          { name: "nonce", type: "uint256" },
          { name: "tag", type: "bytes32" },
        ],
      },
      primaryType: "Mail",
      domain: {
        name: "Ether Mail",
        version: "1",
        chainId: 31337,
        verifyingContract: "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC",
      },
      message: {
        from: { name: "Cow", wallet: "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" },
        to: [{ name: "Bob", wallet: "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB" }],
        contents: "Hello, Bob!",
        nonce: "0x2a",
        tag: "0x" + "ab".repeat(32),
      },
    } as const;
    const s2 = await rpc.call<Hex>("eth_signTypedData_v4", [DEV0, JSON.stringify(typedData)]);
    const expected = await account.signTypedData(
      { ...typedData, message: { ...typedData.message, nonce: 42n } } as never,
    );
    assert.equal(s2, expected);
    assert.equal(
      (await recoverTypedDataAddress(
        { ...typedData, message: { ...typedData.message, nonce: 42n }, signature: s2 } as never,
      )).toLowerCase(),
      DEV0,
    );
    assert.equal((await rpc.raw("personal_sign", [message, STRANGER])).error?.code, -32602);
  } finally {
    await close();
  }
});

/** Walks a Merkle-Patricia proof from `root` along keccak(key); returns the value found (or undefined). */
function verifyProof(root: Hex, key: Hex, proof: Hex[]): Hex | undefined {
  const path = viemKeccak(key).slice(2).split("").map((c) => parseInt(c, 16));
  let expected: Hex = root;
  let depth = 0;
  for (const nodeHex of proof) {
    assert.equal(viemKeccak(nodeHex), expected, "each proof node hashes to its reference");
    let node = fromRlp(nodeHex) as unknown[];
    for (;;) {
      if (node.length === 17) {
        const child = node[path[depth++]] as Hex | unknown[];
        if (child === "0x") return undefined;
        if (Array.isArray(child)) {
          node = child;
          continue;
        }
        expected = child as Hex;
        break;
      }
      const encoded = (node[0] as Hex).slice(2);
      const flag = parseInt(encoded[0], 16);
      const nibbles = encoded.slice(flag & 1 ? 1 : 2).split("").map((c) => parseInt(c, 16));
      for (const n of nibbles) if (path[depth++] !== n) return undefined;
      if (flag >= 2) return node[1] as Hex;
      const child = node[1] as Hex | unknown[];
      if (Array.isArray(child)) {
        node = child;
        continue;
      }
      expected = child as Hex;
      break;
    }
  }
  throw new Error("proof ended before a leaf");
}

Deno.test("eth_getProof: account and storage proofs verify against the block's state root", async () => {
  const { rpc, close } = await startNode();
  try {
    const probe = await rpc.deploy("Probe");
    await rpc.send({ from: DEV0, to: probe, data: calldata("Probe", "fill", [40n]) });
    const block = await rpc.call<Record<string, Hex>>("eth_getBlockByNumber", ["latest", false]);
    const slot1 = viemKeccak(`0x${"1".padStart(64, "0")}${"1".padStart(64, "0")}`);
    const proof = await rpc.call<
      {
        accountProof: Hex[];
        storageHash: Hex;
        storageProof: { key: Hex; value: Hex; proof: Hex[] }[];
        nonce: Hex;
        balance: Hex;
        codeHash: Hex;
      }
    >(
      "eth_getProof",
      [probe, [slot1, "0x" + "77".repeat(32)], "latest"],
    );
    const leaf = verifyProof(block.stateRoot, probe, proof.accountProof);
    assert.ok(leaf);
    const [nonce, balance, storageRoot, codeHash] = fromRlp(leaf!) as Hex[];
    assert.equal(BigInt(nonce), BigInt(proof.nonce));
    assert.equal(BigInt(balance === "0x" ? 0 : balance), BigInt(proof.balance));
    assert.equal(storageRoot, proof.storageHash);
    assert.equal(codeHash, proof.codeHash);
    const value = verifyProof(proof.storageHash, proof.storageProof[0].key, proof.storageProof[0].proof);
    assert.equal(BigInt(fromRlp(value!) as Hex), 2n);
    assert.equal(proof.storageProof[0].value, "0x2");
    assert.equal(verifyProof(proof.storageHash, proof.storageProof[1].key, proof.storageProof[1].proof), undefined);
    // an absent account proves absent
    assert.equal(
      verifyProof(
        block.stateRoot,
        STRANGER,
        (await rpc.call<{ accountProof: Hex[] }>("eth_getProof", [STRANGER, [], "latest"])).accountProof,
      ),
      undefined,
    );
  } finally {
    await close();
  }
});

Deno.test("debug_traceTransaction and debug_traceCall: callTracer tree and struct logs", async () => {
  const { rpc, close } = await startNode();
  try {
    const probe = await rpc.deploy("Probe");
    const r = await rpc.send({ from: DEV0, to: probe, data: calldata("Probe", "nested", [7n]) });
    const tree = await rpc.call<Record<string, unknown>>("debug_traceTransaction", [r.transactionHash, {
      tracer: "callTracer",
    }]);
    assert.equal(tree.type, "CALL");
    assert.equal(tree.to, probe);
    assert.equal(tree.gasUsed, r.gasUsed);
    const calls = tree.calls as Record<string, unknown>[];
    assert.deepEqual(calls.map((c) => c.type), ["CALL", "STATICCALL"]);

    const failing = await rpc.call<Record<string, unknown>>("debug_traceCall", [
      { from: DEV0, to: probe, data: calldata("Probe", "nestedRevert") },
      "latest",
      { tracer: "callTracer" },
    ]);
    assert.equal(failing.error, "execution reverted");
    assert.equal((failing.calls as Record<string, unknown>[])[0].revertReason, "inner reason");

    const steps = await rpc.call<
      { failed: boolean; gas: number; structLogs: { op: string; depth: number; gasCost: number; stack: string[] }[] }
    >(
      "debug_traceTransaction",
      [r.transactionHash, { enableMemory: true }],
    );
    assert.equal(steps.failed, false);
    assert.equal(steps.gas, Number(r.gasUsed));
    assert.equal(steps.structLogs[0].op, "PUSH1");
    assert.equal(steps.structLogs[0].depth, 1);
    assert.equal(steps.structLogs[0].gasCost, 3);
    assert.ok(steps.structLogs.some((s) => s.depth === 2 && s.op === "SSTORE"));
  } finally {
    await close();
  }
});

Deno.test("eth_simulateV1, eth_createAccessList and state overrides", async () => {
  const { rpc, close } = await startNode();
  try {
    const counter = await rpc.deploy("Counter");
    const sim = await rpc.call<
      { calls: { status: string; returnData: Hex; logs: unknown[]; error?: { message: string } }[] }[]
    >("eth_simulateV1", [{
      blockStateCalls: [{
        calls: [
          { from: DEV0, to: counter, data: calldata("Counter", "inc") },
          { from: DEV0, to: counter, data: calldata("Counter", "count") },
          { from: DEV1, to: counter, data: calldata("Counter", "setCount", [1n]) },
        ],
      }],
    }, "latest"]);
    assert.deepEqual(sim[0].calls.map((c) => c.status), ["0x1", "0x1", "0x0"]);
    assert.equal(sim[0].calls[0].logs.length, 1);
    assert.equal(decodeResult("Counter", "count", sim[0].calls[1].returnData), 1n);
    assert.equal(sim[0].calls[2].error?.message, "execution reverted: Counter: not owner");
    // nothing was written
    assert.equal(
      decodeResult(
        "Counter",
        "count",
        await rpc.call<Hex>("eth_call", [{ to: counter, data: calldata("Counter", "count") }]),
      ),
      0n,
    );

    // traceTransfers: ether moved by a call shows as a Transfer log from 0xeeee…eeee; a reverted transfer does not
    const traced = await rpc.call<{ calls: { status: string; logs: { address: string; topics: string[]; data: Hex }[] }[] }[]>(
      "eth_simulateV1",
      [{
        traceTransfers: true,
        blockStateCalls: [{
          calls: [
            { from: DEV0, to: DEV1, value: "0x2a" },
            { from: DEV0, to: counter, data: calldata("Counter", "inc") },
          ],
        }],
      }, "latest"],
    );
    const [transfer] = traced[0].calls[0].logs;
    assert.equal(transfer.address, "0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
    assert.equal(transfer.topics[0], "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
    assert.equal(transfer.topics[1], "0x" + DEV0.slice(2).padStart(64, "0"));
    assert.equal(transfer.topics[2], "0x" + DEV1.slice(2).padStart(64, "0"));
    assert.equal(BigInt(transfer.data), 42n);
    assert.equal(traced[0].calls[1].logs.length, 1, "no transfer log for a call without value");

    const overridden = await rpc.call<Hex>("eth_call", [{ to: counter, data: calldata("Counter", "count") }, "latest", {
      [counter]: { stateDiff: { ["0x" + "0".repeat(64)]: "0x" + "309".padStart(64, "0") } },
    }]);
    assert.equal(decodeResult("Counter", "count", overridden), 777n);
    const replaced = await rpc.call<Hex>("eth_call", [{ to: counter, data: calldata("Counter", "owner") }, "latest", {
      [counter]: { state: {} },
    }]);
    assert.equal(decodeResult("Counter", "owner", replaced), "0x0000000000000000000000000000000000000000");

    const list = await rpc.call<{ accessList: { address: string; storageKeys: string[] }[]; gasUsed: string }>(
      "eth_createAccessList",
      [{ from: DEV0, to: counter, data: calldata("Counter", "inc") }],
    );
    assert.deepEqual(list.accessList, [{ address: counter, storageKeys: ["0x" + "0".repeat(64)] }]);
    assert.ok(BigInt(list.gasUsed) > 21000n);
  } finally {
    await close();
  }
});

Deno.test("--hardfork before London: legacy transactions, no base fee, pre-Byzantium receipts with a root", async () => {
  for (const hardfork of ["frontier", "homestead", "byzantium", "berlin"]) {
    const { rpc, close } = await startNode({ hardfork });
    try {
      const genesis = await rpc.call<Record<string, unknown>>("eth_getBlockByNumber", ["0x0", false]);
      assert.equal(genesis.baseFeePerGas, undefined, hardfork);
      const r = await rpc.send({ from: DEV0, to: DEV1, value: "0x1" });
      assert.equal(r.type, "0x0", hardfork);
      const tx = await rpc.call<Record<string, unknown>>("eth_getTransactionByHash", [r.transactionHash]);
      // EIP-155 signatures from Spurious Dragon on; before, v is 27 or 28.
      if (hardfork === "frontier" || hardfork === "homestead") assert.ok(["0x1b", "0x1c"].includes(tx.v as string));
      else assert.equal(tx.chainId, "0x7a69", hardfork);
      if (hardfork === "byzantium" || hardfork === "berlin") assert.equal(r.status, "0x1", hardfork);
      else assert.match(r.root as string, /^0x[0-9a-f]{64}$/, hardfork);
      const block = await rpc.call<Record<string, unknown>>("eth_getBlockByNumber", ["latest", false]);
      assert.equal(block.baseFeePerGas, undefined, hardfork);
      assert.equal(block.withdrawalsRoot, undefined, hardfork);
      const fee = await rpc.raw("eth_sendTransaction", [{ from: DEV0, to: DEV1, maxFeePerGas: "0x77359400" }]);
      assert.equal(fee.error?.code, -32602, `${hardfork}: an EIP-1559 transaction is refused`);
      const listed = await rpc.raw("eth_sendTransaction", [{ from: DEV0, to: DEV1, accessList: [] }]);
      if (hardfork === "berlin") assert.equal((await rpc.receipt(listed.result as string)).type, "0x1");
      else assert.equal(listed.error?.code, -32602, `${hardfork}: an access-list transaction is refused`);
      const history = await rpc.call<Record<string, string[]>>("eth_feeHistory", ["0x1", "latest", [50]]);
      assert.deepEqual(history.baseFeePerGas, ["0x0", "0x0"]);
    } finally {
      await close();
    }
  }
});
