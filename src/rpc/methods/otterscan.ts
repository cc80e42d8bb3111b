/**
 * Otterscan's ots_* namespace (API level 8), as anvil serves it: block details and pages of transactions with
 * receipts, a transaction's internal operations, call trace and error, address history, contract creators.
 */
import { bigIntToHex, bytesToHex, hexAddress } from "../../primitives/hex.ts";
import type { Block, MinedTransaction } from "../../chain/block.ts";
import type { DevChain } from "../../chain/chain.ts";
import { UnknownBlockError } from "../../chain/errors.ts";
import { ErrorCode, RpcError } from "../errors.ts";
import { type TraceNode, walkTree } from "../../trace/call_tree.ts";
import { blockCallTrees, transactionCallTree } from "../../trace/parity_replay.ts";
import { formatBlock, formatReceipt, formatTransaction } from "../format.ts";
import { address, blockRefOrNumber, hash, type Params, quantity, uint64 } from "../params.ts";
import type { MethodTable } from "../context.ts";
import { transactionBySenderAndNonce } from "./transaction_lookup.ts";

/** Otterscan's internal operation kinds. */
const TRANSFER = 0, SELF_DESTRUCT = 1, CREATE = 2, CREATE2 = 3;

function blockOrThrow(chain: DevChain, find: () => Block): Block {
  try {
    return find();
  } catch (e) {
    if (e instanceof UnknownBlockError) throw new RpcError(ErrorCode.ResourceNotFound, "block not found");
    throw e;
  }
}

function minedOrNull(chain: DevChain, p: Params): MinedTransaction | undefined {
  return chain.transactionByHash(bytesToHex(p.required(0, "hash", hash)))?.mined;
}

/** The block without its transactions, their count, no issuance (a dev chain mints nothing) and the fees paid. */
function blockDetails(block: Block) {
  const { transactions: _, ...rest } = formatBlock(block, false, true);
  let totalFees = 0n;
  for (const t of block.transactions) totalFees += t.receipt.gasUsed * t.receipt.effectiveGasPrice;
  return {
    block: { ...rest, transactionCount: block.transactions.length },
    issuance: { blockReward: "0x0", uncleReward: "0x0", issuance: "0x0" },
    totalFees: bigIntToHex(totalFees),
  };
}

/** A receipt as Otterscan reads it: with the block's timestamp. */
function otsReceipt(t: MinedTransaction): Record<string, unknown> {
  return { ...formatReceipt(t, true), timestamp: bigIntToHex(t.blockTimestamp) };
}

/** Whether a transaction's call tree involves `who` (as caller, callee, created or self-destructed account). */
function involves(root: TraceNode, who: bigint): boolean {
  for (const { node } of walkTree(root)) {
    if (node.from === who || (node.kind !== "SELFDESTRUCT" && node.to === who)) return true;
  }
  return false;
}

/** The transactions of block n that involve `who`, last first (anvil's order within a block). */
function involving(chain: DevChain, n: bigint, who: bigint): MinedTransaction[] {
  const block = chain.blockByNumber(n);
  if (!block || block.transactions.length === 0) return [];
  const roots = blockCallTrees(chain, block);
  return block.transactions.filter((_, i) => involves(roots[i], who)).reverse();
}

function searchResult(found: MinedTransaction[], firstPage: boolean, lastPage: boolean) {
  return {
    txs: found.map((t) => formatTransaction(t, t)),
    receipts: found.map(otsReceipt),
    firstPage,
    lastPage,
  };
}

export const otterscanMethods: MethodTable = {
  ots_getApiLevel: (p) => (p.atMost(0), 8),
  ots_hasCode: (p, { chain }) => {
    p.atMost(2);
    const a = p.required(0, "address", address);
    return chain.resolve(p.optional(1, "block", blockRefOrNumber) ?? { tag: "latest" }).state.getCode(a).length > 0;
  },
  ots_getInternalOperations: (p, { chain }) => {
    p.atMost(1);
    const t = minedOrNull(chain, p);
    if (!t) throw new RpcError(ErrorCode.ServerError, "data unavailable: no such mined transaction");
    const ops = [];
    for (const { node } of walkTree(transactionCallTree(chain, t))) {
      const type = node.kind === "SELFDESTRUCT"
        ? SELF_DESTRUCT
        : node.kind === "CREATE"
        ? CREATE
        : node.kind === "CREATE2"
        ? CREATE2
        : node.kind === "CALL" && node.value > 0n
        ? TRANSFER
        : undefined;
      if (type === undefined) continue;
      ops.push({ type, from: hexAddress(node.from), to: hexAddress(node.to), value: bigIntToHex(node.value) });
    }
    return ops;
  },
  ots_traceTransaction: (p, { chain }) => {
    p.atMost(1);
    const t = minedOrNull(chain, p);
    if (!t) throw new RpcError(ErrorCode.ServerError, "data unavailable: no such mined transaction");
    const entries = [];
    for (const { node, path } of walkTree(transactionCallTree(chain, t))) {
      // Calls only, as anvil lists them (not creations nor self-destructs).
      if (node.kind === "SELFDESTRUCT" || node.kind === "CREATE" || node.kind === "CREATE2") continue;
      entries.push({
        type: node.kind,
        depth: path.length,
        from: hexAddress(node.from),
        to: hexAddress(node.to),
        value: bigIntToHex(node.value),
        input: bytesToHex(node.input),
        output: bytesToHex(node.output),
      });
    }
    return entries;
  },
  /** A failed transaction's revert data ("0x" for one that succeeded or halted without data). */
  ots_getTransactionError: (p, { chain }) => {
    p.atMost(1);
    const t = minedOrNull(chain, p);
    if (!t || t.receipt.status) return "0x";
    return bytesToHex(t.receipt.output ?? new Uint8Array(0));
  },
  ots_getBlockDetails: (p, { chain }) => {
    p.atMost(1);
    const ref = p.required(0, "block", blockRefOrNumber);
    return blockDetails(blockOrThrow(chain, () => chain.findBlock(ref)));
  },
  ots_getBlockDetailsByHash: (p, { chain }) => {
    p.atMost(1);
    const h = p.required(0, "blockHash", hash);
    return blockDetails(blockOrThrow(chain, () => chain.findBlock({ hash: h })));
  },
  /** One page of a block's transactions (their input cut to the selector) with their receipts. */
  ots_getBlockTransactions: (p, { chain }) => {
    p.atMost(3);
    const n = p.required(0, "block", uint64);
    const page = Number(p.required(1, "page", uint64));
    const size = Number(p.required(2, "pageSize", uint64));
    const block = blockOrThrow(chain, () => chain.findBlock({ number: n }));
    const txs = block.transactions.slice(page * size, page * size + size);
    const full = formatBlock(
      {
        header: block.header,
        hash: block.hash,
        size: block.size,
        ommers: block.ommers,
        withdrawals: block.withdrawals,
        totalDifficulty: block.totalDifficulty,
        requests: block.requests,
        transactions: txs,
      },
      true,
      true,
    );
    full.transactions = (full.transactions as Record<string, unknown>[]).map((t) => ({
      ...t,
      input: (t.input as string).slice(0, 10),
    }));
    return { fullblock: { ...full, transactionCount: txs.length }, receipts: txs.map(otsReceipt) };
  },
  /** Transactions involving the address before block n (0: the head), newest first, a block at a time. */
  ots_searchTransactionsBefore: (p, { chain }) => {
    p.atMost(3);
    const who = p.required(0, "address", address);
    const n = p.required(1, "blockNumber", uint64);
    const size = Number(p.required(2, "pageSize", uint64));
    const best = chain.blockNumber;
    const first = chain.blocks[0].header.number + 1n;
    const from = n === 0n ? best : n - 1n;
    const found: MinedTransaction[] = [];
    let lastPage = false;
    for (let b = from; b >= first; b--) {
      const hits = involving(chain, b, who);
      if (found.length >= size) break;
      found.push(...hits);
      if (b === first) lastPage = true;
    }
    return searchResult(found, from >= best, lastPage);
  },
  /** Transactions involving the address after block n (0: from the start), newest first, a block at a time. */
  ots_searchTransactionsAfter: (p, { chain }) => {
    p.atMost(3);
    const who = p.required(0, "address", address);
    const n = p.required(1, "blockNumber", uint64);
    const size = Number(p.required(2, "pageSize", uint64));
    const best = chain.blockNumber;
    const firstBlock = chain.blocks[0].header.number + 1n;
    const from = n === 0n ? firstBlock : n + 1n;
    const found: MinedTransaction[] = [];
    let firstPage = from >= best, lastPage = false;
    for (let b = from; b <= best; b++) {
      if (b === firstBlock) lastPage = true;
      const hits = involving(chain, b, who);
      if (found.length >= size) break;
      found.push(...hits);
      if (b === best) firstPage = true;
    }
    return searchResult(found.reverse(), firstPage, lastPage);
  },
  ots_getTransactionBySenderAndNonce: (p, { chain }) => {
    p.atMost(2);
    const found = transactionBySenderAndNonce(chain, p.required(0, "sender", address), p.required(1, "nonce", quantity));
    return found?.mined ? bytesToHex(found.mined.hash) : null;
  },
  /** The transaction and the account that created the contract (the latest creation, if it was created again). */
  ots_getContractCreator: (p, { chain }) => {
    p.atMost(1);
    const target = p.required(0, "address", address);
    for (let i = chain.blocks.length - 1; i >= 0; i--) {
      const block = chain.blocks[i];
      if (block.transactions.length === 0) continue;
      const roots = blockCallTrees(chain, block);
      for (let j = block.transactions.length - 1; j >= 0; j--) {
        const creations = [...walkTree(roots[j])].map(({ node }) => node)
          .filter((node) => (node.kind === "CREATE" || node.kind === "CREATE2") && node.status === "success" && node.to === target);
        if (creations.length > 0) {
          return { hash: bytesToHex(block.transactions[j].hash), creator: hexAddress(creations[creations.length - 1].from) };
        }
      }
    }
    return null;
  },
};
