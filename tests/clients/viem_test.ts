/**
 * viem's public, wallet and test actions for scripted simulations, over HTTP
 * against our node and against anvil (tests/clients/viem_flow.ts); the two
 * runs' observations must agree.
 */
import { http } from "viem";
import { anvilAvailable } from "../rpc/helpers.ts";
import { assertSameObservations, clientTest, startAnvilTarget, startOurs } from "./harness.ts";
import { VIEM_INTENDED_DIFFERENCES, viemFlow } from "./viem_flow.ts";

clientTest(
  "viem over HTTP: simulateContract, stateOverride, estimateGas, createAccessList, simulateCalls, getLogs, watchBlocks, test actions — same as anvil",
  !anvilAvailable(),
  async (res) => {
    const ours = res.add(await startOurs());
    const anvil = res.add(await startAnvilTarget());
    const a = await viemFlow(http(ours.url));
    const b = await viemFlow(http(anvil.url));
    assertSameObservations(a, b, VIEM_INTENDED_DIFFERENCES);
  },
);
