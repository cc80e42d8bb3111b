/** Sending transactions and reading them back. */
import { bytesToHex } from "../../primitives/hex.ts";
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
