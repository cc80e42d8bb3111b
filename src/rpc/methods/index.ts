/** Every JSON-RPC method the node answers, by name. */
import type { MethodTable } from "../context.ts";
import { blockMethods } from "./blocks.ts";
import { cheatMethods } from "./cheats.ts";
import { debugMethods } from "./debug.ts";
import { engineMethods } from "./engine.ts";
import { chainInfoMethods } from "./chain_info.ts";
import { rawMethods } from "./raw.ts";
import { txpoolMethods } from "./txpool.ts";
import { testingMethods } from "./testing.ts";
import { executionMethods } from "./execution.ts";
import { feeMethods } from "./fees.ts";
import { logMethods } from "./logs.ts";
import { nodeInfoMethods } from "./node_info.ts";
import { savedStateMethods } from "./saved_state.ts";
import { nodeSettingsMethods } from "./node_settings.ts";
import { erc20Methods } from "./erc20.ts";
import { traceMethods } from "./trace.ts";
import { otterscanMethods } from "./otterscan.ts";
import { reorgMethods } from "./reorg.ts";
import { signingMethods } from "./signing.ts";
import { stateMethods } from "./state.ts";
import { transactionMethods } from "./transactions.ts";
import { transactionLookupMethods } from "./transaction_lookup.ts";

export const METHODS: MethodTable = {
  ...nodeInfoMethods,
  ...stateMethods,
  ...blockMethods,
  ...feeMethods,
  ...executionMethods,
  ...transactionMethods,
  ...transactionLookupMethods,
  ...logMethods,
  ...signingMethods,
  ...debugMethods,
  ...cheatMethods,
  ...savedStateMethods,
  ...nodeSettingsMethods,
  ...erc20Methods,
  ...engineMethods,
  ...chainInfoMethods,
  ...rawMethods,
  ...txpoolMethods,
  ...traceMethods,
  ...otterscanMethods,
  ...reorgMethods,
  ...testingMethods,
};
