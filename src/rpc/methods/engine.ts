/**
 * The Engine API on the JSON-RPC port: the consensus side (or a test harness such as hive) hands over blocks
 * as execution payloads (engine_newPayloadV1-V4, imported as a chain file's blocks are) and names the head,
 * safe and finalized blocks by hash (the `safe` and `finalized` tags then resolve to them).
 */
import { bigIntToBytes, bytesEqual, bytesToBigInt, bytesToHex } from "../../primitives/hex.ts";
import type { DevChain } from "../../chain/chain.ts";
import { BlockDecodeError, decodeBlock } from "../../chain/block_codec.ts";
import { type ExecutionPayload, payloadToBlock } from "../../chain/execution_payload.ts";
import { BlockImportError, importBlock } from "../../chain/import.ts";
import { Fork } from "../../forks/fork.ts";
import { address, array, data, hash, object, type Params, uint64 } from "../params.ts";
import type { MethodTable } from "../context.ts";
import { InvalidParamsError, RpcError } from "../errors.ts";

/** Engine API error codes. */
const INVALID_FORKCHOICE_STATE = -38002;
const INVALID_PAYLOAD_ATTRIBUTES = -38003;
const UNSUPPORTED_FORK = -38005;

type PayloadStatus = "VALID" | "INVALID" | "SYNCING" | "ACCEPTED" | "INVALID_BLOCK_HASH";

function status(s: PayloadStatus, latestValidHash: Uint8Array | null = null, validationError: string | null = null) {
  return { status: s, latestValidHash: latestValidHash && bytesToHex(latestValidHash), validationError };
}

/** The payload object of newPayloadV`version` (V1: no withdrawals; V2: withdrawals; V3 on: blob gas too). */
function parsePayload(v: unknown, version: number): ExecutionPayload {
  const o = object(v, "executionPayload");
  const n = (key: string) => `executionPayload.${key}`;
  const extraData = data(o.extraData, n("extraData"));
  const logsBloom = data(o.logsBloom, n("logsBloom"));
  if (logsBloom.length !== 256) throw new InvalidParamsError(`invalid ${n("logsBloom")}: expected 256 bytes`);
  const payload: ExecutionPayload = {
    parentHash: hash(o.parentHash, n("parentHash")),
    feeRecipient: address(o.feeRecipient, n("feeRecipient")),
    stateRoot: hash(o.stateRoot, n("stateRoot")),
    receiptsRoot: hash(o.receiptsRoot, n("receiptsRoot")),
    logsBloom,
    prevRandao: hash(o.prevRandao, n("prevRandao")),
    blockNumber: uint64(o.blockNumber, n("blockNumber")),
    gasLimit: uint64(o.gasLimit, n("gasLimit")),
    gasUsed: uint64(o.gasUsed, n("gasUsed")),
    timestamp: uint64(o.timestamp, n("timestamp")),
    extraData,
    baseFeePerGas: uint64(o.baseFeePerGas, n("baseFeePerGas")),
    blockHash: hash(o.blockHash, n("blockHash")),
    transactions: array(o.transactions, n("transactions")).map((t, i) => data(t, n(`transactions[${i}]`))),
  };
  const present = (key: string) => o[key] !== undefined && o[key] !== null;
  if (present("withdrawals")) {
    if (version < 2) throw new InvalidParamsError(`invalid ${n("withdrawals")}: not in a V1 payload`);
    payload.withdrawals = array(o.withdrawals, n("withdrawals")).map((w, i) => {
      const wo = object(w, n(`withdrawals[${i}]`));
      const wn = (key: string) => n(`withdrawals[${i}].${key}`);
      return {
        index: uint64(wo.index, wn("index")),
        validatorIndex: uint64(wo.validatorIndex, wn("validatorIndex")),
        address: address(wo.address, wn("address")),
        amount: uint64(wo.amount, wn("amount")),
      };
    });
  } else if (version >= 3) {
    throw new InvalidParamsError(`missing ${n("withdrawals")}`);
  }
  for (const key of ["blobGasUsed", "excessBlobGas"]) {
    if (version < 3 && present(key)) throw new InvalidParamsError(`invalid ${n(key)}: not in a V${version} payload`);
    if (version >= 3 && !present(key)) throw new InvalidParamsError(`missing ${n(key)}`);
  }
  if (version >= 3) {
    payload.blobGasUsed = uint64(o.blobGasUsed, n("blobGasUsed"));
    payload.excessBlobGas = uint64(o.excessBlobGas, n("excessBlobGas"));
  }
  return payload;
}

/** The newPayload version each fork takes: V1 to Paris, V2 Shanghai, V3 Cancun, V4 Prague on. */
function versionFor(fork: number): number {
  return fork >= Fork.Prague ? 4 : fork >= Fork.Cancun ? 3 : fork >= Fork.Shanghai ? 2 : 1;
}

function newPayload(p: Params, chain: DevChain, version: number) {
  p.atMost(version === 1 || version === 2 ? 1 : version === 3 ? 3 : 4);
  const payload = parsePayload(p.required(0, "executionPayload", (v) => v), version);
  const expectedBlobHashes = version >= 3
    ? p.required(1, "expectedBlobVersionedHashes", array).map((h, i) => hash(h, `expectedBlobVersionedHashes[${i}]`))
    : undefined;
  const parentBeaconBlockRoot = version >= 3 ? p.required(2, "parentBeaconBlockRoot", hash) : undefined;
  let executionRequests: Uint8Array[] | undefined;
  if (version >= 4) {
    executionRequests = p.required(3, "executionRequests", array).map((r, i) => data(r, `executionRequests[${i}]`));
    // EIP-7685: each request is its type byte and data, no empty data, types strictly increasing.
    executionRequests.forEach((r, i) => {
      if (r.length < 2) throw new InvalidParamsError(`invalid executionRequests[${i}]: a type byte and data expected`);
      if (i > 0 && r[0] <= executionRequests![i - 1][0]) {
        throw new InvalidParamsError(`invalid executionRequests[${i}]: request types must be strictly increasing`);
      }
    });
  }
  // The version must be the one of the payload's fork (V2 also takes Paris payloads, without withdrawals).
  const fork = chain.hardforkAt(payload.blockNumber, payload.timestamp, true).fork;
  const want = versionFor(fork);
  if (want !== version && !(version === 2 && want === 1)) {
    throw new RpcError(
      UNSUPPORTED_FORK,
      `Unsupported fork: a payload at timestamp ${payload.timestamp} takes engine_newPayloadV${want}`,
    );
  }
  if (version === 2 && (payload.withdrawals !== undefined) !== (want === 2)) {
    throw new InvalidParamsError(
      `invalid executionPayload.withdrawals: ${
        want === 2 ? "missing in a Shanghai payload" : "not in a Paris payload"
      }`,
    );
  }
  let block;
  try {
    block = payloadToBlock(payload, { parentBeaconBlockRoot, executionRequests });
  } catch (e) {
    // A transaction that is not RLP (a legacy one is decoded to be placed in the block).
    return status("INVALID", null, `executionPayload.transactions: ${e instanceof Error ? e.message : e}`);
  }
  if (!bytesEqual(block.hash, payload.blockHash)) {
    return status(
      version === 1 ? "INVALID_BLOCK_HASH" : "INVALID",
      null,
      `blockHash is ${bytesToHex(payload.blockHash)}, the payload hashes to ${bytesToHex(block.hash)}`,
    );
  }
  if (chain.blockByHash(block.hash)) return status("VALID", block.hash);
  const parent = chain.blockByHash(payload.parentHash);
  if (!parent) return status("SYNCING");
  // Side chains are not imported: a payload on another block than the head waits (as one not validated yet).
  if (!bytesEqual(parent.hash, chain.latest.hash)) return status("ACCEPTED");
  if (expectedBlobHashes) {
    let txHashes: bigint[];
    try {
      txHashes = decodeBlock(block.rlp).transactions.flatMap(({ tx }) => tx.blobVersionedHashes ?? []);
    } catch (e) {
      if (e instanceof BlockDecodeError) return status("INVALID", parent.hash, e.shortMessage);
      throw e;
    }
    const expected = expectedBlobHashes.map(bytesToBigInt);
    if (txHashes.length !== expected.length || txHashes.some((h, i) => h !== expected[i])) {
      return status(
        "INVALID",
        parent.hash,
        `the transactions' blob versioned hashes [${
          txHashes.map((h) => bytesToHex(bigIntToBytes(h, 32))).join(", ")
        }] ` +
          "are not expectedBlobVersionedHashes",
      );
    }
  }
  try {
    importBlock(chain, block.rlp);
  } catch (e) {
    if (e instanceof BlockImportError) return status("INVALID", parent.hash, e.message);
    throw e;
  }
  return status("VALID", block.hash);
}

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
  engine_newPayloadV1: (p, { chain }) => newPayload(p, chain, 1),
  engine_newPayloadV2: (p, { chain }) => newPayload(p, chain, 2),
  engine_newPayloadV3: (p, { chain }) => newPayload(p, chain, 3),
  engine_newPayloadV4: (p, { chain }) => newPayload(p, chain, 4),
  engine_forkchoiceUpdatedV1: (p, { chain }) => forkchoiceUpdated(p, chain),
  engine_forkchoiceUpdatedV2: (p, { chain }) => forkchoiceUpdated(p, chain),
  engine_forkchoiceUpdatedV3: (p, { chain }) => forkchoiceUpdated(p, chain),
};
