/**
 * State roots block after block at the cost of what changed: the account
 * trie (each leaf holding its account's storage trie beside it) is updated
 * with the accounts and slots the head's history reports dirty since the last
 * root. Trie nodes are never changed in place, so the trie as it was at a
 * block stays whole for that block's proofs while later blocks share its
 * untouched subtrees.
 */
import { keccak256 } from "../primitives/hash.ts";
import { bigIntToBytes, bigIntToMinimalBytes } from "../primitives/hex.ts";
import { rlpEncode } from "../primitives/rlp.ts";
import { keyNibbles, trieDelete, trieGet, type TrieNode, trieNodeRoot, trieSet } from "../state/incremental_trie.ts";
import { ALL_SLOTS, type DirtySlots } from "../state/history.ts";
import type { WorldState } from "../state/world.ts";

/** Hashed slot keys, kept for the slots written most (a mapping's hot entries): bounded. */
const SLOT_PATHS_KEPT = 65_536;
const slotPaths = new Map<bigint, string>();

export function slotPath(slot: bigint): string {
  let p = slotPaths.get(slot);
  if (!p) {
    p = keyNibbles(keccak256(bigIntToBytes(slot)));
    if (slotPaths.size >= SLOT_PATHS_KEPT) slotPaths.clear();
    slotPaths.set(slot, p);
  }
  return p;
}

export function addressPath(address: bigint): string {
  return keyNibbles(keccak256(bigIntToBytes(address, 20)));
}

/** The storage trie of the account at `address` in an account trie. */
export function storageTrieOf(stateTrie: TrieNode | undefined, address: bigint): TrieNode | undefined {
  return trieGet(stateTrie, addressPath(address))?.extra as TrieNode | undefined;
}

export class StateRootTracker {
  private stateTrie?: TrieNode;

  /** The account trie as of the last update. */
  get trie(): TrieNode | undefined {
    return this.stateTrie;
  }

  /** Goes back to an earlier account trie (an abandoned block); the changes undone since are reported dirty. */
  reset(trie: TrieNode | undefined): void {
    this.stateTrie = trie;
  }

  /** Applies the changes to `world` reported in `dirty`; returns the account trie. */
  update(world: WorldState, dirty: Map<bigint, DirtySlots>): TrieNode | undefined {
    let trie = this.stateTrie;
    for (const [address, slots] of dirty) {
      const path = addressPath(address);
      const acc = world.loadedAccount(address);
      if (!acc) {
        trie = trieDelete(trie, path);
        continue;
      }
      let storage: TrieNode | undefined;
      if (slots === ALL_SLOTS) {
        for (const [slot, v] of acc.storageIfAny ?? []) {
          if (v !== 0n) storage = trieSet(storage, slotPath(slot), rlpEncode(bigIntToMinimalBytes(v)));
        }
      } else {
        storage = trieGet(trie, path)?.extra as TrieNode | undefined;
        for (const slot of slots) {
          const v = acc.storage.get(slot) ?? 0n;
          storage = v === 0n
            ? trieDelete(storage, slotPath(slot))
            : trieSet(storage, slotPath(slot), rlpEncode(bigIntToMinimalBytes(v)));
        }
      }
      const leaf = rlpEncode([
        bigIntToMinimalBytes(acc.nonce),
        bigIntToMinimalBytes(acc.balance),
        trieNodeRoot(storage),
        acc.codeHash,
      ]);
      trie = trieSet(trie, path, leaf, storage);
    }
    this.stateTrie = trie;
    return trie;
  }

  /** The state root after applying `dirty`. */
  root(world: WorldState, dirty: Map<bigint, DirtySlots>): Uint8Array {
    return trieNodeRoot(this.update(world, dirty));
  }
}
