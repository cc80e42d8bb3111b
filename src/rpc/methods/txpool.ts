/**
 * The pool as geth's txpool namespace shows it. "pending": transactions whose nonces follow the sender's
 * account nonce without a gap (the next block may take them); "queued": the rest.
 */
import type { PooledTransaction } from "../../chain/block.ts";
import type { DevChain } from "../../chain/chain.ts";
import { formatTransaction } from "../format.ts";
import { address } from "../params.ts";
import { bigIntToHex, hexAddress } from "../../primitives/hex.ts";
import type { MethodTable } from "../context.ts";

/** Every pool transaction, by kind, sender (lowercase hex) and nonce (decimal), as txpool_* answer. */
export function poolBySender<T>(chain: DevChain, view: (ptx: PooledTransaction) => T) {
  const pending: Record<string, Record<string, T>> = {};
  const queued: Record<string, Record<string, T>> = {};
  const all = chain.pool.all().sort((a, b) => (a.tx.nonce < b.tx.nonce ? -1 : a.tx.nonce > b.tx.nonce ? 1 : 0));
  const next = new Map<bigint, bigint>();
  for (const ptx of all) {
    if (!next.has(ptx.sender)) next.set(ptx.sender, chain.head.getNonce(ptx.sender));
    const ready = ptx.tx.nonce === next.get(ptx.sender);
    if (ready) next.set(ptx.sender, ptx.tx.nonce + 1n);
    const into = ready ? pending : queued;
    (into[hexAddress(ptx.sender)] ??= {})[ptx.tx.nonce.toString()] = view(ptx);
  }
  return { pending, queued };
}

/** geth's one-line summary: "<to>: <value> wei + <gas> gas × <max fee or gas price> wei". */
function summary(ptx: PooledTransaction): string {
  const tx = ptx.tx;
  const price = tx.maxFeePerGas ?? tx.gasPrice ?? 0n;
  const to = tx.to === undefined ? "contract creation" : hexAddress(tx.to);
  return `${to}: ${tx.value} wei + ${tx.gasLimit} gas × ${price} wei`;
}

/** A pool transaction as eth_getTransactionByHash shows a pending one. */
const asObject = (chain: DevChain) => (ptx: PooledTransaction) =>
  formatTransaction(ptx, undefined, chain.nextBlockBaseFee());

export const txpoolMethods: MethodTable = {
  txpool_inspect: (p, { chain }) => (p.atMost(0), poolBySender(chain, summary)),
  txpool_status: (p, { chain }) => {
    p.atMost(0);
    const ready = chain.readyCount();
    return { pending: bigIntToHex(ready), queued: bigIntToHex(chain.pool.size - ready) };
  },
  txpool_content: (p, { chain }) => (p.atMost(0), poolBySender(chain, asObject(chain))),
  txpool_contentFrom: (p, { chain }) => {
    p.atMost(1);
    const key = hexAddress(p.required(0, "address", address));
    const { pending, queued } = poolBySender(chain, asObject(chain));
    return { pending: pending[key] ?? {}, queued: queued[key] ?? {} };
  },
};
