/**
 * State of a remote chain at a pinned block, as a synchronous StateSource.
 * Reads come from memory (filled from the disk cache and the upstream). A key
 * not there yet throws StateMissError, or, while misses are being collected,
 * reads as absent (zero) and is recorded: a run then finds every key it
 * reaches, they are fetched in one batched round trip, and the run is
 * repeated on them (`runWithFork`; the fork runner does the same per method).
 */
import { Account } from "../state/account.ts";
import type { StateSource } from "../state/world.ts";
import { bigIntToHex, bytesToHex, hexAddress, hexToBigInt, hexToBytes } from "../primitives/hex.ts";
import { StateMissError, type StateKey, UpstreamError } from "./errors.ts";
import type { UpstreamClient } from "./upstream.ts";
import { cacheFilePath, type ForkCacheData, loadForkCache, saveForkCache } from "./disk_cache.ts";
import { removeStaleTemporaryFiles } from "../cache_dir.ts";
import { nodePath } from "../runtime.ts";

interface AccountData {
  nonce: bigint;
  balance: bigint;
  code: Uint8Array;
}

export interface ForkSourceOptions {
  chainId: bigint;
  blockNumber: bigint;
  /** The pinned block's hash, part of the disk cache's key. */
  blockHash?: string;
  /** Folder of the persistent cache; null disables it (--no-storage-caching). */
  cacheDir: string | null;
  log?: (line: string) => void;
}

export interface ForkSourceStats {
  roundTrips: number;
  cacheHits: number;
  cacheMisses: number;
  keysFetched: number;
  diskKeysLoaded: number;
}

export class ForkStateSource implements StateSource {
  readonly stats: ForkSourceStats = { roundTrips: 0, cacheHits: 0, cacheMisses: 0, keysFetched: 0, diskKeysLoaded: 0 };
  private accounts = new Map<bigint, AccountData | null>();
  private storage = new Map<bigint, Map<bigint, bigint>>();
  private blockHashes = new Map<bigint, bigint>();
  private dirty = false;
  /** Keys read while collecting that were not cached (they read as absent or zero). */
  private collected?: Map<string, StateKey>;
  private readonly cacheFile: string | null;
  private readonly blockTag: string;

  constructor(readonly client: UpstreamClient, readonly opts: ForkSourceOptions) {
    this.blockTag = bigIntToHex(opts.blockNumber);
    this.cacheFile = opts.cacheDir ? cacheFilePath(opts.cacheDir, opts.chainId, opts.blockNumber, opts.blockHash) : null;
    if (this.cacheFile) {
      removeStaleTemporaryFiles(nodePath().dirname(this.cacheFile), 0);
      this.loadDisk(this.cacheFile);
    }
  }

  // ---- collecting misses ----

  /** From now on a key not cached reads as absent (zero) and is recorded, instead of throwing. */
  collectMisses(): void {
    this.collected = new Map();
  }

  /** Stops collecting; the keys missed since collectMisses. */
  takeMisses(): StateKey[] {
    const keys = [...(this.collected?.values() ?? [])];
    this.collected = undefined;
    return keys;
  }

  private miss(key: StateKey): void {
    this.stats.cacheMisses++;
    if (!this.collected) throw new StateMissError(key);
    this.collected.set(keyId(key), key);
  }

  // ---- StateSource (synchronous; a miss throws StateMissError unless collecting) ----

  loadAccount(address: bigint): Account | undefined {
    const a = this.accounts.get(address);
    if (a === undefined) {
      this.miss({ kind: "account", address });
      return undefined;
    }
    this.stats.cacheHits++;
    if (a === null) return undefined;
    const acc = new Account(a.nonce, a.balance, a.code);
    acc.storageComplete = false;
    return acc;
  }

  loadStorage(address: bigint, slot: bigint): bigint {
    const acc = this.accounts.get(address);
    if (acc === null) return 0n; // absent upstream: nothing to read
    const v = this.storage.get(address)?.get(slot);
    if (v === undefined) {
      this.miss({ kind: "storage", address, slot });
      return 0n;
    }
    this.stats.cacheHits++;
    return v;
  }

  blockHash(number: bigint): bigint {
    const h = this.blockHashes.get(number);
    if (h === undefined) {
      this.miss({ kind: "blockHash", number });
      return 0n;
    }
    this.stats.cacheHits++;
    return h;
  }

  has(key: StateKey): boolean {
    switch (key.kind) {
      case "account":
        return this.accounts.has(key.address);
      case "storage":
        return this.accounts.get(key.address) === null || this.storage.get(key.address)?.has(key.slot) === true;
      case "blockHash":
        return this.blockHashes.has(key.number);
    }
  }

  // ---- fetching ----

  /** Fetches every key not cached yet, in one batched round trip. */
  async fetch(keys: StateKey[]): Promise<void> {
    const wanted = new Map<string, StateKey>();
    for (const k of keys) {
      if (this.has(k)) continue;
      // Reading a slot of an account we have not seen: fetch the account in the same trip.
      if (k.kind === "storage" && !this.accounts.has(k.address)) {
        wanted.set(`a${k.address}`, { kind: "account", address: k.address });
      }
      wanted.set(keyId(k), k);
    }
    if (wanted.size === 0) return;
    this.stats.roundTrips++;
    await Promise.all([...wanted.values()].map((k) => this.fetchOne(k)));
    this.stats.keysFetched += wanted.size;
    this.dirty = true;
  }

  private async fetchOne(k: StateKey): Promise<void> {
    const c = this.client;
    switch (k.kind) {
      case "account": {
        const addr = hexAddress(k.address);
        const [balance, nonce, code] = await Promise.all([
          c.request<string>("eth_getBalance", [addr, this.blockTag]),
          c.request<string>("eth_getTransactionCount", [addr, this.blockTag]),
          c.request<string>("eth_getCode", [addr, this.blockTag]),
        ]);
        const data = {
          balance: parseQuantity(balance, "eth_getBalance"),
          nonce: parseQuantity(nonce, "eth_getTransactionCount"),
          code: parseData(code, "eth_getCode"),
        };
        // The upstream cannot tell an absent account from an empty one, and an empty one may hold storage:
        // both are kept as an empty account whose storage is still fetched on demand.
        this.accounts.set(k.address, data);
        return;
      }
      case "storage": {
        const addr = hexAddress(k.address);
        const v = await c.request<string>("eth_getStorageAt", [addr, bigIntToHex(k.slot), this.blockTag]);
        let m = this.storage.get(k.address);
        if (!m) this.storage.set(k.address, (m = new Map()));
        m.set(k.slot, parseQuantity(v, "eth_getStorageAt"));
        return;
      }
      case "blockHash": {
        const block = await c.request<{ hash?: string } | null>("eth_getBlockByNumber", [bigIntToHex(k.number), false]);
        if (!block || typeof block.hash !== "string") throw new UpstreamError(`upstream has no block ${k.number}`);
        this.blockHashes.set(k.number, parseQuantity(block.hash, "block hash"));
        return;
      }
    }
  }

  /**
   * Asks the upstream which accounts and slots a call touches (eth_createAccessList
   * at the pinned block), then fetches them all. Upstreams without the method
   * are tolerated: the call then discovers its keys by misses.
   */
  async prefetchForCall(call: Record<string, unknown>, alsoFetch: StateKey[] = []): Promise<void> {
    // Keys we can name before asking go out in the same trip as the access-list request.
    const before = this.stats.roundTrips;
    const first = this.fetch(alsoFetch);
    if (this.stats.roundTrips === before) this.stats.roundTrips++;
    let list: { accessList?: { address: string; storageKeys?: string[] }[] } | undefined;
    try {
      list = await this.client.request("eth_createAccessList", [call, this.blockTag]);
    } catch {
      list = undefined;
    }
    await first;
    const keys: StateKey[] = [];
    for (const e of list?.accessList ?? []) {
      try {
        const address = hexToBigInt(e.address);
        keys.push({ kind: "account", address });
        for (const s of e.storageKeys ?? []) keys.push({ kind: "storage", address, slot: hexToBigInt(s) });
      } catch { /* an odd entry from the upstream is only a missed hint */ }
    }
    await this.fetch(keys);
  }

  // ---- persistence ----

  private loadDisk(file: string): void {
    const { data, discarded } = loadForkCache(file, this.opts.chainId, this.opts.blockNumber);
    if (discarded) this.opts.log?.(`fork cache: ${discarded}`);
    try {
      for (const [a, v] of Object.entries(data.accounts)) {
        this.accounts.set(BigInt(a), v === null ? null : { nonce: BigInt(v.nonce), balance: BigInt(v.balance), code: hexToBytes(v.code) });
      }
      for (const [a, slots] of Object.entries(data.storage)) {
        const m = new Map<bigint, bigint>();
        for (const [s, v] of Object.entries(slots)) m.set(BigInt(s), BigInt(v));
        this.storage.set(BigInt(a), m);
      }
      for (const [n, h] of Object.entries(data.blockHashes)) this.blockHashes.set(BigInt(n), BigInt(h));
      this.stats.diskKeysLoaded = this.accounts.size + this.blockHashes.size +
        [...this.storage.values()].reduce((n, m) => n + m.size, 0);
    } catch {
      this.accounts.clear();
      this.storage.clear();
      this.blockHashes.clear();
      this.opts.log?.(`fork cache: ${file}: entries malformed; discarded`);
    }
  }

  /** Writes the cache to disk if anything was fetched since the last save. */
  save(): void {
    if (!this.cacheFile || !this.dirty) return;
    const data: ForkCacheData = { accounts: {}, storage: {}, blockHashes: {} };
    for (const [a, v] of this.accounts) {
      data.accounts[a.toString()] = v === null ? null : { nonce: v.nonce.toString(), balance: v.balance.toString(), code: bytesToHex(v.code) };
    }
    for (const [a, m] of this.storage) {
      const slots: Record<string, string> = {};
      for (const [s, v] of m) slots[s.toString()] = v.toString();
      data.storage[a.toString()] = slots;
    }
    for (const [n, h] of this.blockHashes) data.blockHashes[n.toString()] = h.toString();
    try {
      saveForkCache(this.cacheFile, this.opts.chainId, this.opts.blockNumber, data);
      this.dirty = false;
    } catch (e) {
      this.opts.log?.(`fork cache: cannot write ${this.cacheFile}: ${(e as Error).message}`);
    }
  }
}

function keyId(k: StateKey): string {
  return k.kind === "account" ? `a${k.address}` : k.kind === "storage" ? `s${k.address}:${k.slot}` : `b${k.number}`;
}

function parseQuantity(v: unknown, what: string): bigint {
  if (typeof v !== "string") throw new UpstreamError(`upstream returned a non-string for ${what}: ${JSON.stringify(v)?.slice(0, 80)}`);
  try {
    return hexToBigInt(v, what);
  } catch {
    throw new UpstreamError(`upstream returned bad hex for ${what}: ${JSON.stringify(v.slice(0, 80))}`);
  }
}

function parseData(v: unknown, what: string): Uint8Array {
  if (typeof v !== "string") throw new UpstreamError(`upstream returned a non-string for ${what}`);
  try {
    return hexToBytes(v, what);
  } catch {
    throw new UpstreamError(`upstream returned bad hex for ${what}: ${JSON.stringify(v.slice(0, 80))}`);
  }
}

/**
 * Runs `attempt` until it completes without a miss: each run reads the keys not cached yet as absent or zero and
 * records them; `undo(missed)` puts back what the run changed and forgets what it read of the missed keys, they
 * are fetched in one round trip, and it runs again. Each round fetches at least one new key, so it ends.
 */
export async function runWithFork<T>(
  source: ForkStateSource,
  attempt: () => T,
  undo: (missed: StateKey[]) => void,
): Promise<T> {
  for (;;) {
    source.collectMisses();
    let result: T | undefined, error: unknown, failed = false;
    try {
      result = attempt();
    } catch (e) {
      error = e;
      failed = true;
    }
    const missed = source.takeMisses();
    if (missed.length === 0) {
      if (failed) throw error;
      return result as T;
    }
    undo(missed);
    await source.fetch(missed);
  }
}
