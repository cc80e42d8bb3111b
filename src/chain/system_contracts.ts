/**
 * Accounts a dev chain starts with besides the dev accounts, as anvil has
 * them: the deterministic CREATE2 deployer and the EIP-2935 block hash
 * history contract; and the EIP-4788 beacon roots contract's address (the
 * system calls into them are in block_processing.ts).
 */
import { hexToBytes } from "../primitives/hex.ts";

export const CREATE2_DEPLOYER = 0x4e59b44847b379578588920ca78fbf26c0b4956cn;
export const CREATE2_DEPLOYER_CODE = hexToBytes(
  "0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3",
);

export const HISTORY_STORAGE_ADDRESS = 0x0000f90827f1c53a10cb7a02335b175320002935n;
export const HISTORY_STORAGE_CODE = hexToBytes(
  "0x3373fffffffffffffffffffffffffffffffffffffffe14604657602036036042575f35600143038111604257611fff81430311604257611fff9006545f5260205ff35b5f5ffd5b5f35611fff60014303065500",
);
export const BEACON_ROOTS_ADDRESS = 0x000f3df6d732807ef1319fb7b8bb8522d0beac02n;
