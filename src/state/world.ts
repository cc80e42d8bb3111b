/**
 * Journaled world state: accounts and storage, plus the per-transaction
 * substate (warm sets, transient storage, logs, refunds, self-destructs,
 * touched accounts). checkpoint() / revertTo() undo everything since a mark.
 */
import { Account } from "./account.ts";
import { keccak256 } from "../primitives/hash.ts";
import { bigIntToBytes, bigIntToMinimalBytes } from "../primitives/hex.ts";
import { rlpEncode } from "../primitives/rlp.ts";
import { EMPTY_TRIE_ROOT, trieRoot } from "./trie.ts";
import { EMPTY_BYTES as EMPTY } from "../primitives/byte_slab.ts";
import { BigIntSet } from "./bigint_set.ts";
import type { PriorAccount } from "./history.ts";

export interface Log {
  address: bigint;
  topics: bigint[];
  data: Uint8Array;
}

/** Where accounts not yet in memory come from (the dev chain has none; fork mode reads upstream). */
export interface StateSource {
  loadAccount(address: bigint): Account | undefined;
  loadStorage(address: bigint, slot: bigint): bigint;
  /** Whether the account has a non-zero slot that loadStorage has not been asked for (EIP-7610); false if unknown. */
  hasStorage?(address: bigint): boolean;
  /** Every address it may hold an account at, when it can list them (a past state of the chain can; fork mode not). */
  addresses?(): Iterable<bigint>;
}

/**
 * Told of every change before it is made (the chain's history and state roots listen to the head).
 * `acc` is the account as it is at that moment (undefined: absent).
 */
export interface StateObserver {
  /** Before its nonce, balance, code or existence changes. */
  accountChanging(address: bigint, acc: Account | undefined): void;
  /** Before a slot is written; `prev` is its value now. */
  slotChanging(address: bigint, acc: Account | undefined, slot: bigint, prev: bigint): void;
  /** Before its storage is replaced as a whole (cleared, or the account replaced or deleted). */
  storageReplacing(address: bigint, acc: Account | undefined): void;
}

type Undo = () => void;
const NO_UNDO: Undo = () => {};
/** Journals up to this long keep their array for the next transaction (the stale entries it holds are few). */
const JOURNAL_KEPT = 64;

const RIPEMD160_ADDRESS = 3n;
/** No address: below every one. A constant, as `-1n` in code is a negation that allocates each time. */
const NO_ADDRESS = -1n;

/**
 * The always-warm set largestOf saw last, and its largest member: every new world of a fork is handed the same
 * set (one per fork, a score of members), so the scan runs only when the fork changes.
 */
let lastSet: ReadonlySet<bigint> | undefined;
let lastMax = NO_ADDRESS;

function largestOf(set: ReadonlySet<bigint>): bigint {
  if (set !== lastSet) {
    let max = NO_ADDRESS;
    for (const a of set) if (a > max) max = a;
    lastSet = set;
    lastMax = max;
  }
  return lastMax;
}

export class WorldState {
  private accounts = new Map<bigint, Account | null>();
  /** Storage values at the start of the current transaction, recorded on first write. */
  private originalStorage = new Map<bigint, Map<bigint, bigint>>();
  /**
   * Undo entries journal[0..journalLength). The array is kept from one transaction to the next (up to
   * JOURNAL_KEPT entries): a fresh one would be grown from empty by the engine in every transaction. A new
   * world's starts with room for eight, as a literal: growing an empty array on the first entry cost a call
   * into a fresh world (the benchmarks' pattern) about 25 ns, a tenth of a simple call's set-up.
   */
  private journal: Undo[] = [NO_UNDO, NO_UNDO, NO_UNDO, NO_UNDO, NO_UNDO, NO_UNDO, NO_UNDO, NO_UNDO];
  private journalLength = 0;

  // Per-transaction substate
  private warmAddresses = new BigIntSet();
  /** Addresses warm in every transaction (the fork's precompiles), kept apart so that warming them costs nothing. */
  private alwaysWarm: ReadonlySet<bigint> = new Set();
  /** The largest of alwaysWarm: most addresses are above it, and a comparison is cheaper than hashing a BigInt. */
  private alwaysWarmMax = NO_ADDRESS;
  private warmSlots = new Map<bigint, Set<bigint>>();
  private transient = new Map<bigint, Map<bigint, bigint>>();
  logs: Log[] = [];
  refund = 0;
  selfDestructs = new BigIntSet();
  createdInTx = new BigIntSet();
  touched = new BigIntSet();

  /**
   * The last account looked up: calls ask for the same few addresses over and over, and a Map keyed by
   * BigInt hashes the key on every lookup (about 30 ns in V8) where `===` takes a few. Every change to
   * `accounts` forgets it.
   */
  private lastAddress = NO_ADDRESS;
  private lastAccount: Account | undefined = undefined;

  private observer?: StateObserver;

  constructor(private source?: StateSource) {}

  /** Where accounts not in memory come from (fork mode), if anywhere. */
  get stateSource(): StateSource | undefined {
    return this.source;
  }

  /** Tells `observer` of every change from now on. */
  observe(observer: StateObserver): void {
    this.observer = observer;
  }

  // ---- accounts ----

  getAccount(address: bigint): Account | undefined {
    if (address === this.lastAddress) return this.lastAccount;
    let acc = this.accounts.get(address);
    if (acc === undefined && this.source) {
      acc = this.source.loadAccount(address) ?? null;
      this.accounts.set(address, acc);
    }
    this.lastAddress = address;
    return (this.lastAccount = acc ?? undefined);
  }

  exists(address: bigint): boolean {
    return this.getAccount(address) !== undefined;
  }

  /** EIP-161 "dead": absent or empty. */
  isDead(address: bigint): boolean {
    const acc = this.getAccount(address);
    return acc === undefined || acc.isEmpty();
  }

  private putAccount(address: bigint, acc: Account | undefined): void {
    const prev = this.accounts.get(address);
    if (this.observer) this.replacing(address, prev === undefined ? this.getAccount(address) : prev ?? undefined);
    this.record(() => {
      this.lastAddress = NO_ADDRESS;
      if (prev === undefined) this.accounts.delete(address);
      else this.accounts.set(address, prev);
    });
    this.lastAddress = NO_ADDRESS;
    this.accounts.set(address, acc ?? null);
  }

  /** Creates the account when absent (journaled). */
  getOrCreate(address: bigint): Account {
    const acc = this.getAccount(address);
    if (acc) return acc;
    const created = new Account();
    this.putAccount(address, created);
    return created;
  }

  private replacing(address: bigint, prev: Account | undefined): void {
    this.observer!.accountChanging(address, prev);
    this.observer!.storageReplacing(address, prev);
  }

  /** Sets an account wholesale, storage included (state loading, tests, cheat methods). Not journaled. */
  setAccountDirect(address: bigint, acc: Account): void {
    if (this.observer) this.replacing(address, this.getAccount(address));
    this.lastAddress = NO_ADDRESS;
    this.accounts.set(address, acc);
  }

  /** Changes an account's fields in place, creating it if absent (cheat methods). Not journaled. */
  updateAccount(address: bigint, fields: { nonce?: bigint; balance?: bigint; code?: Uint8Array }): void {
    let acc = this.getAccount(address);
    if (!acc) this.setAccountDirect(address, acc = new Account());
    else this.observer?.accountChanging(address, acc);
    if (fields.nonce !== undefined) acc.nonce = fields.nonce;
    if (fields.balance !== undefined) acc.balance = fields.balance;
    if (fields.code !== undefined) acc.code = fields.code;
  }

  /** Writes a slot, creating the account if absent (cheat methods, state loading). Not journaled. */
  setStorageDirect(address: bigint, slot: bigint, value: bigint): void {
    const prev = this.getStorage(address, slot); // a fork source is asked now, not after the write
    let acc = this.getAccount(address);
    if (!acc) this.setAccountDirect(address, acc = new Account());
    this.observer?.slotChanging(address, acc, slot, prev);
    acc.storage.set(slot, value);
  }

  /** Puts an account back as a history record says it was (reverting the head). Not journaled or observed. */
  restoreAccount(address: bigint, prior: PriorAccount): void {
    this.lastAddress = NO_ADDRESS;
    const f = prior.account;
    if (!f) {
      if (this.source) this.accounts.set(address, null); // known absent: not to be loaded again
      else this.accounts.delete(address);
      return;
    }
    let acc = this.accounts.get(address);
    if (!acc || prior.storageReplaced) {
      const slots = prior.slots.size > 0 ? new Map(prior.slots) : undefined;
      acc = new Account(f.nonce, f.balance, f.code, slots, f.codeHash);
      acc.storageComplete = f.storageComplete;
      this.accounts.set(address, acc);
      return;
    }
    acc.nonce = f.nonce;
    acc.balance = f.balance;
    acc.setCode(f.code, f.codeHash);
    acc.storageComplete = f.storageComplete;
    for (const [slot, v] of prior.slots) acc.storage.set(slot, v);
  }

  /**
   * Forgets what was read of an account (or of one slot) from the source, so that the next read asks it again:
   * for a read that was answered with a stand-in (fork mode, a key not fetched yet).
   */
  forgetRead(address: bigint, slot?: bigint): void {
    this.lastAddress = NO_ADDRESS;
    if (slot === undefined) {
      if (this.accounts.get(address) === null) this.accounts.delete(address);
    } else {
      const acc = this.accounts.get(address);
      if (acc && acc.storage.get(slot) === 0n) acc.storage.delete(slot);
    }
  }

  /** The account if it is in memory (null: known absent), without asking the source. */
  loadedAccount(address: bigint): Account | null | undefined {
    return this.accounts.get(address);
  }

  deleteAccount(address: bigint): void {
    if (!this.getAccount(address)) return;
    this.putAccount(address, undefined);
  }

  /** Replaces an account by a fresh one with no storage (CREATE over an existing balance, self-destruct). */
  resetAccount(address: bigint, balance: bigint): Account {
    const acc = new Account(0n, balance);
    this.putAccount(address, acc);
    return acc;
  }

  getBalance(address: bigint): bigint {
    return this.getAccount(address)?.balance ?? 0n;
  }

  setBalance(address: bigint, value: bigint): void {
    const acc = this.getOrCreate(address);
    this.observer?.accountChanging(address, acc);
    const prev = acc.balance;
    this.record(() => (acc.balance = prev));
    acc.balance = value;
  }

  addBalance(address: bigint, delta: bigint): void {
    this.setBalance(address, this.getBalance(address) + delta);
  }

  getNonce(address: bigint): bigint {
    return this.getAccount(address)?.nonce ?? 0n;
  }

  setNonce(address: bigint, nonce: bigint): void {
    const acc = this.getOrCreate(address);
    this.observer?.accountChanging(address, acc);
    const prev = acc.nonce;
    this.record(() => (acc.nonce = prev));
    acc.nonce = nonce;
  }

  getCode(address: bigint): Uint8Array {
    return this.getAccount(address)?.code ?? EMPTY;
  }

  setCode(address: bigint, code: Uint8Array): void {
    const acc = this.getOrCreate(address);
    this.observer?.accountChanging(address, acc);
    const prev = acc.code;
    this.record(() => (acc.code = prev));
    acc.code = code;
  }

  // ---- storage ----

  getStorage(address: bigint, slot: bigint): bigint {
    const acc = this.getAccount(address);
    if (!acc) return 0n;
    let v = acc.storage.get(slot);
    if (v === undefined) {
      v = this.source && !acc.storageComplete ? this.source.loadStorage(address, slot) : 0n;
      acc.storage.set(slot, v);
    }
    return v;
  }

  /** The slot's value, without keeping a zero it did not hold (for readers over this state). */
  readStorage(address: bigint, slot: bigint): bigint {
    const acc = this.getAccount(address);
    if (!acc) return 0n;
    const v = acc.storageIfAny?.get(slot);
    if (v !== undefined) return v;
    return this.source && !acc.storageComplete ? this.getStorage(address, slot) : 0n;
  }

  /** Whether the account holds a non-zero slot (EIP-7610's collision test). */
  hasStorage(address: bigint): boolean {
    const acc = this.getAccount(address);
    if (!acc) return false;
    for (const v of acc.storageIfAny?.values() ?? []) if (v !== 0n) return true;
    return !acc.storageComplete && this.source?.hasStorage?.(address) === true;
  }

  /** The slot's value at the start of the transaction (EIP-1283/2200 "original"). */
  getOriginalStorage(address: bigint, slot: bigint): bigint {
    const recorded = this.recordedOriginal(address, slot);
    return recorded ?? this.getStorage(address, slot);
  }

  /** The original value recorded at the slot's first write in this transaction; undefined before that write. */
  recordedOriginal(address: bigint, slot: bigint): bigint | undefined {
    return this.originalStorage.get(address)?.get(slot);
  }

  /**
   * Writes a slot. `prev` (its value now) and `recorded` (whether the slot was written before in this
   * transaction, so its original is recorded) save lookups for a caller that has them: SSTORE does.
   */
  setStorage(
    address: bigint, slot: bigint, value: bigint, prev = this.getStorage(address, slot),
    recorded = this.recordedOriginal(address, slot) !== undefined,
  ): void {
    const acc = this.getOrCreate(address);
    this.observer?.slotChanging(address, acc, slot, prev);
    if (!recorded) {
      let originals = this.originalStorage.get(address);
      if (!originals) this.originalStorage.set(address, (originals = new Map()));
      originals.set(slot, prev);
    }
    this.record(() => acc.storage.set(slot, prev));
    acc.storage.set(slot, value);
  }

  /** Drops all storage of an account (journaled): used when an address is (re)created. */
  clearStorage(address: bigint): void {
    const acc = this.getAccount(address);
    if (!acc) return;
    this.observer?.storageReplacing(address, acc);
    const prev = acc.storage;
    const prevComplete = acc.storageComplete;
    this.record(() => {
      acc.storage = prev;
      acc.storageComplete = prevComplete;
    });
    acc.storage = new Map();
    acc.storageComplete = true;
  }

  // ---- transient storage (EIP-1153) ----

  getTransient(address: bigint, slot: bigint): bigint {
    return this.transient.get(address)?.get(slot) ?? 0n;
  }

  setTransient(address: bigint, slot: bigint, value: bigint): void {
    let m = this.transient.get(address);
    if (!m) this.transient.set(address, (m = new Map()));
    const map = m;
    const prev = map.get(slot) ?? 0n;
    this.record(() => map.set(slot, prev));
    map.set(slot, value);
  }

  // ---- access lists (EIP-2929) ----

  isWarmAddress(address: bigint): boolean {
    return this.warmAddresses.has(address) || this.isAlwaysWarm(address);
  }

  /** Whether the address is in the always-warm set (most are above its largest member: no hashing for them). */
  private isAlwaysWarm(address: bigint): boolean {
    return address <= this.alwaysWarmMax && this.alwaysWarm.has(address);
  }

  setAlwaysWarm(addresses: ReadonlySet<bigint>): void {
    if (addresses === this.alwaysWarm) return;
    this.alwaysWarm = addresses;
    this.alwaysWarmMax = largestOf(addresses);
  }

  /**
   * Marks warm for the rest of the transaction, with no undo entry: for what a transaction warms before
   * its first checkpoint (sender, target, access list), which no revert reaches.
   */
  prewarmAddress(address: bigint): void {
    this.warmAddresses.add(address);
  }

  /** Marks warm; returns whether it was warm already. */
  warmAddress(address: bigint): boolean {
    if (this.isAlwaysWarm(address)) return true;
    if (!this.warmAddresses.add(address)) return true;
    this.record(() => this.warmAddresses.delete(address));
    return false;
  }

  /** Marks warm; returns whether it was warm already. */
  warmSlot(address: bigint, slot: bigint): boolean {
    let s = this.warmSlots.get(address);
    if (!s) this.warmSlots.set(address, (s = new Set()));
    if (s.has(slot)) return true;
    const set = s;
    set.add(slot);
    this.record(() => set.delete(slot));
    return false;
  }

  // ---- substate ----

  addLog(log: Log): void {
    this.logs.push(log);
    this.record(() => this.logs.pop());
  }

  addRefund(delta: number): void {
    const prev = this.refund;
    this.refund += delta;
    this.record(() => (this.refund = prev));
  }

  markSelfDestruct(address: bigint): void {
    if (!this.selfDestructs.add(address)) return;
    this.record(() => this.selfDestructs.delete(address));
  }

  markCreated(address: bigint): void {
    if (!this.createdInTx.add(address)) return;
    this.record(() => this.createdInTx.delete(address));
  }

  touch(address: bigint): void {
    if (!this.touched.add(address)) return;
    // A touch of RIPEMD-160 survives a revert: mainnet consensus quirk of block 2675119 (EIP-716).
    if (address !== RIPEMD160_ADDRESS) this.record(() => this.touched.delete(address));
  }

  // ---- journal ----

  private record(undo: Undo): void {
    this.journal[this.journalLength++] = undo;
  }

  checkpoint(): number {
    return this.journalLength;
  }

  revertTo(mark: number): void {
    const j = this.journal;
    while (this.journalLength > mark) {
      const undo = j[--this.journalLength];
      j[this.journalLength] = NO_UNDO; // let what it holds go
      undo();
    }
  }

  /** Ends a transaction: forget the journal and the per-transaction substate. */
  finishTransaction(): void {
    // The entries left in a kept array are overwritten by the next transaction's; a long journal is dropped.
    if (this.journalLength > JOURNAL_KEPT) this.journal = [];
    this.journalLength = 0;
    // Map.clear and Set.clear allocate a fresh table even when there is nothing to clear; most are empty.
    if (this.originalStorage.size !== 0) this.originalStorage.clear();
    if (this.warmSlots.size !== 0) this.warmSlots.clear();
    if (this.transient.size !== 0) this.transient.clear();
    this.warmAddresses.clear();
    this.selfDestructs.clear();
    this.createdInTx.clear();
    this.touched.clear();
    this.logs = []; // a fresh array: the caller keeps the finished transaction's
    this.refund = 0;
  }

  // ---- whole-state views ----

  *entries(): IterableIterator<[bigint, Account]> {
    for (const [addr, acc] of this.accounts) if (acc) yield [addr, acc];
  }

  /** Every account: those in memory and, when the source can list its addresses, the source's too. */
  *everyAccount(): IterableIterator<[bigint, Account]> {
    const listed = this.source?.addresses?.();
    if (!listed) {
      yield* this.entries();
      return;
    }
    const seen = new Set<bigint>();
    for (const address of [...this.accounts.keys(), ...listed]) {
      if (seen.has(address)) continue;
      seen.add(address);
      const acc = this.getAccount(address);
      if (acc) yield [address, acc];
    }
  }

  storageRoot(acc: Account): Uint8Array {
    const storage = acc.storageIfAny;
    if (!storage || storage.size === 0) return EMPTY_TRIE_ROOT;
    const pairs: [Uint8Array, Uint8Array][] = [];
    for (const [slot, value] of storage) {
      if (value !== 0n) pairs.push([keccak256(bigIntToBytes(slot)), rlpEncode(bigIntToMinimalBytes(value))]);
    }
    return trieRoot(pairs);
  }

  stateRoot(): Uint8Array {
    const pairs: [Uint8Array, Uint8Array][] = [];
    for (const [addr, acc] of this.entries()) {
      const leaf = rlpEncode([
        bigIntToMinimalBytes(acc.nonce),
        bigIntToMinimalBytes(acc.balance),
        this.storageRoot(acc),
        acc.codeHash,
      ]);
      pairs.push([keccak256(bigIntToBytes(addr, 20)), leaf]);
    }
    return trieRoot(pairs);
  }

  /** A deep copy, for snapshots. The copy shares the source. */
  clone(): WorldState {
    const w = new WorldState(this.source);
    for (const [addr, acc] of this.accounts) w.accounts.set(addr, acc ? acc.clone() : null);
    return w;
  }
}
