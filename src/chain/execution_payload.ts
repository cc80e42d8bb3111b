/**
 * Engine API execution payloads (engine_newPayloadV1-V4) as blocks: the header a payload stands for (the
 * post-merge constants filled in, the roots of its transactions, withdrawals and requests computed) and the
 * block's RLP, which then goes through the same import as a chain file's blocks.
 */
import { rlpEncode } from "../primitives/rlp.ts";
import type { Withdrawal } from "./block.ts";
import { blockRlpItems, encodeWithdrawal } from "./block_codec.ts";
import { requestsHash } from "./block_processing.ts";
import { type BlockHeader, EMPTY_OMMERS_HASH, headerHash } from "./header.ts";
import { orderedTrieRoot } from "./receipt.ts";

export interface ExecutionPayload {
  parentHash: Uint8Array;
  feeRecipient: bigint;
  stateRoot: Uint8Array;
  receiptsRoot: Uint8Array;
  logsBloom: Uint8Array;
  prevRandao: Uint8Array;
  blockNumber: bigint;
  gasLimit: bigint;
  gasUsed: bigint;
  timestamp: bigint;
  extraData: Uint8Array;
  baseFeePerGas: bigint;
  blockHash: Uint8Array;
  /** Each transaction's canonical encoding (a typed one with its type byte, a legacy one as its RLP list). */
  transactions: Uint8Array[];
  /** V2 on (Shanghai). */
  withdrawals?: Withdrawal[];
  /** V3 on (Cancun). */
  blobGasUsed?: bigint;
  excessBlobGas?: bigint;
}

/** What newPayloadV3/V4 add beside the payload. */
export interface PayloadSidecar {
  parentBeaconBlockRoot?: Uint8Array;
  /** V4 (Prague): the requests, each its type byte then its data. */
  executionRequests?: Uint8Array[];
}

export interface PayloadBlock {
  header: BlockHeader;
  /** The block's RLP, as a chain file would hold it. */
  rlp: Uint8Array;
  /** The hash of the header the payload stands for (compare with payload.blockHash). */
  hash: Uint8Array;
}

export function payloadToBlock(payload: ExecutionPayload, sidecar: PayloadSidecar = {}): PayloadBlock {
  const header: BlockHeader = {
    parentHash: payload.parentHash,
    ommersHash: EMPTY_OMMERS_HASH,
    coinbase: payload.feeRecipient,
    stateRoot: payload.stateRoot,
    transactionsRoot: orderedTrieRoot(payload.transactions),
    receiptsRoot: payload.receiptsRoot,
    logsBloom: payload.logsBloom,
    difficulty: 0n,
    number: payload.blockNumber,
    gasLimit: payload.gasLimit,
    gasUsed: payload.gasUsed,
    timestamp: payload.timestamp,
    extraData: payload.extraData,
    mixHash: payload.prevRandao,
    nonce: new Uint8Array(8),
    baseFeePerGas: payload.baseFeePerGas,
  };
  if (payload.withdrawals) {
    header.withdrawalsRoot = orderedTrieRoot(payload.withdrawals.map(encodeWithdrawal));
  }
  if (payload.blobGasUsed !== undefined) {
    header.blobGasUsed = payload.blobGasUsed;
    header.excessBlobGas = payload.excessBlobGas;
    header.parentBeaconBlockRoot = sidecar.parentBeaconBlockRoot;
  }
  if (sidecar.executionRequests) header.requestsHash = requestsHash(sidecar.executionRequests);
  const rlp = rlpEncode(blockRlpItems({ header, ommers: [], withdrawals: payload.withdrawals }, payload.transactions));
  return { header, rlp, hash: headerHash(header) };
}
