/**
 * Merkle-Patricia proofs (EIP-1186 eth_getProof): the encoded nodes on the
 * path from the root to a key, over the same trie that trie.ts hashes.
 * Nodes embedded in their parent (encoded in under 32 bytes) are not listed,
 * except the root, as geth does.
 */
import { EMPTY_CODE_HASH, keccak256 } from "../primitives/hash.ts";
import { bigIntToBytes, bytesToBigInt } from "../primitives/hex.ts";
import { rlpDecode, rlpEncode, type RlpInput } from "../primitives/rlp.ts";
import { keyNibbles, leafValue, type TrieNode, trieGet, trieNodeRoot, trieProof } from "./incremental_trie.ts";
import { EMPTY_TRIE_ROOT, hexPrefix, reference, toNibbles } from "./trie.ts";
import { EMPTY_BYTES } from "../primitives/byte_slab.ts";

/** A trie over sorted nibble keys, built once; proofs walk it by key (the reference for the incremental trie's proofs). */
export class ProofTrie {
  private keys: Uint8Array[];
  private values: Uint8Array[];

  constructor(entries: Iterable<[Uint8Array, Uint8Array]>) {
    const pairs = [...entries].filter(([, v]) => v.length > 0).map(([k, v]) => [toNibbles(k), v] as const);
    pairs.sort((a, b) => compare(a[0], b[0]));
    this.keys = pairs.map((p) => p[0]);
    this.values = pairs.map((p) => p[1]);
  }

  private commonEnd(lo: number, hi: number, depth: number): number {
    const first = this.keys[lo], last = this.keys[hi - 1];
    let common = depth;
    while (common < first.length && first[common] === last[common]) common++;
    return common;
  }

  private node(lo: number, hi: number, depth: number): RlpInput {
    const keys = this.keys;
    if (hi - lo === 1) return [hexPrefix(keys[lo], depth, keys[lo].length, true), this.values[lo]];
    const common = this.commonEnd(lo, hi, depth);
    if (common > depth) return [hexPrefix(keys[lo], depth, common, false), reference(this.node(lo, hi, common))];
    const branch: RlpInput[] = new Array(17);
    let i = lo;
    for (let nibble = 0; nibble < 16; nibble++) {
      let j = i;
      while (j < hi && keys[j][depth] === nibble) j++;
      branch[nibble] = j > i ? reference(this.node(i, j, depth + 1)) : EMPTY_BYTES;
      i = j;
    }
    branch[16] = EMPTY_BYTES;
    return branch;
  }

  root(): Uint8Array {
    return this.keys.length === 0 ? EMPTY_TRIE_ROOT : keccak256(rlpEncode(this.node(0, this.keys.length, 0)));
  }

  /** The proof nodes for `key` (present or not). */
  prove(key: Uint8Array): Uint8Array[] {
    if (this.keys.length === 0) return [];
    const target = toNibbles(key);
    const proof: Uint8Array[] = [];
    let lo = 0, hi = this.keys.length, depth = 0;
    for (let isRoot = true;; isRoot = false) {
      const encoded = rlpEncode(this.node(lo, hi, depth));
      if (isRoot || encoded.length >= 32) proof.push(encoded);
      if (hi - lo === 1) return proof; // a leaf: the key's own, or the one proving it absent
      const common = this.commonEnd(lo, hi, depth);
      if (common > depth) {
        // An extension: follow it only if the key shares its path; its child is a branch at `common`.
        for (let i = depth; i < common; i++) if (target[i] !== this.keys[lo][i]) return proof;
        depth = common;
        continue;
      }
      let i = lo;
      while (i < hi && this.keys[i][depth] < target[depth]) i++;
      let j = i;
      while (j < hi && this.keys[j][depth] === target[depth]) j++;
      if (j === i) return proof;
      lo = i;
      hi = j;
      depth++;
    }
  }
}

function compare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export interface AccountProof {
  /** The account's fields as the trie holds them (zero for an absent account). */
  nonce: bigint;
  balance: bigint;
  codeHash: Uint8Array;
  accountProof: Uint8Array[];
  storageHash: Uint8Array;
  storageProof: { key: bigint; value: bigint; proof: Uint8Array[] }[];
}


function quantity(item: RlpInput): bigint {
  return bytesToBigInt(item as Uint8Array);
}

/**
 * The account and storage proofs of eth_getProof from an account trie whose leaves hold their storage tries
 * (chain/state_root.ts), with the values read from the same trie.
 */
export function proveInTrie(stateTrie: TrieNode | undefined, address: bigint, slots: bigint[]): AccountProof {
  const path = keyNibbles(keccak256(bigIntToBytes(address, 20)));
  const leaf = trieGet(stateTrie, path);
  const storage = leaf?.extra as TrieNode | undefined;
  const fields = leaf ? rlpDecode(leafValue(leaf)) as RlpInput[] : undefined;
  return {
    nonce: fields ? quantity(fields[0]) : 0n,
    balance: fields ? quantity(fields[1]) : 0n,
    // An absent account reads as an empty one (EIP-1186's hash of no code, as anvil and reth answer).
    codeHash: fields ? fields[3] as Uint8Array : EMPTY_CODE_HASH,
    accountProof: trieProof(stateTrie, path),
    storageHash: leaf ? trieNodeRoot(storage) : EMPTY_TRIE_ROOT,
    storageProof: slots.map((key) => {
      const slotPath = keyNibbles(keccak256(bigIntToBytes(key)));
      const slot = trieGet(storage, slotPath);
      return { key, value: slot ? quantity(rlpDecode(leafValue(slot))) : 0n, proof: trieProof(storage, slotPath) };
    }),
  };
}
