/**
 * anvil_rollback and anvil_reorg: the chain's last blocks replaced, as anvil 1.7.1 does it.
 *
 * anvil_rollback [depth | null] drops the last `depth` blocks (1 for null). anvil_reorg [depth, pairs] drops
 * them as well and mines `depth` new blocks, block i holding the pairs'
 * transactions [tx, i] (a transaction request, sent from a dev or impersonated account with nonces counted
 * from the common block, or a raw signed transaction) and nothing from the pool.
 */
import { ChainInputError } from "../../chain/errors.ts";
import { fillTransaction } from "../../chain/send_request.ts";
import type { PooledTransaction } from "../../chain/block.ts";
import type { DevChain } from "../../chain/chain.ts";
import { array, callRequest, data, object, type Params, uint64 } from "../params.ts";
import type { MethodTable } from "../context.ts";
import { InvalidParamsError } from "../errors.ts";

function commonBlock(chain: DevChain, depth: bigint, what: "Rollback" | "Reorg"): bigint {
  const height = chain.blockNumber;
  if (depth > height) {
    throw new InvalidParamsError(
      `${what} depth must not exceed current chain height: current height ${height}, depth ${depth}`,
    );
  }
  return height - depth;
}

/** The pairs' transactions by new block index, built before the rollback (as anvil builds them). */
function reorgTransactions(chain: DevChain, pairs: unknown[], depth: bigint, common: bigint): Map<bigint, PooledTransaction[]> {
  const parsed = pairs.map((pair, i) => {
    const [tx, index] = array(pair, `tx_block_pairs[${i}]`);
    return { tx, index: uint64(index, `tx_block_pairs[${i}][1]`) };
  });
  const over = parsed.find((p) => p.index >= depth);
  if (over) {
    throw new InvalidParamsError(
      `Block number for reorg tx will exceed the reorged chain height. Block number ${over.index} must not exceed (depth-1) ${
        depth - 1n
      }`,
    );
  }
  parsed.sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0)); // stable: same block keeps order
  const nonces = new Map<bigint, bigint>();
  const byBlock = new Map<bigint, PooledTransaction[]>();
  const state = chain.stateAfter(common);
  for (const { tx, index } of parsed) {
    let ptx: PooledTransaction;
    if (typeof tx === "string") {
      ptx = chain.pooledFromRaw(data(tx, "transaction"));
    } else {
      const request = callRequest(object(tx, "transaction"), "transaction");
      const from = request.from ?? chain.devAccounts[0]?.address;
      if (from === undefined) throw new ChainInputError("No Signer available");
      const nonce = nonces.get(from) ?? state.getNonce(from);
      nonces.set(from, nonce + 1n);
      const filled = fillTransaction(chain, { ...request, from, nonce: request.nonce ?? nonce });
      ptx = chain.signAs(filled.tx, from);
    }
    let list = byBlock.get(index);
    if (!list) byBlock.set(index, list = []);
    list.push(ptx);
  }
  return byBlock;
}

export const reorgMethods: MethodTable = {
  anvil_rollback: (p: Params, { chain }) => {
    // anvil takes exactly one parameter, null for the default depth of 1.
    if (p.list.length !== 1) throw new InvalidParamsError(`expected params sequence with length 1 but got ${p.list.length}`);
    const depth = p.optional(0, "depth", uint64) ?? 1n;
    chain.rollbackTo(commonBlock(chain, depth, "Rollback"));
    return null;
  },
  anvil_reorg: (p: Params, { chain }) => {
    // Positional only, as anvil reads them: [depth, pairs].
    p.atMost(2);
    const [depthValue, pairsValue] = p.list;
    if (depthValue !== null && typeof depthValue === "object") {
      throw new InvalidParamsError(`invalid type: ${Array.isArray(depthValue) ? "sequence" : "map"}, expected u64`);
    }
    if (depthValue === undefined || depthValue === null) throw new InvalidParamsError("missing field `depth`");
    if (pairsValue === undefined || pairsValue === null) throw new InvalidParamsError("missing field `tx_block_pairs`");
    const depth = uint64(depthValue, "depth");
    const common = commonBlock(chain, depth, "Reorg");
    const txs = reorgTransactions(chain, array(pairsValue, "tx_block_pairs"), depth, common);
    chain.rollbackTo(common);
    for (let i = 0n; i < depth; i++) chain.mineBlock(undefined, undefined, txs.get(i) ?? []);
    return null;
  },
};
