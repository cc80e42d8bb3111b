/**
 * Accounts a dev chain starts with besides the dev accounts, as anvil has
 * them: the deterministic CREATE2 deployer and the EIP-2935 block hash
 * history contract, and the per-block system writes of EIP-2935 and EIP-4788.
 */
import { hexToBytes } from "../primitives/hex.ts";
import type { WorldState } from "../state/world.ts";

export const CREATE2_DEPLOYER = 0x4e59b44847b379578588920ca78fbf26c0b4956cn;
export const CREATE2_DEPLOYER_CODE = hexToBytes(
  "0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3",
);

export const HISTORY_STORAGE_ADDRESS = 0x0000f90827f1c53a10cb7a02335b175320002935n;
export const HISTORY_STORAGE_CODE = hexToBytes(
  "0x3373fffffffffffffffffffffffffffffffffffffffe14604657602036036042575f35600143038111604257611fff81430311604257611fff9006545f5260205ff35b5f5ffd5b5f35611fff60014303065500",
);
const HISTORY_SERVE_WINDOW = 8191n;

export const BEACON_ROOTS_ADDRESS = 0x000f3df6d732807ef1319fb7b8bb8522d0beac02n;
const BEACON_ROOTS_BUFFER_LENGTH = 8191n;

/**
 * EIP-2935: the parent's hash goes into the history contract's ring buffer.
 * Written directly: the system call's only effect is this one slot.
 */
export function storeParentHash(world: WorldState, blockNumber: bigint, parentHash: bigint): void {
  if (blockNumber === 0n || world.getCode(HISTORY_STORAGE_ADDRESS).length === 0) return;
  world.setStorage(HISTORY_STORAGE_ADDRESS, (blockNumber - 1n) % HISTORY_SERVE_WINDOW, parentHash);
  world.finishTransaction();
}

/** EIP-4788: only when the beacon roots contract has been deployed (anvil does not deploy it). */
export function storeBeaconRoot(world: WorldState, timestamp: bigint, root: bigint): void {
  if (world.getCode(BEACON_ROOTS_ADDRESS).length === 0) return;
  const index = timestamp % BEACON_ROOTS_BUFFER_LENGTH;
  world.setStorage(BEACON_ROOTS_ADDRESS, index, timestamp);
  world.setStorage(BEACON_ROOTS_ADDRESS, index + BEACON_ROOTS_BUFFER_LENGTH, root);
  world.finishTransaction();
}
