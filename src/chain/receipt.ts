/** Transaction receipts as blocks commit to them (EIP-2718 typed receipts, receipts root). */
import { bigIntToBytes, bigIntToMinimalBytes, concatBytes } from "../primitives/hex.ts";
import { rlpEncode } from "../primitives/rlp.ts";
import type { Log } from "../state/world.ts";
import { trieRoot } from "../state/trie.ts";
import type { TxType } from "../tx/transaction.ts";
import type { TxResult } from "../tx/execute.ts";
import { logsBloom } from "./bloom.ts";

export interface Receipt {
  type: TxType;
  /** true: success; false: reverted or halted. */
  status: boolean;
  /** Before Byzantium a receipt commits to the state root after its transaction instead of a status. */
  postState?: Uint8Array;
  cumulativeGasUsed: bigint;
  gasUsed: bigint;
  logsBloom: Uint8Array;
  logs: Log[];
  contractAddress?: bigint;
  effectiveGasPrice: bigint;
  blobGasUsed: bigint;
  blobGasPrice: bigint;
  /** The transaction's return data (not part of the receipt's encoding; anvil_mine_detailed shows it). */
  output?: Uint8Array;
  /** Why the transaction halted (not a revert), for the node's log. */
  error?: string;
}

/**
 * The receipt of a transaction executed in a block: `cumulativeGasUsed` is the block's gas so far, this
 * transaction's included; `postState` the state root after it (blocks before Byzantium).
 */
export function receiptOf(
  tx: { type: TxType; to?: bigint },
  result: TxResult,
  cumulativeGasUsed: bigint,
  postState: Uint8Array | undefined,
  blobGasPrice: bigint,
): Receipt {
  return {
    type: tx.type,
    status: result.status === "success",
    postState,
    cumulativeGasUsed,
    gasUsed: result.gasUsed,
    logsBloom: logsBloom(result.logs),
    logs: result.logs,
    contractAddress: tx.to === undefined && result.status === "success" ? result.createdAddress : undefined,
    effectiveGasPrice: result.effectiveGasPrice,
    blobGasUsed: result.blobGasUsed,
    blobGasPrice,
    output: result.output,
    error: result.status === "halt" ? result.error : undefined,
  };
}

export function encodeReceipt(r: Receipt): Uint8Array {
  const body = rlpEncode([
    r.postState ?? (r.status ? new Uint8Array([1]) : new Uint8Array(0)),
    bigIntToMinimalBytes(r.cumulativeGasUsed),
    r.logsBloom,
    r.logs.map((l) => [bigIntToBytes(l.address, 20), l.topics.map((t) => bigIntToBytes(t, 32)), l.data]),
  ]);
  return r.type === 0 ? body : concatBytes(new Uint8Array([r.type]), body);
}

/** Root of a trie keyed by rlp(index): transactions and receipts roots. */
export function orderedTrieRoot(items: Uint8Array[]): Uint8Array {
  return trieRoot(items.map((item, i) => [rlpEncode(bigIntToMinimalBytes(BigInt(i))), item]));
}
