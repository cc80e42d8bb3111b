/** What the chain tests share. */
import type { DevChain } from "../../src/chain/chain.ts";
import { TxType } from "../../src/tx/transaction.ts";

/** Sends a fee-market transaction from the first dev account (value 1 wei, 21,000 gas and no data unless given). */
export function sendFromDevAccount(
  chain: DevChain,
  tx: { to: bigint | undefined; value?: bigint; data?: Uint8Array; gasLimit?: bigint },
): void {
  const from = chain.devAccounts[0].address;
  chain.sendUnsigned({
    type: TxType.FeeMarket,
    chainId: chain.chainId,
    nonce: chain.nextNonce(from),
    maxPriorityFeePerGas: 1n,
    maxFeePerGas: 10n ** 10n,
    gasLimit: tx.gasLimit ?? 21000n,
    to: tx.to,
    value: tx.value ?? 1n,
    data: tx.data ?? new Uint8Array(),
    accessList: [],
  }, from);
}
