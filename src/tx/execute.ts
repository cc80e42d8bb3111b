/**
 * Runs one transaction against the world state: validity checks (a typed
 * reason when invalid, state untouched), fee purchase, the message call or
 * creation, refunds, coinbase payment and end-of-transaction cleanup.
 */
import type { Backend } from "../../backends/backend.ts";
import type { ForkRules } from "../forks/rules.ts";
import type { WorldState, Log } from "../state/world.ts";
import type { BlockEnv } from "../evm/env.ts";
import { Evm, type EvmTracer } from "../evm/evm.ts";
import { CallKind, type ExecResult, type Message } from "../evm/message.ts";
import { createAddress, delegationDesignator, delegationTarget } from "../evm/address.ts";
import { hasCodeOrNonce } from "../evm/host_ops.ts";
import { precompileAddressSet } from "../evm/precompiles/index.ts";
import type { Precompile } from "../evm/precompiles/types.ts";
import { keccak256 } from "../primitives/hash.ts";
import { bigIntToMinimalBytes, concatBytes, bigIntToBytes } from "../primitives/hex.ts";
import { rlpEncode } from "../primitives/rlp.ts";
import { recoverAddress, SECP256K1_N } from "../primitives/signature.ts";
import { InvalidTransactionError } from "./errors.ts";
import { intrinsicGas, PER_AUTH_BASE_COST, PER_EMPTY_ACCOUNT_COST } from "./intrinsic.ts";
import { GAS_PER_BLOB, VERSIONED_HASH_VERSION_KZG } from "./blob.ts";
import { TxType, type Authorization, type Transaction } from "./transaction.ts";
import { EMPTY_BYTES } from "../primitives/byte_slab.ts";

const MAX_NONCE = (1n << 64n) - 1n;
const U256_MAX = (1n << 256n) - 1n;

export interface TxResult {
  status: "success" | "revert" | "halt";
  /** Gas the sender pays for (after refunds and the calldata floor). */
  gasUsed: bigint;
  /** Gas used before refunds, as eth_estimateGas needs it. */
  gasUsedBeforeRefund: bigint;
  output: Uint8Array;
  logs: Log[];
  createdAddress?: bigint;
  error?: string;
  effectiveGasPrice: bigint;
  blobGasUsed: bigint;
}

export interface TxContext {
  world: WorldState;
  rules: ForkRules;
  block: BlockEnv;
  backend: Backend;
  tracer?: EvmTracer;
  /** Gas already used in this block (for the block gas limit check). */
  blockGasUsed?: bigint;
  /** Skip balance, nonce and fee checks (eth_call semantics). */
  unchecked?: boolean;
  /** Skip EIP-3607's rejection of senders with code (a dev node lets impersonated contracts send). */
  allowSenderCode?: boolean;
  /** Nobody reads this execution's logs (eth_call, estimates): LOG charges its gas and keeps nothing. */
  discardLogs?: boolean;
  /** Precompiles in place of the fork's (moved or replaced by state overrides). */
  precompiles?: ReadonlyMap<bigint, Precompile>;
}

function invalid(reason: ConstructorParameters<typeof InvalidTransactionError>[0], detail: string): never {
  throw new InvalidTransactionError(reason, detail);
}

interface Validated {
  intrinsic: bigint;
  floor: bigint;
  effectiveGasPrice: bigint;
  blobGasFee: bigint;
  blobGas: bigint;
}

export function validateTransaction(ctx: TxContext, tx: Transaction): Validated {
  const { rules, block, world } = ctx;
  if (!rules.txTypes.has(tx.type)) invalid("TYPE_NOT_SUPPORTED", `type ${tx.type} transactions are not valid in ${rules.name}`);
  for (const v of [tx.gasLimit, tx.value, tx.gasPrice ?? 0n, tx.maxFeePerGas ?? 0n, tx.maxPriorityFeePerGas ?? 0n, tx.maxFeePerBlobGas ?? 0n]) {
    if (v > U256_MAX) invalid("VALUE_OVERFLOW", "a field exceeds 256 bits");
  }
  const { gas: intrinsic, floor } = intrinsicGas(rules, tx);
  const required = intrinsic > floor ? intrinsic : floor;
  if (tx.gasLimit < required) {
    invalid(intrinsic >= floor ? "INTRINSIC_GAS_TOO_LOW" : "INTRINSIC_GAS_BELOW_FLOOR_GAS_COST",
      `gas limit ${tx.gasLimit} is below the intrinsic cost ${required}`);
  }
  if (tx.nonce >= MAX_NONCE && !ctx.unchecked) invalid("NONCE_IS_MAX", "nonce is 2^64-1");
  if (tx.to === undefined && rules.initcodeLimit && tx.data.length > rules.initcodeLimit) {
    invalid("INITCODE_SIZE_EXCEEDED", `initcode of ${tx.data.length} bytes exceeds ${rules.initcodeLimit}`);
  }
  // A call (eth_call, estimates) may ask for more gas than a transaction or a block could have.
  if (rules.txGasLimitCap && tx.gasLimit > BigInt(rules.txGasLimitCap) && !ctx.unchecked) {
    invalid("GAS_LIMIT_EXCEEDS_MAXIMUM", `gas limit ${tx.gasLimit} exceeds the cap ${rules.txGasLimitCap} (EIP-7825)`);
  }
  if (!rules.ignoreBlockGasLimit && tx.gasLimit > block.gasLimit - (ctx.blockGasUsed ?? 0n) && !ctx.unchecked) {
    invalid("GAS_ALLOWANCE_EXCEEDED", `gas limit ${tx.gasLimit} exceeds the block's gas left`);
  }
  const blobCount = BigInt(tx.blobVersionedHashes?.length ?? 0);
  const blobGas = blobCount * GAS_PER_BLOB;
  if (tx.type === TxType.Blob && blobGas > BigInt(rules.blobMaxPerBlock) * GAS_PER_BLOB) {
    invalid("TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED", `${blobCount} blobs exceed the block maximum ${rules.blobMaxPerBlock}`);
  }

  let effectiveGasPrice: bigint;
  let maxGasFee: bigint;
  if (tx.type >= TxType.FeeMarket) {
    const maxFee = tx.maxFeePerGas!, maxPriority = tx.maxPriorityFeePerGas!;
    if (maxFee < maxPriority) invalid("PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS", "max priority fee exceeds max fee");
    if (maxFee < block.baseFee && !ctx.unchecked) invalid("INSUFFICIENT_MAX_FEE_PER_GAS", `max fee ${maxFee} is below the base fee ${block.baseFee}`);
    const priority = maxPriority < maxFee - block.baseFee ? maxPriority : maxFee - block.baseFee;
    effectiveGasPrice = priority + block.baseFee;
    if (effectiveGasPrice < 0n) effectiveGasPrice = 0n;
    maxGasFee = tx.gasLimit * maxFee;
  } else {
    const price = tx.gasPrice!;
    if (rules.eip1559 && price < block.baseFee && !ctx.unchecked) invalid("INSUFFICIENT_MAX_FEE_PER_GAS", `gas price ${price} is below the base fee ${block.baseFee}`);
    effectiveGasPrice = price;
    maxGasFee = tx.gasLimit * price;
  }

  let blobGasFee = 0n;
  if (tx.type === TxType.Blob) {
    const hashes = tx.blobVersionedHashes!;
    if (hashes.length === 0) invalid("TYPE_3_TX_ZERO_BLOBS", "blob transaction without blobs");
    for (const h of hashes) {
      if (Number(h >> 248n) !== VERSIONED_HASH_VERSION_KZG) invalid("TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH", "blob versioned hash has a wrong version byte");
    }
    if (tx.maxFeePerBlobGas! < block.blobBaseFee) invalid("INSUFFICIENT_MAX_FEE_PER_BLOB_GAS", `max fee per blob gas is below the blob base fee ${block.blobBaseFee}`);
    maxGasFee += blobGas * tx.maxFeePerBlobGas!;
    blobGasFee = blobGas * block.blobBaseFee;
    if (rules.maxBlobsPerTx && hashes.length > rules.maxBlobsPerTx) invalid("TYPE_3_TX_BLOB_COUNT_EXCEEDED", `${hashes.length} blobs exceed ${rules.maxBlobsPerTx} per transaction`);
  }
  if (tx.type === TxType.Blob && tx.to === undefined) invalid("TYPE_3_TX_CONTRACT_CREATION", "blob transactions cannot create contracts");
  if (tx.type === TxType.SetCode) {
    if (tx.to === undefined) invalid("TYPE_4_TX_CONTRACT_CREATION", "set-code transactions cannot create contracts");
    if (!tx.authorizationList || tx.authorizationList.length === 0) invalid("TYPE_4_EMPTY_AUTHORIZATION_LIST", "empty authorization list");
  }

  if (!ctx.unchecked) {
    const nonce = world.getNonce(tx.sender);
    if (nonce > tx.nonce) invalid("NONCE_MISMATCH_TOO_LOW", `nonce ${tx.nonce} is below the account nonce ${nonce}`);
    if (nonce < tx.nonce) invalid("NONCE_MISMATCH_TOO_HIGH", `nonce ${tx.nonce} is above the account nonce ${nonce}`);
    const balance = world.getBalance(tx.sender);
    if (balance < maxGasFee + tx.value) invalid("INSUFFICIENT_ACCOUNT_FUNDS", `balance ${balance} is below gas * price + value = ${maxGasFee + tx.value}`);
    const code = world.getCode(tx.sender);
    if (code.length > 0 && !ctx.allowSenderCode && !(rules.senderMayHaveDelegation && delegationTarget(code) !== undefined)) {
      invalid("SENDER_NOT_EOA", "the sender has code (EIP-3607)");
    }
  }
  return { intrinsic, floor, effectiveGasPrice, blobGasFee, blobGas };
}

/** Validates and runs `tx`; throws InvalidTransactionError (state untouched) when it is invalid. */
export function executeTransaction(ctx: TxContext, tx: Transaction): TxResult {
  const v = validateTransaction(ctx, tx);
  const { world, rules, block } = ctx;
  const sender = tx.sender;

  // A nonce wraps as a 64-bit counter (reachable only unchecked, where eth_call and simulations skip the max).
  const nextNonce = world.getNonce(sender) + 1n;
  world.setNonce(sender, nextNonce > MAX_NONCE ? 0n : nextNonce);
  const upfront = tx.gasLimit * v.effectiveGasPrice + v.blobGasFee;
  let senderBalance = world.getBalance(sender) - upfront;
  if (senderBalance < 0n) senderBalance = 0n; // only reachable unchecked (eth_call)
  world.setBalance(sender, senderBalance);

  if (rules.accessLists) {
    world.prewarmAddress(sender);
    if (tx.to !== undefined) world.prewarmAddress(tx.to);
    world.setAlwaysWarm(precompileAddressSet(rules.id));
    if (rules.warmCoinbase) world.prewarmAddress(block.coinbase);
    for (const entry of tx.accessList) {
      world.prewarmAddress(entry.address);
      for (const key of entry.storageKeys) world.warmSlot(entry.address, key);
    }
  }

  const evm = new Evm(world, rules, block, { origin: sender, gasPrice: v.effectiveGasPrice, blobHashes: tx.blobVersionedHashes ?? [] }, ctx.backend);
  evm.tracer = ctx.tracer;
  if (ctx.discardLogs && !ctx.tracer?.onLog) evm.keepLogs = false;
  if (ctx.precompiles) evm.precompiles = ctx.precompiles;
  const gas = tx.gasLimit - v.intrinsic;
  let result: ExecResult;
  if (tx.to === undefined) {
    const address = createAddress(sender, tx.nonce);
    if (rules.accessLists) world.warmAddress(address);
    const msg: Message = {
      kind: CallKind.Create, caller: sender, address, codeAddress: address, value: tx.value, transfersValue: true,
      input: EMPTY_BYTES, gas, isStatic: false, depth: 0, code: tx.data, disablePrecompiles: false,
    };
    if (hasCodeOrNonce(evm, address)) {
      result = { status: "halt", gasLeft: 0n, output: EMPTY_BYTES, error: "address collision" };
    } else {
      result = evm.executeCreate(msg);
    }
  } else {
    if (tx.authorizationList && tx.authorizationList.length > 0) {
      const refund = applyAuthorizations(evm, tx.authorizationList);
      if (refund) world.addRefund(refund);
    }
    const msg = evm.callMessage(
      { kind: CallKind.Call, caller: sender, address: sender, codeAddress: sender, value: 0n, transfersValue: false, input: tx.data, gas, isStatic: false, depth: -1, code: EMPTY_BYTES, disablePrecompiles: false },
      CallKind.Call, tx.to, tx.value, tx.data, gas,
    );
    if (msg.codeAddress !== tx.to && rules.accessLists) world.warmAddress(msg.codeAddress);
    result = evm.executeMessage(msg);
  }

  const gasUsedBeforeRefund = tx.gasLimit - result.gasLeft;
  const refundCap = gasUsedBeforeRefund / BigInt(rules.maxRefundQuotient);
  const refundCounter = BigInt(world.refund);
  let gasUsed = gasUsedBeforeRefund - (refundCounter < refundCap ? refundCounter : refundCap);
  if (gasUsed < v.floor) gasUsed = v.floor;
  const gasLeft = tx.gasLimit - gasUsed;

  world.addBalance(sender, gasLeft * v.effectiveGasPrice);
  // Below zero only for unchecked calls priced under the base fee: the coinbase then earns nothing.
  let priorityFee = rules.eip1559 ? v.effectiveGasPrice - block.baseFee : v.effectiveGasPrice;
  if (priorityFee < 0n) priorityFee = 0n;
  const fee = gasUsed * priorityFee;
  const coinbase = block.coinbase;
  if (!rules.eip158) world.addBalance(coinbase, fee);
  else if (fee !== 0n) world.addBalance(coinbase, fee);
  else if (world.exists(coinbase) && world.isDead(coinbase)) world.deleteAccount(coinbase);

  const logs = result.status === "success" ? world.logs : [];
  for (const address of world.selfDestructs) world.deleteAccount(address);
  if (rules.eip158) {
    for (const address of world.touched) if (world.exists(address) && world.isDead(address)) world.deleteAccount(address);
  }
  world.finishTransaction();
  return {
    status: result.status,
    gasUsed,
    gasUsedBeforeRefund,
    output: result.output,
    logs,
    createdAddress: result.createdAddress,
    error: result.error,
    effectiveGasPrice: v.effectiveGasPrice,
    blobGasUsed: v.blobGas,
  };
}

/** EIP-7702: installs each valid authorization's delegation; returns the refund for accounts that existed. */
function applyAuthorizations(evm: Evm, list: Authorization[]): number {
  const world = evm.world;
  let refund = 0;
  for (const auth of list) {
    if (auth.chainId !== 0n && auth.chainId !== evm.block.chainId) continue;
    if (auth.nonce >= MAX_NONCE) continue;
    const authority = recoverAuthority(auth);
    if (authority === undefined) continue;
    world.warmAddress(authority);
    const code = world.getCode(authority);
    if (code.length > 0 && delegationTarget(code) === undefined) continue;
    if (world.getNonce(authority) !== auth.nonce) continue;
    if (world.exists(authority)) refund += PER_EMPTY_ACCOUNT_COST - PER_AUTH_BASE_COST;
    world.setCode(authority, auth.address === 0n ? EMPTY_BYTES : delegationDesignator(auth.address));
    world.setNonce(authority, auth.nonce + 1n);
  }
  return refund;
}

export function recoverAuthority(auth: Authorization): bigint | undefined {
  if (auth.yParity > 1n || auth.r === 0n || auth.r >= SECP256K1_N || auth.s === 0n || auth.s > SECP256K1_N / 2n) {
    return undefined;
  }
  if (auth.chainId > U256_MAX || auth.address >= 1n << 160n) return undefined;
  const payload = rlpEncode([bigIntToMinimalBytes(auth.chainId), bigIntToBytes(auth.address, 20), bigIntToMinimalBytes(auth.nonce)]);
  const hash = keccak256(concatBytes(new Uint8Array([0x05]), payload));
  return recoverAddress(hash, auth.r, auth.s, Number(auth.yParity));
}
