/** Blocks and the transactions in them, by number, tag or hash. */
import { bigIntToHex } from "../../primitives/hex.ts";
import type { Block } from "../../chain/block.ts";
import type { BlockRef } from "../../chain/chain.ts";
import { UnknownBlockError } from "../../chain/errors.ts";
import { formatBlock, formatReceipt, formatTransaction } from "../format.ts";
import { blockRef, bool, hash, type Params, quantity } from "../params.ts";
import type { MethodTable, RpcContext } from "../context.ts";

/** The block, or undefined where clients expect null (unknown number or hash). */
function find(ctx: RpcContext, ref: BlockRef): Block | undefined {
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
    if ("tag" in ref && ref.tag === "pending") return formatPendingBlock(ctx, full);
    const b = find(ctx, ref);
    return b ? formatBlock(b, full) : null;
  },
  /** Erigon's header read, as anvil answers it: the block without its transactions. */
  erigon_getHeaderByNumber: (p, ctx) => {
    p.atMost(1);
    const ref = byNumber(p);
    if ("tag" in ref && ref.tag === "pending") return formatPendingBlock(ctx, false);
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
  eth_getUncleCountByBlockNumber: (p) => (p.atMost(1), "0x0"),
  eth_getUncleCountByBlockHash: (p) => (p.atMost(1), "0x0"),
  eth_getUncleByBlockNumberAndIndex: (p) => (p.atMost(2), null),
  eth_getUncleByBlockHashAndIndex: (p) => (p.atMost(2), null),
};

/** The block being built: the latest block's shape with the next number, no hash yet. */
function formatPendingBlock(ctx: RpcContext, full: boolean) {
  const t = ctx.chain.pendingTemplate();
  const latest = formatBlock(ctx.chain.latest, false);
  const pending = ctx.chain.pool.all();
  return {
    ...latest,
    hash: null,
    parentHash: latest.hash,
    number: bigIntToHex(t.number),
    timestamp: bigIntToHex(t.timestamp),
    baseFeePerGas: bigIntToHex(t.baseFee),
    gasUsed: "0x0",
    nonce: null,
    miner: latest.miner,
    transactions: pending.map((
      ptx,
    ) => (full
      ? formatTransaction(ptx, undefined, t.baseFee)
      : "0x" + [...ptx.hash].map((b) => b.toString(16).padStart(2, "0")).join(""))
    ),
  };
}
