/**
 * Differential test: the same signed transactions and the same requests go
 * to anvil (npm @foundry-rs/anvil-linux-amd64) and to our node; the answers
 * must agree (results, error codes, messages and revert data).
 */
import assert from "node:assert/strict";
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  anvilAvailable,
  calldata,
  deployData,
  DEV0,
  DEV1,
  DEV_KEY,
  type RpcClient,
  type RpcResponse,
  startAnvil,
  startNode,
} from "./helpers.ts";

const DEV1_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const FEES = {
  maxFeePerGas: 3_000_000_000n,
  maxPriorityFeePerGas: 1_000_000_000n,
  chainId: 31337,
  type: "eip1559" as const,
};

/** What must agree between the two nodes: the result, or the error's code, message and data. */
function outcome(r: RpcResponse): unknown {
  return r.error
    ? { error: { code: r.error.code, message: r.error.message, data: r.error.data } }
    : { result: r.result };
}

async function both(ours: RpcClient, anvil: RpcClient, method: string, params: unknown[]): Promise<[unknown, unknown]> {
  const [a, b] = await Promise.all([ours.raw(method, params), anvil.raw(method, params)]);
  return [outcome(a), outcome(b)];
}

Deno.test({
  name: "differential against anvil: transactions, eth_call matrix, estimates, state reads, blocks, access lists",
  ignore: !anvilAvailable(),
  sanitizeResources: false,
  fn: async () => {
    const anvil = await startAnvil();
    const node = await startNode();
    const ours = node.rpc;
    try {
      // ---- identical signed transactions into both chains ----
      const dev0 = privateKeyToAccount(DEV_KEY);
      const dev1 = privateKeyToAccount(DEV1_KEY);
      const txs = [
        await dev0.signTransaction({ ...FEES, nonce: 0, gas: 3_000_000n, data: deployData("Probe") }),
        await dev0.signTransaction({ ...FEES, nonce: 1, gas: 1_000_000n, data: deployData("Counter") }),
      ];
      const receipts: Record<string, unknown>[][] = [[], []];
      const send = async (raw: Hex) => {
        for (const [i, rpc] of [ours, anvil.rpc].entries()) {
          const hash = await rpc.call<Hex>("eth_sendRawTransaction", [raw]);
          receipts[i].push(await rpc.receipt(hash));
        }
      };
      for (const raw of txs) await send(raw);
      const probe = receipts[0][0].contractAddress as Hex;
      const counter = receipts[0][1].contractAddress as Hex;
      assert.equal(receipts[1][0].contractAddress, probe);
      await send(
        await dev0.signTransaction({
          ...FEES,
          nonce: 2,
          gas: 2_000_000n,
          to: probe,
          data: calldata("Probe", "fill", [25n]),
        }),
      );
      await send(
        await dev1.signTransaction({ ...FEES, nonce: 0, gas: 100_000n, to: counter, data: calldata("Counter", "inc") }),
      );
      await send(
        await dev1.signTransaction({
          ...FEES,
          nonce: 1,
          gas: 100_000n,
          to: counter,
          data: calldata("Counter", "setCount", [9n]),
        }),
      );
      await send(await dev0.signTransaction({ ...FEES, nonce: 3, gas: 21_000n, to: DEV1, value: 123_456_789n }));
      await send(
        await dev0.signTransaction({
          ...FEES,
          nonce: 4,
          gas: 500_000n,
          to: probe,
          data: calldata("Probe", "nested", [11n]),
        }),
      );
      await send(
        await dev0.signTransaction({
          ...FEES,
          nonce: 5,
          gas: 500_000n,
          to: probe,
          data: calldata("Probe", "deploy", ["0x" + "01".repeat(32)]),
        }),
      );
      const receiptFields = [
        "status",
        "gasUsed",
        "cumulativeGasUsed",
        "logs",
        "logsBloom",
        "contractAddress",
        "effectiveGasPrice",
        "type",
        "from",
        "to",
        "transactionHash",
      ];
      for (let i = 0; i < receipts[0].length; i++) {
        for (const f of receiptFields) {
          const strip = (v: unknown) =>
            f === "logs"
              ? (v as Record<string, unknown>[]).map(({ address, topics, data, logIndex }) => ({
                address,
                topics,
                data,
                logIndex,
              }))
              : v;
          assert.deepEqual(strip(receipts[0][i][f]), strip(receipts[1][i][f]), `receipt ${i} ${f}`);
        }
      }

      // ---- blocks: same shape, same roots of the same transactions ----
      // (not "size": anvil leaves the empty withdrawals list out of it, geth and we count it)
      for (const full of [false, true]) {
        const [a, b] = await Promise.all([
          ours.call<Record<string, unknown>>("eth_getBlockByNumber", ["latest", full]),
          anvil.rpc.call<Record<string, unknown>>("eth_getBlockByNumber", ["latest", full]),
        ]);
        // totalDifficulty is not in the execution-apis block (anvil 1.7.1 adds it): an intended difference.
        assert.deepEqual(Object.keys(a).sort(), Object.keys(b).filter((k) => k !== "totalDifficulty").sort(), "block fields");
        for (
          const f of [
            "number",
            "gasUsed",
            "gasLimit",
            "baseFeePerGas",
            "transactionsRoot",
            "receiptsRoot",
            "logsBloom",
            "miner",
            "sha3Uncles",
            "withdrawalsRoot",
            "blobGasUsed",
            "excessBlobGas",
            "requestsHash",
          ]
        ) {
          assert.deepEqual(a[f], b[f], `block ${f}`);
        }
        if (full) {
          const [ta, tb] = [
            (a.transactions as Record<string, unknown>[])[0],
            (b.transactions as Record<string, unknown>[])[0],
          ];
          assert.deepEqual(Object.keys(ta).sort(), Object.keys(tb).sort(), "transaction fields");
          for (const k of Object.keys(ta)) {
            if (!["blockHash", "blockTimestamp"].includes(k)) assert.deepEqual(ta[k], tb[k], `transaction ${k}`);
          }
        }
      }

      // ---- eth_call matrix ----
      const probeCall = (fn: string, args: unknown[] = [], extra: Record<string, unknown> = {}) => ({
        from: DEV0,
        to: probe,
        data: calldata("Probe", fn, args),
        ...extra,
      });
      const ecrecoverInput = "0x" + "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c" +
        "1c".padStart(64, "0") +
        "73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f" +
        "eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549";
      const calls: [string, Record<string, unknown>][] = [
        ["count", { to: counter, data: calldata("Counter", "count") }],
        ["owner", { to: counter, data: calldata("Counter", "owner") }],
        ["revert with reason (require)", { from: DEV1, to: counter, data: calldata("Counter", "setCount", [1n]) }],
        ["revert with reason", probeCall("revertWithReason")],
        ["custom error", probeCall("revertCustom")],
        ["panic overflow", probeCall("panicOverflow", [1n])],
        ["panic division by zero", probeCall("panicDivide", [0n])],
        ["panic assert", probeCall("panicAssert")],
        ["panic array index", probeCall("panicIndex")],
        ["out of gas", probeCall("burn", [], { gas: "0x30000" })],
        ["precompiles via contract", probeCall("hashes", ["0x616263"])],
        [
          "ecrecover via contract",
          probeCall("recover", [
            "0x18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c",
            28,
            "0x73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f",
            "0xeeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549",
          ]),
        ],
        ["modexp via contract", probeCall("modexp", [3n, 200n, 1000007n])],
        ["nested call", probeCall("nested", [5n])],
        ["nested revert", probeCall("nestedRevert")],
        ["CREATE2", probeCall("deploy", ["0x" + "02".repeat(32)])],
        ["CREATE2 collision", probeCall("deploy", ["0x" + "01".repeat(32)])],
        ["storage loop", probeCall("sum", [25n])],
        ["value transfer through a contract", probeCall("pay", [DEV1], { value: "0x10" })],
        ["sha256 precompile", { to: "0x0000000000000000000000000000000000000002", data: "0x616263" }],
        ["ripemd160 precompile", { to: "0x0000000000000000000000000000000000000003", data: "0x616263" }],
        ["identity precompile", { to: "0x0000000000000000000000000000000000000004", data: "0x0102030405" }],
        ["ecrecover precompile", { to: "0x0000000000000000000000000000000000000001", data: ecrecoverInput }],
        ["blake2f bad input (halt)", { to: "0x0000000000000000000000000000000000000009", data: "0x00" }],
        ["bn254 add", { to: "0x0000000000000000000000000000000000000006", data: "0x" + "00".repeat(128) }],
        ["p256verify bad input", { to: "0x0000000000000000000000000000000000000100", data: "0x00" }],
        ["plain transfer", { from: DEV0, to: DEV1, value: "0x1" }],
        ["call to empty account", { to: "0x00000000000000000000000000000000000000ee", data: "0x1234" }],
        ["create via eth_call", { from: DEV0, data: deployData("Target") }],
        ["gas price without funds", {
          from: "0x00000000000000000000000000000000000000ee",
          to: DEV1,
          gasPrice: "0x3b9aca00",
        }],
        ["invalid opcode", { to: "0x00000000000000000000000000000000000000ee" }],
      ];
      for (const [name, call] of calls) {
        const params = name === "invalid opcode"
          ? [call, "latest", { [call.to as string]: { code: "0xfe" } }]
          : [call, "latest"];
        const [a, b] = await both(ours, anvil.rpc, "eth_call", params);
        assert.deepEqual(a, b, `eth_call: ${name}`);
      }
      // at an older block, by number and by hash
      for (const block of ["0x3", "0x1"]) {
        const [a, b] = await both(ours, anvil.rpc, "eth_call", [
          { to: counter, data: calldata("Counter", "count") },
          block,
        ]);
        assert.deepEqual(a, b, `eth_call at ${block}`);
      }

      // ---- eth_estimateGas ----
      const estimates: [string, Record<string, unknown>][] = [
        ["transfer", { from: DEV0, to: DEV1, value: "0x1" }],
        ["fill", probeCall("fill", [10n])],
        ["inc", { from: DEV0, to: counter, data: calldata("Counter", "inc") }],
        ["nested", probeCall("nested", [3n])],
        ["CREATE2", probeCall("deploy", ["0x" + "03".repeat(32)])],
        ["deployment", { from: DEV0, data: deployData("Counter") }],
        ["revert", probeCall("revertWithReason")],
        ["custom error", probeCall("revertCustom")],
        ["out of gas within a cap", probeCall("burn", [], { gas: "0x40000" })],
        ["gas price caps the allowance", {
          from: DEV0,
          to: probe,
          data: calldata("Probe", "fill", [10n]),
          gasPrice: "0x2540be400",
        }],
        ["value through a contract", probeCall("pay", [DEV1], { value: "0x10" })],
      ];
      for (const [name, request] of estimates) {
        const [a, b] = await both(ours, anvil.rpc, "eth_estimateGas", [request, "latest"]);
        assert.deepEqual(a, b, `eth_estimateGas: ${name}`);
      }

      // ---- state reads ----
      const target = (await ours.call<Hex>("eth_call", [probeCall("target"), "latest"])).replace(/^0x0{24}/, "0x");
      const accounts = [
        DEV0,
        DEV1,
        probe,
        counter,
        target,
        "0x0000000000000000000000000000000000000000",
        "0x4e59b44847b379578588920ca78fbf26c0b4956c",
        "0x00000000000000000000000000000000000000ee",
      ];
      for (const a of accounts) {
        for (const method of ["eth_getBalance", "eth_getCode", "eth_getTransactionCount"]) {
          for (const block of ["latest", "0x2", "earliest"]) {
            const [x, y] = await both(ours, anvil.rpc, method, [a, block]);
            assert.deepEqual(x, y, `${method} ${a} at ${block}`);
          }
        }
      }
      for (
        const slot of [
          "0x0",
          "0x1",
          "0x2",
          "0x" + "ff".repeat(32),
          "0x405787fa12a823e0f2b7631cc41b3ba8828b3321ca811111fa75cd3aa3bb5ace",
        ]
      ) {
        for (const a of [probe, counter, target]) {
          const [x, y] = await both(ours, anvil.rpc, "eth_getStorageAt", [a, slot, "latest"]);
          assert.deepEqual(x, y, `eth_getStorageAt ${a} ${slot}`);
        }
      }

      // ---- eth_createAccessList ----
      const sortList = (r: unknown) => {
        const o = r as { result?: { accessList: { address: string; storageKeys: string[] }[]; gasUsed: string } };
        if (!o.result) return r;
        return {
          gasUsed: o.result.gasUsed,
          accessList: [...o.result.accessList].sort((p, q) => p.address.localeCompare(q.address)).map((e) => ({
            address: e.address,
            storageKeys: [...e.storageKeys].sort(),
          })),
        };
      };
      for (
        const [name, request] of [
          ["nested", probeCall("nested", [4n])],
          ["storage loop", probeCall("sum", [5n])],
          ["inc", { from: DEV0, to: counter, data: calldata("Counter", "inc") }],
          ["transfer", { from: DEV0, to: DEV1, value: "0x1" }],
        ] as [string, Record<string, unknown>][]
      ) {
        const [a, b] = await both(ours, anvil.rpc, "eth_createAccessList", [request, "latest"]);
        assert.deepEqual(sortList(a), sortList(b), `eth_createAccessList: ${name}`);
      }

      // ---- fees and node facts ----
      for (
        const [method, params] of [
          ["eth_gasPrice", []],
          ["eth_maxPriorityFeePerGas", []],
          ["eth_blobBaseFee", []],
          ["eth_chainId", []],
          ["net_version", []],
          ["eth_blockNumber", []],
        ] as [string, unknown[]][]
      ) {
        const [a, b] = await both(ours, anvil.rpc, method, params);
        assert.deepEqual(a, b, method);
      }
      const [fa, fb] = await both(ours, anvil.rpc, "eth_feeHistory", ["0x4", "latest", [25, 75]]);
      assert.deepEqual(fa, fb, "eth_feeHistory");
    } finally {
      await node.close();
      await anvil.close();
    }
  },
});
