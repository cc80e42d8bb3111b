/** Blocks and the transactions in them, as the dev chain keeps them. */
import type { SignedTransaction } from "../tx/codec.ts";
import type { BlockHeader } from "./header.ts";
import type { Receipt } from "./receipt.ts";

/** A transaction accepted by the node: decoded, hashed, its sender known. */
export interface PooledTransaction {
  tx: SignedTransaction;
  sender: bigint;
  hash: Uint8Array;
  /** Canonical encoding, as it goes into the block body and the transactions root. */
  encoded: Uint8Array;
  /** Sent from an impersonated account: its signature is a placeholder. */
  impersonated: boolean;
  /** A blob transaction sent in its network form: the blobs, commitments and proofs (EIP-4844, EIP-7594). */
  sidecar?: BlobSidecar;
}

export interface BlobSidecar {
  blobs: Uint8Array[];
  commitments: Uint8Array[];
  proofs: Uint8Array[];
}

export interface MinedTransaction extends PooledTransaction {
  blockNumber: bigint;
  blockHash: Uint8Array;
  blockTimestamp: bigint;
  index: number;
  receipt: Receipt;
  /** Index in the block of this transaction's first log. */
  firstLogIndex: number;
}

/** EIP-4895: a validator withdrawal credited by a block (amount in gwei). */
export interface Withdrawal {
  index: bigint;
  validatorIndex: bigint;
  address: bigint;
  amount: bigint;
}

export interface Block {
  header: BlockHeader;
  hash: Uint8Array;
  transactions: MinedTransaction[];
  /** Byte length of rlp([header, transactions, ommers, withdrawals?]). */
  size: number;
  /** Ommer (uncle) headers of a proof-of-work block. */
  ommers?: BlockHeader[];
  /** Shanghai and later: the withdrawals the block credited. */
  withdrawals?: Withdrawal[];
  /** Sum of the difficulties up to and including this block (proof-of-work chains; it decides the merge). */
  totalDifficulty?: bigint;
  /** Prague on, for blocks this node built or imported: the EIP-7685 requests (type || data each) the header hashes. */
  requests?: Uint8Array[];
}
