/**
 * anvil_dealERC20 / anvil_setERC20Allowance: find the storage slot an ERC-20 view reads its answer from, by
 * anvil's method: the slots the call reads (its access list), each tried with the wanted value as a state
 * override until the call answers that value; then write the value there.
 */
import { bytesToBigInt } from "../primitives/hex.ts";
import { createAccessList } from "./access_list.ts";
import { type CallRequest, ethCall } from "./call_request.ts";
import type { DevChain } from "./chain.ts";
import { UnsupportedError } from "./errors.ts";

/** The slot of `token` whose value `calldata` (a view returning uint256) answers, or undefined. */
export function findValueSlot(chain: DevChain, token: bigint, calldata: Uint8Array, value: bigint): bigint | undefined {
  const { state, env } = chain.resolve({ tag: "latest" });
  const request: CallRequest = { to: token, data: calldata };
  let slots: bigint[];
  try {
    slots = createAccessList(chain, state, env, request).accessList.find((e) => e.address === token)?.storageKeys ?? [];
  } catch {
    return undefined;
  }
  for (const slot of slots) {
    try {
      const overrides = new Map([[token, { stateDiff: new Map([[slot, value]]) }]]);
      const { result } = ethCall(chain, state, env, request, { state: overrides });
      if (result.status === "success" && result.output.length >= 32 && bytesToBigInt(result.output.subarray(0, 32)) === value) {
        return slot;
      }
    } catch { /* this slot's override makes the call fail: try the next */ }
  }
  return undefined;
}

/** Writes `value` where `calldata` reads it, or fails as anvil does ("Unable to set ERC20 <what>, no slot found"). */
export function setErc20Value(chain: DevChain, token: bigint, calldata: Uint8Array, value: bigint, what: string): void {
  const slot = findValueSlot(chain, token, calldata, value);
  if (slot === undefined) throw new UnsupportedError(`Unable to set ERC20 ${what}, no slot found`);
  chain.setStorageAt(token, slot, value);
}
