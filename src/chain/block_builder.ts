/**
 * Builds one block on top of the head state: the system writes, then pool
 * transactions in fee order while they fit, then the roots and the header.
 */
import type { Backend } from "../../backends/backend.ts";
import type { BlockEnv } from "../evm/env.ts";
import { keccak256 } from "../primitives/hash.ts";
import { bigIntToMinimalBytes, bytesToBigInt, bytesToHex } from "../primitives/hex.ts";
import { rlpDecode, rlpEncode, type RlpInput } from "../primitives/rlp.ts";
import type { WorldState } from "../state/world.ts";
import { executeTransaction } from "../tx/execute.ts";
import { InvalidTransactionError } from "../tx/errors.ts";
import { toExecutable } from "../tx/codec.ts";
import type { Block, MinedTransaction, PooledTransaction } from "./block.ts";
import { BLOOM_BYTES, logsBloom, orBlooms } from "./bloom.ts";
import type { ChainHardfork } from "./hardfork.ts";
import {
  type BlockHeader,
  EMPTY_OMMERS_HASH,
  headerFieldsOf,
  headerHash,
  headerToRlp,
  setForkFields,
} from "./header.ts";
import { encodeReceipt, orderedTrieRoot, type Receipt } from "./receipt.ts";
import { storeBeaconRoot, storeParentHash } from "./system_contracts.ts";
import { effectiveTip, type TxPool } from "./txpool.ts";

/** Everything about the next block that is fixed before its transactions run. */
export interface BlockTemplate {
  number: bigint;
  parentHash: Uint8Array;
  coinbase: bigint;
  timestamp: bigint;
  gasLimit: bigint;
  baseFee: bigint;
  excessBlobGas: bigint;
  blobBaseFee: bigint;
  prevRandao: Uint8Array;
  chainId: bigint;
}

export interface BuildContext {
  world: WorldState;
  hardfork: ChainHardfork;
  backend: Backend;
  pool: TxPool;
  /** See TxContext.allowSenderCode. */
  allowSenderCode?: boolean;
  /** The state root of `world` after the block's transactions. */
  stateRoot(world: WorldState): Uint8Array;
  /** Hash of an earlier block (for BLOCKHASH). */
  blockHash(number: bigint): bigint;
  /** Told about each transaction the pool held that turned out invalid (it is dropped). */
  onDropped?(ptx: PooledTransaction, error: InvalidTransactionError): void;
}

export function blockEnvOf(t: BlockTemplate, blockHash: (n: bigint) => bigint): BlockEnv {
  return {
    coinbase: t.coinbase,
    number: t.number,
    timestamp: t.timestamp,
    gasLimit: t.gasLimit,
    difficulty: 0n,
    prevRandao: bytesToBigInt(t.prevRandao),
    baseFee: t.baseFee,
    blobBaseFee: t.blobBaseFee,
    chainId: t.chainId,
    blockHash,
  };
}

/** Picks the next transaction to try: among each sender's next nonce, the best tip. */
function nextCandidate(ctx: BuildContext, baseFee: bigint, skip: Set<bigint>): PooledTransaction | undefined {
  let best: PooledTransaction | undefined;
  let bestTip = 0n;
  for (const sender of ctx.pool.senders()) {
    if (skip.has(sender)) continue;
    const ptx = ctx.pool.at(sender, ctx.world.getNonce(sender));
    if (!ptx) continue;
    const tip = effectiveTip(ptx, baseFee);
    if (!best || tip > bestTip) {
      best = ptx;
      bestTip = tip;
    }
  }
  return best;
}

export function buildBlock(ctx: BuildContext, t: BlockTemplate): Block {
  const { world, hardfork } = ctx;
  const fields = headerFieldsOf(hardfork.fork);
  if (fields.requests) storeParentHash(world, t.number, bytesToBigInt(t.parentHash));
  if (fields.blobs) storeBeaconRoot(world, t.timestamp, 0n);

  const env = blockEnvOf(t, ctx.blockHash);
  const included: { ptx: PooledTransaction; receipt: Receipt }[] = [];
  const skip = new Set<bigint>();
  const bloom = new Uint8Array(BLOOM_BYTES);
  let gasUsed = 0n;
  let blobGasUsed = 0n;
  const maxBlobGas = BigInt(hardfork.blobSchedule.max) * 131072n;
  for (;;) {
    const ptx = nextCandidate(ctx, t.baseFee, skip);
    if (!ptx) break;
    const tx = toExecutable(ptx.tx, ptx.sender);
    const txBlobGas = BigInt(tx.blobVersionedHashes?.length ?? 0) * 131072n;
    if (tx.gasLimit > t.gasLimit - gasUsed || blobGasUsed + txBlobGas > maxBlobGas) {
      skip.add(ptx.sender); // waits for a later block
      continue;
    }
    let result;
    try {
      result = executeTransaction({
        world,
        rules: hardfork.rules,
        block: env,
        backend: ctx.backend,
        blockGasUsed: gasUsed,
        allowSenderCode: ctx.allowSenderCode,
      }, tx);
    } catch (e) {
      if (!(e instanceof InvalidTransactionError)) throw e;
      ctx.pool.remove(bytesToHex(ptx.hash));
      ctx.onDropped?.(ptx, e);
      continue;
    }
    ctx.pool.remove(bytesToHex(ptx.hash));
    gasUsed += result.gasUsed;
    blobGasUsed += result.blobGasUsed;
    const receiptBloom = logsBloom(result.logs);
    orBlooms(bloom, receiptBloom);
    included.push({
      ptx,
      receipt: {
        type: tx.type,
        status: result.status === "success",
        cumulativeGasUsed: gasUsed,
        gasUsed: result.gasUsed,
        logsBloom: receiptBloom,
        logs: result.logs,
        contractAddress: tx.to === undefined && result.status === "success" ? result.createdAddress : undefined,
        effectiveGasPrice: result.effectiveGasPrice,
        blobGasUsed: result.blobGasUsed,
        blobGasPrice: t.blobBaseFee,
      },
    });
  }

  const header: BlockHeader = {
    parentHash: t.parentHash,
    ommersHash: EMPTY_OMMERS_HASH,
    coinbase: t.coinbase,
    stateRoot: ctx.stateRoot(world),
    transactionsRoot: orderedTrieRoot(included.map((x) => x.ptx.encoded)),
    receiptsRoot: orderedTrieRoot(included.map((x) => encodeReceipt(x.receipt))),
    logsBloom: bloom,
    difficulty: 0n,
    number: t.number,
    gasLimit: t.gasLimit,
    gasUsed,
    timestamp: t.timestamp,
    extraData: new Uint8Array(0),
    mixHash: t.prevRandao,
    nonce: new Uint8Array(8),
  };
  setForkFields(header, hardfork.fork, { baseFee: t.baseFee, blobGasUsed, excessBlobGas: t.excessBlobGas });
  return assembleBlock(header, included);
}

/** Hashes the header and links each transaction to the block. */
export function assembleBlock(header: BlockHeader, included: { ptx: PooledTransaction; receipt: Receipt }[]): Block {
  const hash = headerHash(header);
  let logIndex = 0;
  const transactions: MinedTransaction[] = included.map(({ ptx, receipt }, index) => {
    const mined: MinedTransaction = {
      ...ptx,
      blockNumber: header.number,
      blockHash: hash,
      blockTimestamp: header.timestamp,
      index,
      receipt,
      firstLogIndex: logIndex,
    };
    logIndex += receipt.logs.length;
    return mined;
  });
  // In a block body a legacy transaction is an RLP list, a typed one a byte string.
  const body: RlpInput[] = [
    headerToRlp(header),
    transactions.map((t) => t.tx.type === 0 ? rlpDecode(t.encoded) : t.encoded),
    [],
  ];
  if (header.withdrawalsRoot !== undefined) body.push([]);
  const size = rlpEncode(body).length;
  return { header, hash, transactions, size };
}

/** A deterministic stand-in for the beacon chain's randomness. */
export function prevRandaoFor(parentHash: Uint8Array, number: bigint): Uint8Array {
  return keccak256(new Uint8Array([...parentHash, ...bigIntToMinimalBytes(number)]));
}
