/**
 * Details clients see that must equal anvil's: eth_fillTransaction (viem
 * calls it before signing with a local account) and the hashes of
 * transactions sent from impersonated accounts.
 */
import assert from "node:assert/strict";
import { anvilAvailable, DEV0, type RpcResponse } from "../rpc/helpers.ts";
import { clientTest, startAnvilTarget, startOurs } from "./harness.ts";

const STRANGER = "0x000000000000000000000000000000000000beef";
const DEAD = "0x000000000000000000000000000000000000dead";

clientTest(
  "eth_fillTransaction: as anvil fills it (fees, gas, nonce, any sender, legacy, access list, errors)",
  !anvilAvailable(),
  async (res) => {
    const ours = res.add(await startOurs({ baseFee: 5_000_000_000n }));
    const anvil = res.add(await startAnvilTarget(["--base-fee", "5000000000"]));
    const requests = [
      { from: DEV0, to: DEAD, value: "0x1" },
      { from: STRANGER, to: DEAD },
      { from: DEV0, to: DEAD, gasPrice: "0x3b9aca00" },
      { from: DEV0, to: DEAD, maxFeePerGas: "0x12a05f200" },
      { from: DEV0, to: DEAD, nonce: "0x7", gas: "0x7530", accessList: [{ address: DEAD, storageKeys: [] }] },
      { from: DEV0, data: "0x6001600055" },
      { from: DEV0, to: DEAD, data: "0x1234", value: "0x10" },
    ];
    for (const request of requests) {
      const [a, b] = await Promise.all([
        ours.rpc.raw("eth_fillTransaction", [request]),
        anvil.rpc.raw("eth_fillTransaction", [request]),
      ]);
      assert.deepEqual(a.result, b.result, JSON.stringify(request));
    }
    // Failures are errors on both (messages differ: anvil reports its EVM's halt reason).
    const failing = { from: DEV0, data: "0xfe" };
    const [a, b]: RpcResponse[] = await Promise.all([
      ours.rpc.raw("eth_fillTransaction", [failing]),
      anvil.rpc.raw("eth_fillTransaction", [failing]),
    ]);
    assert.ok(a.error && b.error, JSON.stringify([a, b]));
    await ours.rpc.send({ from: DEV0, to: DEAD, value: "0x1" });
    const next = await ours.rpc.call<{ tx: { nonce: string } }>("eth_fillTransaction", [{ from: DEV0, to: DEAD }]);
    assert.equal(next.tx.nonce, "0x1");
  },
);

clientTest(
  "impersonated transactions: the same placeholder signature and hash as anvil's (typed and legacy)",
  !anvilAvailable(),
  async (res) => {
    const nodes = [res.add(await startOurs()), res.add(await startAnvilTarget())];
    const seen = [];
    for (const { rpc } of nodes) {
      await rpc.call("anvil_impersonateAccount", [STRANGER]);
      await rpc.call("anvil_setBalance", [STRANGER, "0xde0b6b3a7640000"]);
      const typed = await rpc.send({ from: STRANGER, to: DEAD, value: "0x1" });
      const legacy = await rpc.send({ from: STRANGER, to: DEAD, value: "0x2", gasPrice: "0x77359400" });
      const tx = await rpc.call<Record<string, unknown>>("eth_getTransactionByHash", [legacy.transactionHash]);
      seen.push([typed.transactionHash, legacy.transactionHash, tx.r, tx.s, tx.v, tx.from]);
    }
    assert.deepEqual(seen[0], seen[1]);
  },
);
