/** Blocks, headers, receipts and transactions in their consensus (RLP) encoding. */
import { encodeBlock } from "../../chain/block_codec.ts";
import type { Block } from "../../chain/block.ts";
import { UnknownBlockError } from "../../chain/errors.ts";
import { headerToRlp } from "../../chain/header.ts";
import { encodeReceipt } from "../../chain/receipt.ts";
import { bytesToHex } from "../../primitives/hex.ts";
import { rlpEncode } from "../../primitives/rlp.ts";
import { blockRef, hash, type Params } from "../params.ts";
import type { MethodTable, RpcContext } from "../context.ts";

/** The block a parameter names, or undefined (the methods answer null) when there is none. */
function block(p: Params, { chain }: RpcContext): Block | undefined {
  p.atMost(1);
  try {
    return chain.findBlock(p.required(0, "block", blockRef));
  } catch (e) {
    if (e instanceof UnknownBlockError) return undefined;
    throw e;
  }
}

export const rawMethods: MethodTable = {
  debug_getRawBlock: (p, ctx) => {
    const b = block(p, ctx);
    return b ? bytesToHex(encodeBlock(b)) : null;
  },
  debug_getRawHeader: (p, ctx) => {
    const b = block(p, ctx);
    return b ? bytesToHex(rlpEncode(headerToRlp(b.header))) : null;
  },
  debug_getRawReceipts: (p, ctx) => {
    const b = block(p, ctx);
    return b ? b.transactions.map((t) => bytesToHex(encodeReceipt(t.receipt))) : null;
  },
  debug_getRawTransaction: (p, { chain }) => {
    p.atMost(1);
    const found = chain.transactionByHash(bytesToHex(p.required(0, "hash", hash)));
    const t = found?.mined ?? found?.pending;
    return t ? bytesToHex(t.encoded) : null;
  },
};
