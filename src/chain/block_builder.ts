/**
 * Builds one block on top of the head state: the system writes, then pool
 * transactions in fee order while they fit, then the roots and the header.
 */
import type { Backend } from "../../backends/backend.ts";
import type { BlockEnv } from "../evm/env.ts";
import { keccak256 } from "../primitives/hash.ts";
import { bigIntToMinimalBytes, bytesToBigInt, bytesToHex } from "../primitives/hex.ts";
import { rlpEncode } from "../primitives/rlp.ts";
import type { WorldState } from "../state/world.ts";
import { executeTransaction } from "../tx/execute.ts";
import { InvalidTransactionError } from "../tx/errors.ts";
import { toExecutable } from "../tx/codec.ts";
import type { Block, MinedTransaction, PooledTransaction, Withdrawal } from "./block.ts";
import { BLOOM_BYTES, orBlooms } from "./bloom.ts";
import type { ChainHardfork } from "./hardfork.ts";
import {
  type BlockHeader,
  EMPTY_OMMERS_HASH,
  headerFieldsOf,
  headerHash,
  setForkFields,
} from "./header.ts";
import { encodeReceipt, orderedTrieRoot, type Receipt, receiptOf } from "./receipt.ts";
import { applyWithdrawals, beginBlock, collectRequests, payRewards, requestsHash } from "./block_processing.ts";
import { blockRlpItems, encodeWithdrawal } from "./block_codec.ts";
import { MAINNET_DEPOSIT_CONTRACT } from "./fork_schedule.ts";
import { Fork } from "../forks/fork.ts";
import type { Log } from "../state/world.ts";
import { feePriority, type TransactionOrder, type TxPool } from "./txpool.ts";

/** Everything about the next block that is fixed before its transactions run. */
export interface BlockTemplate {
  number: bigint;
  parentHash: Uint8Array;
  coinbase: bigint;
  /** Proof-of-work difficulty (0 after the merge and on dev chains). */
  difficulty?: bigint;
  timestamp: bigint;
  gasLimit: bigint;
  baseFee: bigint;
  excessBlobGas: bigint;
  blobBaseFee: bigint;
  prevRandao: Uint8Array;
  chainId: bigint;
  /** See BlockEnv.ecrecoverOverrides. */
  ecrecoverOverrides?: ReadonlyMap<string, bigint>;
  /** Header extra data (none by default). */
  extraData?: Uint8Array;
  /** Shanghai on: the withdrawals to credit (none by default). */
  withdrawals?: Withdrawal[];
  /** Cancun on: the beacon block root the EIP-4788 contract stores (zero by default). */
  parentBeaconBlockRoot?: Uint8Array;
}

export interface BuildContext {
  world: WorldState;
  /** The fork of the block being built. */
  hardfork: ChainHardfork;
  /** Protocol-exact blocks: proof-of-work rewards, and the Prague request contracts required. */
  consensus?: boolean;
  /** EIP-6110's deposit contract (mainnet's when not given). */
  depositContract?: bigint;
  backend: Backend;
  pool: TxPool;
  /** See TxContext.allowSenderCode. */
  allowSenderCode?: boolean;
  /** The state root of `world` after the block's transactions. */
  stateRoot(world: WorldState): Uint8Array;
  /** Hash of an earlier block (for BLOCKHASH). */
  blockHash(number: bigint): bigint;
  /** How pool transactions are picked (default "fees"). */
  order?: TransactionOrder;
  /** Transactions to run first, in this order, before the pool's (--fork-transaction-hash). */
  leading?: PooledTransaction[];
  /** Told about each transaction the pool held that turned out invalid (it is dropped). */
  onDropped?(ptx: PooledTransaction, error: InvalidTransactionError): void;
  /**
   * These transactions, in this order, instead of the pool's: an invalid one fails the build with its
   * InvalidTransactionError.
   */
  transactions?: PooledTransaction[];
}

export function blockEnvOf(t: BlockTemplate, blockHash: (n: bigint) => bigint): BlockEnv {
  return {
    coinbase: t.coinbase,
    number: t.number,
    timestamp: t.timestamp,
    gasLimit: t.gasLimit,
    difficulty: t.difficulty ?? 0n,
    prevRandao: bytesToBigInt(t.prevRandao),
    baseFee: t.baseFee,
    blobBaseFee: t.blobBaseFee,
    chainId: t.chainId,
    blockHash,
    ecrecoverOverrides: t.ecrecoverOverrides,
  };
}

/**
 * Picks the next transaction to try among each sender's next nonce, as anvil's pool does: by priority fee (a
 * legacy transaction's gas price), the earlier arrival first among equals; or by arrival alone ("fifo").
 */
function nextCandidate(ctx: BuildContext, skip: Set<bigint>): PooledTransaction | undefined {
  const pool = ctx.pool;
  const byFees = (ctx.order ?? "fees") === "fees";
  let best: PooledTransaction | undefined;
  let bestPriority = 0n;
  let bestArrival = 0;
  for (const sender of pool.senders()) {
    if (skip.has(sender)) continue;
    const ptx = pool.at(sender, ctx.world.getNonce(sender));
    if (!ptx) continue;
    const priority = byFees ? feePriority(ptx) : 0n;
    const arrival = pool.arrivalOf(ptx);
    if (!best || priority > bestPriority || (priority === bestPriority && arrival < bestArrival)) {
      best = ptx;
      bestPriority = priority;
      bestArrival = arrival;
    }
  }
  return best;
}

export function buildBlock(ctx: BuildContext, t: BlockTemplate): Block {
  const { world, hardfork } = ctx;
  const fields = headerFieldsOf(hardfork.fork);
  const env = blockEnvOf(t, ctx.blockHash);
  const blockCtx = { world, hardfork, env, backend: ctx.backend };
  beginBlock(blockCtx, t.parentHash, t.parentBeaconBlockRoot);
  const given = ctx.transactions ? [...ctx.transactions] : undefined;

  const included: { ptx: PooledTransaction; receipt: Receipt }[] = [];
  const skip = new Set<bigint>();
  const bloom = new Uint8Array(BLOOM_BYTES);
  let gasUsed = 0n;
  let blobGasUsed = 0n;
  const maxBlobGas = BigInt(hardfork.blobSchedule.max) * 131072n;
  const allLogs: Log[] = [];
  const leading = [...(ctx.leading ?? [])];
  for (;;) {
    const ptx = leading.length > 0 ? leading.shift()! : given ? given.shift() : nextCandidate(ctx, skip);
    if (!ptx) break;
    const tx = toExecutable(ptx.tx, ptx.sender);
    const txBlobGas = BigInt(tx.blobVersionedHashes?.length ?? 0) * 131072n;
    if (given && blobGasUsed + txBlobGas > maxBlobGas) {
      throw new InvalidTransactionError("TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED", `blob gas exceeds the block's ${maxBlobGas}`);
    }
    const overGas = !hardfork.rules.ignoreBlockGasLimit && tx.gasLimit > t.gasLimit - gasUsed;
    if (!given && (overGas || blobGasUsed + txBlobGas > maxBlobGas)) {
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
      if (!(e instanceof InvalidTransactionError) || given) throw e;
      ctx.pool.remove(bytesToHex(ptx.hash));
      ctx.onDropped?.(ptx, e);
      continue;
    }
    ctx.pool.remove(bytesToHex(ptx.hash));
    gasUsed += result.gasUsed;
    blobGasUsed += result.blobGasUsed;
    const postState = hardfork.fork < Fork.Byzantium ? ctx.stateRoot(world) : undefined;
    const receipt = receiptOf(tx, result, gasUsed, postState, t.blobBaseFee);
    orBlooms(bloom, receipt.logsBloom);
    allLogs.push(...result.logs);
    included.push({ ptx, receipt });
  }

  const withdrawals: Withdrawal[] | undefined = fields.withdrawals ? (t.withdrawals ?? []) : undefined;
  if (withdrawals) applyWithdrawals(world, withdrawals);
  if (ctx.consensus && (t.difficulty ?? 0n) > 0n) {
    payRewards(world, hardfork, { coinbase: t.coinbase, number: t.number } as BlockHeader, []);
  }
  const requests = fields.requests
    ? collectRequests(blockCtx, allLogs, ctx.depositContract ?? MAINNET_DEPOSIT_CONTRACT, ctx.consensus ?? false)
    : undefined;

  const header: BlockHeader = {
    parentHash: t.parentHash,
    ommersHash: EMPTY_OMMERS_HASH,
    coinbase: t.coinbase,
    stateRoot: ctx.stateRoot(world),
    transactionsRoot: orderedTrieRoot(included.map((x) => x.ptx.encoded)),
    receiptsRoot: orderedTrieRoot(included.map((x) => encodeReceipt(x.receipt))),
    logsBloom: bloom,
    difficulty: t.difficulty ?? 0n,
    number: t.number,
    gasLimit: t.gasLimit,
    gasUsed,
    timestamp: t.timestamp,
    extraData: t.extraData ?? new Uint8Array(0),
    mixHash: t.prevRandao,
    nonce: new Uint8Array(8),
  };
  setForkFields(header, hardfork.fork, { baseFee: t.baseFee, blobGasUsed, excessBlobGas: t.excessBlobGas });
  if (withdrawals) header.withdrawalsRoot = orderedTrieRoot(withdrawals.map(encodeWithdrawal));
  if (fields.blobs && t.parentBeaconBlockRoot) header.parentBeaconBlockRoot = t.parentBeaconBlockRoot;
  if (requests) header.requestsHash = requestsHash(requests);
  const block = assembleBlock(header, included, withdrawals);
  if (requests) block.requests = requests;
  return block;
}

/** Hashes the header and links each transaction to the block. */
export function assembleBlock(
  header: BlockHeader,
  included: { ptx: PooledTransaction; receipt: Receipt }[],
  withdrawals?: Withdrawal[],
  ommers: BlockHeader[] = [],
): Block {
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
  const block: Block = { header, hash, transactions, size: 0 };
  if (ommers.length > 0) block.ommers = ommers;
  if (withdrawals) block.withdrawals = withdrawals;
  block.size = rlpEncode(blockRlpItems(block, transactions.map((t) => t.encoded))).length;
  return block;
}

/** A deterministic stand-in for the beacon chain's randomness. */
export function prevRandaoFor(parentHash: Uint8Array, number: bigint): Uint8Array {
  return keccak256(new Uint8Array([...parentHash, ...bigIntToMinimalBytes(number)]));
}
