/**
 * Old blocks kept as bytes. A block's header and extras (size, total difficulty, ommers, withdrawals, requests)
 * as objects cost about 1.1 KB of heap, a transfer's transaction and receipt 1.3 KB more; here a block past the
 * recent window is one record in a shared buffer (about 200 bytes for a block of our own, 200 more a transfer:
 * values most blocks share, a parent hash equal to the block before, a randomness derived from it and a receipt
 * bloom derived from its logs are one tag byte each) behind a small handle that decodes it when read. The last
 * blocks decoded are kept decoded. Transactions go into the record when the chain asks (not when
 * --transaction-block-keeper will drop them) and each comes back exactly as it was (checked as it is written;
 * else they stay objects on the handle).
 *
 * A record: the block hash (32 bytes), then each header field in order, the extras, then 0 or 1 and the
 * transactions. A field is a tag byte: ABSENT, a shared value (1 + its index in SHARED), PARENT_HASH,
 * DERIVED_RANDAO, DERIVED_BLOOM, or BYTES followed by a length (LEB128) and the bytes (integers big-endian,
 * minimal).
 */
import { keccak256 } from "../primitives/hash.ts";
import { bigIntToBytes, bigIntToMinimalBytes, bytesEqual, bytesToBigInt } from "../primitives/hex.ts";
import { rlpDecode, rlpEncode } from "../primitives/rlp.ts";
import { decodeTransaction } from "../tx/codec.ts";
import type { Log } from "../state/world.ts";
import type { Block, MinedTransaction, Withdrawal } from "./block.ts";
import { decodeHeader } from "./block_codec.ts";
import { logsBloom } from "./bloom.ts";
import type { Receipt } from "./receipt.ts";
import { type BlockHeader, headerToRlp } from "./header.ts";
import { COMMON_VALUES } from "./compact_block.ts";
import { EMPTY_BYTES } from "../primitives/byte_slab.ts";

const SHARED: readonly Uint8Array[] = [...COMMON_VALUES, EMPTY_BYTES];
const ABSENT = 0;
const PARENT_HASH = 0x40;
const DERIVED_RANDAO = 0x41;
const DERIVED_BLOOM = 0x42;
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
  /** When the record holds the transactions: where they start; decoded when first read. */
  transactionsAt?: number;
  transactions?: MinedTransaction[];
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

  /** A mined transaction and its receipt; returns where its hash starts. */
  transaction(t: MinedTransaction): number {
    this.bytes(t.hash);
    const hashAt = this.at - 32;
    this.field(t.encoded);
    this.field(bigIntToBytes(t.sender, 20));
    this.byte(t.impersonated ? 1 : 0);
    this.uint(BigInt(t.firstLogIndex));
    const r = t.receipt;
    this.byte(r.type);
    this.byte(r.status ? 1 : 0);
    this.field(r.postState);
    this.uint(r.cumulativeGasUsed);
    this.uint(r.gasUsed);
    this.length(r.logs.length);
    for (const l of r.logs) {
      this.field(bigIntToBytes(l.address, 20));
      this.length(l.topics.length);
      for (const topic of l.topics) this.field(bigIntToBytes(topic, 32));
      this.field(l.data);
    }
    this.field(r.logsBloom, { tag: DERIVED_BLOOM, value: logsBloom(r.logs) });
    this.uint(r.contractAddress);
    this.uint(r.effectiveGasPrice);
    this.uint(r.blobGasUsed);
    this.uint(r.blobGasPrice);
    this.field(r.output);
    this.field(r.error === undefined ? undefined : new TextEncoder().encode(r.error));
    return hashAt;
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
    if (tag === PARENT_HASH || tag === DERIVED_RANDAO || tag === DERIVED_BLOOM) return special!();
    return SHARED[tag - 1];
  }

  uint(): bigint | undefined {
    const b = this.field();
    return b === undefined ? undefined : bytesToBigInt(b);
  }

  count(): number {
    return this.length();
  }

  byte(): number {
    return this.buf[this.at++];
  }

  /** What Writer.transaction wrote, as the block it is in holds it. */
  transaction(block: { number: bigint; hash: Uint8Array; timestamp: bigint }, index: number): MinedTransaction {
    const hash = this.field()!;
    const encoded = this.field()!;
    const sender = bytesToBigInt(this.field()!);
    const impersonated = this.byte() === 1;
    const firstLogIndex = Number(this.uint()!);
    const type = this.byte() as Receipt["type"];
    const status = this.byte() === 1;
    const postState = this.field();
    const cumulativeGasUsed = this.uint()!;
    const gasUsed = this.uint()!;
    const logs: Log[] = [];
    for (let n = this.count(); n > 0; n--) {
      const address = bytesToBigInt(this.field()!);
      const topics: bigint[] = [];
      for (let k = this.count(); k > 0; k--) topics.push(bytesToBigInt(this.field()!));
      logs.push({ address, topics, data: this.field()! });
    }
    const receipt: Receipt = {
      type,
      status,
      cumulativeGasUsed,
      gasUsed,
      logsBloom: this.field(() => logsBloom(logs))!,
      logs,
      contractAddress: this.uint(),
      effectiveGasPrice: this.uint()!,
      blobGasUsed: this.uint()!,
      blobGasPrice: this.uint()!,
    };
    if (postState !== undefined) receipt.postState = postState;
    if (receipt.contractAddress === undefined) delete receipt.contractAddress;
    const output = this.field();
    if (output !== undefined) receipt.output = output;
    const error = this.field();
    if (error !== undefined) receipt.error = new TextDecoder().decode(error);
    return {
      tx: decodeTransaction(encoded),
      sender,
      hash,
      encoded,
      impersonated,
      blockNumber: block.number,
      blockHash: block.hash,
      blockTimestamp: block.timestamp,
      index,
      receipt,
      firstLogIndex,
    };
  }
}

/** Deep equality of decoded values (bigints, byte arrays, arrays, plain objects; an undefined field is no field). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && bytesEqual(a, b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const ra = a as Record<string, unknown>, rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  for (const k of keys) if (!sameValue(ra[k], rb[k])) return false;
  return true;
}

export class BlockArchive {
  private chunks: Uint8Array[] = [];
  private used = CHUNK_BYTES;
  private writer = new Writer();
  private decoded = new Map<number, Decoded>();

  /**
   * Keeps `block` (the block after `parent`) as a record; the handle stands for it from now on. With
   * `packTransactions`, its transactions and receipts go into the record too (unless one does not come back
   * exactly as it was, or carries blobs): `transactions` then stand for them.
   */
  add(block: Block, parent: Block | undefined, packTransactions = false): {
    block: ArchivedBlock;
    transactions: ArchivedTransaction[];
  } {
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
    const hashAts = packTransactions && block.transactions.length > 0 ? this.packTransactions(block) : undefined;
    if (!hashAts) w.byte(0);
    const at = this.store(w.buf.subarray(0, w.at));
    const mayHaveLogs = h.logsBloom.some((b) => b !== 0);
    const handle = new ArchivedBlock(this, at, parent, hashAts ? undefined : block.transactions, mayHaveLogs);
    return { block: handle, transactions: (hashAts ?? []).map((h, i) => new ArchivedTransaction(handle, i, at + h)) };
  }

  /** Writes the block's transactions, read back to check; undefined (nothing written) if they differ. */
  private packTransactions(block: Block): number[] | undefined {
    const w = this.writer;
    const start = w.at;
    if (block.transactions.some((t) => t.sidecar !== undefined)) return undefined;
    w.byte(1);
    w.length(block.transactions.length);
    const hashAts = block.transactions.map((t) => w.transaction(t));
    const r = new Reader(w.buf, start + 1);
    r.count();
    const where = { number: block.header.number, hash: block.hash, timestamp: block.header.timestamp };
    for (const [i, t] of block.transactions.entries()) {
      if (!sameValue(r.transaction(where, i), t)) {
        w.at = start;
        return undefined;
      }
    }
    return hashAts;
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

  /** The transactions of a record that holds them. */
  transactionsOf(at: number, parent: Block | undefined): MinedTransaction[] {
    const d = this.decode(at, parent);
    if (d.transactions) return d.transactions;
    const { buf, offset } = this.chunkOf(at);
    const r = new Reader(buf, d.transactionsAt!);
    const where = { number: d.header.number, hash: buf.subarray(offset, offset + 32), timestamp: d.header.timestamp };
    d.transactions = [];
    for (let i = 0, n = r.count(); i < n; i++) d.transactions.push(r.transaction(where, i));
    return d.transactions;
  }

  /** Where each transaction hash of a record that holds them starts. */
  transactionHashesOf(at: number, parent: Block | undefined): number[] {
    const d = this.decode(at, parent);
    const { buf, offset } = this.chunkOf(at);
    const r = new Reader(buf, d.transactionsAt!);
    const where = { number: d.header.number, hash: buf.subarray(offset, offset + 32), timestamp: d.header.timestamp };
    const out: number[] = [];
    for (let i = 0, n = r.count(); i < n; i++) {
      out.push(at + (r.at - offset) + 2); // after the BYTES tag and the length 32
      r.transaction(where, i);
    }
    return out;
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
    if (r.byte() === 1) out.transactionsAt = r.at;
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
  /** The transactions as objects; undefined: in the record. */
  private txs: MinedTransaction[] | undefined;

  constructor(
    private readonly archive: BlockArchive,
    private readonly at: number,
    private readonly parent: Block | undefined,
    transactions: MinedTransaction[] | undefined,
    /** Its logs bloom is not empty (a block without logs is passed over by log queries undecoded). */
    readonly mayHaveLogs: boolean,
  ) {
    this.txs = transactions?.length === 0 ? NO_TRANSACTIONS : transactions;
  }

  /** Whether the transactions are in the record (decoded when read). */
  get transactionsInRecord(): boolean {
    return this.txs === undefined;
  }

  get transactions(): MinedTransaction[] {
    return this.txs ?? this.archive.transactionsOf(this.at, this.parent);
  }

  /** What the index by hash holds for the transactions: the objects, or stand-ins for those in the record. */
  transactionEntries(): (MinedTransaction | ArchivedTransaction)[] {
    if (this.txs) return this.txs;
    return this.archive.transactionHashesOf(this.at, this.parent).map((h, i) => new ArchivedTransaction(this, i, h));
  }

  /** --transaction-block-keeper: the block forgets its transactions. */
  set transactions(txs: MinedTransaction[]) {
    this.txs = txs;
  }

  get hash(): Uint8Array {
    return this.archive.hashAt(this.at);
  }

  /** The 32 bytes at this place of the archive (a transaction hash of this block's record). */
  hashAtOf(at: number): Uint8Array {
    return this.archive.hashAt(at);
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

/** A transaction of an archived block's record, as the index by hash holds it. */
export class ArchivedTransaction {
  constructor(readonly block: ArchivedBlock, readonly index: number, private readonly hashAt: number) {}

  get hash(): Uint8Array {
    return this.block.hashAtOf(this.hashAt);
  }

  get mined(): MinedTransaction {
    return this.block.transactions[this.index];
  }
}
