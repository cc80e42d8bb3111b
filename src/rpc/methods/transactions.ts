/** Sending transactions and reading them back. */
import { bytesToHex } from "../../primitives/hex.ts";
import { keccak256 } from "../../primitives/hash.ts";
import { encodeTransaction, type SignedTransaction } from "../../tx/codec.ts";
import { TxType } from "../../tx/transaction.ts";
import { fillTransaction } from "../../chain/send_request.ts";
import { formatReceipt, formatTransaction } from "../format.ts";
import { callRequest, data, hash, type Params } from "../params.ts";
import { type MethodTable, PendingResult } from "../context.ts";
import { ErrorCode, InvalidParamsError, RpcError } from "../errors.ts";
import type { DevChain } from "../../chain/chain.ts";

/** anvil waits this long for a *Sync transaction's block, then answers an error. */
export const SYNC_TIMEOUT_MS = 30_000;

function sendRaw(p: Params, chain: DevChain): Uint8Array {
  p.atMost(1);
  const raw = p.required(0, "transaction", data);
  if (raw.length === 0) throw new InvalidParamsError("Empty transaction data");
  return chain.sendRawTransaction(raw);
}

function send(p: Params, chain: DevChain): Uint8Array {
  p.atMost(1);
  const { tx, from } = fillTransaction(chain, p.required(0, "transaction", callRequest));
  return chain.sendUnsigned(tx, from);
}

/** The receipt once the transaction is in a block (at once under automine), or an error after SYNC_TIMEOUT_MS. */
function receiptWhenMined(chain: DevChain, hash: Uint8Array): PendingResult {
  const key = bytesToHex(hash);
  return new PendingResult(() => {
    const mined = chain.transactionByHash(key)?.mined;
    if (mined) return Promise.resolve(formatReceipt(mined));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new RpcError(ErrorCode.InternalError, "Transaction confirmation timeout"));
      }, SYNC_TIMEOUT_MS);
      const unsubscribe = chain.subscribe({
        onBlock: (block) => {
          const t = block.transactions.find((t) => bytesToHex(t.hash) === key);
          if (!t) return;
          clearTimeout(timer);
          unsubscribe();
          resolve(formatReceipt(t));
        },
      });
    });
  });
}

export const transactionMethods: MethodTable = {
  eth_sendRawTransaction: (p, { chain }) => bytesToHex(sendRaw(p, chain)),
  eth_sendTransaction: (p, { chain }) => bytesToHex(send(p, chain)),
  eth_sendRawTransactionSync: (p, { chain }) => receiptWhenMined(chain, sendRaw(p, chain)),
  eth_sendTransactionSync: (p, { chain }) => receiptWhenMined(chain, send(p, chain)),
  /** From any account, with the placeholder signature of impersonated transactions (no key, no impersonation). */
  eth_sendUnsignedTransaction: (p, { chain }) => {
    p.atMost(1);
    const { tx, from } = fillTransaction(chain, p.required(0, "transaction", callRequest), { anySender: true });
    return bytesToHex(chain.sendUnsigned(tx, from, { unsigned: true }));
  },
  /**
   * The transaction eth_sendTransaction would send, for any sender, unsigned: as anvil answers it,
   * `{ raw, tx }` with a zero signature (viem asks for it before signing with a local account).
   */
  eth_fillTransaction: (p, { chain }) => {
    p.atMost(1);
    const { tx, from } = fillTransaction(chain, p.required(0, "transaction", callRequest), { anySender: true });
    const v = tx.type === TxType.Legacy && tx.chainId !== undefined ? tx.chainId * 2n + 35n : 0n;
    const unsigned: SignedTransaction = { ...tx, signature: { r: 0n, s: 0n, yParity: 0, v } };
    const encoded = encodeTransaction(unsigned);
    const pooled = { tx: unsigned, sender: from, hash: keccak256(encoded), encoded, impersonated: false };
    // Not a pool entry: no blockTimestamp (as anvil fills it; the spec has no block fields here).
    const { blockTimestamp: _, ...filled } = formatTransaction(pooled, undefined, chain.nextBlockBaseFee());
    return { raw: bytesToHex(encoded), tx: filled };
  },
  eth_getTransactionByHash: (p, { chain }) => {
    p.atMost(1);
    const found = chain.transactionByHash(bytesToHex(p.required(0, "hash", hash)));
    if (!found) return null;
    return found.mined
      ? formatTransaction(found.mined, found.mined)
      : formatTransaction(found.pending!, undefined, chain.nextBlockBaseFee());
  },
  eth_getTransactionReceipt: (p, { chain }) => {
    p.atMost(1);
    const found = chain.transactionByHash(bytesToHex(p.required(0, "hash", hash)));
    return found?.mined ? formatReceipt(found.mined) : null;
  },
};
