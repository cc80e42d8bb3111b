/**
 * testing_buildBlockV1: builds the block that would follow a given parent with
 * given payload attributes, from given transactions (or the pool's), and
 * answers it as an execution payload, without adding it to the chain.
 */
import type { PooledTransaction } from "../../chain/block.ts";
import { type BlockTemplate, buildBlock, prevRandaoFor } from "../../chain/block_builder.ts";
import { expectedBaseFee, expectedExcessBlobGas, nextGasLimit } from "../../chain/block_rules.ts";
import type { DevChain } from "../../chain/chain.ts";
import { ErrorCode, InvalidParamsError, RpcError } from "../errors.ts";
import { blobGasPrice } from "../../chain/fees.ts";
import { Fork } from "../../forks/fork.ts";
import { bigIntToHex, bytesToHex } from "../../primitives/hex.ts";
import { InvalidTransactionError } from "../../tx/errors.ts";
import { formatExecutionPayload } from "../format.ts";
import { address, array, data, hash, object, type Params, uint64 } from "../params.ts";
import type { MethodTable } from "../context.ts";
import { rejectionFor } from "../../chain/tx_rejection.ts";

function buildBlockV1(p: Params, chain: DevChain) {
  p.atMost(4);
  const parentHash = p.required(0, "parentHash", hash);
  const attrs = p.required(1, "payloadAttributes", object);
  const rawTxs = p.optional(2, "transactions", array);
  const extraData = p.optional(3, "extraData", data) ?? new Uint8Array(0);
  if (extraData.length > 32) throw new InvalidParamsError(`extraData is ${extraData.length} bytes, at most 32 allowed`);
  const parent = chain.blockByHash(parentHash);
  if (!parent) throw new RpcError(ErrorCode.ServerError, `unknown parent block ${bytesToHex(parentHash)}`);
  const timestamp = uint64(attrs.timestamp, "payloadAttributes.timestamp");
  const prevRandao = attrs.prevRandao == null
    ? prevRandaoFor(parent.hash, parent.header.number + 1n)
    : hash(attrs.prevRandao, "payloadAttributes.prevRandao");
  const feeRecipient = attrs.suggestedFeeRecipient == null
    ? chain.coinbase
    : address(attrs.suggestedFeeRecipient, "payloadAttributes.suggestedFeeRecipient");
  const withdrawals = attrs.withdrawals == null
    ? undefined
    : array(attrs.withdrawals, "payloadAttributes.withdrawals").map((w, i) => {
      const o = object(w, `payloadAttributes.withdrawals[${i}]`);
      const n = `payloadAttributes.withdrawals[${i}]`;
      return {
        index: uint64(o.index, `${n}.index`),
        validatorIndex: uint64(o.validatorIndex, `${n}.validatorIndex`),
        address: address(o.address, `${n}.address`),
        amount: uint64(o.amount, `${n}.amount`),
      };
    });
  const beaconRoot = attrs.parentBeaconBlockRoot == null
    ? undefined
    : hash(attrs.parentBeaconBlockRoot, "payloadAttributes.parentBeaconBlockRoot");
  if (timestamp <= parent.header.timestamp) {
    throw new InvalidParamsError(`timestamp ${timestamp} is not after the parent's ${parent.header.timestamp}`);
  }
  const number = parent.header.number + 1n;
  const hardfork = chain.hardforkAt(number, timestamp, true);
  const parentFork = chain.hardforkOf(parent);
  const pv = { ...parent.header, hasOmmers: false };
  const excessBlobGas = hardfork.fork >= Fork.Cancun && parentFork.fork >= Fork.Cancun
    ? expectedExcessBlobGas(pv, hardfork.blobSchedule, hardfork.fork >= Fork.Osaka)
    : 0n;
  const template: BlockTemplate = {
    number,
    parentHash: parent.hash,
    coinbase: feeRecipient,
    timestamp,
    gasLimit: nextGasLimit(parent.header.gasLimit, chain.gasLimit),
    baseFee: hardfork.fork >= Fork.London ? expectedBaseFee(pv, parentFork.fork >= Fork.London) : 0n,
    excessBlobGas,
    blobBaseFee: blobGasPrice(excessBlobGas, hardfork.blobSchedule),
    prevRandao,
    chainId: chain.chainId,
    extraData,
    withdrawals,
    parentBeaconBlockRoot: beaconRoot,
  };
  let transactions: PooledTransaction[] | undefined;
  if (rawTxs) {
    transactions = rawTxs.map((r, i) => chain.pooledFromRaw(data(r, `transactions[${i}]`)));
  }
  const world = chain.stateCopyAfter(parent.header.number);
  let block;
  try {
    block = buildBlock({
      world,
      hardfork,
      consensus: chain.consensus,
      depositContract: chain.schedule.depositContract,
      backend: chain.backend,
      pool: chain.pool.clone(),
      transactions,
      stateRoot: (w) => w.stateRoot(),
      blockHash: chain.blockHashOf,
      allowSenderCode: !chain.consensus,
    }, template);
  } catch (e) {
    if (e instanceof InvalidTransactionError) {
      const r = rejectionFor(e, 0n, template.gasLimit);
      throw new RpcError(ErrorCode.ServerError, `${r.shortMessage}: ${e.message}`);
    }
    throw e;
  }
  const h = block.header;
  let value = 0n;
  for (const t of block.transactions) {
    value += t.receipt.gasUsed * (t.receipt.effectiveGasPrice - (h.baseFeePerGas ?? 0n));
  }
  const sidecars = block.transactions.flatMap((t) => (t.sidecar ? [t.sidecar] : []));
  const payload = formatExecutionPayload(h, block.hash, block.transactions.map((t) => t.encoded), block.withdrawals);
  return {
    executionPayload: payload,
    blockValue: bigIntToHex(value),
    blobsBundle: {
      commitments: sidecars.flatMap((s) => s.commitments.map(bytesToHex)),
      proofs: sidecars.flatMap((s) => s.proofs.map(bytesToHex)),
      blobs: sidecars.flatMap((s) => s.blobs.map(bytesToHex)),
    },
    executionRequests: (block.requests ?? []).map(bytesToHex),
    shouldOverrideBuilder: false,
  };
}

export const testingMethods: MethodTable = {
  testing_buildBlockV1: (p, { chain }) => buildBlockV1(p, chain),
};
