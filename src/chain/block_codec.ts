/**
 * Blocks on the wire: decoding RLP-encoded blocks (header, transactions,
 * ommers, withdrawals) strictly, with errors that name the part at fault, and
 * reading a chain file of concatenated blocks.
 */
import { BaseError } from "../errors/base.ts";
import { bigIntToBytes, bigIntToMinimalBytes, bytesToBigInt } from "../primitives/hex.ts";
import { rlpDecode, rlpEncode, type RlpInput } from "../primitives/rlp.ts";
import { decodeTransaction, type SignedTransaction } from "../tx/codec.ts";
import type { Block, Withdrawal } from "./block.ts";
import { type BlockHeader, headerToRlp } from "./header.ts";

export class BlockDecodeError extends BaseError {
  override name = "BlockDecodeError";
}

/** A block as decoded, before any check against the chain. */
export interface DecodedBlock {
  header: BlockHeader;
  /** Each transaction with its canonical encoding (what the transactions root commits to). */
  transactions: { tx: SignedTransaction; encoded: Uint8Array }[];
  ommers: BlockHeader[];
  withdrawals?: Withdrawal[];
  /** Length of the block's RLP. */
  size: number;
  rlp: Uint8Array;
}

const HEADER_FIELDS = [
  "parentHash",
  "ommersHash",
  "coinbase",
  "stateRoot",
  "transactionsRoot",
  "receiptsRoot",
  "logsBloom",
  "difficulty",
  "number",
  "gasLimit",
  "gasUsed",
  "timestamp",
  "extraData",
  "mixHash",
  "nonce",
  "baseFeePerGas",
  "withdrawalsRoot",
  "blobGasUsed",
  "excessBlobGas",
  "parentBeaconBlockRoot",
  "requestsHash",
] as const;

function bytes(x: RlpInput | undefined, what: string, length?: number): Uint8Array {
  if (!(x instanceof Uint8Array)) throw new BlockDecodeError(`${what}: expected a byte string, got a list`);
  if (length !== undefined && x.length !== length) {
    throw new BlockDecodeError(`${what}: expected ${length} bytes, got ${x.length}`);
  }
  return x;
}

function uint(x: RlpInput | undefined, what: string, maxBytes = 32): bigint {
  const b = bytes(x, what);
  if (b.length > maxBytes) throw new BlockDecodeError(`${what}: more than ${maxBytes * 8} bits`);
  if (b.length > 0 && b[0] === 0) throw new BlockDecodeError(`${what}: integer with leading zero bytes`);
  return bytesToBigInt(b);
}

function list(x: RlpInput | undefined, what: string): RlpInput[] {
  if (!Array.isArray(x)) throw new BlockDecodeError(`${what}: expected a list, got a byte string`);
  return x;
}

export function decodeHeader(x: RlpInput, what = "header"): BlockHeader {
  const f = list(x, what);
  if (f.length < 15 || f.length > HEADER_FIELDS.length) {
    throw new BlockDecodeError(`${what}: expected 15 to ${HEADER_FIELDS.length} fields, got ${f.length}`);
  }
  // The optional fields come in fork order: a later one needs every earlier one.
  if (f.length === 18 || f.length === 19) {
    throw new BlockDecodeError(
      `${what}: ${f.length} fields (blobGasUsed, excessBlobGas and parentBeaconBlockRoot go together)`,
    );
  }
  const n = (i: number) => `${what}.${HEADER_FIELDS[i]}`;
  const h: BlockHeader = {
    parentHash: bytes(f[0], n(0), 32),
    ommersHash: bytes(f[1], n(1), 32),
    coinbase: bytesToBigInt(bytes(f[2], n(2), 20)),
    stateRoot: bytes(f[3], n(3), 32),
    transactionsRoot: bytes(f[4], n(4), 32),
    receiptsRoot: bytes(f[5], n(5), 32),
    logsBloom: bytes(f[6], n(6), 256),
    difficulty: uint(f[7], n(7)),
    number: uint(f[8], n(8)),
    gasLimit: uint(f[9], n(9)),
    gasUsed: uint(f[10], n(10)),
    timestamp: uint(f[11], n(11)),
    extraData: bytes(f[12], n(12)),
    mixHash: bytes(f[13], n(13), 32),
    nonce: bytes(f[14], n(14), 8),
  };
  if (f.length > 15) h.baseFeePerGas = uint(f[15], n(15));
  if (f.length > 16) h.withdrawalsRoot = bytes(f[16], n(16), 32);
  if (f.length > 17) {
    h.blobGasUsed = uint(f[17], n(17), 8);
    h.excessBlobGas = uint(f[18], n(18), 8);
    h.parentBeaconBlockRoot = bytes(f[19], n(19), 32);
  }
  if (f.length > 20) h.requestsHash = bytes(f[20], n(20), 32);
  return h;
}

function decodeWithdrawal(x: RlpInput, what: string): Withdrawal {
  const f = list(x, what);
  if (f.length !== 4) throw new BlockDecodeError(`${what}: expected 4 fields, got ${f.length}`);
  return {
    index: uint(f[0], `${what}.index`, 8),
    validatorIndex: uint(f[1], `${what}.validatorIndex`, 8),
    address: bytesToBigInt(bytes(f[2], `${what}.address`, 20)),
    amount: uint(f[3], `${what}.amount`, 8),
  };
}

function withdrawalFields(w: Withdrawal): RlpInput[] {
  return [
    bigIntToMinimalBytes(w.index),
    bigIntToMinimalBytes(w.validatorIndex),
    bigIntToBytes(w.address, 20),
    bigIntToMinimalBytes(w.amount),
  ];
}

export function encodeWithdrawal(w: Withdrawal): Uint8Array {
  return rlpEncode(withdrawalFields(w));
}

/** A block's body as RLP items: [header, transactions, ommers] plus withdrawals from Shanghai on. */
export function blockRlpItems(
  block: Pick<Block, "header" | "ommers" | "withdrawals">,
  encodedTxs: Uint8Array[],
): RlpInput[] {
  // In a block body a legacy transaction is an RLP list, a typed one a byte string.
  const items: RlpInput[] = [
    headerToRlp(block.header),
    encodedTxs.map((t) => (t[0] >= 0xc0 ? rlpDecode(t) : t)),
    (block.ommers ?? []).map(headerToRlp),
  ];
  if (block.withdrawals) items.push(block.withdrawals.map(withdrawalFields));
  return items;
}

/** The block's RLP, as debug_getRawBlock answers and a chain file holds it. */
export function encodeBlock(block: Block): Uint8Array {
  return rlpEncode(blockRlpItems(block, block.transactions.map((t) => t.encoded)));
}

/** Decodes one block's RLP: [header, transactions, ommers] plus withdrawals from Shanghai on. */
export function decodeBlock(rlp: Uint8Array): DecodedBlock {
  let top: RlpInput;
  try {
    top = rlpDecode(rlp);
  } catch (e) {
    throw new BlockDecodeError(`invalid RLP: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parts = list(top, "block");
  if (parts.length !== 3 && parts.length !== 4) {
    throw new BlockDecodeError(
      `block: expected 3 or 4 parts (header, transactions, ommers, withdrawals), got ${parts.length}`,
    );
  }
  const header = decodeHeader(parts[0]);
  const transactions = list(parts[1], "transactions").map((t, i) => {
    // A legacy transaction is an RLP list; a typed one (EIP-2718) a byte string holding type || payload.
    let encoded: Uint8Array;
    if (Array.isArray(t)) encoded = rlpEncode(t);
    else {
      encoded = t;
      if (encoded.length === 0 || encoded[0] >= 0x80) {
        throw new BlockDecodeError(`transactions[${i}]: a byte string that is not a typed transaction`);
      }
    }
    try {
      const tx = decodeTransaction(encoded);
      // A blob transaction's network form (with its sidecar) is not a block's.
      if (tx.type === 3 && !Array.isArray(t) && Array.isArray((rlpDecode(encoded.subarray(1)) as RlpInput[])[0])) {
        throw new BlockDecodeError(`transactions[${i}]: a blob transaction with its sidecar`);
      }
      return { tx, encoded };
    } catch (e) {
      if (e instanceof BlockDecodeError) throw e;
      throw new BlockDecodeError(`transactions[${i}]: ${e instanceof BaseError ? e.details ?? e.message : String(e)}`);
    }
  });
  const ommers = list(parts[2], "ommers").map((o, i) => decodeHeader(o, `ommers[${i}]`));
  const withdrawals = parts.length === 4
    ? list(parts[3], "withdrawals").map((w, i) => decodeWithdrawal(w, `withdrawals[${i}]`))
    : undefined;
  return { header, transactions, ommers, withdrawals, size: rlp.length, rlp };
}

/**
 * Splits a chain file (blocks' RLP one after another, as `geth export` writes) into blocks: the whole ones
 * up to any damage, and what the damage is (a truncated block, bytes that start no RLP list).
 */
export function splitChainFile(data: Uint8Array): { blocks: Uint8Array[]; damage?: string } {
  const out: Uint8Array[] = [];
  let offset = 0;
  while (offset < data.length) {
    const first = data[offset];
    if (first < 0xc0) {
      return { blocks: out, damage: `chain file: byte ${offset} (0x${first.toString(16)}) does not start an RLP list` };
    }
    let length: number;
    let headerLength: number;
    if (first <= 0xf7) {
      headerLength = 1;
      length = first - 0xc0;
    } else {
      const lengthBytes = first - 0xf7;
      if (offset + 1 + lengthBytes > data.length) {
        return { blocks: out, damage: `chain file: truncated at byte ${offset} (block ${out.length} of the file)` };
      }
      length = 0;
      for (let i = 0; i < lengthBytes; i++) length = length * 256 + data[offset + 1 + i];
      headerLength = 1 + lengthBytes;
    }
    const end = offset + headerLength + length;
    if (end > data.length) {
      return {
        blocks: out,
        damage: `chain file: block ${out.length} of the file, at byte ${offset}, is truncated (${
          end - offset
        } bytes long, ${data.length - offset} left)`,
      };
    }
    out.push(data.subarray(offset, end));
    offset = end;
  }
  return { blocks: out };
}
