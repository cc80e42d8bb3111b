/** Blocks and the transactions in them, by number, tag or hash. */
import { bigIntToHex } from "../../primitives/hex.ts";
import type { Block } from "../../chain/block.ts";
import type { BlockRef } from "../../chain/chain.ts";
import { UnknownBlockError } from "../../chain/errors.ts";
import { encodeBlock } from "../../chain/block_codec.ts";
import { headerHash } from "../../chain/header.ts";
import { formatBlock, formatReceipt, formatTransaction } from "../format.ts";
import { blockRef, bool, hash, type Params, quantity } from "../params.ts";
import type { MethodTable, RpcContext } from "../context.ts";

/** The block (the pending one built for the asking), or undefined where clients expect null (unknown number or hash). */
function find(ctx: RpcContext, ref: BlockRef): Block | undefined {
  if ("tag" in ref && ref.tag === "pending") return ctx.chain.pendingBlock();
  try {
    return ctx.chain.findBlock(ref);
  } catch (e) {
    if (e instanceof UnknownBlockError) return undefined;
    throw e;
  }
}

const byNumber = (p: Params) => p.required(0, "block", blockRef);
const byHash = (p: Params): BlockRef => ({ hash: p.required(0, "blockHash", hash) });

export const blockMethods: MethodTable = {
  eth_blockNumber: (p, { chain }) => (p.atMost(0), bigIntToHex(chain.blockNumber)),
  eth_getBlockByNumber: (p, ctx) => {
    p.atMost(2);
    const ref = byNumber(p);
    const full = p.optional(1, "hydratedTransactions", bool) ?? false;
    const b = find(ctx, ref);
    return b ? formatBlock(b, full) : null;
  },
  /** Erigon's header read, as anvil answers it: the block without its transactions (none for pending). */
  erigon_getHeaderByNumber: (p, ctx) => {
    p.atMost(1);
    const ref = byNumber(p);
    if ("tag" in ref && ref.tag === "pending") return null;
    const b = find(ctx, ref);
    return b ? formatBlock(b, false, true) : null;
  },
  eth_getBlockByHash: (p, ctx) => {
    p.atMost(2);
    const b = find(ctx, byHash(p));
    return b ? formatBlock(b, p.optional(1, "hydratedTransactions", bool) ?? false) : null;
  },
  eth_getBlockTransactionCountByNumber: (p, ctx) => {
    p.atMost(1);
    const b = find(ctx, byNumber(p));
    return b ? bigIntToHex(b.transactions.length) : null;
  },
  eth_getBlockTransactionCountByHash: (p, ctx) => {
    p.atMost(1);
    const b = find(ctx, byHash(p));
    return b ? bigIntToHex(b.transactions.length) : null;
  },
  eth_getTransactionByBlockNumberAndIndex: (p, ctx) => {
    p.atMost(2);
    const b = find(ctx, byNumber(p));
    const t = b?.transactions[Number(p.required(1, "index", quantity))];
    return t ? formatTransaction(t, t) : null;
  },
  eth_getTransactionByBlockHashAndIndex: (p, ctx) => {
    p.atMost(2);
    const b = find(ctx, byHash(p));
    const t = b?.transactions[Number(p.required(1, "index", quantity))];
    return t ? formatTransaction(t, t) : null;
  },
  eth_getBlockReceipts: (p, ctx) => {
    p.atMost(1);
    const b = find(ctx, byNumber(p));
    return b ? b.transactions.map((t) => formatReceipt(t)) : null;
  },
  eth_getUncleCountByBlockNumber: (p, ctx) => (p.atMost(1), uncleCount(find(ctx, byNumber(p)))),
  eth_getUncleCountByBlockHash: (p, ctx) => (p.atMost(1), uncleCount(find(ctx, byHash(p)))),
  eth_getUncleByBlockNumberAndIndex: (p, ctx) => (p.atMost(2), uncle(find(ctx, byNumber(p)), p)),
  eth_getUncleByBlockHashAndIndex: (p, ctx) => (p.atMost(2), uncle(find(ctx, byHash(p)), p)),
};

/** A block's ommer count (null for an unknown block, as geth answers). */
function uncleCount(b: Block | undefined): string | null {
  return b ? bigIntToHex(b.ommers?.length ?? 0) : null;
}

/** An ommer header answered as geth does: a block of that header alone (no transactions, no ommers). */
function uncle(b: Block | undefined, p: Params): Record<string, unknown> | null {
  const index = p.required(1, "index", quantity);
  const header = b?.ommers?.[Number(index)];
  if (!header || index >= BigInt(b!.ommers!.length)) return null;
  const alone: Block = { header, hash: headerHash(header), transactions: [], ommers: [], size: 0 };
  alone.size = encodeBlock(alone).length;
  return formatBlock(alone, false);
}
