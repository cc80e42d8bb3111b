/**
 * Calls that run against a block's state and are thrown away: eth_call's
 * request shape, state and block overrides, and one execution with
 * eth_call's rules (no nonce check, fees only when given).
 */
import type { Backend } from "../../backends/backend.ts";
import type { BlockEnv } from "../evm/env.ts";
import type { EvmTracer } from "../evm/evm.ts";
import { Account } from "../state/account.ts";
import { scratchState, type WorldStateReader } from "../state/overlay.ts";
import type { WorldState } from "../state/world.ts";
import { InvalidTransactionError } from "../tx/errors.ts";
import { executeTransaction, type TxResult } from "../tx/execute.ts";
import { type AccessListEntry, type Authorization, type Transaction, TxType } from "../tx/transaction.ts";
import type { ChainHardfork } from "./hardfork.ts";
import type { ForkId } from "../forks/fork.ts";
import { activePrecompiles, precompileAddressSet } from "../evm/precompiles/index.ts";
import type { Precompile } from "../evm/precompiles/types.ts";
import { ChainError, ExecutionHaltedError, ExecutionRevertedError, TransactionRejectedError } from "./errors.ts";
import { haltName } from "./halt_reason.ts";
import { decodeRevertReason } from "./revert_reason.ts";
import { rejectionFor } from "./tx_rejection.ts";
import { hexAddress } from "../primitives/hex.ts";
import { EMPTY_BYTES } from "../primitives/byte_slab.ts";

/** A transaction request as eth_call, eth_estimateGas and eth_sendTransaction take it. */
export interface CallRequest {
  from?: bigint;
  to?: bigint;
  gas?: bigint;
  gasPrice?: bigint;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  maxFeePerBlobGas?: bigint;
  value?: bigint;
  data?: Uint8Array;
  nonce?: bigint;
  type?: number;
  chainId?: bigint;
  accessList?: AccessListEntry[];
  authorizationList?: Authorization[];
  blobVersionedHashes?: bigint[];
}

export interface AccountOverride {
  balance?: bigint;
  nonce?: bigint;
  code?: Uint8Array;
  /** Replaces the whole storage. */
  state?: Map<bigint, bigint>;
  /** Changes only these slots. */
  stateDiff?: Map<bigint, bigint>;
  /** Moves the precompile at this account's address to another address. */
  movePrecompileTo?: bigint;
}

export type StateOverrides = Map<bigint, AccountOverride>;

export interface BlockOverrides {
  number?: bigint;
  time?: bigint;
  gasLimit?: bigint;
  coinbase?: bigint;
  prevRandao?: bigint;
  baseFee?: bigint;
  blobBaseFee?: bigint;
  difficulty?: bigint;
}

/**
 * Applies state overrides to `world`. An override of a precompile's address takes the precompile away (its
 * new code runs instead), and `movePrecompileTo` moves it to another address; the precompiles that result are
 * returned for the execution (undefined when no override touched one: the fork's table applies).
 */
export function applyStateOverrides(
  world: WorldState,
  reader: WorldStateReader | undefined,
  overrides: StateOverrides | undefined,
  fork?: ForkId,
): ReadonlyMap<bigint, Precompile> | undefined {
  if (!overrides || overrides.size === 0) return undefined;
  let precompiles: Map<bigint, Precompile> | undefined;
  if (fork !== undefined) {
    const addresses = precompileAddressSet(fork);
    if ([...overrides].some(([a, o]) => addresses.has(a) || o.movePrecompileTo !== undefined)) {
      precompiles = activePrecompiles(fork);
    }
  }
  const moved = new Set<bigint>();
  for (const address of [...overrides.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const o = overrides.get(address)!;
    const hex = hexAddress(address);
    if (moved.has(address)) throw new ChainError(`account ${hex} has already been overridden by a precompile`);
    const precompile = precompiles?.get(address);
    if (o.movePrecompileTo !== undefined) {
      if (!precompile) throw new ChainError(`account ${hex} is not a precompile`);
      if (overrides.has(o.movePrecompileTo)) {
        throw new ChainError(`account ${hexAddress(o.movePrecompileTo)} is already overridden`);
      }
      precompiles!.set(o.movePrecompileTo, precompile);
      moved.add(o.movePrecompileTo);
    }
    if (precompile) precompiles!.delete(address);
    const changes = o.balance !== undefined || o.nonce !== undefined || o.code !== undefined || o.state || o.stateDiff;
    if (!changes) continue;
    let acc = world.getAccount(address);
    if (!acc) {
      acc = new Account();
      world.setAccountDirect(address, acc);
    }
    if (o.balance !== undefined) acc.balance = o.balance;
    if (o.nonce !== undefined) acc.nonce = o.nonce;
    if (o.code !== undefined) acc.code = o.code;
    if (o.state) {
      acc.storage = new Map(o.state);
      reader?.markStorageReplaced(address);
    }
    if (o.stateDiff) { for (const [slot, value] of o.stateDiff) acc.storage.set(slot, value); }
  }
  return precompiles;
}

export function applyBlockOverrides(env: BlockEnv, o: BlockOverrides | undefined): BlockEnv {
  if (!o) return env;
  return {
    ...env,
    number: o.number ?? env.number,
    timestamp: o.time ?? env.timestamp,
    gasLimit: o.gasLimit ?? env.gasLimit,
    coinbase: o.coinbase ?? env.coinbase,
    prevRandao: o.prevRandao ?? env.prevRandao,
    baseFee: o.baseFee ?? env.baseFee,
    blobBaseFee: o.blobBaseFee ?? env.blobBaseFee,
    difficulty: o.difficulty ?? env.difficulty,
  };
}

/**
 * The environment a call runs in: the block's, except that a request paying no gas price sees a base fee of
 * zero (and one with no blob fee cap a blob base fee of zero), as geth runs eth_call, so that BASEFEE agrees
 * with the price the call pays.
 */
export function callEnvironment(r: CallRequest, env: BlockEnv): BlockEnv {
  const noPrice = requestGasPrice(r) === 0n;
  const noBlobPrice = (r.maxFeePerBlobGas ?? 0n) === 0n;
  if (!noPrice && !noBlobPrice) return env;
  return { ...env, baseFee: noPrice ? 0n : env.baseFee, blobBaseFee: noBlobPrice ? 0n : env.blobBaseFee };
}

/** The transaction type a request implies. */
export function requestType(r: CallRequest): TxType {
  if (r.type !== undefined) return r.type as TxType;
  if (r.authorizationList) return TxType.SetCode;
  if (r.blobVersionedHashes) return TxType.Blob;
  if (r.maxFeePerGas !== undefined || r.maxPriorityFeePerGas !== undefined) return TxType.FeeMarket;
  if (r.gasPrice !== undefined) return r.accessList ? TxType.AccessList : TxType.Legacy;
  return TxType.FeeMarket;
}

/** The executor's transaction for a call request (fees zero unless given). */
export function callTransaction(r: CallRequest, world: WorldState, env: BlockEnv, gasLimit?: bigint): Transaction {
  const sender = r.from ?? 0n;
  const type = requestType(r);
  const tx: Transaction = {
    type,
    chainId: env.chainId,
    nonce: r.nonce ?? world.getNonce(sender),
    gasLimit: gasLimit ?? r.gas ?? env.gasLimit,
    to: r.to,
    value: r.value ?? 0n,
    data: r.data ?? EMPTY_BYTES,
    accessList: r.accessList ?? [],
    sender,
  };
  if (type === TxType.Legacy || type === TxType.AccessList) {
    tx.gasPrice = r.gasPrice ?? 0n;
  } else {
    tx.maxFeePerGas = r.maxFeePerGas ?? r.gasPrice ?? 0n;
    tx.maxPriorityFeePerGas = r.maxPriorityFeePerGas ?? (r.maxFeePerGas === undefined ? tx.maxFeePerGas : 0n);
    if (tx.maxPriorityFeePerGas > tx.maxFeePerGas) tx.maxPriorityFeePerGas = tx.maxFeePerGas;
  }
  if (type === TxType.Blob) {
    tx.blobVersionedHashes = r.blobVersionedHashes ?? [];
    tx.maxFeePerBlobGas = r.maxFeePerBlobGas ?? 0n;
  }
  if (type === TxType.SetCode) tx.authorizationList = r.authorizationList ?? [];
  return tx;
}

/** The price per gas a request pays (for the funds check): what anvil uses, its max fee. */
export function requestGasPrice(r: CallRequest): bigint {
  return r.gasPrice ?? r.maxFeePerGas ?? 0n;
}

export class InsufficientFundsError extends TransactionRejectedError {
  override name = "InsufficientFundsError";
  constructor(details: string) {
    super("Insufficient funds for gas * price + value", { details });
  }
}

export interface CallSetup {
  hardfork: ChainHardfork;
  backend: Backend;
}

/**
 * Runs `tx` on `world` (mutating it: pass a scratch state) with eth_call's
 * rules. Throws for requests that cannot run at all (funds, intrinsic gas).
 */
export interface CallRunOptions {
  tracer?: EvmTracer;
  precompiles?: ReadonlyMap<bigint, Precompile>;
  /** The answer needs no logs (eth_call's output, an estimate): LOG charges its gas and keeps nothing. */
  discardLogs?: boolean;
}

export function runCallTransaction(
  setup: CallSetup,
  world: WorldState,
  env: BlockEnv,
  tx: Transaction,
  r: CallRequest,
  { tracer, precompiles, discardLogs }: CallRunOptions = {},
): TxResult {
  const price = requestGasPrice(r);
  const cost = tx.gasLimit * price + tx.value;
  const balance = world.getBalance(tx.sender);
  if (balance < cost) throw new InsufficientFundsError(`balance ${balance}, gas * price + value ${cost}`);
  try {
    const result = executeTransaction({
      world,
      rules: setup.hardfork.rules,
      block: env,
      backend: setup.backend,
      tracer,
      unchecked: true,
      allowSenderCode: true,
      precompiles,
      discardLogs,
    }, tx);
    // A creation answers with the code it deployed (the init code's return data), as geth and anvil do.
    if (tx.to === undefined && result.status === "success" && result.createdAddress !== undefined) {
      return { ...result, output: world.getCode(result.createdAddress) };
    }
    return result;
  } catch (e) {
    if (e instanceof InvalidTransactionError) throw rejectionFor(e, tx.gasLimit, env.gasLimit);
    throw e;
  }
}

/** eth_call's answer: the output, or the error a failed call maps to. */
export function callOutcome(result: TxResult): Uint8Array {
  if (result.status === "success") return result.output;
  if (result.status === "revert") throw new ExecutionRevertedError(result.output, decodeRevertReason(result.output));
  throw new ExecutionHaltedError(haltName(result.error));
}

/** One eth_call: scratch state over `base` with the overrides, then the call. */
export function ethCall(
  setup: CallSetup,
  base: WorldState,
  env: BlockEnv,
  r: CallRequest,
  overrides?: { state?: StateOverrides; block?: BlockOverrides },
  makeTracer?: (world: WorldState) => EvmTracer,
  discardLogs = false,
): { result: TxResult; world: WorldState; tx: Transaction } {
  const { world, reader } = scratchState(base);
  const precompiles = applyStateOverrides(world, reader, overrides?.state, setup.hardfork.fork);
  const callEnv = callEnvironment(r, applyBlockOverrides(env, overrides?.block));
  const tx = callTransaction(r, world, callEnv);
  const result = runCallTransaction(setup, world, callEnv, tx, r, { tracer: makeTracer?.(world), precompiles, discardLogs });
  return { result, world, tx };
}
