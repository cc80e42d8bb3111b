/**
 * State roots block after block without rehashing the whole state: each
 * account's storage trie and the account trie are kept and updated with what
 * changed since the last root (found by comparing against a copy of what was
 * hashed, which costs map lookups, not hashes).
 */
import { keccak256 } from "../primitives/hash.ts";
import { bigIntToBytes, bigIntToMinimalBytes, bytesEqual } from "../primitives/hex.ts";
import { rlpEncode } from "../primitives/rlp.ts";
import { keyNibbles, trieDelete, type TrieNode, trieNodeRoot, trieSet } from "../state/incremental_trie.ts";
import type { WorldState } from "../state/world.ts";
import { EMPTY_BYTES as EMPTY } from "../primitives/byte_slab.ts";

interface AccountEntry {
  /** The storage as last hashed (non-zero values only). */
  storage: Map<bigint, bigint>;
  storageTrie?: TrieNode;
  leaf: Uint8Array;
}

export class StateRootTracker {
  private accounts = new Map<bigint, AccountEntry>();
  private stateTrie?: TrieNode;
  private slotPaths = new Map<bigint, Uint8Array>();

  private slotPath(slot: bigint): Uint8Array {
    let p = this.slotPaths.get(slot);
    if (!p) {
      p = keyNibbles(keccak256(bigIntToBytes(slot)));
      if (this.slotPaths.size > 1_000_000) this.slotPaths.clear();
      this.slotPaths.set(slot, p);
    }
    return p;
  }

  private syncStorage(entry: AccountEntry, storage: Map<bigint, bigint>): void {
    for (const [slot, value] of storage) {
      const known = entry.storage.get(slot) ?? 0n;
      if (known === value) continue;
      if (value === 0n) {
        entry.storageTrie = trieDelete(entry.storageTrie, this.slotPath(slot));
        entry.storage.delete(slot);
      } else {
        entry.storageTrie = trieSet(entry.storageTrie, this.slotPath(slot), rlpEncode(bigIntToMinimalBytes(value)));
        entry.storage.set(slot, value);
      }
    }
    // Slots gone from the map (storage cleared or replaced wholesale).
    for (const slot of entry.storage.keys()) {
      if (!storage.has(slot)) {
        entry.storageTrie = trieDelete(entry.storageTrie, this.slotPath(slot));
        entry.storage.delete(slot);
      }
    }
  }

  /** The state root of `world`, updating the kept tries with the differences. */
  root(world: WorldState): Uint8Array {
    const seen = new Set<bigint>();
    for (const [address, acc] of world.entries()) {
      seen.add(address);
      let entry = this.accounts.get(address);
      if (!entry) this.accounts.set(address, entry = { storage: new Map(), leaf: EMPTY });
      this.syncStorage(entry, acc.storage);
      const leaf = rlpEncode([
        bigIntToMinimalBytes(acc.nonce),
        bigIntToMinimalBytes(acc.balance),
        trieNodeRoot(entry.storageTrie),
        acc.codeHash,
      ]);
      if (!bytesEqual(leaf, entry.leaf)) {
        this.stateTrie = trieSet(this.stateTrie, keyNibbles(keccak256(bigIntToBytes(address, 20))), leaf);
        entry.leaf = leaf;
      }
    }
    for (const address of [...this.accounts.keys()]) {
      if (!seen.has(address)) {
        this.stateTrie = trieDelete(this.stateTrie, keyNibbles(keccak256(bigIntToBytes(address, 20))));
        this.accounts.delete(address);
      }
    }
    return trieNodeRoot(this.stateTrie);
  }
}
