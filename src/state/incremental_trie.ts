/**
 * A Merkle-Patricia trie over fixed-length (hashed, 32-byte) keys that is
 * updated one key at a time: an update makes new nodes along one path and
 * keeps every other subtree with its cached hash, so a root after a few
 * changes costs a few hashes instead of rehashing everything (trie.ts does
 * the latter, from scratch, and stays the reference).
 */
import { keccak256 } from "../primitives/hash.ts";
import { rlpEncode, type RlpInput } from "../primitives/rlp.ts";
import { EMPTY_TRIE_ROOT } from "./trie.ts";
import { EMPTY_BYTES as EMPTY } from "../primitives/byte_slab.ts";

interface Leaf {
  kind: "leaf";
  path: Uint8Array;
  value: Uint8Array;
  /** Kept with the value, not hashed: an account leaf holds its storage trie here. */
  extra?: unknown;
  ref?: RlpInput;
}
interface Extension {
  kind: "ext";
  path: Uint8Array;
  child: Branch;
  ref?: RlpInput;
}
interface Branch {
  kind: "branch";
  children: (TrieNode | undefined)[];
  ref?: RlpInput;
}
export type TrieNode = Leaf | Extension | Branch;

export function keyNibbles(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    out[2 * i] = key[i] >> 4;
    out[2 * i + 1] = key[i] & 15;
  }
  return out;
}

function hexPrefix(nibbles: Uint8Array, leaf: boolean): Uint8Array {
  const odd = nibbles.length % 2;
  const out = new Uint8Array(1 + (nibbles.length >> 1));
  out[0] = ((leaf ? 2 : 0) + odd) << 4;
  let i = 0;
  if (odd) out[0] |= nibbles[i++];
  for (let j = 1; i < nibbles.length; i += 2, j++) out[j] = (nibbles[i] << 4) | nibbles[i + 1];
  return out;
}

function raw(node: TrieNode): RlpInput {
  switch (node.kind) {
    case "leaf":
      return [hexPrefix(node.path, true), node.value];
    case "ext":
      return [hexPrefix(node.path, false), reference(node.child)];
    case "branch": {
      const items: RlpInput[] = node.children.map((c) => (c ? reference(c) : EMPTY));
      items.push(EMPTY);
      return items;
    }
  }
}

/** The node as its parent holds it: inline when its encoding is under 32 bytes, else its hash. */
function reference(node: TrieNode): RlpInput {
  if (node.ref === undefined) {
    const r = raw(node);
    const encoded = rlpEncode(r);
    if (encoded.length < 32) node.ref = r;
    else if (node.kind === "leaf") packLeaf(node, keccak256(encoded));
    else node.ref = keccak256(encoded);
  }
  return node.ref!;
}

/**
 * Gives a leaf's path, value and hash one buffer (the same bytes as views): a trie keeps a leaf per account
 * or slot for as long as the state has it, and each array with a buffer of its own costs some 260 bytes.
 */
function packLeaf(node: Leaf, hash: Uint8Array): void {
  const p = node.path.length, v = node.value.length;
  const buffer = new Uint8Array(p + v + hash.length);
  buffer.set(node.path);
  buffer.set(node.value, p);
  buffer.set(hash, p + v);
  node.path = buffer.subarray(0, p);
  node.value = buffer.subarray(p, p + v);
  node.ref = buffer.subarray(p + v);
}

// Nodes are made with every field present (ref too), so that each kind keeps one shape with its fields inline.
function leaf(path: Uint8Array, value: Uint8Array, extra: unknown): Leaf {
  return { kind: "leaf", path, value, extra, ref: undefined };
}

function ext(path: Uint8Array, child: Branch): Extension {
  return { kind: "ext", path, child, ref: undefined };
}

function branch(children: (TrieNode | undefined)[]): Branch {
  return { kind: "branch", children, ref: undefined };
}

export function trieNodeRoot(root: TrieNode | undefined): Uint8Array {
  if (!root) return EMPTY_TRIE_ROOT;
  const r = reference(root);
  // A reference is the hash unless the node is small enough to be inlined; the root is hashed either way.
  return r instanceof Uint8Array ? r : keccak256(rlpEncode(r));
}

function commonPrefix(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** A node under `prefix`: merges paths so that no extension points at a leaf or an extension. */
function prefixed(prefix: Uint8Array, node: TrieNode): TrieNode {
  if (prefix.length === 0) return node;
  if (node.kind === "leaf") return leaf(concat(prefix, node.path), node.value, node.extra);
  if (node.kind === "ext") return ext(concat(prefix, node.path), node.child);
  return ext(prefix, node);
}

function branchOf(entries: [number, TrieNode][]): Branch {
  const children: (TrieNode | undefined)[] = new Array(16).fill(undefined);
  for (const [nibble, node] of entries) children[nibble] = node;
  return branch(children);
}

/**
 * Sets `path` (nibbles) to a non-empty value (and `extra` beside it). Nodes are never changed: the result
 * shares every untouched subtree with `node`, which stays a valid trie of the values before.
 */
export function trieSet(node: TrieNode | undefined, path: Uint8Array, value: Uint8Array, extra?: unknown): TrieNode {
  if (!node) return leaf(path, value, extra);
  if (node.kind === "branch") {
    const children = node.children.slice();
    children[path[0]] = trieSet(children[path[0]], path.subarray(1), value, extra);
    return branch(children);
  }
  const c = commonPrefix(node.path, path);
  if (node.kind === "leaf") {
    if (c === node.path.length) return leaf(node.path, value, extra);
    const split = branchOf([
      [node.path[c], leaf(node.path.subarray(c + 1), node.value, node.extra)],
      [path[c], leaf(path.subarray(c + 1), value, extra)],
    ]);
    return prefixed(path.subarray(0, c), split);
  }
  if (c === node.path.length) {
    return ext(node.path, trieSet(node.child, path.subarray(c), value, extra) as Branch);
  }
  const rest = node.path.subarray(c + 1);
  const split = branchOf([
    [node.path[c], rest.length > 0 ? ext(rest, node.child) : node.child],
    [path[c], leaf(path.subarray(c + 1), value, extra)],
  ]);
  return prefixed(path.subarray(0, c), split);
}

/** The leaf at `path`, if any. */
export function trieGet(node: TrieNode | undefined, path: Uint8Array): { value: Uint8Array; extra?: unknown } | undefined {
  let i = 0;
  while (node) {
    if (node.kind === "branch") {
      if (i >= path.length) return undefined;
      node = node.children[path[i++]];
      continue;
    }
    const rest = path.subarray(i);
    const c = commonPrefix(node.path, rest);
    if (node.kind === "leaf") return c === node.path.length && c === rest.length ? node : undefined;
    if (c !== node.path.length) return undefined;
    i += c;
    node = node.child;
  }
  return undefined;
}

/**
 * The proof of `path` (present or not): the encoded nodes from the root along the path. Nodes embedded in
 * their parent (encoded in under 32 bytes) are not listed, except the root, as geth does.
 */
export function trieProof(root: TrieNode | undefined, path: Uint8Array): Uint8Array[] {
  const proof: Uint8Array[] = [];
  let node = root, i = 0;
  for (let isRoot = true; node; isRoot = false) {
    const encoded = rlpEncode(raw(node));
    if (isRoot || encoded.length >= 32) proof.push(encoded);
    if (node.kind === "leaf") break;
    if (node.kind === "branch") {
      if (i >= path.length) break;
      node = node.children[path[i++]];
      continue;
    }
    const rest = path.subarray(i);
    if (commonPrefix(node.path, rest) !== node.path.length) break;
    i += node.path.length;
    node = node.child;
  }
  return proof;
}

/** Removes `path` (nibbles); absent paths leave the trie as it is. */
export function trieDelete(node: TrieNode | undefined, path: Uint8Array): TrieNode | undefined {
  if (!node) return undefined;
  if (node.kind === "leaf") return commonPrefix(node.path, path) === node.path.length ? undefined : node;
  if (node.kind === "ext") {
    if (commonPrefix(node.path, path) !== node.path.length) return node;
    const child = trieDelete(node.child, path.subarray(node.path.length));
    if (child === node.child) return node;
    return child ? prefixed(node.path, child) : undefined;
  }
  const nibble = path[0];
  const old = node.children[nibble];
  const updated = trieDelete(old, path.subarray(1));
  if (updated === old) return node;
  const children = node.children.slice();
  children[nibble] = updated;
  const remaining: number[] = [];
  for (let i = 0; i < 16; i++) if (children[i]) remaining.push(i);
  if (remaining.length === 0) return undefined;
  if (remaining.length === 1) return prefixed(Uint8Array.of(remaining[0]), children[remaining[0]]!);
  return branch(children);
}
