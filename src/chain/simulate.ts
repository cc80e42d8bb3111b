/**
 * eth_simulateV1: calls in a sequence of simulated blocks built on a block of
 * the chain, each block with its own overrides; nothing touches the chain.
 * The blocks are real ones (system calls, roots, receipts, requests,
 * withdrawals, hashes), built the way geth builds them: missing numbers are
 * filled with empty blocks, timestamps step by 12 seconds, a call's gas is
 * what is left of the block's (and of the request's 50M budget), and
 * without `validation` the base fee is zero and nonces are not checked.
 */
import type { BlockEnv } from "../evm/env.ts";
import type { EvmTracer } from "../evm/evm.ts";
import { CallKind } from "../evm/message.ts";
import type { Precompile } from "../evm/precompiles/types.ts";
import { Fork } from "../forks/fork.ts";
import { bigIntToBytes, bytesToBigInt, hexAddress } from "../primitives/hex.ts";
import type { Log, WorldState } from "../state/world.ts";
import { GAS_PER_BLOB } from "../tx/blob.ts";
import { encodeTransaction, type SignedTransaction, transactionHash } from "../tx/codec.ts";
import { InvalidTransactionError, type InvalidTxReason } from "../tx/errors.ts";
import { executeTransaction, type TxResult } from "../tx/execute.ts";
import { type Transaction, TxType } from "../tx/transaction.ts";
import type { Block, PooledTransaction, Withdrawal } from "./block.ts";
import { assembleBlock } from "./block_builder.ts";
import { encodeWithdrawal } from "./block_codec.ts";
import {
  applyWithdrawals,
  beginBlock,
  type BlockContext,
  collectRequests,
  payRewards,
  requestsHash,
} from "./block_processing.ts";
import { expectedBaseFee, expectedExcessBlobGas } from "./block_rules.ts";
import { BLOOM_BYTES, logsBloom, orBlooms } from "./bloom.ts";
import { applyStateOverrides, type BlockOverrides, type CallRequest, type StateOverrides } from "./call_request.ts";
import type { DevChain, ResolvedBlock } from "./chain.ts";
import {
  ChainError,
  ExecutionHaltedError,
  ExecutionRevertedError,
  type SimulationFailure,
  SimulationRejectedError,
} from "./errors.ts";
import { blobGasPrice } from "./fees.ts";
import { haltName } from "./halt_reason.ts";
import type { ChainHardfork } from "./hardfork.ts";
import { type BlockHeader, EMPTY_OMMERS_HASH, headerFieldsOf } from "./header.ts";
import { encodeReceipt, orderedTrieRoot, type Receipt } from "./receipt.ts";
import { decodeRevertReason } from "./revert_reason.ts";
import { EMPTY_BYTES } from "../primitives/byte_slab.ts";

export interface SimulateBlockOverrides extends BlockOverrides {
  beaconRoot?: Uint8Array;
  withdrawals?: Withdrawal[];
}

export interface SimulatedBlockInput {
  blockOverrides?: SimulateBlockOverrides;
  stateOverrides?: StateOverrides;
  calls: CallRequest[];
}

export interface SimulateOptions {
  blocks: SimulatedBlockInput[];
  validation: boolean;
  /** Ether moved by a call or creation appears as an ERC-20 Transfer log from TRANSFER_LOG_ADDRESS. */
  traceTransfers?: boolean;
}

/** The pseudo-token address eth_simulateV1 logs ether transfers from. */
export const TRANSFER_LOG_ADDRESS = 0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeen;
const TRANSFER_TOPIC = 0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3efn;

export const MAX_SIMULATED_BLOCKS = 256;
export const MAX_CALLS_PER_BLOCK = 5000;
export const MAX_SIMULATED_CALLS = 10000;
/** Gas all the calls of one request may use together (geth's RPC gas cap). */
export const SIMULATE_GAS_BUDGET = 50_000_000n;
const TIMESTAMP_INCREMENT = 12n;

export interface SimulatedCall {
  status: boolean;
  returnData: Uint8Array;
  gasUsed: bigint;
  /** Gas used before refunds (or the calldata floor, when higher). */
  maxUsedGas: bigint;
  logs: Log[];
  error?: ExecutionRevertedError | ExecutionHaltedError;
}

export interface SimulatedBlock {
  block: Block;
  calls: SimulatedCall[];
  /** Each call log's index in the block. */
  logIndex(log: Log): number;
}

/**
 * Numbers every log of a simulated block as it is emitted (as geth does, a log of a frame that fails later
 * still takes its number), and with traceTransfers adds a transfer log for each value transfer inside the
 * frame that makes it, so a reverted frame takes its transfer logs with it. Transfer logs show in the call's
 * logs, not in its receipt.
 */
function logTracer(ctx: SimulationContext): EvmTracer {
  const { world } = ctx;
  const transfer = (from: bigint, to: bigint, value: bigint) => {
    const entry = { address: TRANSFER_LOG_ADDRESS, topics: [TRANSFER_TOPIC, from, to], data: bigIntToBytes(value) };
    ctx.pseudoLogs.add(entry);
    ctx.logIndexes.set(entry, ctx.logCount++);
    world.addLog(entry);
  };
  return {
    onEnter(msg) {
      if (!ctx.traceTransfers || msg.value === 0n) return;
      if (msg.kind === CallKind.Call || msg.kind === CallKind.Create || msg.kind === CallKind.Create2) {
        transfer(msg.caller, msg.address, msg.value);
      }
    },
    onSelfDestruct(address, beneficiary, balance) {
      if (ctx.traceTransfers && balance !== 0n) transfer(address, beneficiary, balance);
    },
    onLog(log) {
      ctx.logIndexes.set(log, ctx.logCount++);
    },
  };
}

const FAILURE_OF: Partial<Record<InvalidTxReason, SimulationFailure>> = {
  NONCE_MISMATCH_TOO_LOW: "NonceTooLow",
  NONCE_MISMATCH_TOO_HIGH: "NonceTooHigh",
  INSUFFICIENT_MAX_FEE_PER_GAS: "BaseFeeTooLow",
  INSUFFICIENT_ACCOUNT_FUNDS: "InsufficientFunds",
  INTRINSIC_GAS_TOO_LOW: "IntrinsicGas",
  SENDER_NOT_EOA: "SenderIsNotEoa",
  INITCODE_SIZE_EXCEEDED: "MaxInitCodeSizeExceeded",
  PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS: "InvalidParams",
};

function invalid(reason: InvalidTxReason, message: string): never {
  throw new SimulationRejectedError(FAILURE_OF[reason] ?? "InternalError", message);
}

/** A block to simulate with its number, time and withdrawals settled (gaps filled with empty blocks). */
interface PlannedBlock {
  number: bigint;
  time: bigint;
  overrides: SimulateBlockOverrides;
  stateOverrides?: StateOverrides;
  calls: CallRequest[];
}

function plan(base: BlockHeader, inputs: SimulatedBlockInput[]): PlannedBlock[] {
  const out: PlannedBlock[] = [];
  let prevNumber = base.number, prevTime = base.timestamp;
  for (const input of inputs) {
    const overrides = input.blockOverrides ?? {};
    const number = overrides.number ?? prevNumber + 1n;
    if (number <= prevNumber) {
      throw new SimulationRejectedError(
        "BlockNumberInvalid",
        `block numbers must be in order: ${number} <= ${prevNumber}`,
      );
    }
    if (number - base.number > BigInt(MAX_SIMULATED_BLOCKS)) {
      throw new SimulationRejectedError("ClientLimitExceeded", "too many blocks");
    }
    for (let n = prevNumber + 1n; n < number; n++) {
      prevTime += TIMESTAMP_INCREMENT;
      out.push({ number: n, time: prevTime, overrides: {}, calls: [] });
    }
    prevNumber = number;
    const time = overrides.time ?? prevTime + TIMESTAMP_INCREMENT;
    if (overrides.time !== undefined && time <= prevTime) {
      throw new SimulationRejectedError(
        "BlockTimestampInvalid",
        `block timestamps must be in order: ${time} <= ${prevTime}`,
      );
    }
    prevTime = time;
    out.push({ number, time, overrides, stateOverrides: input.stateOverrides, calls: input.calls });
  }
  return out;
}

/** The transaction a call becomes (unsigned: a zero signature), typed as geth types it. */
function callToTransaction(r: CallRequest, nonce: bigint, gas: bigint, chainId: bigint): SignedTransaction {
  let type: TxType = TxType.FeeMarket;
  if (r.authorizationList) type = TxType.SetCode;
  else if (r.blobVersionedHashes) type = TxType.Blob;
  if (r.gasPrice !== undefined) type = TxType.Legacy;
  const tx: SignedTransaction = {
    type,
    nonce,
    gasLimit: gas,
    to: r.to,
    value: r.value ?? 0n,
    data: r.data ?? EMPTY_BYTES,
    accessList: r.accessList ?? [],
    signature: { r: 0n, s: 0n, yParity: 0, v: 0n },
  };
  if (type === TxType.Legacy) tx.gasPrice = r.gasPrice;
  else {
    tx.chainId = chainId;
    tx.maxFeePerGas = r.maxFeePerGas ?? 0n;
    tx.maxPriorityFeePerGas = r.maxPriorityFeePerGas ?? 0n;
  }
  if (type === TxType.Blob) {
    tx.maxFeePerBlobGas = r.maxFeePerBlobGas ?? 0n;
    tx.blobVersionedHashes = r.blobVersionedHashes;
  }
  if (type === TxType.SetCode) tx.authorizationList = r.authorizationList;
  return tx;
}

interface SimulationContext {
  chain: DevChain;
  world: WorldState;
  validation: boolean;
  traceTransfers: boolean;
  budget: { remaining: bigint };
  /** Hashes of the blocks simulated so far, by number. */
  simulatedHashes: Map<bigint, Uint8Array>;
  /** The transfer logs of traceTransfers. */
  pseudoLogs: WeakSet<Log>;
  /** Each log's index in its block, and how many were emitted in the block so far. */
  logIndexes: WeakMap<Log, number>;
  logCount: number;
  baseNumber: bigint;
}

export function simulate(chain: DevChain, base: ResolvedBlock, options: SimulateOptions): SimulatedBlock[] {
  if (options.blocks.length === 0) throw new SimulationRejectedError("InvalidParams", "empty input");
  if (options.blocks.length > MAX_SIMULATED_BLOCKS) {
    throw new SimulationRejectedError("ClientLimitExceeded", "too many blocks");
  }
  let total = 0;
  for (const b of options.blocks) {
    if (b.calls.length > MAX_CALLS_PER_BLOCK) {
      throw new SimulationRejectedError(
        "ClientLimitExceeded",
        `too many calls in block: ${b.calls.length} > ${MAX_CALLS_PER_BLOCK}`,
      );
    }
    total += b.calls.length;
    if (total > MAX_SIMULATED_CALLS) {
      throw new SimulationRejectedError("ClientLimitExceeded", `too many calls: ${total} > ${MAX_SIMULATED_CALLS}`);
    }
  }
  const blocks = plan(base.block.header, options.blocks);
  const ctx: SimulationContext = {
    chain,
    // A full copy: the blocks' state roots need the whole state.
    world: chain.stateCopyAfter(base.block.header.number),
    validation: options.validation,
    traceTransfers: options.traceTransfers ?? false,
    budget: { remaining: SIMULATE_GAS_BUDGET },
    simulatedHashes: new Map(),
    pseudoLogs: new WeakSet(),
    logIndexes: new WeakMap(),
    logCount: 0,
    baseNumber: base.block.header.number,
  };
  const out: SimulatedBlock[] = [];
  let parent = base.block;
  for (const planned of blocks) {
    const result = simulateBlock(ctx, planned, parent);
    out.push(result);
    ctx.simulatedHashes.set(result.block.header.number, result.block.hash);
    parent = result.block;
  }
  return out;
}

function simulateBlock(ctx: SimulationContext, planned: PlannedBlock, parent: Block): SimulatedBlock {
  const { chain, world } = ctx;
  const o = planned.overrides;
  const p = parent.header;
  const merged = chain.schedule.isPostMerge(planned.number, parent.totalDifficulty ?? 0n) || p.difficulty === 0n;
  const hardfork = chain.hardforkAt(planned.number, planned.time, merged);
  const fields = headerFieldsOf(hardfork.fork);
  const parentFork = chain.hardforkAt(p.number, p.timestamp, merged);
  const parentValues = { ...p, hasOmmers: false };
  let baseFee = 0n;
  if (fields.baseFee) {
    baseFee = o.baseFee ?? (ctx.validation ? expectedBaseFee(parentValues, parentFork.fork >= Fork.London) : 0n);
  }
  const excessBlobGas = fields.blobs && parentFork.fork >= Fork.Cancun
    ? expectedExcessBlobGas(parentValues, hardfork.blobSchedule, hardfork.fork >= Fork.Osaka)
    : 0n;
  const gasLimit = o.gasLimit ?? p.gasLimit;
  const coinbase = o.coinbase ?? p.coinbase;
  const prevRandao = o.prevRandao ?? 0n;
  const difficulty = merged ? 0n : (o.difficulty ?? p.difficulty);
  const env: BlockEnv = {
    coinbase,
    number: planned.number,
    timestamp: planned.time,
    gasLimit,
    difficulty,
    prevRandao,
    baseFee,
    blobBaseFee: o.blobBaseFee ?? blobGasPrice(excessBlobGas, hardfork.blobSchedule),
    chainId: chain.chainId,
    blockHash: (n) => {
      if (n <= ctx.baseNumber) return chain.blockHashOf(n);
      const h = ctx.simulatedHashes.get(n);
      return h ? bytesToBigInt(h) : 0n;
    },
  };
  ctx.logCount = 0;
  const precompiles = applyStateOverrides(world, undefined, planned.stateOverrides, hardfork.fork);
  world.finishTransaction();
  const blockCtx: BlockContext = { world, hardfork, env, backend: chain.backend };
  const beaconRoot = fields.blobs ? (o.beaconRoot ?? new Uint8Array(32)) : undefined;
  beginBlock(blockCtx, parent.hash, beaconRoot);

  const included: { ptx: PooledTransaction; receipt: Receipt }[] = [];
  const calls: SimulatedCall[] = [];
  const bloom = new Uint8Array(BLOOM_BYTES);
  const allLogs: Log[] = [];
  let gasUsed = 0n, blobGasUsed = 0n;
  for (const r of planned.calls) {
    const sender = r.from ?? 0n;
    const nonce = r.nonce ?? world.getNonce(sender);
    const remaining = gasLimit - gasUsed;
    const wanted = r.gas ?? remaining;
    if (remaining < wanted) {
      throw new SimulationRejectedError(
        "BlockGasLimitReached",
        `block gas limit reached: remaining: ${remaining}, required: ${wanted}`,
      );
    }
    const gas = wanted < ctx.budget.remaining ? wanted : ctx.budget.remaining;
    if (r.chainId !== undefined && r.chainId !== chain.chainId) {
      throw new ChainError(`chainId does not match node's (have=${r.chainId}, want=${chain.chainId})`);
    }
    if (r.gasPrice !== undefined && (r.maxFeePerGas !== undefined || r.maxPriorityFeePerGas !== undefined)) {
      throw new ChainError("both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified");
    }
    const signed = callToTransaction(r, nonce, gas, chain.chainId);
    const tx: Transaction = { ...signed, sender };
    const result = runSimulatedCall(ctx, hardfork, env, tx, precompiles);
    ctx.budget.remaining -= result.gasUsed;
    gasUsed += result.gasUsed;
    blobGasUsed += result.blobGasUsed;
    const receiptLogs = result.logs.filter((l) => !ctx.pseudoLogs.has(l));
    const receiptBloom = logsBloom(receiptLogs);
    orBlooms(bloom, receiptBloom);
    const call: SimulatedCall = {
      status: result.status === "success",
      // A failed call's data is in its error; a creation answers with the code it deployed.
      returnData: result.status !== "success"
        ? EMPTY_BYTES
        : tx.to === undefined && result.createdAddress !== undefined
        ? world.getCode(result.createdAddress)
        : result.output,
      gasUsed: result.gasUsed,
      maxUsedGas: result.gasUsedBeforeRefund > result.gasUsed ? result.gasUsedBeforeRefund : result.gasUsed,
      logs: result.logs,
    };
    if (result.status === "revert") {
      call.error = new ExecutionRevertedError(result.output, decodeRevertReason(result.output));
    } else if (result.status === "halt") {
      call.error = new ExecutionHaltedError(haltName(result.error));
    } else {
      allLogs.push(...receiptLogs);
    }
    calls.push(call);
    const encoded = encodeTransaction(signed);
    included.push({
      ptx: { tx: signed, sender, hash: transactionHash(signed), encoded, impersonated: true },
      receipt: {
        type: signed.type,
        status: result.status === "success",
        postState: hardfork.fork < Fork.Byzantium ? world.stateRoot() : undefined,
        cumulativeGasUsed: gasUsed,
        gasUsed: result.gasUsed,
        logsBloom: receiptBloom,
        logs: receiptLogs,
        contractAddress: signed.to === undefined && result.status === "success" ? result.createdAddress : undefined,
        effectiveGasPrice: result.effectiveGasPrice,
        blobGasUsed: result.blobGasUsed,
        blobGasPrice: env.blobBaseFee,
      },
    });
  }
  const requests = fields.requests
    ? collectRequests(blockCtx, allLogs, chain.schedule.depositContract, chain.consensus)
    : undefined;
  const withdrawals = fields.withdrawals ? (o.withdrawals ?? []) : undefined;
  if (withdrawals) applyWithdrawals(world, withdrawals);
  if (!merged) payRewards(world, hardfork, { coinbase, number: planned.number } as BlockHeader, []);

  const header: BlockHeader = {
    parentHash: parent.hash,
    ommersHash: EMPTY_OMMERS_HASH,
    coinbase,
    stateRoot: world.stateRoot(),
    transactionsRoot: orderedTrieRoot(included.map((x) => x.ptx.encoded)),
    receiptsRoot: orderedTrieRoot(included.map((x) => encodeReceipt(x.receipt))),
    logsBloom: bloom,
    difficulty,
    number: planned.number,
    gasLimit,
    gasUsed,
    timestamp: planned.time,
    extraData: EMPTY_BYTES,
    mixHash: bigIntToBytes(prevRandao),
    nonce: new Uint8Array(8),
  };
  if (fields.baseFee) header.baseFeePerGas = baseFee;
  if (withdrawals) header.withdrawalsRoot = orderedTrieRoot(withdrawals.map(encodeWithdrawal));
  if (fields.blobs) {
    header.blobGasUsed = blobGasUsed;
    header.excessBlobGas = excessBlobGas;
    header.parentBeaconBlockRoot = beaconRoot;
  }
  if (requests) header.requestsHash = requestsHash(requests);
  const block = assembleBlock(header, included, withdrawals);
  block.totalDifficulty = (parent.totalDifficulty ?? 0n) + difficulty;
  const indexes = ctx.logIndexes;
  return { block, calls, logIndex: (log) => indexes.get(log) ?? 0 };
}

/**
 * One call with eth_simulateV1's checks, in geth's order: the nonce (with validation), the fee against the
 * base fee (skipped when no fee is offered and validation is off), the init code size, the sender's funds,
 * then the intrinsic gas as the execution checks it.
 */
function runSimulatedCall(
  ctx: SimulationContext,
  hardfork: ChainHardfork,
  env: BlockEnv,
  tx: Transaction,
  precompiles: ReadonlyMap<bigint, Precompile> | undefined,
): TxResult {
  const { world } = ctx;
  const hex = hexAddress(tx.sender);
  if (ctx.validation) {
    const stateNonce = world.getNonce(tx.sender);
    if (stateNonce < tx.nonce) {
      invalid("NONCE_MISMATCH_TOO_HIGH", `nonce too high: address ${hex}, tx: ${tx.nonce} state: ${stateNonce}`);
    }
    if (stateNonce > tx.nonce) {
      invalid("NONCE_MISMATCH_TOO_LOW", `nonce too low: address ${hex}, tx: ${tx.nonce} state: ${stateNonce}`);
    }
    if (stateNonce >= (1n << 64n) - 1n) {
      invalid("NONCE_IS_MAX", `nonce has max value: address ${hex}, nonce: ${stateNonce}`);
    }
  }
  const feeCap = tx.type === TxType.Legacy ? tx.gasPrice! : tx.maxFeePerGas!;
  const tip = tx.type === TxType.Legacy ? tx.gasPrice! : tx.maxPriorityFeePerGas!;
  if (hardfork.fork >= Fork.London && (ctx.validation || feeCap !== 0n || tip !== 0n)) {
    if (feeCap < tip) {
      invalid(
        "PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS",
        `max priority fee per gas higher than max fee per gas: address ${hex}`,
      );
    }
    if (feeCap < env.baseFee) {
      invalid(
        "INSUFFICIENT_MAX_FEE_PER_GAS",
        `max fee per gas less than block base fee: address ${hex}, maxFeePerGas: ${feeCap}, baseFee: ${env.baseFee}`,
      );
    }
  }
  if (tx.to === undefined && hardfork.rules.initcodeLimit && tx.data.length > hardfork.rules.initcodeLimit) {
    invalid(
      "INITCODE_SIZE_EXCEEDED",
      `max initcode size exceeded: code size ${tx.data.length} limit ${hardfork.rules.initcodeLimit}`,
    );
  }
  const blobGas = BigInt(tx.blobVersionedHashes?.length ?? 0) * GAS_PER_BLOB;
  const cost = tx.gasLimit * feeCap + tx.value + blobGas * (tx.maxFeePerBlobGas ?? 0n);
  const balance = world.getBalance(tx.sender);
  if (balance < cost) {
    invalid(
      "INSUFFICIENT_ACCOUNT_FUNDS",
      `insufficient funds for gas * price + value: address ${hex} have ${balance} want ${cost}`,
    );
  }
  try {
    return executeTransaction({
      world,
      rules: hardfork.rules,
      block: env,
      backend: ctx.chain.backend,
      unchecked: true,
      allowSenderCode: true,
      precompiles,
      tracer: logTracer(ctx),
    }, tx);
  } catch (e) {
    if (e instanceof InvalidTransactionError) invalid(e.reason, e.message);
    throw e;
  }
}
