/**
 * What a block does to the state besides its transactions: the system calls
 * before them (EIP-4788 beacon root, EIP-2935 parent hash), and after them
 * the withdrawals (EIP-4895), proof-of-work rewards, and the execution-layer
 * requests of EIP-7685 (deposits from logs, EIP-6110; withdrawal and
 * consolidation requests from system calls, EIP-7002 and EIP-7251).
 */
import type { Backend } from "../../backends/backend.ts";
import type { BlockEnv } from "../evm/env.ts";
import { Evm } from "../evm/evm.ts";
import { CallKind, type ExecResult } from "../evm/message.ts";
import { precompileAddressSet } from "../evm/precompiles/index.ts";
import { Fork } from "../forks/fork.ts";
import { sha256 } from "../primitives/hash.ts";
import { bytesToBigInt, concatBytes, hexAddress } from "../primitives/hex.ts";
import type { Log, WorldState } from "../state/world.ts";
import type { Withdrawal } from "./block.ts";
import { blockReward } from "./block_rules.ts";
import type { ChainHardfork } from "./hardfork.ts";
import type { BlockHeader } from "./header.ts";
import { BEACON_ROOTS_ADDRESS, HISTORY_STORAGE_ADDRESS } from "./system_contracts.ts";
import { EMPTY_BYTES } from "../primitives/byte_slab.ts";

export const SYSTEM_ADDRESS = 0xfffffffffffffffffffffffffffffffffffffffen;
export const SYSTEM_CALL_GAS = 30_000_000n;
export const WITHDRAWAL_REQUEST_ADDRESS = 0x00000961ef480eb55e80d19ad83579a64c007002n;
export const CONSOLIDATION_REQUEST_ADDRESS = 0x0000bbddc7ce488642fb579f8b00f3a590007251n;
const DEPOSIT_EVENT_TOPIC = 0x649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5n;
const GWEI = 10n ** 9n;

/** A block is invalid for a reason of its own (not one of its transactions'). */
export class InvalidBlockError extends Error {
  override name = "InvalidBlockError";
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

export interface BlockContext {
  world: WorldState;
  hardfork: ChainHardfork;
  env: BlockEnv;
  backend: Backend;
}

/** Runs `data` into a system contract from the system address, outside any transaction's accounting. */
export function systemCall(ctx: BlockContext, address: bigint, data: Uint8Array): ExecResult {
  const { world, hardfork, env, backend } = ctx;
  const evm = new Evm(
    world,
    hardfork.rules,
    env,
    { origin: SYSTEM_ADDRESS, gasPrice: env.baseFee, blobHashes: [] },
    backend,
  );
  world.setAlwaysWarm(precompileAddressSet(hardfork.fork));
  const result = evm.executeMessage({
    kind: CallKind.Call,
    caller: SYSTEM_ADDRESS,
    address,
    codeAddress: address,
    value: 0n,
    transfersValue: false,
    input: data,
    gas: SYSTEM_CALL_GAS,
    isStatic: false,
    depth: 0,
    code: world.getCode(address),
    disablePrecompiles: false,
  });
  world.finishTransaction();
  return result;
}

/** Before the transactions: the parent beacon block root (Cancun on) and the parent hash (Prague on). */
export function beginBlock(ctx: BlockContext, parentHash: Uint8Array, parentBeaconBlockRoot?: Uint8Array): void {
  const fork = ctx.hardfork.fork;
  if (fork >= Fork.Cancun && ctx.world.getCode(BEACON_ROOTS_ADDRESS).length > 0) {
    systemCall(ctx, BEACON_ROOTS_ADDRESS, parentBeaconBlockRoot ?? new Uint8Array(32));
  }
  if (fork >= Fork.Prague && ctx.env.number > 0n && ctx.world.getCode(HISTORY_STORAGE_ADDRESS).length > 0) {
    systemCall(ctx, HISTORY_STORAGE_ADDRESS, parentHash);
  }
}

/** EIP-4895: each withdrawal credits its amount in gwei; an empty account it touches is removed. */
export function applyWithdrawals(world: WorldState, withdrawals: readonly Withdrawal[]): void {
  for (const w of withdrawals) {
    if (w.amount !== 0n) world.addBalance(w.address, w.amount * GWEI);
    else if (world.exists(w.address) && world.isDead(w.address)) world.deleteAccount(w.address);
  }
  world.finishTransaction();
}

/** Before the merge: the block reward to the miner (plus 1/32 per ommer) and each ommer's miner's share. */
export function payRewards(
  world: WorldState,
  hardfork: ChainHardfork,
  header: BlockHeader,
  ommers: readonly BlockHeader[],
): void {
  const reward = blockReward(hardfork.fork);
  if (reward === 0n) return;
  world.addBalance(header.coinbase, reward + BigInt(ommers.length) * (reward / 32n));
  for (const o of ommers) world.addBalance(o.coinbase, ((8n - (header.number - o.number)) * reward) / 8n);
  world.finishTransaction();
}

/** The layout of the deposit contract's DepositEvent data: five offsets, then five length-prefixed fields. */
const DEPOSIT_FIELDS = [
  { offset: 160, size: 48 }, // pubkey
  { offset: 256, size: 32 }, // withdrawal credentials
  { offset: 320, size: 8 }, // amount
  { offset: 384, size: 96 }, // signature
  { offset: 512, size: 8 }, // index
];
const DEPOSIT_EVENT_LENGTH = 576;

/** EIP-6110: one deposit request from a DepositEvent log; a log laid out otherwise makes the block invalid. */
function depositRequest(data: Uint8Array): Uint8Array {
  if (data.length !== DEPOSIT_EVENT_LENGTH) {
    throw new InvalidBlockError(
      "depositEvent",
      `invalid deposit event: ${data.length} bytes of data, expected ${DEPOSIT_EVENT_LENGTH}`,
    );
  }
  const word = (at: number) => bytesToBigInt(data.subarray(at, at + 32));
  const parts: Uint8Array[] = [];
  DEPOSIT_FIELDS.forEach((f, i) => {
    if (word(i * 32) !== BigInt(f.offset)) {
      throw new InvalidBlockError(
        "depositEvent",
        `invalid deposit event: offset ${i} is ${word(i * 32)}, expected ${f.offset}`,
      );
    }
    if (word(f.offset) !== BigInt(f.size)) {
      throw new InvalidBlockError(
        "depositEvent",
        `invalid deposit event: field ${i} has size ${word(f.offset)}, expected ${f.size}`,
      );
    }
    parts.push(data.subarray(f.offset + 32, f.offset + 32 + f.size));
  });
  return concatBytes(...parts);
}

/**
 * After the transactions and withdrawals (Prague on): the requests, each `type || data`, in type order:
 * deposits from the deposit contract's logs, then what the withdrawal and consolidation request contracts
 * return. `strict`: a missing contract or a failed call makes the block invalid (block import); a dev chain
 * without those contracts skips them.
 */
export function collectRequests(
  ctx: BlockContext,
  logs: readonly Log[],
  depositContract: bigint,
  strict: boolean,
): Uint8Array[] {
  const requests: Uint8Array[] = [];
  const deposits: Uint8Array[] = [];
  for (const log of logs) {
    if (log.address === depositContract && log.topics.length > 0 && log.topics[0] === DEPOSIT_EVENT_TOPIC) {
      deposits.push(depositRequest(log.data));
    }
  }
  if (deposits.length > 0) requests.push(concatBytes(new Uint8Array([0]), ...deposits));
  for (const [type, address] of [[1, WITHDRAWAL_REQUEST_ADDRESS], [2, CONSOLIDATION_REQUEST_ADDRESS]] as const) {
    if (ctx.world.getCode(address).length === 0) {
      if (!strict) continue;
      throw new InvalidBlockError(
        "requests",
        `system contract ${hexAddress(address)} has no code`,
      );
    }
    const r = systemCall(ctx, address, EMPTY_BYTES);
    if (r.status !== "success") {
      if (!strict) continue;
      throw new InvalidBlockError(
        "requests",
        `system call to ${hexAddress(address)} failed: ${r.error ?? r.status}`,
      );
    }
    if (r.output.length > 0) requests.push(concatBytes(new Uint8Array([type]), r.output));
  }
  return requests;
}

/** EIP-7685: sha256 over the sha256 of each request. */
export function requestsHash(requests: readonly Uint8Array[]): Uint8Array {
  return sha256(concatBytes(...requests.map((r) => sha256(r))));
}
