/** anvil_dumpState / anvil_loadState: the chain as gzip'ed JSON in anvil's layout (src/chain/state_dump.ts). */
import { bytesToHex } from "../../primitives/hex.ts";
import { decodeStateDump, encodeStateDump, loadState, serializeState, StateFileError } from "../../chain/state_dump.ts";
import { bool, data } from "../params.ts";
import type { MethodTable } from "../context.ts";
import { ErrorCode, InvalidParamsError, RpcError } from "../errors.ts";

export const savedStateMethods: MethodTable = {
  anvil_dumpState: (p, { chain }) => {
    p.atMost(1);
    if (p.optional(0, "preserveHistoricalStates", bool) === true) {
      throw new InvalidParamsError("invalid preserveHistoricalStates: this node saves the head state only");
    }
    return bytesToHex(encodeStateDump(serializeState(chain)));
  },
  anvil_loadState: (p, { chain }) => {
    p.atMost(1);
    const bytes = p.required(0, "state", data);
    try {
      loadState(chain, decodeStateDump(bytes));
    } catch (e) {
      if (e instanceof StateFileError) throw new RpcError(ErrorCode.InvalidParams, `Failed to decode state dump: ${e.details}`);
      throw e;
    }
    return true;
  },
};
