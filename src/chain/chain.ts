/**
 * The dev chain: genesis, the head state, mined blocks with their states,
 * the transaction pool, mining (automine, interval, on demand), snapshots,
 * time travel, impersonation and the state cheats. Everything the JSON-RPC
 * methods and the library API act on.
 */
import type { Backend } from "../../backends/backend.ts";
import type { BlockEnv } from "../evm/env.ts";
import { keccak256 } from "../primitives/hash.ts";
import { rlpEncode } from "../primitives/rlp.ts";
import { bigIntToBytes, bytesToBigInt, bytesToHex, concatBytes, hexAddress } from "../primitives/hex.ts";
import { Account } from "../state/account.ts";
import { type StateSource, WorldState } from "../state/world.ts";
import {
  decodeBlobSidecar,
  decodeTransaction,
  encodeTransaction,
  recoverSender,
  type SignedTransaction,
  signTransaction,
  transactionHash,
  type UnsignedTransaction,
} from "../tx/codec.ts";
import { InvalidTransactionError } from "../tx/errors.ts";
import { validateTransaction } from "../tx/execute.ts";
import { TxType } from "../tx/transaction.ts";
import type { Block, MinedTransaction, PooledTransaction } from "./block.ts";
import { assembleBlock, blockEnvOf, type BlockTemplate, buildBlock, prevRandaoFor } from "./block_builder.ts";
import { BlockClock, type ClockState, wallClockSeconds } from "./block_clock.ts";
import { DEFAULT_DERIVATION_PATH, DEFAULT_MNEMONIC, deriveDevAccounts, type DevAccount } from "./dev_accounts.ts";
import { ChainInputError, StateUnavailableError, TransactionRejectedError, UnknownBlockError } from "./errors.ts";
import {
  blobGasPrice,
  DEFAULT_PRIORITY_FEE,
  INITIAL_BASE_FEE,
  INITIAL_GAS_PRICE,
  nextBaseFee,
  nextExcessBlobGas,
} from "./fees.ts";
import { type ChainHardfork, chainHardfork, DEFAULT_HARDFORK } from "./hardfork.ts";
import { ForkSchedule } from "./fork_schedule.ts";
import { genesisHeader, type GenesisSpec } from "./genesis.ts";
import { blockDifficulty, expectedExcessBlobGas, nextGasLimit } from "./block_rules.ts";
import { Fork } from "../forks/fork.ts";
import { type BlockHeader, EMPTY_OMMERS_HASH, headerFieldsOf, setForkFields } from "./header.ts";
import { EMPTY_TRIE_ROOT } from "../state/trie.ts";
import {
  CREATE2_DEPLOYER,
  CREATE2_DEPLOYER_CODE,
  HISTORY_STORAGE_ADDRESS,
  HISTORY_STORAGE_CODE,
} from "./system_contracts.ts";
import { rejectionFor } from "./tx_rejection.ts";
import { type TransactionOrder, TxPool } from "./txpool.ts";
import { StateRootTracker } from "./state_root.ts";
import { compactBlock } from "./compact_block.ts";
import { ArchivedBlock, ArchivedTransaction, BlockArchive } from "./block_archive.ts";
import { HashIndex } from "./hash_index.ts";
import { type HistoryStats, StateHistory, type StateMark } from "../state/history.ts";
import type { TrieNode } from "../state/incremental_trie.ts";
import { type AccountProof, proveInTrie } from "../state/proof.ts";

/**
 * How many recent blocks (the head's included) keep their state for calls and reads at that block; the genesis
 * state is kept too, unless pruning. States are kept as the changes since, so this bounds what old states cost,
 * not what each block costs.
 */
export const DEFAULT_STATE_HISTORY = 4096;
/** States kept with --prune-history given no number (anvil's in-memory default). */
export const DEFAULT_PRUNED_STATE_HISTORY = 500;
/** Historical states read recently, kept with what they have loaded. */
const VIEWS_KEPT = 8;
/** Blocks this far below the head and older are kept as records of bytes (block_archive.ts), but the first. */
const RECENT_BLOCKS = 256;

export const ETHER = 10n ** 18n;

export interface DevChainOptions {
  chainId?: bigint;
  /** A fork name (Frontier on) or bpo1 / bpo2; default: anvil's latest, Osaka with the BPO1 blob schedule. */
  hardfork?: string;
  accounts?: number;
  /** Balance of each dev account, in wei. */
  balance?: bigint;
  mnemonic?: string;
  derivationPath?: string;
  gasLimit?: bigint;
  baseFee?: bigint;
  coinbase?: bigint;
  genesisTimestamp?: bigint;
  /** Number of the genesis block (anvil's --number; fork mode starts at the fork block). */
  genesisNumber?: bigint;
  /** Seconds between blocks (interval mining); undefined: automine. */
  blockTime?: number;
  /** No automine and no interval: blocks only on evm_mine / anvil_mine. */
  noMining?: boolean;
  /** Runs contract code. A chain is given one; a node without one uses the process's default (backends/registry.ts). */
  backend?: Backend;
  /** Where state not yet in memory comes from (fork mode); none for a fresh dev chain. */
  stateSource?: StateSource;
  /** Fork mode: the upstream block the chain continues from (it becomes this chain's first block). */
  forkBlock?: ForkBlock;
  enforceTxGasLimitCap?: boolean;
  autoImpersonate?: boolean;
  /** Wall clock in seconds (tests pin it). */
  now?: () => bigint;
  /** EIP-170's code size limit (--code-size-limit; 0: none, --disable-code-size-limit); default the fork's. */
  codeSizeLimit?: number;
  /** Most EVM memory one execution may use (--memory-limit). */
  memoryLimit?: number;
  /** Transactions and calls may use more gas than the block gas limit (--disable-block-gas-limit). */
  disableBlockGasLimit?: boolean;
  /** No CREATE2 deployer in the genesis state (--disable-default-create2-deployer). */
  disableCreate2Deployer?: boolean;
  /** eth_gasPrice of a chain before London (--gas-price; default anvil's 1.875 gwei). */
  gasPrice?: bigint;
  /** How far behind the head the safe (one epoch) and finalized (two) blocks are (default 32). */
  slotsInAnEpoch?: number;
  /** How blocks pick pool transactions: "fees" (default) or "fifo" (anvil's --order). */
  order?: TransactionOrder;
  /** Recent blocks whose states are kept (default DEFAULT_STATE_HISTORY); older ones answer "state not available". */
  stateHistory?: number;
  /** anvil's --prune-history: the genesis state is not kept either. */
  pruneHistory?: boolean;
  /** anvil's --transaction-block-keeper: only the last N blocks keep their transactions and receipts. */
  transactionBlockKeeper?: number;
  /**
   * A genesis from outside (`--init`, block tests): its alloc is the whole genesis state (no dev accounts
   * funded), its fork schedule decides each block's fork, and blocks follow the protocol's rules exactly.
   */
  genesis?: GenesisSpec;
}

/**
 * What a block below the head keeps of its state: a mark in the head's history (the state after the block and
 * the cheats made before the next one, which the next block's transactions ran on) and the account trie of the
 * block's own state root (for proofs against its header).
 */
interface BlockState {
  mark: StateMark;
  trie: TrieNode | undefined;
}

export interface ForkBlock {
  number: bigint;
  hash: Uint8Array;
  timestamp: bigint;
  gasLimit: bigint;
  baseFeePerGas?: bigint;
  /** The upstream block's gas used: the next block's base fee follows from it, as on the upstream. */
  gasUsed?: bigint;
}

export type BlockTag = "latest" | "pending" | "earliest" | "safe" | "finalized";
export type BlockRef = { tag: BlockTag } | { number: bigint } | { hash: Uint8Array };

/** A block resolved for reading or executing against. */
export interface ResolvedBlock {
  /** The block itself; for "pending", the latest block (the pending one does not exist yet). */
  block: Block;
  /** State after the block (for "pending": the head). Read-only for callers. */
  state: WorldState;
  /** The environment a call at this block runs in. */
  env: BlockEnv;
  pending: boolean;
}

export interface ChainSnapshot {
  blockCount: number;
  /** The head state as it was, in the head's history; held until released. */
  mark: StateMark;
  latestTrie: TrieNode | undefined;
  pool: TxPool;
  clock: ClockState;
  nextBaseFeeOverride?: bigint;
  impersonated: Set<bigint>;
}

export interface ChainEvents {
  onBlock?(block: Block): void;
  onPendingTransaction?(hash: Uint8Array): void;
}

export class DevChain {
  /** anvil_setChainId changes it for what comes next. */
  chainId: bigint;
  /** Which fork each block runs (one fork for all, unless the chain has a genesis with a schedule). */
  readonly schedule: ForkSchedule;
  /** The fork of every block, when there is only one. */
  private readonly fixedHardfork?: ChainHardfork;
  /** Blocks follow the protocol exactly (base fee from the first block, EIP-7918, rewards, requests). */
  readonly consensus: boolean;
  readonly backend: Backend;
  readonly devAccounts: DevAccount[];
  readonly options: DevChainOptions;
  private readonly keys = new Map<bigint, Uint8Array>();

  blocks: Block[] = [];
  private blocksByHash = new HashIndex<Block>((b) => b.hash);
  /** Mined transactions by hash; those in an archived block's record stand for them there. */
  private minedTxs = new HashIndex<MinedTransaction | ArchivedTransaction>((t) => t.hash);
  private archive = new BlockArchive();
  /** State after each recent block but the latest (the latest block's state is the head), as history marks. */
  private blockStates = new Map<bigint, BlockState>();
  /** Read-only views of recent past states, most recently used last. */
  private views = new Map<bigint, WorldState>();
  private history!: StateHistory;
  /** Counts head states (reset and state loading start new ones). */
  private headGeneration = 0;
  private stateRoots = new StateRootTracker();
  /** The account trie of the latest block's state root. */
  private latestTrie: TrieNode | undefined;
  /** An imported block being executed on the head (see beginImport). */
  private importStart?: { mark: StateMark; trie: TrieNode | undefined };
  head!: WorldState;
  pool = new TxPool();
  clock!: BlockClock;
  gasLimit: bigint;
  coinbase: bigint;
  private nextBaseFeeOverride?: bigint;
  impersonated = new Set<bigint>();
  autoImpersonate: boolean;
  automine: boolean;
  private intervalTimer?: ReturnType<typeof setInterval>;
  private intervalSeconds?: number;
  private snapshots = new Map<bigint, ChainSnapshot>();
  /** The last pending state built (pendingState), under the key of what it was built from. */
  private pendingStateKept?: { key: string; state: WorldState };
  /**
   * The safe and finalized blocks an engine_forkchoiceUpdated named. Unset, "safe" and "finalized" trail the
   * head by one and two epochs of 32 slots, as anvil's do.
   */
  safeBlockHash?: Uint8Array;
  finalizedBlockHash?: Uint8Array;
  private nextSnapshotId = 0n;
  private listeners: ChainEvents[] = [];
  /** anvil_impersonateSignature's signatures (hex of r || s || v) and the addresses ecrecover answers for them. */
  private readonly ecrecoverOverrides = new Map<string, bigint>();
  private readonly envs = new WeakMap<Block, BlockEnv>();
  /** See forceIntoNextBlock. */
  private forcedNext: PooledTransaction[] = [];
  /** Identifies this run of the chain (anvil_metadata); a reset draws a new one. */
  instanceId = crypto.getRandomValues(new Uint8Array(32));

  constructor(options: DevChainOptions & { backend: Backend }) {
    this.options = options;
    const genesis = options.genesis;
    this.chainId = options.chainId ?? genesis?.chainId ?? 31337n;
    this.consensus = genesis !== undefined;
    if (genesis) {
      this.schedule = genesis.schedule;
    } else {
      this.fixedHardfork = chainHardfork(options.hardfork ?? DEFAULT_HARDFORK, {
        enforceTxGasLimitCap: options.enforceTxGasLimitCap,
        codeSizeLimit: options.codeSizeLimit,
        memoryLimit: options.memoryLimit,
        ignoreBlockGasLimit: options.disableBlockGasLimit,
      });
      this.schedule = ForkSchedule.single(this.fixedHardfork);
    }
    this.backend = options.backend;
    this.devAccounts = deriveDevAccounts(
      options.mnemonic ?? DEFAULT_MNEMONIC,
      options.accounts ?? 10,
      options.derivationPath ?? DEFAULT_DERIVATION_PATH,
    );
    for (const a of this.devAccounts) this.keys.set(a.address, a.privateKey);
    this.gasLimit = options.gasLimit ?? genesis?.header.gasLimit ?? 30_000_000n;
    this.coinbase = options.coinbase ?? genesis?.header.coinbase ?? 0n;
    this.autoImpersonate = options.autoImpersonate ?? false;
    this.automine = !options.noMining && options.blockTime === undefined;
    this.initGenesis();
    if (!options.noMining && options.blockTime !== undefined) this.setIntervalMining(options.blockTime);
  }

  // ---- genesis and reset ----

  private initGenesis(): void {
    if (this.options.genesis) return this.initGenesisFrom(this.options.genesis);
    const o = this.options;
    const world = this.newHead(new WorldState(o.stateSource));
    const balance = o.balance ?? 10_000n * ETHER;
    const fork = o.forkBlock;
    for (const a of this.devAccounts) {
      // A forked chain keeps what the dev accounts have upstream (nonce, code) and funds them, as anvil does.
      if (fork) world.updateAccount(a.address, { balance });
      else world.setAccountDirect(a.address, new Account(0n, balance));
    }
    if (!o.disableCreate2Deployer && (!fork || world.getCode(CREATE2_DEPLOYER).length === 0)) {
      world.setAccountDirect(CREATE2_DEPLOYER, new Account(0n, 0n, CREATE2_DEPLOYER_CODE));
    }
    if (headerFieldsOf(this.hardfork.fork).requests && (!fork || world.getCode(HISTORY_STORAGE_ADDRESS).length === 0)) {
      world.setAccountDirect(HISTORY_STORAGE_ADDRESS, new Account(0n, 0n, HISTORY_STORAGE_CODE));
    }
    const now = o.now ?? wallClockSeconds;
    const timestamp = fork?.timestamp ?? o.genesisTimestamp ?? now();
    this.clock = new BlockClock(timestamp, now);
    const header: BlockHeader = {
      parentHash: new Uint8Array(32),
      ommersHash: EMPTY_OMMERS_HASH,
      coinbase: this.coinbase,
      stateRoot: this.stateRoots.root(world, this.history.takeDirty()),
      transactionsRoot: EMPTY_TRIE_ROOT,
      receiptsRoot: EMPTY_TRIE_ROOT,
      logsBloom: new Uint8Array(256),
      difficulty: 0n,
      number: fork?.number ?? o.genesisNumber ?? 0n,
      gasLimit: this.gasLimit,
      gasUsed: fork?.gasUsed ?? 0n,
      timestamp,
      extraData: new Uint8Array(0),
      mixHash: new Uint8Array(32),
      nonce: new Uint8Array(8),
    };
    setForkFields(header, this.hardfork.fork, { baseFee: o.baseFee ?? fork?.baseFeePerGas ?? INITIAL_BASE_FEE });
    this.latestTrie = this.stateRoots.trie;
    this.blocks = [];
    this.blocksByHash.clear();
    this.minedTxs.clear();
    this.archive = new BlockArchive();
    const genesis = assembleBlock(header, []);
    // The first block of a forked chain is the upstream's block: children must link to its real hash.
    if (fork) genesis.hash = fork.hash;
    this.appendBlock(genesis);
  }

  /** Genesis from a spec: exactly its alloc and header. */
  private initGenesisFrom(spec: GenesisSpec): void {
    const world = this.newHead(new WorldState());
    for (const [address, acc] of spec.alloc) world.setAccountDirect(address, acc.clone());
    const header = genesisHeader(spec, this.stateRoots.root(world, this.history.takeDirty()));
    this.latestTrie = this.stateRoots.trie;
    this.clock = new BlockClock(header.timestamp, this.options.now ?? wallClockSeconds);
    this.blocks = [];
    this.blocksByHash.clear();
    this.minedTxs.clear();
    this.archive = new BlockArchive();
    const genesis = assembleBlock(header, []);
    genesis.totalDifficulty = header.difficulty;
    if (header.withdrawalsRoot !== undefined) genesis.withdrawals = [];
    this.appendBlock(genesis);
  }

  /** A fresh head state with its history and roots; what the old head's history held is let go. */
  private newHead(world: WorldState): WorldState {
    this.blockStates.clear();
    this.views.clear();
    this.importStart = undefined;
    this.history = new StateHistory(world);
    this.stateRoots = new StateRootTracker();
    this.head = world;
    this.headGeneration++;
    return world;
  }

  /**
   * Moves whenever the head state changes (a new head state included): what was read of the head under one
   * value is stale under another.
   */
  get headVersion(): string {
    return `${this.headGeneration}:${this.history.changes}`;
  }

  /** anvil_reset / hardhat_reset: back to a fresh genesis with the same options. */
  reset(): void {
    this.instanceId = crypto.getRandomValues(new Uint8Array(32));
    this.pool.clear();
    this.snapshots.clear();
    this.impersonated.clear();
    this.nextBaseFeeOverride = undefined;
    this.initGenesis();
  }

  close(): void {
    if (this.intervalTimer !== undefined) clearInterval(this.intervalTimer);
    this.intervalTimer = undefined;
  }

  subscribe(events: ChainEvents): () => void {
    this.listeners.push(events);
    return () => (this.listeners = this.listeners.filter((l) => l !== events));
  }

  /** An account's balance in the genesis state (what the banner lists for the dev accounts), else at the head. */
  genesisBalance(address: bigint): bigint {
    try {
      return this.stateAfter(this.blocks[0].header.number).getBalance(address);
    } catch (e) {
      if (e instanceof StateUnavailableError) return this.head.getBalance(address);
      throw e;
    }
  }

  // ---- forks ----

  /** The fork of the next block (the pending one). */
  get hardfork(): ChainHardfork {
    if (this.fixedHardfork) return this.fixedHardfork;
    const latest = this.latest;
    const number = latest.header.number + 1n;
    return this.schedule.at(
      number,
      this.clock.peekNext().timestamp,
      this.schedule.isPostMerge(number, latest.totalDifficulty ?? 0n),
    );
  }

  /** The fork of a block with this number and timestamp (merged: whether it comes after the merge). */
  hardforkAt(number: bigint, timestamp: bigint, merged: boolean): ChainHardfork {
    return this.fixedHardfork ?? this.schedule.at(number, timestamp, merged);
  }

  /** The fork a block of this chain ran. */
  hardforkOf(block: Block): ChainHardfork {
    if (this.fixedHardfork) return this.fixedHardfork;
    const h = block.header;
    const parentTotalDifficulty = (block.totalDifficulty ?? 0n) - h.difficulty;
    return this.schedule.at(h.number, h.timestamp, this.schedule.isPostMerge(h.number, parentTotalDifficulty));
  }

  /** The state root of the head state (`world` must be the head), updated with the changes since the last. */
  stateRootOf(world: WorldState): Uint8Array {
    if (world !== this.head) throw new Error("stateRootOf: only the head state's root is kept");
    return this.stateRoots.root(world, this.history.takeDirty());
  }

  // ---- blocks ----

  get latest(): Block {
    return this.blocks[this.blocks.length - 1];
  }

  get blockNumber(): bigint {
    return this.latest.header.number;
  }

  private appendBlock(block: Block): void {
    if (!(block instanceof ArchivedBlock)) compactBlock(block, this.blocks[this.blocks.length - 1]);
    this.blocks.push(block);
    this.blocksByHash.set(block);
    for (const t of block instanceof ArchivedBlock ? block.transactionEntries() : block.transactions) this.minedTxs.set(t);
    const old = this.blocks.length - 1 - RECENT_BLOCKS;
    if (old >= 1 && !(this.blocks[old] instanceof ArchivedBlock)) {
      // Transactions --transaction-block-keeper will drop stay objects until then.
      const packTransactions = this.options.transactionBlockKeeper === undefined;
      const archived = this.archive.add(this.blocks[old], this.blocks[old - 1], packTransactions);
      this.blocks[old] = archived.block;
      this.blocksByHash.set(archived.block);
      for (const t of archived.transactions) this.minedTxs.set(t);
    }
  }

  blockByNumber(n: bigint): Block | undefined {
    const first = this.blocks[0].header.number;
    if (n < first || n > this.blockNumber) return undefined;
    return this.blocks[Number(n - first)];
  }

  blockByHash(hash: Uint8Array | string): Block | undefined {
    return typeof hash === "string" ? this.blocksByHash.getHex(hash) : this.blocksByHash.get(hash);
  }

  blockHashOf = (n: bigint): bigint => {
    const b = this.blockByNumber(n);
    return b ? bytesToBigInt(b.hash) : 0n;
  };

  /** A block tag's number ("pending" is the next block). */
  tagNumber(tag: BlockTag): bigint {
    switch (tag) {
      case "earliest":
        return this.blocks[0].header.number;
      case "pending":
        return this.blockNumber + 1n;
      case "safe":
      case "finalized": {
        // A block a forkchoice update named; else anvil's: an epoch of slots behind the head for safe, two for
        // finalized (never before the first block).
        const named = this.forkchoiceNumber(tag === "safe" ? this.safeBlockHash : this.finalizedBlockHash);
        if (named !== undefined) return named;
        const behind = BigInt(this.options.slotsInAnEpoch ?? 32) * (tag === "safe" ? 1n : 2n);
        const first = this.blocks[0].header.number;
        return this.blockNumber - behind > first ? this.blockNumber - behind : first;
      }
      default:
        return this.blockNumber;
    }
  }

  /** The number of the block a forkchoice hash names, while that block is in the chain. */
  private forkchoiceNumber(hash: Uint8Array | undefined): bigint | undefined {
    const b = hash && this.blockByHash(hash);
    return b && this.blockByNumber(b.header.number) === b ? b.header.number : undefined;
  }

  /** Makes block `n` the head, dropping the blocks after it (a forkchoice update to an ancestor). */
  rewindTo(n: bigint): void {
    if (n >= this.blockNumber) return;
    const kept = this.blockStates.get(n);
    if (!kept) throw new StateUnavailableError(n);
    this.restoreState({
      blockCount: Number(n - this.blocks[0].header.number) + 1,
      mark: kept.mark,
      latestTrie: kept.trie,
      pool: this.pool,
      clock: this.clock.save(),
      impersonated: this.impersonated,
    });
  }

  findBlock(ref: BlockRef): Block {
    if ("hash" in ref) {
      const b = this.blockByHash(ref.hash);
      if (!b) throw new UnknownBlockError(`no block with hash ${bytesToHex(ref.hash)}`);
      return b;
    }
    const n = "tag" in ref ? (ref.tag === "pending" ? this.blockNumber : this.tagNumber(ref.tag)) : ref.number;
    const b = this.blockByNumber(n);
    if (!b) throw new UnknownBlockError(`block ${n} is beyond the chain head ${this.blockNumber}`);
    return b;
  }

  /** State after block n (the head for the latest block). Read-only. */
  stateAfter(n: bigint): WorldState {
    if (n === this.blockNumber) return this.head;
    let view = this.views.get(n);
    if (view) {
      this.views.delete(n); // most recently used goes last
    } else {
      const b = this.blockStates.get(n);
      if (!b) throw new StateUnavailableError(n);
      view = this.history.stateAt(b.mark);
      if (this.views.size >= VIEWS_KEPT) this.views.delete(this.views.keys().next().value!);
    }
    this.views.set(n, view);
    return view;
  }

  /** A standalone copy of the whole state after block n, to build other blocks on (simulations, payloads). */
  stateCopyAfter(n: bigint): WorldState {
    if (n === this.blockNumber) return this.head.clone();
    const b = this.blockStates.get(n);
    if (!b) throw new StateUnavailableError(n);
    return this.history.materialize(b.mark);
  }

  /**
   * The account trie for proofs at block n: the block's own (its header's state root); for the latest block,
   * the head's with the cheats since, as reads at "latest" see them.
   */
  private trieAt(n: bigint): TrieNode | undefined {
    if (n === this.blockNumber) return this.stateRoots.update(this.head, this.history.takeDirty());
    const b = this.blockStates.get(n);
    if (!b) throw new StateUnavailableError(n);
    return b.trie;
  }

  /** eth_getProof: the account's and slots' proofs and values at block n. */
  proof(n: bigint, address: bigint, slots: bigint[]): AccountProof {
    return proveInTrie(this.trieAt(n), address, slots);
  }

  /** The storage root of an account at block n (as eth_getProof gives it). */
  storageRoot(n: bigint, address: bigint): Uint8Array {
    return this.proof(n, address, []).storageHash;
  }

  /** Fork mode: forgets what the head and past states read of these keys (stand-ins for state not fetched yet). */
  forgetReads(reads: { address: bigint; slot?: bigint }[]): void {
    for (const r of reads) this.head.forgetRead(r.address, r.slot);
    this.views.clear();
  }

  /** How much past state is held (for tests and the memory figures). */
  historyStats(): HistoryStats & { blockStates: number } {
    return { ...this.history.stats(), blockStates: this.blockStates.size };
  }

  private get stateHistoryLimit(): number {
    return this.options.stateHistory ?? (this.options.pruneHistory ? DEFAULT_PRUNED_STATE_HISTORY : DEFAULT_STATE_HISTORY);
  }

  /** Keeps the state of `n` (the head block, before the next one is built on it) and lets go of the oldest. */
  private keepBlockState(n: bigint, mark: StateMark = this.history.mark()): void {
    this.blockStates.set(n, { mark, trie: this.latestTrie });
    const genesis = this.blocks[0].header.number;
    const keepGenesis = !this.options.pruneHistory;
    // The head's block counts as one of those kept.
    const oldest = n + 1n - BigInt(this.stateHistoryLimit);
    if (oldest >= genesis && !(keepGenesis && oldest === genesis)) this.dropBlockState(oldest);
  }

  private dropBlockState(n: bigint): void {
    const b = this.blockStates.get(n);
    if (!b) return;
    this.blockStates.delete(n);
    this.views.delete(n);
    this.history.release(b.mark);
  }

  /** --transaction-block-keeper: the block that falls out of the window forgets its transactions and receipts. */
  private dropOldTransactions(): void {
    const keep = this.options.transactionBlockKeeper;
    if (keep === undefined) return;
    const old = this.blocks[this.blocks.length - 1 - keep];
    if (!old || old.transactions.length === 0) return;
    for (const t of old.transactions) this.minedTxs.delete(t.hash);
    old.transactions = [];
  }

  resolve(ref: BlockRef): ResolvedBlock {
    if ("tag" in ref && ref.tag === "pending") {
      const template = this.pendingTemplate();
      return {
        block: this.latest,
        state: this.pendingState(template),
        env: blockEnvOf(template, this.blockHashOf),
        pending: true,
      };
    }
    const block = this.findBlock(ref);
    return { block, state: this.stateAfter(block.header.number), env: this.envOf(block), pending: false };
  }

  /**
   * The environment a call "at" a mined block runs in: that block's own header values. Kept per block (a
   * header never changes; the chain id can), as working out the blob base fee takes a BigInt series.
   */
  envOf(block: Block): BlockEnv {
    const kept = this.envs.get(block);
    if (kept !== undefined && kept.chainId === this.chainId) return kept;
    const h = block.header;
    const env: BlockEnv = {
      coinbase: h.coinbase,
      number: h.number,
      timestamp: h.timestamp,
      gasLimit: h.gasLimit,
      difficulty: h.difficulty,
      prevRandao: bytesToBigInt(h.mixHash),
      baseFee: h.baseFeePerGas ?? 0n,
      blobBaseFee: blobGasPrice(h.excessBlobGas ?? 0n, this.hardforkOf(block).blobSchedule),
      chainId: this.chainId,
      blockHash: this.blockHashOf,
      ecrecoverOverrides: this.ecrecoverOverrides,
    };
    this.envs.set(block, env);
    return env;
  }

  // ---- fees ----

  nextBlockBaseFee(): bigint {
    if (this.nextBaseFeeOverride !== undefined) return this.nextBaseFeeOverride;
    const h = this.latest.header;
    if (this.hardfork.fork < Fork.London) return 0n;
    if (h.baseFeePerGas === undefined) return INITIAL_BASE_FEE; // the first London block
    // The first block keeps the genesis base fee, as anvil does (a fork's follows from the upstream block).
    if (!this.consensus && !this.options.forkBlock && h.number === this.blocks[0].header.number) return h.baseFeePerGas;
    return nextBaseFee(h.baseFeePerGas, h.gasUsed, h.gasLimit);
  }

  nextExcessBlobGas(): bigint {
    const h = this.latest.header;
    const next = this.hardfork;
    if (this.consensus) {
      return expectedExcessBlobGas(
        { ...h, hasOmmers: false },
        next.blobSchedule,
        next.fork >= Fork.Osaka,
      );
    }
    return nextExcessBlobGas(h.excessBlobGas ?? 0n, h.blobGasUsed ?? 0n, next.blobSchedule);
  }

  nextBlobBaseFee(): bigint {
    return blobGasPrice(this.nextExcessBlobGas(), this.hardfork.blobSchedule);
  }

  /** eth_gasPrice: next base fee plus the default tip. */
  gasPrice(): bigint {
    // A chain before London has no base fee: anvil answers its --gas-price (default 1.875 gwei).
    if (this.hardfork.fork < Fork.London) return this.options.gasPrice ?? INITIAL_GAS_PRICE;
    return this.nextBlockBaseFee() + DEFAULT_PRIORITY_FEE;
  }

  setNextBlockBaseFee(fee: bigint): void {
    this.nextBaseFeeOverride = fee;
  }

  // ---- mining ----

  /** The next block's fixed values (without taking its timestamp). */
  pendingTemplate(timestamp?: bigint): BlockTemplate {
    const parent = this.latest;
    const number = parent.header.number + 1n;
    const excessBlobGas = this.nextExcessBlobGas();
    let ts = timestamp ?? this.clock.peekNext().timestamp;
    if (this.consensus && ts <= parent.header.timestamp) ts = parent.header.timestamp + 1n;
    return {
      number,
      parentHash: parent.hash,
      coinbase: this.coinbase,
      difficulty: this.pendingDifficulty(parent, number, ts),
      timestamp: ts,
      // A chain that follows the protocol moves its gas limit toward the configured one a step at a time.
      gasLimit: this.consensus ? nextGasLimit(parent.header.gasLimit, this.gasLimit) : this.gasLimit,
      baseFee: this.nextBlockBaseFee(),
      excessBlobGas,
      blobBaseFee: blobGasPrice(excessBlobGas, this.hardfork.blobSchedule),
      prevRandao: prevRandaoFor(parent.hash, number),
      chainId: this.chainId,
      ecrecoverOverrides: this.ecrecoverOverrides,
    };
  }

  /** A proof-of-work block's difficulty by the protocol, on a chain whose genesis has one (else 0). */
  private pendingDifficulty(parent: Block, number: bigint, timestamp: bigint): bigint {
    const p = parent.header;
    if (p.difficulty === 0n || this.schedule.isPostMerge(number, parent.totalDifficulty ?? 0n)) return 0n;
    const hf = this.hardforkAt(number, timestamp, false);
    return blockDifficulty(hf.fork, hf.bombDelay ?? 0n, number, timestamp, {
      ...p,
      hasOmmers: (parent.ommers?.length ?? 0) > 0,
    });
  }

  /**
   * The next block mined starts with `transactions`, in this order, before any from the pool (anvil's forced
   * transactions of --fork-transaction-hash; they are not in the pool meanwhile).
   */
  forceIntoNextBlock(transactions: PooledTransaction[]): void {
    this.forcedNext = transactions;
  }

  /**
   * Mines one block with what the pool has ready (`order`: this block's, instead of the chain's); `only`: with
   * these transactions alone, the pool left as it is (anvil_reorg's blocks).
   */
  mineBlock(timestamp?: bigint, order?: TransactionOrder, only?: PooledTransaction[]): Block {
    if (timestamp !== undefined) this.clock.setNext(timestamp);
    const template = this.pendingTemplate(this.clock.takeNext());
    const parent = this.latest;
    const hardfork = this.hardforkAt(
      template.number,
      template.timestamp,
      this.schedule.isPostMerge(template.number, parent.totalDifficulty ?? 0n),
    );
    this.nextBaseFeeOverride = undefined;
    this.keepBlockState(this.blockNumber);
    const block = buildBlock({
      world: this.head,
      hardfork,
      consensus: this.consensus,
      depositContract: this.schedule.depositContract,
      backend: this.backend,
      pool: only ? new TxPool() : this.pool,
      blockHash: this.blockHashOf,
      stateRoot: (w) => this.stateRoots.root(w, this.history.takeDirty()),
      allowSenderCode: true,
      order: order ?? this.options.order,
      leading: only ?? this.forcedNext,
    }, template);
    if (!only) this.forcedNext = [];
    block.totalDifficulty = (parent.totalDifficulty ?? 0n) + block.header.difficulty;
    this.latestTrie = this.stateRoots.trie;
    this.appendBlock(block);
    this.dropOldTransactions();
    for (const l of this.listeners) l.onBlock?.(block);
    return block;
  }

  /**
   * The state "pending" reads see: after the pending block's transactions (run on a copy of the head, kept
   * while the head, the pool and the block's values stay the same); the head itself when none are ready.
   */
  private pendingState(template: BlockTemplate): WorldState {
    if (this.forcedNext.length === 0 && this.readyCount() === 0) {
      this.pendingStateKept = undefined;
      return this.head;
    }
    const key = [this.headVersion, template.number, template.timestamp, template.baseFee, template.coinbase]
      .concat(this.forcedNext.concat(this.pool.all()).map((p) => bytesToHex(p.hash)))
      .join(",");
    if (this.pendingStateKept?.key === key) return this.pendingStateKept.state;
    const world = this.stateCopyAfter(this.blockNumber);
    buildBlock({
      world,
      hardfork: this.hardforkAt(
        template.number,
        template.timestamp,
        this.schedule.isPostMerge(template.number, this.latest.totalDifficulty ?? 0n),
      ),
      consensus: this.consensus,
      depositContract: this.schedule.depositContract,
      backend: this.backend,
      pool: this.pool.clone(),
      blockHash: this.blockHashOf,
      stateRoot: () => new Uint8Array(32), // not asked for: only the state is kept
      allowSenderCode: true,
      order: this.options.order,
      leading: [...this.forcedNext],
    }, template);
    this.pendingStateKept = { key, state: world };
    return world;
  }

  /**
   * The pending block: the block mining now would make of the pool's ready transactions, with its hash and
   * roots. It is built on the head and undone (as a rejected import is); the pool is left as it is.
   */
  pendingBlock(): Block {
    const template = this.pendingTemplate();
    const parent = this.latest;
    const hardfork = this.hardforkAt(
      template.number,
      template.timestamp,
      this.schedule.isPostMerge(template.number, parent.totalDifficulty ?? 0n),
    );
    const onHead = this.importStart === undefined;
    const world = onHead ? this.beginImport() : this.stateCopyAfter(this.blockNumber);
    try {
      const block = buildBlock({
        world,
        hardfork,
        consensus: this.consensus,
        depositContract: this.schedule.depositContract,
        backend: this.backend,
        pool: this.pool.clone(),
        blockHash: this.blockHashOf,
        stateRoot: onHead ? (w) => this.stateRoots.root(w, this.history.takeDirty()) : (w) => w.stateRoot(),
        allowSenderCode: true,
        order: this.options.order,
        leading: [...this.forcedNext],
      }, template);
      block.totalDifficulty = (parent.totalDifficulty ?? 0n) + block.header.difficulty;
      return block;
    } finally {
      if (onHead) this.abandonImport();
    }
  }

  /**
   * An imported block runs on the head itself (chain/import.ts): this marks where it starts and returns the head.
   * It ends with commitImportedBlock, or abandonImport (the head is put back).
   */
  beginImport(): WorldState {
    if (this.importStart) throw new Error("beginImport: an import is already under way");
    this.stateRoots.update(this.head, this.history.takeDirty()); // changes before the block are not the block's
    this.importStart = { mark: this.history.mark(), trie: this.stateRoots.trie };
    return this.head;
  }

  abandonImport(): void {
    const start = this.importStart;
    if (!start) return;
    this.importStart = undefined;
    this.head.finishTransaction(); // it may have stopped inside a transaction
    this.history.undoTo(start.mark);
    this.history.release(start.mark);
    this.stateRoots.reset(start.trie);
  }

  /** Appends a block imported from outside (checked and executed on the head since beginImport). */
  commitImportedBlock(block: Block, state: WorldState): void {
    const start = this.importStart;
    if (!start || state !== this.head) throw new Error("commitImportedBlock: the block was not run on the head");
    this.importStart = undefined;
    this.keepBlockState(this.blockNumber, start.mark);
    this.stateRoots.update(this.head, this.history.takeDirty());
    this.latestTrie = this.stateRoots.trie;
    this.nextBaseFeeOverride = undefined;
    this.appendBlock(block);
    this.dropOldTransactions();
    for (const t of block.transactions) this.pool.remove(bytesToHex(t.hash));
    this.clock.observe(block.header.timestamp);
    for (const l of this.listeners) l.onBlock?.(block);
  }

  /** anvil_mine: `count` blocks, optionally `interval` seconds apart. */
  mine(count = 1n, interval?: bigint): Block[] {
    if (count < 0n || count > 100_000n) {
      throw new ChainInputError(`cannot mine ${count} blocks at once (at most 100000)`);
    }
    const mined: Block[] = [];
    for (let i = 0n; i < count; i++) {
      const ts = interval !== undefined && i > 0n ? mined[mined.length - 1].header.timestamp + interval : undefined;
      mined.push(this.mineBlock(ts));
    }
    return mined;
  }

  /** Automine on (interval mining off, as anvil's modes exclude each other) or off. */
  setAutomine(on: boolean): void {
    if (on) this.stopIntervalMining();
    this.automine = on;
    if (on && this.readyCount() > 0) this.mineBlock();
  }

  private stopIntervalMining(): void {
    if (this.intervalTimer !== undefined) clearInterval(this.intervalTimer);
    this.intervalTimer = undefined;
    this.intervalSeconds = undefined;
  }

  /** Interval mining every `seconds`; 0: no mining but on demand (automine off too, as anvil's). */
  setIntervalMining(seconds: number): void {
    this.stopIntervalMining();
    this.automine = false;
    if (seconds > 0) {
      this.intervalSeconds = seconds;
      this.intervalTimer = setInterval(() => {
        try {
          this.mineBlock();
        } catch (e) {
          console.error("evmwasm: interval mining failed:", e);
        }
      }, seconds * 1000);
    }
  }

  /** Seconds between blocks under interval mining, else undefined. */
  get miningInterval(): number | undefined {
    return this.intervalSeconds;
  }

  get miningMode(): "auto" | "interval" | "manual" {
    return this.automine ? "auto" : this.intervalSeconds !== undefined ? "interval" : "manual";
  }

  /** How many pool transactions could go into the next block (nonces without gaps). */
  readyCount(): number {
    let n = 0;
    for (const sender of this.pool.senders()) {
      let nonce = this.head.getNonce(sender);
      while (this.pool.at(sender, nonce)) {
        n++;
        nonce++;
      }
    }
    return n;
  }

  // ---- transactions ----

  isDevAccount(address: bigint): boolean {
    return this.keys.has(address);
  }

  privateKeyOf(address: bigint): Uint8Array | undefined {
    return this.keys.get(address);
  }

  canSendFrom(address: bigint): boolean {
    return this.keys.has(address) || this.impersonated.has(address) || this.autoImpersonate;
  }

  /** Nonce the next transaction of `sender` should take: after those the pool holds. */
  nextNonce(sender: bigint): bigint {
    let nonce = this.head.getNonce(sender);
    while (this.pool.at(sender, nonce)) nonce++;
    return nonce;
  }

  sendRawTransaction(raw: Uint8Array): Uint8Array {
    return this.submit(this.pooledFromRaw(raw));
  }

  /**
   * Signs with the dev key, or sends as an impersonated account with a placeholder signature.
   * `unsigned`: the placeholder signature for any sender (eth_sendUnsignedTransaction).
   */
  sendUnsigned(tx: UnsignedTransaction, from: bigint, options: { unsigned?: boolean } = {}): Uint8Array {
    return this.submit(this.signAs(tx, from, options));
  }

  /** A raw transaction as the pool holds it (its sender recovered). */
  pooledFromRaw(raw: Uint8Array): PooledTransaction {
    const tx = decodeTransaction(raw);
    const sender = recoverSender(tx);
    const sidecar = decodeBlobSidecar(raw);
    return {
      tx,
      sender,
      hash: transactionHash(tx),
      encoded: encodeTransaction(tx),
      impersonated: false,
      ...(sidecar ? { sidecar } : {}),
    };
  }

  /** sendUnsigned's transaction, signed or impersonated, without sending it. */
  signAs(tx: UnsignedTransaction, from: bigint, { unsigned = false }: { unsigned?: boolean } = {}): PooledTransaction {
    const key = this.keys.get(from);
    if (key && !this.impersonated.has(from) && !unsigned) {
      const signed = signTransaction(tx, key);
      return {
        tx: signed,
        sender: from,
        hash: transactionHash(signed),
        encoded: encodeTransaction(signed),
        impersonated: false,
      };
    }
    if (!unsigned && !this.canSendFrom(from)) {
      throw new ChainInputError("No Signer available", {
        details: `${hexAddress(from)} is neither a dev account nor impersonated`,
      });
    }
    const v = tx.type === TxType.Legacy ? (tx.chainId === undefined ? 27n : tx.chainId * 2n + 35n) : 0n;
    const signed: SignedTransaction = { ...tx, signature: { r: 0n, s: 0n, yParity: 0, v } };
    const encoded = encodeTransaction(signed);
    // The placeholder signature is the same for every sender: the sender goes into the hash, after the network
    // encoding (a typed transaction wrapped as an RLP string), as anvil hashes impersonated transactions.
    const network = tx.type === TxType.Legacy ? encoded : rlpEncode(encoded);
    const hash = keccak256(concatBytes(network, bigIntToBytes(from, 20)));
    return { tx: signed, sender: from, hash, encoded, impersonated: true };
  }

  /** Admits a transaction to the pool (or rejects it), then mines it when automining. */
  submit(ptx: PooledTransaction): Uint8Array {
    this.admit(ptx);
    this.pool.add(ptx);
    for (const l of this.listeners) l.onPendingTransaction?.(ptx.hash);
    if (this.automine && this.pool.at(ptx.sender, this.head.getNonce(ptx.sender))) this.mineBlock();
    return ptx.hash;
  }

  private admit(ptx: PooledTransaction): void {
    const { tx, sender } = ptx;
    if (tx.chainId !== undefined && tx.chainId !== this.chainId) {
      throw new TransactionRejectedError("invalid chain id for signer", {
        details: `transaction chain id ${tx.chainId}, node chain id ${this.chainId}`,
      });
    }
    if (this.minedTxs.has(ptx.hash)) throw new TransactionRejectedError("transaction already imported");
    const stateNonce = this.head.getNonce(sender);
    if (tx.nonce < stateNonce) {
      throw new TransactionRejectedError("nonce too low", {
        details: `nonce ${tx.nonce}, account nonce ${stateNonce}`,
      });
    }
    const env = blockEnvOf(this.pendingTemplate(), this.blockHashOf);
    try {
      // Checked as if it were next: a later nonce waits in the pool.
      validateTransaction(
        { world: this.head, rules: this.hardfork.rules, block: env, backend: this.backend, allowSenderCode: true },
        { ...tx, nonce: stateNonce, sender },
      );
    } catch (e) {
      if (e instanceof InvalidTransactionError) throw rejectionFor(e, tx.gasLimit, this.gasLimit);
      throw e;
    }
  }

  transactionByHash(hash: string): { mined?: MinedTransaction; pending?: PooledTransaction } | undefined {
    const key = hash.toLowerCase();
    const found = this.minedTxs.getHex(key);
    if (found) return { mined: found instanceof ArchivedTransaction ? found.mined : found };
    const pending = this.pool.get(key);
    return pending ? { pending } : undefined;
  }

  dropTransaction(hash: string): boolean {
    return this.pool.remove(hash) !== undefined;
  }

  dropAllTransactions(): void {
    this.pool.clear();
  }

  // ---- cheats ----

  setBalance(address: bigint, balance: bigint): void {
    this.head.updateAccount(address, { balance });
  }

  setNonce(address: bigint, nonce: bigint): void {
    this.head.updateAccount(address, { nonce });
  }

  setCode(address: bigint, code: Uint8Array): void {
    this.head.updateAccount(address, { code });
  }

  setStorageAt(address: bigint, slot: bigint, value: bigint): void {
    this.head.setStorageDirect(address, slot, value);
  }

  /** ecrecover answers `address` for this 65-byte signature from now on. */
  impersonateSignature(signature: Uint8Array, address: bigint): void {
    this.ecrecoverOverrides.set(bytesToHex(signature), address);
  }

  impersonate(address: bigint): void {
    this.impersonated.add(address);
  }

  stopImpersonating(address: bigint): void {
    this.impersonated.delete(address);
  }

  setCoinbase(address: bigint): void {
    this.coinbase = address;
  }

  setBlockGasLimit(gasLimit: bigint): void {
    this.gasLimit = gasLimit;
  }

  // ---- saved state ----

  /**
   * A saved state coming in (state_dump.ts): `accounts` replace those at their addresses in the head state; a
   * non-empty `blocks` replaces this chain's blocks from the first of them on (all of them unless it continues
   * this chain), and the states of blocks before the head are then no longer known.
   */
  loadChainState(blocks: Block[], accounts: { address: bigint; account: Account }[]): void {
    if (blocks.length > 0) {
      const first = blocks[0].header.number;
      let keep = this.blocks.filter((b) => b.header.number < first);
      const parent = keep[keep.length - 1];
      if (!parent || parent.header.number + 1n !== first || bytesToHex(parent.hash) !== bytesToHex(blocks[0].header.parentHash)) {
        keep = [];
      }
      this.blocks = [];
      this.blocksByHash.clear();
      this.minedTxs.clear();
      for (const b of [...keep, ...blocks]) this.appendBlock(b);
      for (const n of [...this.blockStates.keys()]) if (n >= first || keep.length === 0) this.dropBlockState(n);
      this.clock.restore({ ...this.clock.save(), lastTimestamp: this.latest.header.timestamp, nextTimestamp: undefined });
      this.nextBaseFeeOverride = undefined;
    }
    for (const { address, account } of accounts) this.head.setAccountDirect(address, account);
    this.latestTrie = this.stateRoots.update(this.head, this.history.takeDirty());
  }

  /**
   * anvil_rollback: the blocks after `n` go, with their transactions; the head state is back at block n's (as
   * the next block found it), the clock at its timestamp and the gas limit at its. The next block's base fee
   * stays what it was (as anvil's fee state). Snapshots taken after block n are forgotten.
   */
  rollbackTo(n: bigint): void {
    const common = this.blockByNumber(n);
    if (!common) throw new UnknownBlockError(`no block ${n}`);
    const nextBaseFee = this.nextBlockBaseFee();
    if (n < this.blockNumber) {
      const b = this.blockStates.get(n);
      if (!b) throw new StateUnavailableError(n);
      const removed = this.blocks.splice(this.blocks.indexOf(common) + 1);
      for (const r of removed) {
        this.blocksByHash.delete(r.hash);
        for (const t of r.transactions) this.minedTxs.delete(t.hash);
      }
      this.head.finishTransaction();
      this.history.undoTo(b.mark);
      this.latestTrie = b.trie;
      for (const k of [...this.blockStates.keys()]) if (k >= n) this.dropBlockState(k);
      this.views.clear();
      for (const [id, snap] of [...this.snapshots]) {
        if (snap.blockCount <= this.blocks.length && this.history.isLive(snap.mark)) continue;
        this.snapshots.delete(id);
        this.releaseState(snap);
      }
    }
    this.clock.setTime(common.header.timestamp);
    this.gasLimit = common.header.gasLimit;
    this.nextBaseFeeOverride = nextBaseFee;
  }

  // ---- snapshots ----

  snapshot(): bigint {
    const id = this.nextSnapshotId++;
    this.snapshots.set(id, this.captureState());
    return id;
  }

  /** The snapshots taken and not reverted: id, and the head block when it was taken. */
  snapshotList(): { id: bigint; blockNumber: bigint; blockHash: Uint8Array }[] {
    return [...this.snapshots].map(([id, snap]) => {
      const block = this.blocks[snap.blockCount - 1];
      return { id, blockNumber: block.header.number, blockHash: block.hash };
    });
  }

  /** Restores a snapshot and forgets it and every later one; false when unknown. */
  revert(id: bigint): boolean {
    const snap = this.snapshots.get(id);
    if (!snap) return false;
    // anvil keeps the next block's base fee through a revert (its fee state is not part of a snapshot).
    const nextBaseFee = this.nextBlockBaseFee();
    this.restoreState(snap);
    this.nextBaseFeeOverride = nextBaseFee;
    for (const [k, s] of [...this.snapshots]) {
      if (k < id) continue;
      this.snapshots.delete(k);
      this.releaseState(s);
    }
    return true;
  }

  /**
   * Everything a snapshot restores, without registering an id (fork mode retries a request with it). It holds
   * the head's history from here on: release it with releaseState when it is no longer wanted.
   */
  captureState(): ChainSnapshot {
    return {
      blockCount: this.blocks.length,
      mark: this.history.mark(),
      latestTrie: this.latestTrie,
      pool: this.pool.clone(),
      clock: this.clock.save(),
      nextBaseFeeOverride: this.nextBaseFeeOverride,
      impersonated: new Set(this.impersonated),
    };
  }

  /** Puts the chain back as captured; the capture stays held (a retry may restore it again). */
  restoreState(snap: ChainSnapshot): void {
    const removed = this.blocks.splice(snap.blockCount);
    for (const b of removed) {
      this.blocksByHash.delete(b.hash);
      for (const t of b.transactions) this.minedTxs.delete(t.hash);
    }
    for (const n of [...this.blockStates.keys()]) if (n >= this.blockNumber) this.dropBlockState(n);
    for (const n of [...this.views.keys()]) if (n >= this.blockNumber) this.views.delete(n);
    this.head.finishTransaction(); // a retried request may have stopped inside one
    this.history.undoTo(snap.mark);
    this.latestTrie = snap.latestTrie;
    this.pool = snap.pool.clone();
    this.clock.restore(snap.clock);
    this.nextBaseFeeOverride = snap.nextBaseFeeOverride;
    this.impersonated = new Set(snap.impersonated);
  }

  /** Lets go of a capture (its history can be merged away). */
  releaseState(snap: ChainSnapshot): void {
    this.history.release(snap.mark);
  }
}
