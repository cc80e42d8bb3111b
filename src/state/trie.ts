/**
 * Merkle-Patricia trie root of a set of key/value pairs, built in one pass
 * over the sorted keys (no persistent nodes: we only need roots).
 */
import { keccak256 } from "../primitives/hash.ts";
import { rlpEncode, type RlpInput } from "../primitives/rlp.ts";
import { hexToBytes } from "../primitives/hex.ts";
import { EMPTY_BYTES } from "../primitives/byte_slab.ts";

/** keccak256(rlp("")): the root of an empty trie (written out: see EMPTY_CODE_HASH). */
export const EMPTY_TRIE_ROOT = hexToBytes("0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");

export function toNibbles(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    out[2 * i] = key[i] >> 4;
    out[2 * i + 1] = key[i] & 15;
  }
  return out;
}

/** Hex-prefix encoding of a nibble path (Yellow Paper appendix C). */
export function hexPrefix(nibbles: Uint8Array, from: number, to: number, leaf: boolean): Uint8Array {
  const len = to - from;
  const odd = len % 2;
  const out = new Uint8Array(1 + (len >> 1));
  out[0] = ((leaf ? 2 : 0) + odd) << 4;
  let i = from;
  if (odd) out[0] |= nibbles[i++];
  for (let j = 1; i < to; i += 2, j++) out[j] = (nibbles[i] << 4) | nibbles[i + 1];
  return out;
}

/** A node reference: the node's RLP when shorter than 32 bytes, else its hash. */
export function reference(node: RlpInput): RlpInput {
  const encoded = rlpEncode(node);
  return encoded.length < 32 ? node : keccak256(encoded);
}

function build(keys: Uint8Array[], values: Uint8Array[], lo: number, hi: number, depth: number): RlpInput {
  if (hi - lo === 1) return [hexPrefix(keys[lo], depth, keys[lo].length, true), values[lo]];
  // Longest common prefix of the sorted range is the prefix of its first and last keys.
  const first = keys[lo], last = keys[hi - 1];
  let common = depth;
  while (common < first.length && first[common] === last[common]) common++;
  if (common > depth) {
    const child = build(keys, values, lo, hi, common);
    return [hexPrefix(first, depth, common, false), reference(child)];
  }
  const branch: RlpInput[] = new Array(17);
  let value: Uint8Array = EMPTY_BYTES;
  let i = lo;
  if (keys[i].length === depth) value = values[i++];
  for (let nibble = 0; nibble < 16; nibble++) {
    let j = i;
    while (j < hi && keys[j][depth] === nibble) j++;
    branch[nibble] = j > i ? reference(build(keys, values, i, j, depth + 1)) : EMPTY_BYTES;
    i = j;
  }
  branch[16] = value;
  return branch;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Root hash of a trie holding these pairs. Keys must be distinct; empty values are omitted. */
export function trieRoot(entries: Iterable<[Uint8Array, Uint8Array]>): Uint8Array {
  const pairs = [...entries].filter(([, v]) => v.length > 0).sort((a, b) => compareBytes(a[0], b[0]));
  if (pairs.length === 0) return EMPTY_TRIE_ROOT;
  const keys = pairs.map(([k]) => toNibbles(k));
  const values = pairs.map(([, v]) => v);
  return keccak256(rlpEncode(build(keys, values, 0, keys.length, 0)));
}
