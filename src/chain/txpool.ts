/**
 * Transactions waiting to be mined, per sender by nonce. Mining takes them
 * in fee order (the best tip first among each sender's next transaction).
 */
import { bytesToHex } from "../primitives/hex.ts";
import { TxType } from "../tx/transaction.ts";
import type { PooledTransaction } from "./block.ts";
import { TransactionRejectedError } from "./errors.ts";

/** How the next block picks among the senders' next transactions (anvil's --order). */
export type TransactionOrder = "fees" | "fifo";

export class TxPool {
  private bySender = new Map<bigint, Map<bigint, PooledTransaction>>();
  private byHash = new Map<string, PooledTransaction>();
  /** Arrival order: the tie-break of "fees", the order of "fifo". */
  private arrival = new Map<PooledTransaction, number>();
  private nextArrival = 0;

  get size(): number {
    return this.byHash.size;
  }

  /** Adds a transaction; one with the same sender and nonce is replaced only by a higher fee. */
  add(ptx: PooledTransaction): void {
    const hash = bytesToHex(ptx.hash);
    if (this.byHash.has(hash)) throw new TransactionRejectedError("transaction already imported");
    let queue = this.bySender.get(ptx.sender);
    if (!queue) this.bySender.set(ptx.sender, queue = new Map());
    const existing = queue.get(ptx.tx.nonce);
    if (existing) {
      if (maxFee(ptx) <= maxFee(existing)) throw new TransactionRejectedError("replacement transaction underpriced");
      this.byHash.delete(bytesToHex(existing.hash));
      this.arrival.delete(existing);
    }
    queue.set(ptx.tx.nonce, ptx);
    this.byHash.set(hash, ptx);
    this.arrival.set(ptx, this.nextArrival++);
  }

  /** When the transaction arrived, relative to the others (lower: earlier). */
  arrivalOf(ptx: PooledTransaction): number {
    return this.arrival.get(ptx) ?? 0;
  }

  get(hash: string): PooledTransaction | undefined {
    return this.byHash.get(hash.toLowerCase());
  }

  remove(hash: string): PooledTransaction | undefined {
    const ptx = this.byHash.get(hash.toLowerCase());
    if (!ptx) return undefined;
    this.byHash.delete(hash.toLowerCase());
    this.arrival.delete(ptx);
    const queue = this.bySender.get(ptx.sender)!;
    queue.delete(ptx.tx.nonce);
    if (queue.size === 0) this.bySender.delete(ptx.sender);
    return ptx;
  }

  /** Drops every pending transaction of `sender`; returns how many. */
  removeSender(sender: bigint): number {
    const queue = this.bySender.get(sender);
    if (!queue) return 0;
    for (const ptx of queue.values()) {
      this.byHash.delete(bytesToHex(ptx.hash));
      this.arrival.delete(ptx);
    }
    this.bySender.delete(sender);
    return queue.size;
  }

  all(): PooledTransaction[] {
    return [...this.byHash.values()];
  }

  /** The transaction of `sender` with exactly this nonce. */
  at(sender: bigint, nonce: bigint): PooledTransaction | undefined {
    return this.bySender.get(sender)?.get(nonce);
  }

  senders(): IterableIterator<bigint> {
    return this.bySender.keys();
  }

  /** Highest nonce pending for `sender`, if any. */
  highestNonce(sender: bigint): bigint | undefined {
    const queue = this.bySender.get(sender);
    if (!queue) return undefined;
    let max: bigint | undefined;
    for (const n of queue.keys()) if (max === undefined || n > max) max = n;
    return max;
  }

  clear(): void {
    this.bySender.clear();
    this.byHash.clear();
    this.arrival.clear();
  }

  clone(): TxPool {
    const copy = new TxPool();
    for (const ptx of this.byHash.values()) copy.add(ptx);
    copy.arrival = new Map(this.arrival);
    copy.nextArrival = this.nextArrival;
    return copy;
  }
}

function maxFee(ptx: PooledTransaction): bigint {
  return ptx.tx.type >= TxType.FeeMarket ? ptx.tx.maxFeePerGas ?? 0n : ptx.tx.gasPrice ?? 0n;
}

/** anvil's priority under "fees" ordering: the priority fee, or a legacy transaction's gas price. */
export function feePriority(ptx: PooledTransaction): bigint {
  const tx = ptx.tx;
  return tx.type >= TxType.FeeMarket ? tx.maxPriorityFeePerGas! : tx.gasPrice!;
}

/** The tip a miner earns per gas at this base fee. */
export function effectiveTip(ptx: PooledTransaction, baseFee: bigint): bigint {
  const tx = ptx.tx;
  if (tx.type >= TxType.FeeMarket) {
    const room = tx.maxFeePerGas! - baseFee;
    return tx.maxPriorityFeePerGas! < room ? tx.maxPriorityFeePerGas! : room;
  }
  return tx.gasPrice! - baseFee;
}
