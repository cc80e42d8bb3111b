/**
 * A Merkle-Patricia trie over fixed-length (hashed, 32-byte) keys that is
 * updated one key at a time: an update makes new nodes along one path and
 * keeps every other subtree with its cached hash, so a root after a few
 * changes costs a few hashes instead of rehashing everything (trie.ts does
 * the latter, from scratch, and stays the reference).
 *
 * A node's paths, value and hash are strings of one byte a character, not byte arrays: the trie keeps a leaf
 * per account or slot for as long as the state has it, and every state kept for history shares most nodes
 * with the next. A string of 32 bytes takes about 48 bytes of heap; a Uint8Array of its own, about 300 (its
 * object, its buffer's object and the buffer, outside the heap).
 */
import { keccak256 } from "../primitives/hash.ts";
import { prefixLength, writePrefix } from "../primitives/rlp.ts";
import { EMPTY_TRIE_ROOT } from "./trie.ts";

/**
 * A node as its parent holds it: the 32 bytes of its hash, or, when its encoding is under 32 bytes, the
 * encoding itself (embedded in the parent as it is).
 */
type Ref = string;

interface Leaf {
  kind: "leaf";
  /** Nibbles, one a character. */
  path: string;
  /** The value's bytes, one a character. */
  value: string;
  /** Kept with the value, not hashed: an account leaf holds its storage trie here. */
  extra: unknown;
  ref: Ref | undefined;
}
interface Extension {
  kind: "ext";
  path: string;
  child: Branch;
  ref: Ref | undefined;
}
interface Branch {
  kind: "branch";
  children: (TrieNode | undefined)[];
  ref: Ref | undefined;
}
export type TrieNode = Leaf | Extension | Branch;

const nibbles = new Uint8Array(64);

/** A key of up to 32 bytes (a hash) as the path of nibbles that the trie functions take. */
export function keyNibbles(key: Uint8Array): string {
  if (key.length > 32) throw new RangeError(`a trie key has at most 32 bytes, not ${key.length}`);
  for (let i = 0; i < key.length; i++) {
    nibbles[2 * i] = key[i] >> 4;
    nibbles[2 * i + 1] = key[i] & 15;
  }
  return bytesToString(nibbles.subarray(0, 2 * key.length));
}

function bytesToString(bytes: Uint8Array): string {
  // fromCharCode takes a limited number of arguments; trie values are short, but not bounded here.
  if (bytes.length <= 4096) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let s = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096) as unknown as number[]);
  }
  return s;
}

function stringToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** The value held at a leaf, as bytes. */
export function leafValue(leaf: Leaf): Uint8Array {
  return stringToBytes(leaf.value);
}

// ---------------------------------------------------------------- encoding

/** Bytes of `s` as an RLP string item: a single byte below 0x80 is itself. */
function stringItemLength(s: string): number {
  return s.length === 1 && s.charCodeAt(0) < 0x80 ? 1 : prefixLength(s.length) + s.length;
}

function writeStringItem(out: Uint8Array, at: number, s: string): number {
  if (!(s.length === 1 && s.charCodeAt(0) < 0x80)) at = writePrefix(out, at, s.length, 0x80);
  return writeString(out, at, s);
}

/** The hex-prefix encoding's length for `n` nibbles (Yellow Paper appendix C); as an RLP item: pathItemLength. */
function hexPrefixLength(n: number): number {
  return 1 + (n >> 1);
}

/** Bytes of the RLP item of a hex-prefixed path: its first byte is at most 0x3f, so one byte is itself. */
function pathItemLength(n: number): number {
  const hp = hexPrefixLength(n);
  return hp === 1 ? 1 : 1 + hp;
}

function writePathItem(out: Uint8Array, at: number, path: string, leaf: boolean): number {
  const n = path.length;
  const hp = hexPrefixLength(n);
  if (hp > 1) out[at++] = 0x80 + hp;
  const odd = n & 1;
  let first = ((leaf ? 2 : 0) + odd) << 4;
  let i = 0;
  if (odd) first |= path.charCodeAt(i++);
  out[at++] = first;
  for (; i < n; i += 2) out[at++] = (path.charCodeAt(i) << 4) | path.charCodeAt(i + 1);
  return at;
}

function writeString(out: Uint8Array, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[at++] = s.charCodeAt(i);
  return at;
}

function refItemLength(ref: Ref): number {
  // A hash is a 32-byte string item; an embedded node is its own encoding, a list.
  return ref.length === 32 ? 33 : ref.length;
}

function writeRef(out: Uint8Array, at: number, ref: Ref): number {
  if (ref.length === 32) out[at++] = 0x80 + 32;
  return writeString(out, at, ref);
}

/** The node's RLP encoding. */
function encode(node: TrieNode): Uint8Array {
  switch (node.kind) {
    case "leaf": {
      const payload = pathItemLength(node.path.length) + stringItemLength(node.value);
      const out = new Uint8Array(prefixLength(payload) + payload);
      let at = writePrefix(out, 0, payload, 0xc0);
      at = writePathItem(out, at, node.path, true);
      writeStringItem(out, at, node.value);
      return out;
    }
    case "ext": {
      const child = reference(node.child);
      const payload = pathItemLength(node.path.length) + refItemLength(child);
      const out = new Uint8Array(prefixLength(payload) + payload);
      let at = writePrefix(out, 0, payload, 0xc0);
      at = writePathItem(out, at, node.path, false);
      writeRef(out, at, child);
      return out;
    }
    case "branch": {
      const children = node.children;
      let payload = 1; // the empty value
      for (let i = 0; i < 16; i++) {
        const c = children[i];
        payload += c ? refItemLength(reference(c)) : 1;
      }
      const out = new Uint8Array(prefixLength(payload) + payload);
      let at = writePrefix(out, 0, payload, 0xc0);
      for (let i = 0; i < 16; i++) {
        const c = children[i];
        if (c) at = writeRef(out, at, c.ref!);
        else out[at++] = 0x80;
      }
      out[at] = 0x80;
      return out;
    }
  }
}

function reference(node: TrieNode): Ref {
  let ref = node.ref;
  if (ref === undefined) {
    const encoded = encode(node);
    ref = node.ref = bytesToString(encoded.length < 32 ? encoded : keccak256(encoded));
  }
  return ref;
}

export function trieNodeRoot(root: TrieNode | undefined): Uint8Array {
  if (!root) return EMPTY_TRIE_ROOT;
  const ref = reference(root);
  // The root is hashed even when it is small enough to be embedded.
  return ref.length === 32 ? stringToBytes(ref) : keccak256(stringToBytes(ref));
}

// ---------------------------------------------------------------- updates

// Nodes are made with every field present (ref too), so that each kind keeps one shape with its fields inline.
function leaf(path: string, value: string, extra: unknown): Leaf {
  return { kind: "leaf", path, value, extra, ref: undefined };
}

function ext(path: string, child: Branch): Extension {
  return { kind: "ext", path, child, ref: undefined };
}

function branch(children: (TrieNode | undefined)[]): Branch {
  return { kind: "branch", children, ref: undefined };
}

/** The length of the common prefix of `a` and `b` from `from`. */
function commonPrefix(a: string, b: string, from: number): number {
  const n = Math.min(a.length, b.length - from);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(from + i)) i++;
  return i;
}

/** A node under `prefix`: merges paths so that no extension points at a leaf or an extension. */
function prefixed(prefix: string, node: TrieNode): TrieNode {
  if (prefix.length === 0) return node;
  if (node.kind === "leaf") return leaf(prefix + node.path, node.value, node.extra);
  if (node.kind === "ext") return ext(prefix + node.path, node.child);
  return ext(prefix, node);
}

function branchOf(a: number, nodeA: TrieNode, b: number, nodeB: TrieNode): Branch {
  const children: (TrieNode | undefined)[] = new Array(16).fill(undefined);
  children[a] = nodeA;
  children[b] = nodeB;
  return branch(children);
}

/**
 * Sets `path` (nibbles: keyNibbles) to a non-empty value (and `extra` beside it). Nodes are never changed: the
 * result shares every untouched subtree with `node`, which stays a valid trie of the values before.
 */
export function trieSet(node: TrieNode | undefined, path: string, value: Uint8Array, extra?: unknown): TrieNode {
  return set(node, path, 0, bytesToString(value), extra);
}

function set(node: TrieNode | undefined, path: string, at: number, value: string, extra: unknown): TrieNode {
  if (!node) return leaf(path.slice(at), value, extra);
  if (node.kind === "branch") {
    const children = node.children.slice();
    const nibble = path.charCodeAt(at);
    children[nibble] = set(children[nibble], path, at + 1, value, extra);
    return branch(children);
  }
  const c = commonPrefix(node.path, path, at);
  if (node.kind === "leaf") {
    if (c === node.path.length) return leaf(node.path, value, extra);
    const split = branchOf(
      node.path.charCodeAt(c),
      leaf(node.path.slice(c + 1), node.value, node.extra),
      path.charCodeAt(at + c),
      leaf(path.slice(at + c + 1), value, extra),
    );
    return prefixed(path.slice(at, at + c), split);
  }
  if (c === node.path.length) return ext(node.path, set(node.child, path, at + c, value, extra) as Branch);
  const rest = node.path.slice(c + 1);
  const split = branchOf(
    node.path.charCodeAt(c),
    rest.length > 0 ? ext(rest, node.child) : node.child,
    path.charCodeAt(at + c),
    leaf(path.slice(at + c + 1), value, extra),
  );
  return prefixed(path.slice(at, at + c), split);
}

/** The leaf at `path`, if any (its value: leafValue; `extra` as set). */
export function trieGet(node: TrieNode | undefined, path: string): Leaf | undefined {
  let at = 0;
  while (node) {
    if (node.kind === "branch") {
      if (at >= path.length) return undefined;
      node = node.children[path.charCodeAt(at++)];
      continue;
    }
    const c = commonPrefix(node.path, path, at);
    if (node.kind === "leaf") return c === node.path.length && at + c === path.length ? node : undefined;
    if (c !== node.path.length) return undefined;
    at += c;
    node = node.child;
  }
  return undefined;
}

/**
 * The proof of `path` (present or not): the encoded nodes from the root along the path. Nodes embedded in
 * their parent (encoded in under 32 bytes) are not listed, except the root, as geth does.
 */
export function trieProof(root: TrieNode | undefined, path: string): Uint8Array[] {
  const proof: Uint8Array[] = [];
  let node = root, at = 0;
  for (let isRoot = true; node; isRoot = false) {
    const encoded = encode(node);
    if (isRoot || encoded.length >= 32) proof.push(encoded);
    if (node.kind === "leaf") break;
    if (node.kind === "branch") {
      if (at >= path.length) break;
      node = node.children[path.charCodeAt(at++)];
      continue;
    }
    if (commonPrefix(node.path, path, at) !== node.path.length) break;
    at += node.path.length;
    node = node.child;
  }
  return proof;
}

/** Removes `path` (nibbles); absent paths leave the trie as it is. */
export function trieDelete(node: TrieNode | undefined, path: string): TrieNode | undefined {
  return remove(node, path, 0);
}

function remove(node: TrieNode | undefined, path: string, at: number): TrieNode | undefined {
  if (!node) return undefined;
  if (node.kind === "leaf") return commonPrefix(node.path, path, at) === node.path.length ? undefined : node;
  if (node.kind === "ext") {
    if (commonPrefix(node.path, path, at) !== node.path.length) return node;
    const child = remove(node.child, path, at + node.path.length);
    if (child === node.child) return node;
    return child ? prefixed(node.path, child) : undefined;
  }
  const nibble = path.charCodeAt(at);
  const old = node.children[nibble];
  const updated = remove(old, path, at + 1);
  if (updated === old) return node;
  const children = node.children.slice();
  children[nibble] = updated;
  let remaining = -1;
  for (let i = 0; i < 16; i++) {
    if (!children[i]) continue;
    if (remaining >= 0) return branch(children);
    remaining = i;
  }
  if (remaining < 0) return undefined;
  return prefixed(String.fromCharCode(remaining), children[remaining]!);
}
