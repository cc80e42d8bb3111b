/** Transactions by sender and nonce, and their signed encodings (eth_getRawTransaction*). */
import { bytesToHex } from "../../primitives/hex.ts";
import type { Block, MinedTransaction, PooledTransaction } from "../../chain/block.ts";
import type { DevChain } from "../../chain/chain.ts";
import { UnknownBlockError } from "../../chain/errors.ts";
import { formatTransaction } from "../format.ts";
import { address, blockRef, hash, type Params, quantity, uint64 } from "../params.ts";
import type { MethodTable } from "../context.ts";

/** The pending transaction of `sender` with `nonce`, else the mined one (newest blocks first), else undefined. */
export function transactionBySenderAndNonce(
  chain: DevChain,
  sender: bigint,
  nonce: bigint,
): { pending?: PooledTransaction; mined?: MinedTransaction } | undefined {
  const pending = chain.pool.at(sender, nonce);
  if (pending) return { pending };
  if (nonce >= chain.head.getNonce(sender)) return undefined;
  for (let i = chain.blocks.length - 1; i >= 0; i--) {
    for (const t of chain.blocks[i].transactions) if (t.sender === sender && t.tx.nonce === nonce) return { mined: t };
  }
  return undefined;
}

function blockOf(chain: DevChain, p: Params, byHash: boolean): Block | undefined {
  try {
    return chain.findBlock(byHash ? { hash: p.required(0, "blockHash", hash) } : p.required(0, "block", blockRef));
  } catch (e) {
    if (e instanceof UnknownBlockError) return undefined;
    throw e;
  }
}

function rawAt(chain: DevChain, p: Params, byHash: boolean): string | null {
  p.atMost(2);
  const block = blockOf(chain, p, byHash);
  const t = block?.transactions[Number(p.required(1, "index", uint64))];
  return t ? bytesToHex(t.encoded) : null;
}

export const transactionLookupMethods: MethodTable = {
  eth_getTransactionBySenderAndNonce: (p, { chain }) => {
    p.atMost(2);
    const found = transactionBySenderAndNonce(chain, p.required(0, "sender", address), p.required(1, "nonce", quantity));
    if (!found) return null;
    return found.mined
      ? formatTransaction(found.mined, found.mined)
      : formatTransaction(found.pending!, undefined, chain.nextBlockBaseFee());
  },
  eth_getRawTransactionByHash: (p, { chain }) => {
    p.atMost(1);
    const found = chain.transactionByHash(bytesToHex(p.required(0, "hash", hash)));
    const ptx = found?.mined ?? found?.pending;
    return ptx ? bytesToHex(ptx.encoded) : null;
  },
  eth_getRawTransactionByBlockHashAndIndex: (p, { chain }) => rawAt(chain, p, true),
  eth_getRawTransactionByBlockNumberAndIndex: (p, { chain }) => rawAt(chain, p, false),
};
