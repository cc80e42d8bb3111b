/** eth_sendRawTransaction with every transaction type, signed by viem; reads them back. */
import assert from "node:assert/strict";
import { type Hex, keccak256 } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { calldata, DEV0, DEV1, DEV_KEY, startNode } from "./helpers.ts";

const account = privateKeyToAccount(DEV_KEY);
const GWEI = 1_000_000_000n;

Deno.test("every transaction type goes in raw and comes back with its fields", async () => {
  const { rpc, close } = await startNode();
  try {
    const target = await rpc.deploy("Target"); // nonce 0
    const blobHash = ("0x01" + "ab".repeat(31)) as Hex;
    const authorization = await account.signAuthorization({ chainId: 31337, address: target, nonce: 7 });
    const signed: [string, Hex][] = [
      [
        "legacy pre-EIP-155",
        await account.signTransaction({
          type: "legacy",
          nonce: 1,
          gas: 21000n,
          gasPrice: 3n * GWEI,
          to: DEV1,
          value: 1n,
        }),
      ],
      [
        "legacy EIP-155",
        await account.signTransaction({
          type: "legacy",
          chainId: 31337,
          nonce: 2,
          gas: 21000n,
          gasPrice: 3n * GWEI,
          to: DEV1,
          value: 2n,
        }),
      ],
      [
        "EIP-2930",
        await account.signTransaction({
          type: "eip2930",
          chainId: 31337,
          nonce: 3,
          gas: 100000n,
          gasPrice: 3n * GWEI,
          to: target,
          data: calldata("Target", "set", [5n]),
          accessList: [{ address: target, storageKeys: [`0x${"0".repeat(64)}`] }],
        }),
      ],
      [
        "EIP-1559",
        await account.signTransaction({
          type: "eip1559",
          chainId: 31337,
          nonce: 4,
          gas: 100000n,
          maxFeePerGas: 3n * GWEI,
          maxPriorityFeePerGas: 2n,
          to: target,
          data: calldata("Target", "set", [6n]),
        }),
      ],
      [
        "EIP-4844",
        await account.signTransaction(
          {
            type: "eip4844",
            chainId: 31337,
            nonce: 5,
            gas: 50000n,
            maxFeePerGas: 3n * GWEI,
            maxPriorityFeePerGas: 2n,
            to: DEV1,
            maxFeePerBlobGas: 10n,
            blobVersionedHashes: [blobHash],
          } as never,
        ),
      ],
      [
        "EIP-7702",
        await account.signTransaction({
          type: "eip7702",
          chainId: 31337,
          nonce: 6,
          gas: 100000n,
          maxFeePerGas: 3n * GWEI,
          maxPriorityFeePerGas: 2n,
          to: DEV0,
          data: calldata("Target", "get"),
          authorizationList: [authorization],
        }),
      ],
    ];
    for (const [i, [name, raw]] of signed.entries()) {
      const hash = await rpc.call<Hex>("eth_sendRawTransaction", [raw]);
      assert.equal(hash, keccak256(raw), name);
      const receipt = await rpc.receipt(hash);
      assert.equal(receipt.status, "0x1", name);
      assert.equal(receipt.type, `0x${i === 0 ? 0 : i - 1}`, name);
      const tx = await rpc.call<Record<string, unknown>>("eth_getTransactionByHash", [hash]);
      assert.equal(tx.from, DEV0, name);
      assert.equal(tx.hash, hash, name);
    }
    const legacy = await rpc.call<Record<string, unknown>>("eth_getTransactionByHash", [keccak256(signed[0][1])]);
    assert.equal(legacy.chainId, undefined);
    assert.ok(legacy.v === "0x1b" || legacy.v === "0x1c");
    const blob = await rpc.call<Record<string, unknown>>("eth_getTransactionByHash", [keccak256(signed[4][1])]);
    assert.deepEqual(blob.blobVersionedHashes, [blobHash]);
    const blobReceipt = await rpc.receipt(keccak256(signed[4][1]));
    assert.equal(blobReceipt.blobGasUsed, "0x20000");
    assert.equal(
      (await rpc.call<Record<string, string>>("eth_getBlockByHash", [blobReceipt.blockHash, false])).blobGasUsed,
      "0x20000",
    );

    // EIP-7702: the dev account now delegates to Target (0xef0100 || address)
    assert.equal(await rpc.call("eth_getCode", [DEV0, "latest"]), `0xef0100${target.slice(2)}`);
    assert.equal(await rpc.call("eth_getTransactionCount", [DEV0, "latest"]), "0x8");

    // replays and stale nonces are refused with the pool's words
    const replay = await rpc.raw("eth_sendRawTransaction", [signed[1][1]]);
    assert.equal(replay.error?.code, -32003);
    const otherChain = await account.signTransaction({
      type: "eip1559",
      chainId: 1,
      nonce: 8,
      gas: 21000n,
      maxFeePerGas: 3n * GWEI,
      maxPriorityFeePerGas: 1n,
      to: DEV1,
    });
    assert.match((await rpc.raw("eth_sendRawTransaction", [otherChain])).error!.message, /chain id/);
    const poor = await privateKeyToAccount("0x" + "42".repeat(32) as Hex).signTransaction({
      type: "eip1559",
      chainId: 31337,
      nonce: 0,
      gas: 21000n,
      maxFeePerGas: 3n * GWEI,
      maxPriorityFeePerGas: 1n,
      to: DEV1,
    });
    assert.deepEqual((await rpc.raw("eth_sendRawTransaction", [poor])).error, {
      code: -32003,
      message: "Insufficient funds for gas * price + value",
    });
    const lowFee = await account.signTransaction({
      type: "eip1559",
      chainId: 31337,
      nonce: 8,
      gas: 21000n,
      maxFeePerGas: 1n,
      maxPriorityFeePerGas: 1n,
      to: DEV1,
    });
    assert.equal(
      (await rpc.raw("eth_sendRawTransaction", [lowFee])).error?.message,
      "max fee per gas less than block base fee",
    );
  } finally {
    await close();
  }
});
