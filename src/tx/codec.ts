/**
 * Signed transactions on the wire: RLP encoding and decoding of every type
 * (legacy with and without EIP-155, EIP-2930, EIP-1559, EIP-4844, EIP-7702),
 * signing hashes, transaction hashes, signing and sender recovery.
 */
import { BaseError } from "../errors/base.ts";
import { keccak256 } from "../primitives/hash.ts";
import { bigIntToBytes, bigIntToMinimalBytes, bytesToBigInt, concatBytes } from "../primitives/hex.ts";
import { rlpDecode, rlpEncode, type RlpInput } from "../primitives/rlp.ts";
import { privateKeyToAddress, recoverAddress, SECP256K1_N, signHash } from "../primitives/signature.ts";
import { type AccessListEntry, type Authorization, type Transaction, TxType } from "./transaction.ts";
import { EMPTY_BYTES as EMPTY } from "../primitives/byte_slab.ts";

/** A transaction's fields before signing (the executor's Transaction without its sender). */
export type UnsignedTransaction = Omit<Transaction, "sender">;

export interface TransactionSignature {
  r: bigint;
  s: bigint;
  yParity: number;
  /** As encoded: 27/28 for pre-EIP-155 legacy, chainId * 2 + 35 + yParity for EIP-155, else yParity. */
  v: bigint;
}

export interface SignedTransaction extends UnsignedTransaction {
  signature: TransactionSignature;
}

export class TransactionDecodeError extends BaseError {
  override name = "TransactionDecodeError";
  constructor(details: string) {
    super("failed to decode signed transaction", { details });
  }
}

export class InvalidSignatureError extends BaseError {
  override name = "InvalidSignatureError";
  constructor(details: string) {
    super("invalid transaction signature", { details });
  }
}

const HALF_N = SECP256K1_N / 2n;

// ---- encoding ----

const uint = bigIntToMinimalBytes;
const address = (a: bigint) => bigIntToBytes(a, 20);

function encodeAccessList(list: AccessListEntry[]): RlpInput {
  return list.map((e) => [address(e.address), e.storageKeys.map((k) => bigIntToBytes(k, 32))]);
}

function encodeAuthorizations(list: Authorization[]): RlpInput {
  return list.map((a) => [uint(a.chainId), address(a.address), uint(a.nonce), uint(a.yParity), uint(a.r), uint(a.s)]);
}

/** The fields of a typed transaction's payload before the signature, in wire order. */
function typedFields(tx: UnsignedTransaction): RlpInput[] {
  const to = tx.to === undefined ? EMPTY : address(tx.to);
  const chainId = uint(tx.chainId ?? 0n);
  const accessList = encodeAccessList(tx.accessList);
  // EIP-1559's fields, which the blob (EIP-4844) and set-code (EIP-7702) types extend.
  const feeMarket = (): RlpInput[] => [
    chainId,
    uint(tx.nonce),
    uint(tx.maxPriorityFeePerGas ?? 0n),
    uint(tx.maxFeePerGas ?? 0n),
    uint(tx.gasLimit),
    to,
    uint(tx.value),
    tx.data,
    accessList,
  ];
  switch (tx.type) {
    case TxType.AccessList:
      return [
        chainId,
        uint(tx.nonce),
        uint(tx.gasPrice ?? 0n),
        uint(tx.gasLimit),
        to,
        uint(tx.value),
        tx.data,
        accessList,
      ];
    case TxType.FeeMarket:
      return feeMarket();
    case TxType.Blob:
      return [...feeMarket(), uint(tx.maxFeePerBlobGas ?? 0n), (tx.blobVersionedHashes ?? []).map((h) => bigIntToBytes(h, 32))];
    case TxType.SetCode:
      return [...feeMarket(), encodeAuthorizations(tx.authorizationList ?? [])];
    default:
      throw new TransactionDecodeError(`not a typed transaction: type ${tx.type}`);
  }
}

function legacyFields(tx: UnsignedTransaction): RlpInput[] {
  const to = tx.to === undefined ? EMPTY : address(tx.to);
  return [uint(tx.nonce), uint(tx.gasPrice ?? 0n), uint(tx.gasLimit), to, uint(tx.value), tx.data];
}

/** The bytes whose keccak256 the sender signs. */
export function signingPayload(tx: UnsignedTransaction): Uint8Array {
  if (tx.type === TxType.Legacy) {
    const fields = legacyFields(tx);
    // EIP-155 replay protection: chainId, 0, 0 appended; absent chainId means a pre-EIP-155 signature.
    if (tx.chainId !== undefined) fields.push(uint(tx.chainId), EMPTY, EMPTY);
    return rlpEncode(fields);
  }
  return concatBytes(new Uint8Array([tx.type]), rlpEncode(typedFields(tx)));
}

export function signingHash(tx: UnsignedTransaction): Uint8Array {
  return keccak256(signingPayload(tx));
}

/** The canonical encoding (EIP-2718 envelope for typed transactions), as hashed and put in blocks. */
export function encodeTransaction(tx: SignedTransaction): Uint8Array {
  const sig = tx.signature;
  if (tx.type === TxType.Legacy) return rlpEncode([...legacyFields(tx), uint(sig.v), uint(sig.r), uint(sig.s)]);
  const body = [...typedFields(tx), uint(BigInt(sig.yParity)), uint(sig.r), uint(sig.s)];
  return concatBytes(new Uint8Array([tx.type]), rlpEncode(body));
}

export function transactionHash(tx: SignedTransaction): Uint8Array {
  return keccak256(encodeTransaction(tx));
}

/** The v value a signature gets in a legacy transaction. */
function legacyV(chainId: bigint | undefined, yParity: number): bigint {
  return chainId === undefined ? BigInt(27 + yParity) : chainId * 2n + 35n + BigInt(yParity);
}

export function signTransaction(tx: UnsignedTransaction, privateKey: Uint8Array): SignedTransaction {
  const { r, s, yParity } = signHash(signingHash(tx), privateKey);
  const v = tx.type === TxType.Legacy ? legacyV(tx.chainId, yParity) : BigInt(yParity);
  return { ...tx, signature: { r, s, yParity, v } };
}

/** The signer's address; throws InvalidSignatureError when the signature cannot be valid. */
export function recoverSender(tx: SignedTransaction): bigint {
  const { r, s, yParity } = tx.signature;
  if (r === 0n || r >= SECP256K1_N) throw new InvalidSignatureError("r is out of range");
  // EIP-2: a high s would make the signature malleable.
  if (s === 0n || s > HALF_N) throw new InvalidSignatureError("s is zero or above secp256k1n/2 (EIP-2)");
  const sender = recoverAddress(signingHash(tx), r, s, yParity);
  if (sender === undefined) throw new InvalidSignatureError("no public key recovers from this signature");
  return sender;
}

export function signerAddress(privateKey: Uint8Array): bigint {
  return privateKeyToAddress(privateKey);
}

/** The executor's view of a signed transaction whose sender is known. */
export function toExecutable(tx: SignedTransaction, sender: bigint): Transaction {
  const { signature: _signature, ...fields } = tx;
  return { ...fields, sender };
}

// ---- decoding ----

function bytesField(x: RlpInput | undefined, what: string): Uint8Array {
  if (!(x instanceof Uint8Array)) throw new TransactionDecodeError(`${what}: expected a byte string, got a list`);
  return x;
}

function listField(x: RlpInput | undefined, what: string): RlpInput[] {
  if (!Array.isArray(x)) throw new TransactionDecodeError(`${what}: expected a list, got a byte string`);
  return x;
}

function uintField(x: RlpInput | undefined, what: string, maxBytes = 32): bigint {
  const b = bytesField(x, what);
  if (b.length > maxBytes) throw new TransactionDecodeError(`${what}: more than ${maxBytes * 8} bits`);
  if (b.length > 0 && b[0] === 0) throw new TransactionDecodeError(`${what}: integer with leading zero bytes`);
  return bytesToBigInt(b);
}

function addressField(x: RlpInput | undefined, what: string): bigint {
  const b = bytesField(x, what);
  if (b.length !== 20) throw new TransactionDecodeError(`${what}: expected 20 bytes, got ${b.length}`);
  return bytesToBigInt(b);
}

function toField(x: RlpInput | undefined): bigint | undefined {
  const b = bytesField(x, "to");
  if (b.length === 0) return undefined;
  if (b.length !== 20) throw new TransactionDecodeError(`to: expected 20 bytes or empty, got ${b.length}`);
  return bytesToBigInt(b);
}

function hashField(x: RlpInput | undefined, what: string): bigint {
  const b = bytesField(x, what);
  if (b.length !== 32) throw new TransactionDecodeError(`${what}: expected 32 bytes, got ${b.length}`);
  return bytesToBigInt(b);
}

function decodeAccessList(x: RlpInput | undefined): AccessListEntry[] {
  return listField(x, "accessList").map((entry, i) => {
    const e = listField(entry, `accessList[${i}]`);
    if (e.length !== 2) throw new TransactionDecodeError(`accessList[${i}]: expected [address, storageKeys]`);
    return {
      address: addressField(e[0], `accessList[${i}].address`),
      storageKeys: listField(e[1], `accessList[${i}].storageKeys`).map((k, j) =>
        hashField(k, `accessList[${i}].storageKeys[${j}]`)
      ),
    };
  });
}

function decodeAuthorizations(x: RlpInput | undefined): Authorization[] {
  return listField(x, "authorizationList").map((entry, i) => {
    const a = listField(entry, `authorizationList[${i}]`);
    if (a.length !== 6) throw new TransactionDecodeError(`authorizationList[${i}]: expected 6 fields, got ${a.length}`);
    return {
      chainId: uintField(a[0], `authorizationList[${i}].chainId`),
      address: addressField(a[1], `authorizationList[${i}].address`),
      nonce: uintField(a[2], `authorizationList[${i}].nonce`, 8),
      yParity: uintField(a[3], `authorizationList[${i}].yParity`, 1),
      r: uintField(a[4], `authorizationList[${i}].r`),
      s: uintField(a[5], `authorizationList[${i}].s`),
    };
  });
}

function yParityField(x: RlpInput | undefined): number {
  const y = uintField(x, "yParity", 1);
  if (y > 1n) throw new TransactionDecodeError(`yParity: expected 0 or 1, got ${y}`);
  return Number(y);
}

function expectLength(fields: RlpInput[], n: number, kind: string): void {
  if (fields.length !== n) {
    throw new TransactionDecodeError(`${kind} transaction: expected ${n} fields, got ${fields.length}`);
  }
}

function decodeLegacy(fields: RlpInput[]): SignedTransaction {
  expectLength(fields, 9, "legacy");
  const v = uintField(fields[6], "v");
  let chainId: bigint | undefined;
  let yParity: number;
  if (v === 27n || v === 28n) {
    yParity = Number(v - 27n);
  } else if (v >= 35n) {
    chainId = (v - 35n) / 2n;
    yParity = Number((v - 35n) % 2n);
  } else {
    throw new TransactionDecodeError(`v: ${v} is neither 27/28 nor an EIP-155 value`);
  }
  return {
    type: TxType.Legacy,
    ...(chainId === undefined ? {} : { chainId }),
    nonce: uintField(fields[0], "nonce", 8),
    gasPrice: uintField(fields[1], "gasPrice"),
    gasLimit: uintField(fields[2], "gas", 8),
    to: toField(fields[3]),
    value: uintField(fields[4], "value"),
    data: bytesField(fields[5], "data"),
    accessList: [],
    signature: { v, r: uintField(fields[7], "r"), s: uintField(fields[8], "s"), yParity },
  };
}

function decodeTyped(type: number, fields: RlpInput[]): SignedTransaction {
  const sig = (i: number): TransactionSignature => {
    const yParity = yParityField(fields[i]);
    return { yParity, v: BigInt(yParity), r: uintField(fields[i + 1], "r"), s: uintField(fields[i + 2], "s") };
  };
  const common = () => ({
    chainId: uintField(fields[0], "chainId"),
    nonce: uintField(fields[1], "nonce", 8),
  });
  /** Fields 0..8 of the fee-market types (EIP-1559, 4844, 7702), read in order; `to` supplied by the type. */
  const feeMarket = <T>(to: () => T) => ({
    ...common(),
    maxPriorityFeePerGas: uintField(fields[2], "maxPriorityFeePerGas"),
    maxFeePerGas: uintField(fields[3], "maxFeePerGas"),
    gasLimit: uintField(fields[4], "gas", 8),
    to: to(),
    value: uintField(fields[6], "value"),
    data: bytesField(fields[7], "data"),
    accessList: decodeAccessList(fields[8]),
  });
  const requiredTo = (what: string): bigint => {
    const to = toField(fields[5]);
    if (to === undefined) throw new TransactionDecodeError(`to: ${what} cannot create a contract`);
    return to;
  };
  switch (type) {
    case TxType.AccessList:
      expectLength(fields, 11, "EIP-2930");
      return {
        type,
        ...common(),
        gasPrice: uintField(fields[2], "gasPrice"),
        gasLimit: uintField(fields[3], "gas", 8),
        to: toField(fields[4]),
        value: uintField(fields[5], "value"),
        data: bytesField(fields[6], "data"),
        accessList: decodeAccessList(fields[7]),
        signature: sig(8),
      };
    case TxType.FeeMarket:
      expectLength(fields, 12, "EIP-1559");
      return { type, ...feeMarket(() => toField(fields[5])), signature: sig(9) };
    case TxType.Blob: {
      expectLength(fields, 14, "EIP-4844");
      const to = requiredTo("a blob transaction");
      return {
        type,
        ...feeMarket(() => to),
        maxFeePerBlobGas: uintField(fields[9], "maxFeePerBlobGas"),
        blobVersionedHashes: listField(fields[10], "blobVersionedHashes").map((h, i) =>
          hashField(h, `blobVersionedHashes[${i}]`)
        ),
        signature: sig(11),
      };
    }
    case TxType.SetCode: {
      expectLength(fields, 13, "EIP-7702");
      const to = requiredTo("a set-code transaction");
      return { type, ...feeMarket(() => to), authorizationList: decodeAuthorizations(fields[9]), signature: sig(10) };
    }
    default:
      throw new TransactionDecodeError(`unsupported transaction type 0x${type.toString(16).padStart(2, "0")}`);
  }
}

function rlpOf(bytes: Uint8Array): RlpInput {
  try {
    return rlpDecode(bytes);
  } catch (e) {
    throw new TransactionDecodeError(`invalid RLP: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Decodes a signed transaction in its canonical form. A blob transaction in
 * its network form (payload with blobs, commitments and proofs) is accepted
 * too and reduced to its canonical payload; the sidecar is not verified.
 */
export function decodeTransaction(bytes: Uint8Array): SignedTransaction {
  if (bytes.length === 0) throw new TransactionDecodeError("empty transaction data");
  const first = bytes[0];
  if (first >= 0xc0) return decodeLegacy(listField(rlpOf(bytes), "transaction"));
  if (first > 0x7f) throw new TransactionDecodeError(`invalid first byte 0x${first.toString(16)}`);
  let fields = listField(rlpOf(bytes.subarray(1)), "transaction payload");
  if (first === TxType.Blob && Array.isArray(fields[0])) fields = fields[0];
  return decodeTyped(first, fields);
}

/**
 * The blobs, commitments and proofs of a blob transaction in its network form (EIP-4844's
 * [tx, blobs, commitments, proofs], or EIP-7594's with a wrapper version before the blobs); undefined for
 * any other transaction.
 */
export function decodeBlobSidecar(
  bytes: Uint8Array,
): { blobs: Uint8Array[]; commitments: Uint8Array[]; proofs: Uint8Array[] } | undefined {
  if (bytes.length === 0 || bytes[0] !== TxType.Blob) return undefined;
  const fields = listField(rlpOf(bytes.subarray(1)), "transaction payload");
  if (!Array.isArray(fields[0])) return undefined;
  const rest = fields.length === 5 ? fields.slice(2) : fields.slice(1);
  if (rest.length !== 3) throw new TransactionDecodeError(`blob sidecar: expected blobs, commitments and proofs`);
  const list = (x: RlpInput, what: string) => listField(x, what).map((b, i) => bytesField(b, `${what}[${i}]`));
  return { blobs: list(rest[0], "blobs"), commitments: list(rest[1], "commitments"), proofs: list(rest[2], "proofs") };
}
