/**
 * Mined blocks made small for keeping. The chain keeps every block, its transactions and receipts for its
 * whole life (as anvil does), and in Deno each byte array with a buffer of its own costs about 260 bytes
 * beside its bytes: a block built as it is mined holds some twenty of them. Once a block is appended, its
 * byte fields are repacked: values most blocks share (an empty bloom, zero nonce, empty extra data, the empty
 * roots) become one shared copy each, and the rest of the block's bytes (hash, roots, randomness, transaction
 * hashes and encodings, non-empty blooms) become views into one buffer. Every value stays byte for byte what
 * it was; nothing writes into a mined block's arrays.
 */
import { EMPTY_BYTES } from "../primitives/byte_slab.ts";
import { bytesEqual } from "../primitives/hex.ts";
import { EMPTY_TRIE_ROOT } from "../state/trie.ts";
import type { Block } from "./block.ts";
import { BLOOM_BYTES } from "./bloom.ts";
import { EMPTY_OMMERS_HASH, EMPTY_REQUESTS_HASH } from "./header.ts";

/** Byte values most blocks share (the empty byte string aside), one copy each; block_archive.ts keeps them too. */
export const COMMON_VALUES: readonly Uint8Array[] = [
  EMPTY_TRIE_ROOT,
  EMPTY_OMMERS_HASH,
  EMPTY_REQUESTS_HASH,
  new Uint8Array(32),
  new Uint8Array(BLOOM_BYTES),
  new Uint8Array(8),
];

/** The shared copy of a common value, or undefined. */
function sharedCopy(b: Uint8Array): Uint8Array | undefined {
  if (b.length === 0) return EMPTY_BYTES;
  for (const s of COMMON_VALUES) if (s.length === b.length && bytesEqual(s, b)) return s;
  return undefined;
}

/** Collects byte fields, then copies the uncommon ones into one buffer and hands each its view. */
class Packer {
  private fields: { get: () => Uint8Array; set: (b: Uint8Array) => void }[] = [];
  private bytes = 0;

  add(get: () => Uint8Array | undefined, set: (b: Uint8Array) => void): void {
    const b = get();
    if (b === undefined) return;
    const shared = sharedCopy(b);
    if (shared !== undefined) {
      if (shared !== b) set(shared);
      return;
    }
    this.fields.push({ get: get as () => Uint8Array, set });
    this.bytes += b.length;
  }

  pack(): void {
    const buffer = new Uint8Array(this.bytes);
    let at = 0;
    for (const f of this.fields) {
      const b = f.get();
      buffer.set(b, at);
      f.set(buffer.subarray(at, at + b.length));
      at += b.length;
    }
  }
}

/** A zero computed at run time is a BigInt of its own (24 bytes); the literal is one shared value. */
const zero = (x: bigint) => (x === 0n ? 0n : x);

/**
 * Repacks the byte fields of a block about to be kept (see above); `parent` (the block before) shares its
 * hash, and a total difficulty that did not move, its total difficulty.
 */
export function compactBlock(block: Block, parent?: Block): void {
  const h = block.header;
  if (parent && bytesEqual(parent.hash, h.parentHash)) h.parentHash = parent.hash;
  if (block.totalDifficulty !== undefined) {
    block.totalDifficulty = block.totalDifficulty === parent?.totalDifficulty
      ? parent.totalDifficulty
      : zero(block.totalDifficulty);
  }
  h.difficulty = zero(h.difficulty);
  if (h.blobGasUsed !== undefined) h.blobGasUsed = zero(h.blobGasUsed);
  if (h.excessBlobGas !== undefined) h.excessBlobGas = zero(h.excessBlobGas);
  const p = new Packer();
  p.add(() => block.hash, (b) => (block.hash = b));
  if (h.parentHash !== parent?.hash) p.add(() => h.parentHash, (b) => (h.parentHash = b));
  p.add(() => h.ommersHash, (b) => (h.ommersHash = b));
  p.add(() => h.stateRoot, (b) => (h.stateRoot = b));
  p.add(() => h.transactionsRoot, (b) => (h.transactionsRoot = b));
  p.add(() => h.receiptsRoot, (b) => (h.receiptsRoot = b));
  p.add(() => h.logsBloom, (b) => (h.logsBloom = b));
  p.add(() => h.extraData, (b) => (h.extraData = b));
  p.add(() => h.mixHash, (b) => (h.mixHash = b));
  p.add(() => h.nonce, (b) => (h.nonce = b));
  p.add(() => h.withdrawalsRoot, (b) => (h.withdrawalsRoot = b));
  p.add(() => h.parentBeaconBlockRoot, (b) => (h.parentBeaconBlockRoot = b));
  p.add(() => h.requestsHash, (b) => (h.requestsHash = b));
  for (const t of block.transactions) {
    const r = t.receipt;
    p.add(() => t.hash, (b) => (t.hash = b));
    p.add(() => t.encoded, (b) => (t.encoded = b));
    p.add(() => t.tx.data, (b) => (t.tx.data = b));
    p.add(() => r.logsBloom, (b) => (r.logsBloom = b));
    p.add(() => r.output, (b) => (r.output = b));
    p.add(() => r.postState, (b) => (r.postState = b));
  }
  p.pack();
  for (const t of block.transactions) t.blockHash = block.hash;
}
