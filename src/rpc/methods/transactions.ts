/** Sending transactions and reading them back. */
import { bytesToHex } from "../../primitives/hex.ts";
import { keccak256 } from "../../primitives/hash.ts";
import { encodeTransaction, type SignedTransaction } from "../../tx/codec.ts";
import { TxType } from "../../tx/transaction.ts";
import { fillTransaction } from "../../chain/send_request.ts";
import { formatReceipt, formatTransaction } from "../format.ts";
import { callRequest, data, hash } from "../params.ts";
import type { MethodTable } from "../context.ts";
import { InvalidParamsError } from "../errors.ts";

export const transactionMethods: MethodTable = {
  eth_sendRawTransaction: (p, { chain }) => {
    p.atMost(1);
    const raw = p.required(0, "transaction", data);
    if (raw.length === 0) throw new InvalidParamsError("Empty transaction data");
    return bytesToHex(chain.sendRawTransaction(raw));
  },
  eth_sendTransaction: (p, { chain }) => {
    p.atMost(1);
    const { tx, from } = fillTransaction(chain, p.required(0, "transaction", callRequest));
    return bytesToHex(chain.sendUnsigned(tx, from));
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
    return { raw: bytesToHex(encoded), tx: formatTransaction(pooled, undefined, chain.nextBlockBaseFee()) };
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
