/**
 * Installed filters (eth_newFilter, eth_newBlockFilter,
 * eth_newPendingTransactionFilter): each gathers what arrives after it is
 * installed until eth_getFilterChanges collects it. Unpolled filters expire.
 */
import type { Block } from "./block.ts";
import type { DevChain } from "./chain.ts";
import { ChainError, LimitExceededError } from "./errors.ts";
import { type FoundLog, type LogFilter, logsOfBlock } from "./logs.ts";

export const FILTER_TIMEOUT_MS = 5 * 60 * 1000;
export const MAX_FILTERS = 10_000;

type Installed =
  | { kind: "logs"; filter: LogFilter; pendingLogs: FoundLog[]; polledAt: number }
  | { kind: "blocks"; pendingHashes: Uint8Array[]; polledAt: number }
  | { kind: "transactions"; pendingHashes: Uint8Array[]; polledAt: number };

export class FilterNotFoundError extends ChainError {
  override name = "FilterNotFoundError";
  constructor() {
    super("filter not found");
  }
}

export class FilterRegistry {
  private filters = new Map<string, Installed>();
  private nextId = 1n;
  private unsubscribe: () => void;

  constructor(private readonly chain: DevChain, private readonly now: () => number = Date.now) {
    this.unsubscribe = chain.subscribe({
      onBlock: (block) => this.onBlock(block),
      onPendingTransaction: (hash) => {
        for (const f of this.filters.values()) if (f.kind === "transactions") f.pendingHashes.push(hash);
      },
    });
  }

  close(): void {
    this.unsubscribe();
  }

  private onBlock(block: Block): void {
    for (const f of this.filters.values()) {
      if (f.kind === "blocks") f.pendingHashes.push(block.hash);
      else if (f.kind === "logs") {
        const n = block.header.number;
        if (n >= f.filter.fromBlock && n <= f.filter.toBlock) f.pendingLogs.push(...logsOfBlock(block, f.filter));
      }
    }
  }

  private add(f: Installed): string {
    this.expire();
    if (this.filters.size >= MAX_FILTERS) {
      throw new LimitExceededError(`too many installed filters (at most ${MAX_FILTERS})`);
    }
    const id = "0x" + (this.nextId++).toString(16);
    this.filters.set(id, f);
    return id;
  }

  newLogFilter(filter: LogFilter): string {
    return this.add({ kind: "logs", filter, pendingLogs: [], polledAt: this.now() });
  }

  newBlockFilter(): string {
    return this.add({ kind: "blocks", pendingHashes: [], polledAt: this.now() });
  }

  newPendingTransactionFilter(): string {
    return this.add({ kind: "transactions", pendingHashes: [], polledAt: this.now() });
  }

  uninstall(id: string): boolean {
    return this.filters.delete(id.toLowerCase());
  }

  get(id: string): Installed {
    this.expire();
    const f = this.filters.get(id.toLowerCase());
    if (!f) throw new FilterNotFoundError();
    return f;
  }

  /** What arrived since the last poll. */
  changes(id: string): { logs?: FoundLog[]; hashes?: Uint8Array[] } {
    const f = this.get(id);
    f.polledAt = this.now();
    if (f.kind === "logs") {
      const logs = f.pendingLogs;
      f.pendingLogs = [];
      return { logs };
    }
    const hashes = f.pendingHashes;
    f.pendingHashes = [];
    return { hashes };
  }

  private expire(): void {
    const limit = this.now() - FILTER_TIMEOUT_MS;
    for (const [id, f] of this.filters) if (f.polledAt < limit) this.filters.delete(id);
  }
}
