/** Changing the node's settings while it runs: anvil_setChainId, anvil_setRpcUrl, anvil_impersonateSignature. */
import { address, array, data, string, uint64 } from "../params.ts";
import type { MethodTable } from "../context.ts";
import { InvalidParamsError } from "../errors.ts";

export const nodeSettingsMethods: MethodTable = {
  /** The chain id of later transactions, signatures and eth_chainId (mined blocks keep theirs). */
  anvil_setChainId: (p, { chain }) => {
    p.atMost(1);
    const id = p.required(0, "chainId", uint64);
    if (id === 0n) throw new InvalidParamsError("invalid chainId: must be at least 1");
    chain.chainId = id;
    return null;
  },
  anvil_setRpcUrl: (p, { info }) => {
    p.atMost(1);
    const url = p.required(0, "url", string);
    if (!info.setRpcUrl) throw new InvalidParamsError("invalid url: this node has no upstream to change");
    info.setRpcUrl(url);
    return null;
  },
  /**
   * ecrecover (precompile 0x01) answers `address` for this signature (r || s || v, 65 bytes) whatever the hash.
   * Parameters as anvil takes them: one pair, [signature, address].
   */
  anvil_impersonateSignature: (p, { chain }) => {
    p.atMost(1);
    const pair = p.required(0, "[signature, address]", array);
    if (pair.length !== 2) throw new InvalidParamsError("invalid [signature, address]: expected a tuple of size 2");
    const signature = data(pair[0], "signature");
    if (signature.length !== 65) {
      throw new InvalidParamsError(`invalid signature: expected 65 bytes (r, s, v), got ${signature.length}`);
    }
    chain.impersonateSignature(signature, address(pair[1], "address"));
    return null;
  },
};
