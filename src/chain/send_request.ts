/**
 * eth_sendTransaction's defaults: a request from a dev or impersonated
 * account becomes a full transaction (nonce after the pool's, fees from the
 * next base fee, gas by estimate), as anvil fills it.
 */
import { type UnsignedTransaction } from "../tx/codec.ts";
import { TxType } from "../tx/transaction.ts";
import { type CallRequest, requestType } from "./call_request.ts";
import type { DevChain } from "./chain.ts";
import { ChainInputError } from "./errors.ts";
import { estimateGas } from "./estimate.ts";
import { DEFAULT_PRIORITY_FEE } from "./fees.ts";
import { Fork } from "../forks/fork.ts";
import { hexAddress } from "../primitives/hex.ts";
import { EMPTY_BYTES } from "../primitives/byte_slab.ts";

/** `anySender`: fill for any account, not only those the node signs for (eth_fillTransaction). */
export function fillTransaction(
  chain: DevChain,
  r: CallRequest,
  { anySender = false }: { anySender?: boolean } = {},
): { tx: UnsignedTransaction; from: bigint } {
  if (r.from === undefined) throw new ChainInputError('missing "from": eth_sendTransaction needs the sending account');
  const from = r.from;
  if (!anySender && !chain.canSendFrom(from)) {
    throw new ChainInputError("No Signer available", {
      details: `${hexAddress(from)} is neither a dev account nor impersonated`,
    });
  }
  if (r.chainId !== undefined && r.chainId !== chain.chainId) {
    throw new ChainInputError(`chainId ${r.chainId} does not match the node's ${chain.chainId}`);
  }
  const fork = chain.hardfork.fork;
  let type = requestType(r);
  // Before London a request without fee fields is legacy (type 1 with an access list, refused before Berlin).
  if (
    fork < Fork.London && r.type === undefined && type === TxType.FeeMarket &&
    r.maxFeePerGas === undefined && r.maxPriorityFeePerGas === undefined
  ) {
    type = r.accessList ? TxType.AccessList : TxType.Legacy;
  }
  const nonce = r.nonce ?? chain.nextNonce(from);
  const baseFee = chain.nextBlockBaseFee();
  const tx: UnsignedTransaction = {
    type,
    // Before Spurious Dragon (EIP-155) a legacy signature carries no chain id.
    chainId: type === TxType.Legacy && fork < Fork.SpuriousDragon ? undefined : chain.chainId,
    nonce,
    gasLimit: 0n,
    to: r.to,
    value: r.value ?? 0n,
    data: r.data ?? EMPTY_BYTES,
    accessList: r.accessList ?? [],
  };
  if (type === TxType.Legacy || type === TxType.AccessList) {
    tx.gasPrice = r.gasPrice ?? chain.gasPrice();
  } else {
    tx.maxPriorityFeePerGas = r.maxPriorityFeePerGas ??
      (r.maxFeePerGas !== undefined && r.maxFeePerGas < DEFAULT_PRIORITY_FEE ? r.maxFeePerGas : DEFAULT_PRIORITY_FEE);
    tx.maxFeePerGas = r.maxFeePerGas ?? baseFee + tx.maxPriorityFeePerGas;
  }
  if (type === TxType.Blob) {
    tx.blobVersionedHashes = r.blobVersionedHashes ?? [];
    tx.maxFeePerBlobGas = r.maxFeePerBlobGas ?? chain.nextBlobBaseFee() * 2n;
  }
  if (type === TxType.SetCode) tx.authorizationList = r.authorizationList ?? [];
  if (r.gas !== undefined) {
    tx.gasLimit = r.gas;
  } else {
    const pending = chain.resolve({ tag: "pending" });
    tx.gasLimit = estimateGas(chain, pending.state, pending.env, { ...r, nonce, type });
  }
  return { tx, from };
}
