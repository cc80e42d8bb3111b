/**
 * A header's and a signed transaction's fields as anvil writes them in JSON (names and order), shared by the
 * JSON-RPC answers (src/rpc/format.ts adds the block and receipt fields around them) and the state dump.
 */
import { bigIntToHex as q, bytesToHex, hexAddress, hexWord } from "../primitives/hex.ts";
import { type AccessListEntry, TxType } from "../tx/transaction.ts";
import type { SignedTransaction } from "../tx/codec.ts";
import type { BlockHeader } from "./header.ts";

export function headerJson(h: BlockHeader): Record<string, string> {
  const out: Record<string, string> = {
    parentHash: bytesToHex(h.parentHash),
    sha3Uncles: bytesToHex(h.ommersHash),
    miner: hexAddress(h.coinbase),
    stateRoot: bytesToHex(h.stateRoot),
    transactionsRoot: bytesToHex(h.transactionsRoot),
    receiptsRoot: bytesToHex(h.receiptsRoot),
    logsBloom: bytesToHex(h.logsBloom),
    difficulty: q(h.difficulty),
    number: q(h.number),
    gasLimit: q(h.gasLimit),
    gasUsed: q(h.gasUsed),
    timestamp: q(h.timestamp),
    extraData: bytesToHex(h.extraData),
    mixHash: bytesToHex(h.mixHash),
    nonce: bytesToHex(h.nonce),
  };
  if (h.baseFeePerGas !== undefined) out.baseFeePerGas = q(h.baseFeePerGas);
  if (h.withdrawalsRoot !== undefined) out.withdrawalsRoot = bytesToHex(h.withdrawalsRoot);
  if (h.blobGasUsed !== undefined) {
    out.blobGasUsed = q(h.blobGasUsed);
    out.excessBlobGas = q(h.excessBlobGas ?? 0n);
    out.parentBeaconBlockRoot = bytesToHex(h.parentBeaconBlockRoot!);
  }
  if (h.requestsHash !== undefined) out.requestsHash = bytesToHex(h.requestsHash);
  return out;
}

/** An access list as JSON-RPC writes it (transactions, eth_createAccessList). */
export function accessListJson(list: readonly AccessListEntry[]): { address: string; storageKeys: string[] }[] {
  return list.map((e) => ({ address: hexAddress(e.address), storageKeys: e.storageKeys.map(hexWord) }));
}

/**
 * The signed fields of a transaction. Its hash is the caller's to add: the state dump writes the envelope's,
 * JSON-RPC an impersonated transaction's own.
 */
export function signedTransactionJson(tx: SignedTransaction): Record<string, unknown> {
  const out: Record<string, unknown> = { type: q(tx.type) };
  if (tx.chainId !== undefined) out.chainId = q(tx.chainId);
  out.nonce = q(tx.nonce);
  if (tx.type === TxType.Legacy || tx.type === TxType.AccessList) out.gasPrice = q(tx.gasPrice!);
  out.gas = q(tx.gasLimit);
  if (tx.type >= TxType.FeeMarket) {
    out.maxFeePerGas = q(tx.maxFeePerGas!);
    out.maxPriorityFeePerGas = q(tx.maxPriorityFeePerGas!);
  }
  if (tx.type === TxType.Blob) out.maxFeePerBlobGas = q(tx.maxFeePerBlobGas!);
  out.to = tx.to === undefined ? null : hexAddress(tx.to);
  out.value = q(tx.value);
  if (tx.type !== TxType.Legacy) out.accessList = accessListJson(tx.accessList);
  if (tx.type === TxType.Blob) out.blobVersionedHashes = tx.blobVersionedHashes!.map(hexWord);
  if (tx.type === TxType.SetCode) {
    out.authorizationList = tx.authorizationList!.map((a) => ({
      chainId: q(a.chainId),
      address: hexAddress(a.address),
      nonce: q(a.nonce),
      yParity: q(a.yParity),
      r: q(a.r),
      s: q(a.s),
    }));
  }
  out.input = bytesToHex(tx.data);
  out.r = q(tx.signature.r);
  out.s = q(tx.signature.s);
  if (tx.type !== TxType.Legacy) out.yParity = q(tx.signature.yParity);
  out.v = q(tx.signature.v);
  return out;
}
