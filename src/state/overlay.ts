/**
 * A StateSource that reads through to another world state without changing
 * it: calls, estimates and simulations run on a WorldState over this source
 * and are thrown away, leaving the chain's state untouched. Reads are
 * copy-on-write: an account comes over without its storage, and each slot is
 * read from the base when first asked for, so a call into a contract with a
 * large storage pays for the slots it reads.
 */
import type { Account } from "./account.ts";
import { type StateSource, WorldState } from "./world.ts";

export class WorldStateReader implements StateSource {
  /** Accounts whose storage was replaced wholesale above this reader: their other slots read as zero. */
  private replaced = new Set<bigint>();

  constructor(private readonly base: WorldState) {}

  loadAccount(address: bigint): Account | undefined {
    return this.base.getAccount(address)?.lazyCopy();
  }

  loadStorage(address: bigint, slot: bigint): bigint {
    return this.replaced.has(address) ? 0n : this.base.readStorage(address, slot);
  }

  hasStorage(address: bigint): boolean {
    return !this.replaced.has(address) && this.base.hasStorage(address);
  }

  *addresses(): IterableIterator<bigint> {
    for (const [address] of this.base.everyAccount()) yield address;
  }

  markStorageReplaced(address: bigint): void {
    this.replaced.add(address);
  }
}

/** A scratch world state over `base`: writes stay in the scratch copy. */
export function scratchState(base: WorldState): { world: WorldState; reader: WorldStateReader } {
  const reader = new WorldStateReader(base);
  return { world: new WorldState(reader), reader };
}
