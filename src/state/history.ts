/**
 * The head state's past as changes, not copies: every change to the head is
 * preceded by a record of the value it replaces (first write wins within a
 * change set). A mark (a mined block, a snapshot, a retry point) closes the
 * open change set; the state at a mark is the head with the records of every
 * later set laid over it, so a past state costs what changed since, and
 * reverting to a mark writes those records back. Sets no mark needs are merged
 * into their predecessor (or dropped at the front), so memory grows with the
 * distinct keys changed after the oldest mark, not with the number of blocks.
 *
 * The same observer collects which accounts and slots changed since the state
 * root was last computed (`takeDirty`), so that a root costs the changes.
 */
import { Account } from "./account.ts";
import { type StateObserver, type StateSource, WorldState } from "./world.ts";

/** An account's fields as they were (storage apart). */
export interface AccountFields {
  nonce: bigint;
  balance: bigint;
  code: Uint8Array;
  codeHash: Uint8Array;
  storageComplete: boolean;
}

/** What an account was before a change set's first change to it. */
export interface PriorAccount {
  /** Undefined: the account did not exist. */
  account: AccountFields | undefined;
  /** Slots as they were, recorded at their first write (or all of them when the storage was replaced). */
  slots: Map<bigint, bigint>;
  /**
   * The storage was replaced as a whole (cleared, or the account replaced) within the set: `slots` then
   * holds every slot the old storage had in memory, and a slot not in it was empty (or, for an account
   * whose storage is read from a state source, the source's).
   */
  storageReplaced: boolean;
}

class ChangeSet {
  accounts = new Map<bigint, PriorAccount>();
  /** Marks at this set's start. */
  refs = 0;
  /** Undone past: marks on it are no longer valid. */
  dead = false;
  constructor(readonly seq: number) {}
}

/** A point in the head's history that the state can be read at or reverted to, until released. */
export interface StateMark {
  readonly set: ChangeSet;
}

/** Per account: the slots changed since the last root, or ALL_SLOTS when its storage was replaced. */
export type DirtySlots = Set<bigint> | typeof ALL_SLOTS;
export const ALL_SLOTS = "all";

export interface HistoryStats {
  /** Change sets held (the open one included). */
  sets: number;
  /** Account records over all sets. */
  accounts: number;
  /** Slot records over all sets. */
  slots: number;
  marks: number;
}

/**
 * The slots of every record of an absent account: such a record answers every slot read on its own (0), and
 * no slot is ever recorded into it (each writer checks `account` first), so they share one empty map.
 */
const NO_SLOTS: Map<bigint, bigint> = new Map();

function fieldsOf(acc: Account): AccountFields {
  return {
    nonce: acc.nonce,
    balance: acc.balance,
    code: acc.code,
    codeHash: acc.codeHash,
    storageComplete: acc.storageComplete,
  };
}

export class StateHistory implements StateObserver {
  /** Oldest first; the last one is open (records the changes being made now). */
  private sets: ChangeSet[];
  private nextSeq = 1;
  private marks = 0;
  private dirty = new Map<bigint, DirtySlots>();
  /** Changes seen so far: readers that keep what they read of the head know it is stale when this moves. */
  changes = 0;

  constructor(readonly head: WorldState) {
    this.sets = [new ChangeSet(0)];
    head.observe(this);
  }

  private get open(): ChangeSet {
    return this.sets[this.sets.length - 1];
  }

  // ---- StateObserver ----

  private note(address: bigint, acc: Account | undefined): PriorAccount {
    const open = this.open;
    let p = open.accounts.get(address);
    if (!p) {
      p = acc
        ? { account: fieldsOf(acc), slots: new Map(), storageReplaced: false }
        : { account: undefined, slots: NO_SLOTS, storageReplaced: false };
      open.accounts.set(address, p);
    }
    return p;
  }

  private dirtySlots(address: bigint): DirtySlots {
    let d = this.dirty.get(address);
    if (d === undefined) this.dirty.set(address, d = new Set());
    return d;
  }

  accountChanging(address: bigint, acc: Account | undefined): void {
    this.changes++;
    this.note(address, acc);
    this.dirtySlots(address);
  }

  slotChanging(address: bigint, acc: Account | undefined, slot: bigint, prev: bigint): void {
    this.changes++;
    const p = this.note(address, acc);
    if (p.account && !p.storageReplaced && !p.slots.has(slot)) p.slots.set(slot, prev);
    const d = this.dirtySlots(address);
    if (d !== ALL_SLOTS) d.add(slot);
  }

  storageReplacing(address: bigint, acc: Account | undefined): void {
    this.changes++;
    const p = this.note(address, acc);
    if (p.account && !p.storageReplaced && acc) {
      for (const [slot, v] of acc.storageIfAny ?? []) if (!p.slots.has(slot)) p.slots.set(slot, v);
      p.storageReplaced = true;
    }
    this.dirty.set(address, ALL_SLOTS);
  }

  /** The accounts and slots changed since the last call (for the state root). */
  takeDirty(): Map<bigint, DirtySlots> {
    const d = this.dirty;
    this.dirty = new Map();
    return d;
  }

  /** Marks every account of the head dirty with all its storage (a root from scratch). */
  markAllDirty(): void {
    for (const [address] of this.head.entries()) this.dirty.set(address, ALL_SLOTS);
  }

  // ---- marks ----

  /** Marks the state as it is now. */
  mark(): StateMark {
    let open = this.open;
    if (open.accounts.size > 0) {
      if (open.refs > 0) {
        open = new ChangeSet(this.nextSeq++);
        this.sets.push(open);
      } else if (this.sets.length > 1) {
        // No mark at its start: its records belong to the set before it.
        this.mergeIntoPrevious(this.sets.length - 1);
        open = new ChangeSet(this.nextSeq++);
        this.sets.push(open);
      } else {
        open.accounts.clear(); // nothing reads the state before it
      }
    }
    open.refs++;
    this.marks++;
    return { set: open };
  }

  isLive(mark: StateMark): boolean {
    return !mark.set.dead && mark.set.refs > 0;
  }

  /** Gives a mark up: the records only it needed are merged away. Releasing a dead mark does nothing. */
  release(mark: StateMark): void {
    const set = mark.set;
    if (set.dead || set.refs === 0) return;
    set.refs--;
    this.marks--;
    if (set.refs > 0) return;
    const i = this.indexOf(set);
    if (i === 0) {
      // Nothing reads before the first mark: drop unreferenced sets at the front.
      while (this.sets.length > 1 && this.sets[0].refs === 0) this.sets.shift();
      if (this.sets.length === 1 && this.sets[0].refs === 0) this.sets[0].accounts.clear();
    } else if (i < this.sets.length - 1) {
      this.mergeIntoPrevious(i);
    }
    // An unreferenced open set stays open; mark() folds it into its predecessor.
  }

  private indexOf(set: ChangeSet): number {
    let lo = 0, hi = this.sets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sets[mid].seq < set.seq) lo = mid + 1;
      else hi = mid;
    }
    if (this.sets[lo] !== set) throw new Error("state history: mark not found");
    return lo;
  }

  /** Folds sets[i] into sets[i - 1]: the earlier record of a key wins. */
  private mergeIntoPrevious(i: number): void {
    const earlier = this.sets[i - 1], later = this.sets[i];
    for (const [address, pl] of later.accounts) {
      const pe = earlier.accounts.get(address);
      if (!pe) {
        earlier.accounts.set(address, pl);
        continue;
      }
      // An absent account or replaced storage in the earlier set answers every slot read on its own.
      if (!pe.account || pe.storageReplaced) continue;
      for (const [slot, v] of pl.slots) if (!pe.slots.has(slot)) pe.slots.set(slot, v);
      if (pl.storageReplaced) pe.storageReplaced = true;
    }
    this.sets.splice(i, 1);
  }

  /**
   * Puts the head back to the mark: the records of every set since, newest first. Marks after it are
   * dead; the mark itself stays valid (the set at it is open again, empty).
   */
  undoTo(mark: StateMark): void {
    if (!this.isLive(mark)) throw new Error("state history: revert to a mark that is no longer held");
    this.changes++;
    const i = this.indexOf(mark.set);
    for (let j = this.sets.length - 1; j >= i; j--) {
      const set = this.sets[j];
      for (const [address, prior] of set.accounts) {
        this.head.restoreAccount(address, prior);
        if (prior.storageReplaced || !prior.account) this.dirty.set(address, ALL_SLOTS);
        else {
          const d = this.dirtySlots(address);
          if (d !== ALL_SLOTS) for (const slot of prior.slots.keys()) d.add(slot);
        }
      }
      if (j > i) {
        set.dead = true;
        this.marks -= set.refs;
      }
    }
    this.sets.length = i + 1;
    mark.set.accounts.clear();
  }

  // ---- reading the past ----

  /** A read-only state as it was at the mark (valid while the mark is held). */
  stateAt(mark: StateMark): WorldState {
    return new WorldState(new HistoryReader(this, mark, this.head.stateSource));
  }

  /**
   * A standalone copy of the whole state at the mark: every account, its storage complete (for state roots of
   * blocks built on an earlier block).
   */
  materialize(mark: StateMark): WorldState {
    const view = this.stateAt(mark);
    const out = new WorldState(this.head.stateSource);
    const addresses = new Set<bigint>(this.recordedAddresses(mark));
    for (const [address] of this.head.everyAccount()) addresses.add(address);
    for (const address of addresses) {
      const acc = view.getAccount(address);
      if (!acc) continue;
      const copy = new Account(acc.nonce, acc.balance, acc.code, undefined, acc.codeHash);
      const slots = new Set<bigint>(this.recordedSlots(mark, address));
      for (const slot of this.head.getAccount(address)?.storageIfAny?.keys() ?? []) slots.add(slot);
      for (const slot of slots) {
        const v = view.getStorage(address, slot);
        if (v !== 0n) copy.storage.set(slot, v);
      }
      out.setAccountDirect(address, copy);
    }
    return out;
  }

  /** The record of `address` in the first set from the mark on that has one, else undefined (as the head). */
  priorAt(mark: StateMark, address: bigint): PriorAccount | undefined {
    if (mark.set.dead) throw new Error("state history: read at a mark that was reverted past");
    const sets = this.sets;
    for (let i = this.indexOf(mark.set); i < sets.length; i++) {
      const p = sets[i].accounts.get(address);
      if (p) return p;
    }
    return undefined;
  }

  /** The first record of the slot from the mark on (absent account: 0n), else undefined. */
  slotAt(mark: StateMark, address: bigint, slot: bigint, source: StateSource | undefined): bigint | undefined {
    if (mark.set.dead) throw new Error("state history: read at a mark that was reverted past");
    const sets = this.sets;
    for (let i = this.indexOf(mark.set); i < sets.length; i++) {
      const p = sets[i].accounts.get(address);
      if (!p) continue;
      if (!p.account) return 0n;
      const v = p.slots.get(slot);
      if (v !== undefined) return v;
      if (p.storageReplaced) return p.account.storageComplete || !source ? 0n : source.loadStorage(address, slot);
    }
    return undefined;
  }

  /** Every address recorded from the mark on (accounts that may differ from the head's). */
  *recordedAddresses(mark: StateMark): IterableIterator<bigint> {
    for (let i = this.indexOf(mark.set); i < this.sets.length; i++) yield* this.sets[i].accounts.keys();
  }

  /** Every slot of the account recorded from the mark on. */
  recordedSlots(mark: StateMark, address: bigint): bigint[] {
    const out: bigint[] = [];
    for (let i = this.indexOf(mark.set); i < this.sets.length; i++) {
      const p = this.sets[i].accounts.get(address);
      if (p) out.push(...p.slots.keys());
    }
    return out;
  }

  stats(): HistoryStats {
    let accounts = 0, slots = 0;
    for (const s of this.sets) {
      accounts += s.accounts.size;
      for (const p of s.accounts.values()) slots += p.slots.size;
    }
    return { sets: this.sets.length, accounts, slots, marks: this.marks };
  }
}

/** Reads the state at a mark: the first record from the mark on, else the head. */
class HistoryReader implements StateSource {
  constructor(
    private readonly history: StateHistory,
    private readonly mark: StateMark,
    private readonly source: StateSource | undefined,
  ) {}

  loadAccount(address: bigint): Account | undefined {
    const p = this.history.priorAt(this.mark, address);
    if (p) {
      const f = p.account;
      if (!f) return undefined;
      const acc = new Account(f.nonce, f.balance, f.code, undefined, f.codeHash);
      acc.storageComplete = false; // slots come through loadStorage
      return acc;
    }
    return this.history.head.getAccount(address)?.lazyCopy();
  }

  loadStorage(address: bigint, slot: bigint): bigint {
    return this.history.slotAt(this.mark, address, slot, this.source) ?? this.history.head.readStorage(address, slot);
  }

  *addresses(): IterableIterator<bigint> {
    for (const [address] of this.history.head.everyAccount()) yield address;
    yield* this.history.recordedAddresses(this.mark);
  }

  hasStorage(address: bigint): boolean {
    // Rare (a CREATE onto an address without code or nonce): every slot in memory, valued at the mark.
    const slots = new Set<bigint>(this.history.head.getAccount(address)?.storageIfAny?.keys() ?? []);
    for (const s of this.history.recordedSlots(this.mark, address)) slots.add(s);
    for (const s of slots) if (this.loadStorage(address, s) !== 0n) return true;
    return false;
  }
}
