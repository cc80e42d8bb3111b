/** Chain objects as JSON-RPC answers carry them (field names and order as anvil writes them). */
import type { Block, MinedTransaction, PooledTransaction, Withdrawal } from "../chain/block.ts";
import { type BlockHeader, headerHash } from "../chain/header.ts";
import { headerJson, signedTransactionJson } from "../chain/json.ts";
import { bigIntToHex, bytesToHex, hexAddress, hexWord } from "../primitives/hex.ts";
import type { Log } from "../state/world.ts";
import { TxType } from "../tx/transaction.ts";

const q = bigIntToHex;

export function formatTransaction(
  ptx: PooledTransaction,
  mined?: MinedTransaction,
  baseFee?: bigint,
): Record<string, unknown> {
  const tx = ptx.tx;
  const out = signedTransactionJson(tx);
  out.hash = bytesToHex(ptx.hash);
  out.blockHash = mined ? bytesToHex(mined.blockHash) : null;
  out.blockNumber = mined ? q(mined.blockNumber) : null;
  out.transactionIndex = mined ? q(mined.index) : null;
  out.from = hexAddress(ptx.sender);
  if (tx.type >= TxType.FeeMarket) {
    out.gasPrice = q(mined ? mined.receipt.effectiveGasPrice : effectivePrice(ptx, baseFee));
  }
  out.blockTimestamp = mined ? q(mined.blockTimestamp) : null;
  return out;
}

function effectivePrice(ptx: PooledTransaction, baseFee = 0n): bigint {
  const tx = ptx.tx;
  const tip = tx.maxPriorityFeePerGas! < tx.maxFeePerGas! - baseFee
    ? tx.maxPriorityFeePerGas!
    : tx.maxFeePerGas! - baseFee;
  return tip + baseFee;
}

export interface LogContext {
  blockHash: Uint8Array;
  blockNumber: bigint;
  blockTimestamp: bigint;
  transactionHash: Uint8Array;
  transactionIndex: number;
  logIndex: number;
  removed?: boolean;
}

export function formatLog(log: Log, c: LogContext): Record<string, unknown> {
  return {
    address: hexAddress(log.address),
    topics: log.topics.map(hexWord),
    data: bytesToHex(log.data),
    blockHash: bytesToHex(c.blockHash),
    blockNumber: q(c.blockNumber),
    blockTimestamp: q(c.blockTimestamp),
    transactionHash: bytesToHex(c.transactionHash),
    transactionIndex: q(c.transactionIndex),
    logIndex: q(c.logIndex),
    removed: c.removed ?? false,
  };
}

export function formatMinedLogs(t: MinedTransaction) {
  return t.receipt.logs.map((log, i) =>
    formatLog(log, {
      blockHash: t.blockHash,
      blockNumber: t.blockNumber,
      blockTimestamp: t.blockTimestamp,
      transactionHash: t.hash,
      transactionIndex: t.index,
      logIndex: t.firstLogIndex + i,
    })
  );
}

/**
 * A receipt as the eth_ methods answer it (the execution-apis fields: blobGasUsed and blobGasPrice only for blob
 * transactions). `anvilFields`: with blobGasPrice on every receipt, as anvil's, for methods where anvil's answer
 * is the reference (ots_).
 */
export function formatReceipt(t: MinedTransaction, anvilFields = false): Record<string, unknown> {
  const r = t.receipt;
  const out: Record<string, unknown> = { type: q(r.type) };
  // Before Byzantium a receipt has the state root after its transaction where later ones have a status.
  if (r.postState) out.root = bytesToHex(r.postState);
  else out.status = r.status ? "0x1" : "0x0";
  Object.assign(out, {
    cumulativeGasUsed: q(r.cumulativeGasUsed),
    logs: formatMinedLogs(t),
    logsBloom: bytesToHex(r.logsBloom),
    transactionHash: bytesToHex(t.hash),
    transactionIndex: q(t.index),
    blockHash: bytesToHex(t.blockHash),
    blockNumber: q(t.blockNumber),
    gasUsed: q(r.gasUsed),
    effectiveGasPrice: q(r.effectiveGasPrice),
  });
  if (r.type === TxType.Blob) out.blobGasUsed = q(r.blobGasUsed);
  if (r.type === TxType.Blob || anvilFields) out.blobGasPrice = q(r.blobGasPrice);
  out.from = hexAddress(t.sender);
  out.to = t.tx.to === undefined ? null : hexAddress(t.tx.to);
  out.contractAddress = r.contractAddress === undefined ? null : hexAddress(r.contractAddress);
  return out;
}

export function formatWithdrawal(w: Withdrawal) {
  return { index: q(w.index), validatorIndex: q(w.validatorIndex), address: hexAddress(w.address), amount: q(w.amount) };
}

/**
 * A block as an engine API execution payload (the fields of its fork): the header's fields, the encoded
 * transactions, withdrawals from Shanghai and blob gas from Cancun on.
 */
export function formatExecutionPayload(
  h: BlockHeader,
  hash: Uint8Array,
  transactions: readonly Uint8Array[],
  withdrawals?: readonly Withdrawal[],
): Record<string, unknown> {
  const payload: Record<string, unknown> = {
    parentHash: bytesToHex(h.parentHash),
    feeRecipient: hexAddress(h.coinbase),
    stateRoot: bytesToHex(h.stateRoot),
    receiptsRoot: bytesToHex(h.receiptsRoot),
    logsBloom: bytesToHex(h.logsBloom),
    prevRandao: bytesToHex(h.mixHash),
    blockNumber: bigIntToHex(h.number),
    gasLimit: bigIntToHex(h.gasLimit),
    gasUsed: bigIntToHex(h.gasUsed),
    timestamp: bigIntToHex(h.timestamp),
    extraData: bytesToHex(h.extraData),
    baseFeePerGas: bigIntToHex(h.baseFeePerGas ?? 0n),
    blockHash: bytesToHex(hash),
    transactions: transactions.map(bytesToHex),
  };
  if (withdrawals) payload.withdrawals = withdrawals.map(formatWithdrawal);
  if (h.blobGasUsed !== undefined) {
    payload.blobGasUsed = bigIntToHex(h.blobGasUsed);
    payload.excessBlobGas = bigIntToHex(h.excessBlobGas ?? 0n);
  }
  return payload;
}

/**
 * A block as the eth_ methods answer it (the execution-apis fields). `anvilFields`: with anvil's
 * totalDifficulty too, for the anvil_/evm_/erigon_ methods, where anvil's answer is the reference.
 */
export function formatBlock(block: Block, fullTransactions: boolean, anvilFields = false): Record<string, unknown> {
  const h = block.header;
  const out: Record<string, unknown> = {
    hash: bytesToHex(block.hash),
    ...headerJson(h),
  };
  if (anvilFields) out.totalDifficulty = q(block.totalDifficulty ?? 0n);
  out.size = q(block.size);
  out.uncles = (block.ommers ?? []).map((o) => bytesToHex(headerHash(o)));
  out.transactions = block.transactions.map((t) => (fullTransactions ? formatTransaction(t, t) : bytesToHex(t.hash)));
  if (h.withdrawalsRoot !== undefined) out.withdrawals = (block.withdrawals ?? []).map(formatWithdrawal);
  return out;
}
