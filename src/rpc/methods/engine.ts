/**
 * The Engine API's forkchoice update on the JSON-RPC port: the consensus
 * side (or a test harness such as hive) names the head, safe and finalized
 * blocks by hash; the `safe` and `finalized` tags then resolve to them.
 */
import { bytesToBigInt, bytesToHex } from "../../primitives/hex.ts";
import type { DevChain } from "../../chain/chain.ts";
import { hash, object, type Params } from "../params.ts";
import type { MethodTable } from "../context.ts";
import { RpcError } from "../errors.ts";

/** Engine API error codes. */
const INVALID_FORKCHOICE_STATE = -38002;
const INVALID_PAYLOAD_ATTRIBUTES = -38003;

function forkchoiceUpdated(p: Params, chain: DevChain) {
  p.atMost(2);
  const state = p.required(0, "forkchoiceState", object);
  const head = hash(state.headBlockHash, "forkchoiceState.headBlockHash");
  const safe = hash(state.safeBlockHash, "forkchoiceState.safeBlockHash");
  const finalized = hash(state.finalizedBlockHash, "forkchoiceState.finalizedBlockHash");
  if (p.optional(1, "payloadAttributes", object) !== undefined) {
    throw new RpcError(
      INVALID_PAYLOAD_ATTRIBUTES,
      "Invalid payload attributes: this node does not build payloads for a consensus client (testing_buildBlockV1 builds blocks)",
    );
  }
  const headBlock = chain.blockByHash(head);
  // An unknown head is one the node would have to sync to.
  if (!headBlock) {
    return { payloadStatus: { status: "SYNCING", latestValidHash: null, validationError: null }, payloadId: null };
  }
  const canonical = (h: Uint8Array) => {
    if (bytesToBigInt(h) === 0n) return undefined;
    const b = chain.blockByHash(h);
    if (!b || chain.blockByNumber(b.header.number) !== b || b.header.number > headBlock.header.number) {
      throw new RpcError(
        INVALID_FORKCHOICE_STATE,
        `Invalid forkchoice state: ${bytesToHex(h)} is not an ancestor of the head`,
      );
    }
    return h;
  };
  if (chain.blockByNumber(headBlock.header.number) !== headBlock) {
    throw new RpcError(
      INVALID_FORKCHOICE_STATE,
      `Invalid forkchoice state: head ${bytesToHex(head)} is not in the chain`,
    );
  }
  const safeHash = canonical(safe);
  const finalizedHash = canonical(finalized);
  chain.rewindTo(headBlock.header.number);
  chain.safeBlockHash = safeHash;
  chain.finalizedBlockHash = finalizedHash;
  return {
    payloadStatus: { status: "VALID", latestValidHash: bytesToHex(head), validationError: null },
    payloadId: null,
  };
}

export const engineMethods: MethodTable = {
  engine_forkchoiceUpdatedV1: (p, { chain }) => forkchoiceUpdated(p, chain),
  engine_forkchoiceUpdatedV2: (p, { chain }) => forkchoiceUpdated(p, chain),
  engine_forkchoiceUpdatedV3: (p, { chain }) => forkchoiceUpdated(p, chain),
};
