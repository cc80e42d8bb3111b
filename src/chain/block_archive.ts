/**
 * Old blocks kept as bytes. A block's header and extras (size, total difficulty, ommers, withdrawals, requests)
 * as objects cost about 1.1 KB of heap; here a block past the recent window is one record in a shared buffer
 * (about 200 bytes for a block of our own: values most blocks share, a parent hash equal to the block before
 * and a randomness derived from it are one tag byte each) behind a small handle that decodes it when read.
 * The last blocks decoded are kept decoded. Transactions and receipts stay objects on the handle (anvil's
 * --transaction-block-keeper drops them from old blocks).
 *
 * A record: the block hash (32 bytes), then each header field in order, then the extras. A field is a tag
 * byte: ABSENT, a shared value (1 + its index in SHARED), PARENT_HASH, DERIVED_RANDAO, or BYTES followed by a
 * length (LEB128) and the bytes (integers big-endian, minimal).
 */
import { keccak256 } from "../primitives/hash.ts";
import { bigIntToBytes, bigIntToMinimalBytes, bytesEqual, bytesToBigInt } from "../primitives/hex.ts";
import { rlpDecode, rlpEncode } from "../primitives/rlp.ts";
import { EMPTY_TRIE_ROOT } from "../state/trie.ts";
import type { Block, MinedTransaction, Withdrawal } from "./block.ts";
import { decodeHeader } from "./block_codec.ts";
import { BLOOM_BYTES } from "./bloom.ts";
import { type BlockHeader, EMPTY_OMMERS_HASH, EMPTY_REQUESTS_HASH, headerToRlp } from "./header.ts";

const SHARED: Uint8Array[] = [
  EMPTY_TRIE_ROOT,
  EMPTY_OMMERS_HASH,
  EMPTY_REQUESTS_HASH,
  new Uint8Array(32),
  new Uint8Array(BLOOM_BYTES),
  new Uint8Array(8),
  new Uint8Array(0),
];
const ABSENT = 0;
const PARENT_HASH = 0x40;
const DERIVED_RANDAO = 0x41;
const BYTES = 0xff;

const CHUNK_BYTES = 1 << 20;
/** Decoded blocks kept, most recently read last. */
const DECODED_KEPT = 256;

/** The randomness our blocks take (block_builder's prevRandaoFor): keccak(parent hash || number). */
function derivedRandao(parentHash: Uint8Array, number: bigint): Uint8Array {
  const n = bigIntToMinimalBytes(number);
  const input = new Uint8Array(32 + n.length);
  input.set(parentHash);
  input.set(n, 32);
  return keccak256(input);
}

/** What a record holds besides the hash and the transactions. */
interface Decoded {
  header: BlockHeader;
  size: number;
  totalDifficulty?: bigint;
  ommers?: BlockHeader[];
  withdrawals?: Withdrawal[];
  requests?: Uint8Array[];
}

class Writer {
  buf = new Uint8Array(4096);
  at = 0;

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.at + n));
    bigger.set(this.buf.subarray(0, this.at));
    this.buf = bigger;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.at++] = b;
  }

  length(n: number): void {
    do {
      this.byte((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
      n = Math.floor(n / 128);
    } while (n > 0);
  }

  bytes(b: Uint8Array): void {
    this.byte(BYTES);
    this.length(b.length);
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  /** A byte field: a shared value or `special` by its tag, else the bytes. */
  field(b: Uint8Array | undefined, special?: { tag: number; value: Uint8Array }): void {
    if (b === undefined) return this.byte(ABSENT);
    if (special && bytesEqual(b, special.value)) return this.byte(special.tag);
    const shared = SHARED.findIndex((s) => s.length === b.length && bytesEqual(s, b));
    if (shared >= 0) return this.byte(1 + shared);
    this.bytes(b);
  }

  uint(x: bigint | undefined): void {
    if (x === undefined) this.byte(ABSENT);
    else this.bytes(bigIntToMinimalBytes(x));
  }
}

class Reader {
  constructor(private readonly buf: Uint8Array, public at: number) {}

  private length(): number {
    let n = 0, scale = 1, b;
    do {
      b = this.buf[this.at++];
      n += (b & 0x7f) * scale;
      scale *= 128;
    } while (b & 0x80);
    return n;
  }

  /** A byte field; `special` is the value its tag stands for, worked out when it occurs. */
  field(special?: () => Uint8Array): Uint8Array | undefined {
    const tag = this.buf[this.at++];
    if (tag === ABSENT) return undefined;
    if (tag === BYTES) {
      const n = this.length();
      this.at += n;
      return this.buf.subarray(this.at - n, this.at);
    }
    if (tag === PARENT_HASH || tag === DERIVED_RANDAO) return special!();
    return SHARED[tag - 1];
  }

  uint(): bigint | undefined {
    const b = this.field();
    return b === undefined ? undefined : bytesToBigInt(b);
  }

  count(): number {
    return this.length();
  }
}

export class BlockArchive {
  private chunks: Uint8Array[] = [];
  private used = CHUNK_BYTES;
  private writer = new Writer();
  private decoded = new Map<number, Decoded>();

  /** Keeps `block` (the block after `parent`) as a record; the handle stands for it from now on. */
  add(block: Block, parent: Block | undefined): ArchivedBlock {
    const h = block.header;
    const w = this.writer;
    w.at = 0;
    w.buf.set(block.hash, 0);
    w.at = 32;
    const parentHash = parent?.hash;
    w.field(h.parentHash, parentHash && { tag: PARENT_HASH, value: parentHash });
    w.field(h.ommersHash);
    w.field(bigIntToBytes(h.coinbase, 20));
    w.field(h.stateRoot);
    w.field(h.transactionsRoot);
    w.field(h.receiptsRoot);
    w.field(h.logsBloom);
    w.uint(h.difficulty);
    w.uint(h.number);
    w.uint(h.gasLimit);
    w.uint(h.gasUsed);
    w.uint(h.timestamp);
    w.field(h.extraData);
    w.field(h.mixHash, { tag: DERIVED_RANDAO, value: derivedRandao(h.parentHash, h.number) });
    w.field(h.nonce);
    w.uint(h.baseFeePerGas);
    w.field(h.withdrawalsRoot);
    w.uint(h.blobGasUsed);
    w.uint(h.excessBlobGas);
    w.field(h.parentBeaconBlockRoot);
    w.field(h.requestsHash);
    w.uint(BigInt(block.size));
    w.uint(block.totalDifficulty);
    w.field(block.ommers && rlpEncode(block.ommers.map(headerToRlp)));
    w.field(block.withdrawals && rlpEncode(block.withdrawals.map(withdrawalItems)));
    w.field(block.requests && rlpEncode(block.requests));
    const at = this.store(w.buf.subarray(0, w.at));
    return new ArchivedBlock(this, at, parent, block.transactions);
  }

  /** Copies a record in; its place is chunk index * CHUNK_BYTES + offset. */
  private store(record: Uint8Array): number {
    if (this.used + record.length > CHUNK_BYTES) {
      this.chunks.push(new Uint8Array(Math.max(CHUNK_BYTES, record.length)));
      this.used = 0;
    }
    const chunk = this.chunks.length - 1;
    this.chunks[chunk].set(record, this.used);
    const at = chunk * CHUNK_BYTES + this.used;
    this.used += record.length;
    return at;
  }

  private chunkOf(at: number): { buf: Uint8Array; offset: number } {
    return { buf: this.chunks[Math.floor(at / CHUNK_BYTES)], offset: at % CHUNK_BYTES };
  }

  hashAt(at: number): Uint8Array {
    const { buf, offset } = this.chunkOf(at);
    return buf.subarray(offset, offset + 32);
  }

  decode(at: number, parent: Block | undefined): Decoded {
    const kept = this.decoded.get(at);
    if (kept) {
      this.decoded.delete(at); // most recently read goes last
      this.decoded.set(at, kept);
      return kept;
    }
    const { buf, offset } = this.chunkOf(at);
    const r = new Reader(buf, offset + 32);
    const parentHash = r.field(() => parent!.hash)!;
    const ommersHash = r.field()!;
    const coinbase = bytesToBigInt(r.field()!);
    const stateRoot = r.field()!;
    const transactionsRoot = r.field()!;
    const receiptsRoot = r.field()!;
    const logsBloom = r.field()!;
    const difficulty = r.uint()!;
    const number = r.uint()!;
    const header: BlockHeader = {
      parentHash,
      ommersHash,
      coinbase,
      stateRoot,
      transactionsRoot,
      receiptsRoot,
      logsBloom,
      difficulty,
      number,
      gasLimit: r.uint()!,
      gasUsed: r.uint()!,
      timestamp: r.uint()!,
      extraData: r.field()!,
      mixHash: r.field(() => derivedRandao(parentHash, number))!,
      nonce: r.field()!,
    };
    const optional = {
      baseFeePerGas: r.uint(),
      withdrawalsRoot: r.field(),
      blobGasUsed: r.uint(),
      excessBlobGas: r.uint(),
      parentBeaconBlockRoot: r.field(),
      requestsHash: r.field(),
    };
    for (const [k, v] of Object.entries(optional)) if (v !== undefined) Object.assign(header, { [k]: v });
    const out: Decoded = { header, size: Number(r.uint()!) };
    const totalDifficulty = r.uint();
    if (totalDifficulty !== undefined) out.totalDifficulty = totalDifficulty;
    const ommers = r.field();
    if (ommers !== undefined) {
      out.ommers = (rlpDecode(ommers) as Uint8Array[][]).map((o) => decodeHeader(o, "archived ommer"));
    }
    const withdrawals = r.field();
    if (withdrawals !== undefined) out.withdrawals = (rlpDecode(withdrawals) as Uint8Array[][]).map(withdrawalOf);
    const requests = r.field();
    if (requests !== undefined) out.requests = rlpDecode(requests) as Uint8Array[];
    if (this.decoded.size >= DECODED_KEPT) this.decoded.delete(this.decoded.keys().next().value!);
    this.decoded.set(at, out);
    return out;
  }
}

function withdrawalItems(w: Withdrawal): Uint8Array[] {
  return [
    bigIntToMinimalBytes(w.index),
    bigIntToMinimalBytes(w.validatorIndex),
    bigIntToBytes(w.address, 20),
    bigIntToMinimalBytes(w.amount),
  ];
}

function withdrawalOf(f: Uint8Array[]): Withdrawal {
  return {
    index: bytesToBigInt(f[0]),
    validatorIndex: bytesToBigInt(f[1]),
    address: bytesToBigInt(f[2]),
    amount: bytesToBigInt(f[3]),
  };
}

/** No transactions: one shared array (a block that loses its transactions is given a new one). */
const NO_TRANSACTIONS: MinedTransaction[] = Object.freeze([]) as unknown as MinedTransaction[];

/**
 * A block kept in the archive: what the chain holds for it. Read like any block; its header and extras are
 * decoded when read (kept decoded while recent). Spreading it (`{...block}`) does not copy them: name the fields.
 */
export class ArchivedBlock implements Block {
  transactions: MinedTransaction[];

  constructor(
    private readonly archive: BlockArchive,
    private readonly at: number,
    private readonly parent: Block | undefined,
    transactions: MinedTransaction[],
  ) {
    this.transactions = transactions.length === 0 ? NO_TRANSACTIONS : transactions;
  }

  get hash(): Uint8Array {
    return this.archive.hashAt(this.at);
  }

  private get decoded(): Decoded {
    return this.archive.decode(this.at, this.parent);
  }

  get header(): BlockHeader {
    return this.decoded.header;
  }

  get size(): number {
    return this.decoded.size;
  }

  get totalDifficulty(): bigint | undefined {
    return this.decoded.totalDifficulty;
  }

  get ommers(): BlockHeader[] | undefined {
    return this.decoded.ommers;
  }

  get withdrawals(): Withdrawal[] | undefined {
    return this.decoded.withdrawals;
  }

  get requests(): Uint8Array[] | undefined {
    return this.decoded.requests;
  }
}
