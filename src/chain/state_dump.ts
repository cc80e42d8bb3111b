/**
 * The chain as anvil saves it (`anvil_dumpState`, `--dump-state`, `--state`): the accounts of the head state,
 * the blocks with their transactions, the receipts, the block environment and the best block number, in the
 * JSON layout of anvil 1.7.1's SerializableState, so that a file saved by either node loads in the other.
 *
 * Loading merges the accounts into the head state (as anvil does: accounts absent from the file stay) and
 * replaces the blocks the file has; the states of blocks before the head are not in the file, so reads at
 * those blocks answer "state not available" (anvil's default, without --preserve-historical-states).
 */
import { nodeModule } from "../runtime.ts";
import { BaseError } from "../errors/base.ts";
import { keccak256 } from "../primitives/hash.ts";
import {
  bigIntToBytes,
  bigIntToHex,
  bytesToBigInt,
  bytesToHex,
  concatBytes,
  hexAddress,
  hexToBytes,
  hexWord,
} from "../primitives/hex.ts";
import { rlpEncode } from "../primitives/rlp.ts";
import { Account } from "../state/account.ts";
import type { Log } from "../state/world.ts";
import { encodeTransaction, recoverSender, type SignedTransaction } from "../tx/codec.ts";
import type { AccessListEntry, Authorization } from "../tx/transaction.ts";
import { TxType } from "../tx/transaction.ts";
import { GAS_PER_BLOB } from "../tx/blob.ts";
import type { Block, PooledTransaction, Withdrawal } from "./block.ts";
import { assembleBlock } from "./block_builder.ts";
import type { DevChain } from "./chain.ts";
import { headerJson, signedTransactionJson } from "./json.ts";
import { blobGasPrice } from "./fees.ts";
import type { BlockHeader } from "./header.ts";
import type { Receipt } from "./receipt.ts";

/** node:zlib, loaded when first needed (under Bun, loading it took about 7 ms of every start). */
const zlib = () => nodeModule<typeof import("node:zlib")>("node:zlib");

/** A state file or dump that cannot be read: what is wrong and where. */
export class StateFileError extends BaseError {
  override name = "StateFileError";
  constructor(details: string) {
    super("invalid state dump", { details });
  }
}

type Json = Record<string, unknown>;

const q = bigIntToHex;

// ---- saving ----

/** The chain in anvil's SerializableState layout (a plain JSON value). */
export function serializeState(chain: DevChain): Json {
  const latest = chain.latest.header;
  const accounts: Record<string, Json> = {};
  const entries = [...chain.head.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [address, account] of entries) {
    const storage: Record<string, string> = {};
    const slots = [...(account.storageIfAny ?? [])].filter(([, v]) => v !== 0n).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    for (const [slot, value] of slots) storage[hexWord(slot)] = hexWord(value);
    accounts[hexAddress(address)] = {
      nonce: Number(account.nonce),
      balance: q(account.balance),
      code: bytesToHex(account.code),
      storage,
    };
  }
  const blocks = chain.blocks.map((b) => ({
    header: headerJson(b.header),
    transactions: b.transactions.map((t) => ({
      transaction: transactionJson(t),
      impersonated_sender: t.impersonated ? hexAddress(t.sender) : null,
    })),
    ommers: [],
    withdrawals: b.withdrawals?.map((w) => ({
      index: q(w.index),
      validatorIndex: q(w.validatorIndex),
      address: hexAddress(w.address),
      amount: q(w.amount),
    })) ?? null,
  }));
  const transactions = chain.blocks.flatMap((b) =>
    b.transactions.map((t) => {
      const r = t.receipt;
      const created = t.tx.to === undefined ? r.contractAddress : undefined;
      return {
        info: {
          transaction_hash: bytesToHex(t.hash),
          transaction_index: t.index,
          from: hexAddress(t.sender),
          to: t.tx.to === undefined ? null : hexAddress(t.tx.to),
          contract_address: created === undefined ? null : hexAddress(created),
          traces: [],
          exit: r.status ? "Stop" : "Revert",
          out: null,
          nonce: Number(t.tx.nonce),
          gas_used: Number(r.gasUsed),
        },
        receipt: {
          type: q(r.type),
          status: r.status ? "0x1" : "0x0",
          cumulativeGasUsed: q(r.cumulativeGasUsed),
          logs: r.logs.map((l) => ({ address: hexAddress(l.address), topics: l.topics.map(hexWord), data: bytesToHex(l.data) })),
          logsBloom: bytesToHex(r.logsBloom),
        },
        block_hash: bytesToHex(t.blockHash),
        block_number: Number(t.blockNumber),
      };
    })
  );
  return {
    block: {
      number: q(latest.number),
      beneficiary: hexAddress(latest.coinbase),
      timestamp: q(latest.timestamp),
      gas_limit: Number(latest.gasLimit),
      basefee: Number(latest.baseFeePerGas ?? 0n),
      difficulty: q(latest.difficulty),
      prevrandao: bytesToHex(latest.mixHash),
      blob_excess_gas_and_price: {
        excess_blob_gas: Number(latest.excessBlobGas ?? 0n),
        blob_gasprice: Number(blobGasPrice(latest.excessBlobGas ?? 0n, chain.hardforkOf(chain.latest).blobSchedule)),
      },
      slot_num: 0,
    },
    accounts,
    best_block_number: Number(chain.blockNumber),
    blocks,
    transactions,
    historical_states: null,
  };
}

/** A block body's transaction as anvil writes it: the signed fields and the hash of the envelope. */
function transactionJson(ptx: PooledTransaction): Json {
  const out: Json = signedTransactionJson(ptx.tx);
  out.hash = bytesToHex(keccak256(ptx.encoded));
  return out;
}

/** anvil_dumpState's bytes: the JSON, gzip'ed. */
export function encodeStateDump(state: Json): Uint8Array {
  return new Uint8Array(zlib().gzipSync(new TextEncoder().encode(JSON.stringify(state))));
}

/** anvil_loadState's bytes: gzip'ed JSON, or plain JSON (anvil takes both). */
export function decodeStateDump(bytes: Uint8Array): unknown {
  let text: string;
  try {
    const raw = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? zlib().gunzipSync(bytes) : bytes;
    text = new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch (e) {
    throw new StateFileError(`not gzip'ed JSON: ${(e as Error).message}`);
  }
  return parseStateJson(text);
}

export function parseStateJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new StateFileError(`not JSON: ${(e as Error).message}`);
  }
}

// ---- loading ----

/** A reader of one JSON value that names the field it is at in its errors. */
class Field {
  constructor(readonly v: unknown, readonly path: string) {}

  private fail(expected: string): never {
    let shown: string;
    try {
      shown = this.v === undefined ? "nothing" : JSON.stringify(this.v);
    } catch {
      shown = String(this.v);
    }
    if (shown.length > 60) shown = shown.slice(0, 60) + "…";
    throw new StateFileError(`${this.path}: expected ${expected}, got ${shown}`);
  }

  get(key: string): Field {
    return new Field(this.object()[key], `${this.path}.${key}`);
  }

  has(key: string): boolean {
    const v = this.object()[key];
    return v !== undefined && v !== null;
  }

  object(): Json {
    if (typeof this.v !== "object" || this.v === null || Array.isArray(this.v)) this.fail("an object");
    return this.v as Json;
  }

  entries(): [string, Field][] {
    return Object.entries(this.object()).map(([k, v]) => [k, new Field(v, `${this.path}.${k}`)]);
  }

  list(): Field[] {
    if (!Array.isArray(this.v)) this.fail("an array");
    return (this.v as unknown[]).map((v, i) => new Field(v, `${this.path}[${i}]`));
  }

  /** A number or a hex quantity (anvil writes both, field by field). */
  quantity(): bigint {
    const v = this.v;
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
    if (typeof v === "string" && /^0x[0-9a-fA-F]{1,64}$/.test(v)) return BigInt(v);
    this.fail("a number or a hex quantity");
  }

  bytes(length?: number): Uint8Array {
    const v = this.v;
    if (typeof v !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(v)) this.fail("hex data");
    const b = hexToBytes(v as string);
    if (length !== undefined && b.length !== length) this.fail(`${length} bytes of hex`);
    return b;
  }

  address(): bigint {
    return bytesToBigInt(this.bytes(20));
  }

  optionalAddress(): bigint | undefined {
    return this.v === null || this.v === undefined ? undefined : this.address();
  }

  word(): bigint {
    const v = this.v;
    if (typeof v === "string" && /^0x[0-9a-fA-F]{1,64}$/.test(v)) return BigInt(v);
    this.fail("a 32-byte hex word");
  }
}

function parseHeader(f: Field): BlockHeader {
  const h: BlockHeader = {
    parentHash: f.get("parentHash").bytes(32),
    ommersHash: f.get("sha3Uncles").bytes(32),
    coinbase: f.get("miner").address(),
    stateRoot: f.get("stateRoot").bytes(32),
    transactionsRoot: f.get("transactionsRoot").bytes(32),
    receiptsRoot: f.get("receiptsRoot").bytes(32),
    logsBloom: f.get("logsBloom").bytes(256),
    difficulty: f.get("difficulty").quantity(),
    number: f.get("number").quantity(),
    gasLimit: f.get("gasLimit").quantity(),
    gasUsed: f.get("gasUsed").quantity(),
    timestamp: f.get("timestamp").quantity(),
    extraData: f.get("extraData").bytes(),
    mixHash: f.get("mixHash").bytes(32),
    nonce: f.get("nonce").bytes(8),
  };
  if (f.has("baseFeePerGas")) h.baseFeePerGas = f.get("baseFeePerGas").quantity();
  if (f.has("withdrawalsRoot")) h.withdrawalsRoot = f.get("withdrawalsRoot").bytes(32);
  if (f.has("blobGasUsed")) {
    h.blobGasUsed = f.get("blobGasUsed").quantity();
    h.excessBlobGas = f.has("excessBlobGas") ? f.get("excessBlobGas").quantity() : 0n;
    h.parentBeaconBlockRoot = f.get("parentBeaconBlockRoot").bytes(32);
  }
  if (f.has("requestsHash")) h.requestsHash = f.get("requestsHash").bytes(32);
  return h;
}

function parseAccessList(f: Field): AccessListEntry[] {
  return f.list().map((e) => ({
    address: e.get("address").address(),
    storageKeys: e.has("storageKeys") ? e.get("storageKeys").list().map((k) => k.word()) : [],
  }));
}

function parseAuthorizations(f: Field): Authorization[] {
  return f.list().map((a) => ({
    chainId: a.get("chainId").quantity(),
    address: a.get("address").address(),
    nonce: a.get("nonce").quantity(),
    yParity: a.get("yParity").quantity(),
    r: a.get("r").quantity(),
    s: a.get("s").quantity(),
  }));
}

/** A signed transaction from its JSON-RPC form (as eth_getTransactionByHash answers it); errors name `path`. */
export function parseRpcTransaction(json: unknown, path: string): SignedTransaction {
  return parseTransaction(new Field(json, path));
}

function parseTransaction(f: Field): SignedTransaction {
  const type = Number(f.get("type").quantity());
  if (type > TxType.SetCode) throw new StateFileError(`${f.path}.type: transaction type ${type} is not supported`);
  const r = f.get("r").quantity();
  const s = f.get("s").quantity();
  const v = f.has("v") ? f.get("v").quantity() : f.get("yParity").quantity();
  const yParity = type === TxType.Legacy
    ? Number(v >= 35n ? (v - 35n) % 2n : v - 27n)
    : Number(f.has("yParity") ? f.get("yParity").quantity() : v);
  const tx: SignedTransaction = {
    type: type as TxType,
    nonce: f.get("nonce").quantity(),
    gasLimit: f.get("gas").quantity(),
    to: f.get("to").optionalAddress(),
    value: f.get("value").quantity(),
    data: f.get("input").bytes(),
    accessList: type === TxType.Legacy ? [] : parseAccessList(f.get("accessList")),
    signature: { r, s, yParity, v },
  };
  if (f.has("chainId")) tx.chainId = f.get("chainId").quantity();
  if (type === TxType.Legacy || type === TxType.AccessList) tx.gasPrice = f.get("gasPrice").quantity();
  if (type >= TxType.FeeMarket) {
    tx.maxFeePerGas = f.get("maxFeePerGas").quantity();
    tx.maxPriorityFeePerGas = f.get("maxPriorityFeePerGas").quantity();
  }
  if (type === TxType.Blob) {
    tx.maxFeePerBlobGas = f.get("maxFeePerBlobGas").quantity();
    tx.blobVersionedHashes = f.get("blobVersionedHashes").list().map((h) => h.word());
  }
  if (type === TxType.SetCode) tx.authorizationList = parseAuthorizations(f.get("authorizationList"));
  return tx;
}

/** The hash a transaction is known by: of its envelope, or for an impersonated sender, of envelope and sender. */
function hashOf(tx: SignedTransaction, encoded: Uint8Array, impersonatedSender: bigint | undefined): Uint8Array {
  if (impersonatedSender === undefined) return keccak256(encoded);
  const network = tx.type === TxType.Legacy ? encoded : rlpEncode(encoded);
  return keccak256(concatBytes(network, bigIntToBytes(impersonatedSender, 20)));
}

interface ReceiptInfo {
  receipt: Field;
  info: Field;
}

function parseLogs(f: Field): Log[] {
  return f.list().map((l) => ({
    address: l.get("address").address(),
    topics: l.get("topics").list().map((t) => t.word()),
    data: l.get("data").bytes(),
  }));
}

function effectiveGasPrice(tx: SignedTransaction, baseFee: bigint): bigint {
  if (tx.type < TxType.FeeMarket) return tx.gasPrice ?? 0n;
  const tip = tx.maxPriorityFeePerGas! < tx.maxFeePerGas! - baseFee ? tx.maxPriorityFeePerGas! : tx.maxFeePerGas! - baseFee;
  return baseFee + tip;
}

function parseBlock(chain: DevChain, f: Field, receipts: Map<string, ReceiptInfo>): Block {
  const header = parseHeader(f.get("header"));
  const baseFee = header.baseFeePerGas ?? 0n;
  const fork = chain.hardforkAt(header.number, header.timestamp, header.difficulty === 0n);
  const blobPrice = blobGasPrice(header.excessBlobGas ?? 0n, fork.blobSchedule);
  const included = f.get("transactions").list().map((entry) => {
    const tx = parseTransaction(entry.get("transaction"));
    const impersonated = entry.has("impersonated_sender") ? entry.get("impersonated_sender").address() : undefined;
    const encoded = encodeTransaction(tx);
    const hash = hashOf(tx, encoded, impersonated);
    const key = bytesToHex(hash);
    const found = receipts.get(key);
    if (!found) throw new StateFileError(`${entry.path}: no receipt for transaction ${key} in "transactions"`);
    const { receipt: r, info } = found;
    let sender = impersonated;
    if (sender === undefined) sender = info.has("from") ? info.get("from").address() : recoverSender(tx);
    const status = r.get("status").quantity() === 1n;
    const ptx: PooledTransaction = { tx, sender, hash, encoded, impersonated: impersonated !== undefined };
    const created = tx.to === undefined && status ? info.get("contract_address").optionalAddress() : undefined;
    const receipt: Receipt = {
      type: tx.type,
      status,
      cumulativeGasUsed: r.get("cumulativeGasUsed").quantity(),
      gasUsed: info.get("gas_used").quantity(),
      logsBloom: r.get("logsBloom").bytes(256),
      logs: parseLogs(r.get("logs")),
      contractAddress: created,
      effectiveGasPrice: effectiveGasPrice(tx, baseFee),
      blobGasUsed: BigInt(tx.blobVersionedHashes?.length ?? 0) * GAS_PER_BLOB,
      blobGasPrice: blobPrice,
    };
    return { ptx, receipt };
  });
  // anvil writes null for a block without withdrawals; a block from Shanghai on has a (possibly empty) list.
  const withdrawals: Withdrawal[] | undefined = f.has("withdrawals")
    ? f.get("withdrawals").list().map((w) => ({
      index: w.get("index").quantity(),
      validatorIndex: w.get("validatorIndex").quantity(),
      address: w.get("address").address(),
      amount: w.get("amount").quantity(),
    }))
    : header.withdrawalsRoot !== undefined
    ? []
    : undefined;
  return assembleBlock(header, included, withdrawals);
}

/**
 * Loads a parsed state dump into the chain (anvil_loadState, --load-state): merges its accounts into the head
 * state and takes its blocks. Everything is read and checked before the chain changes.
 */
export function loadState(chain: DevChain, value: unknown): void {
  const root = new Field(value, "state");
  root.object();
  const accounts = root.get("accounts").entries().map(([key, f]) => {
    const address = new Field(key, `${f.path} (address)`).address();
    const storage = new Map<bigint, bigint>();
    if (f.has("storage")) {
      for (const [slot, value] of f.get("storage").entries()) {
        const v = value.word();
        if (v !== 0n) storage.set(new Field(slot, `${value.path} (slot)`).word(), v);
      }
    }
    return { address, account: new Account(f.get("nonce").quantity(), f.get("balance").quantity(), f.get("code").bytes(), storage) };
  });
  const receipts = new Map<string, ReceiptInfo>();
  if (root.has("transactions")) {
    for (const t of root.get("transactions").list()) {
      const info = t.get("info");
      receipts.set(bytesToHex(info.get("transaction_hash").bytes(32)), { receipt: t.get("receipt"), info });
    }
  }
  const blocks = (root.has("blocks") ? root.get("blocks").list() : []).map((b) => parseBlock(chain, b, receipts));
  blocks.sort((a, b) => (a.header.number < b.header.number ? -1 : a.header.number > b.header.number ? 1 : 0));
  let best = root.has("best_block_number") ? root.get("best_block_number").quantity() : undefined;
  if (best === undefined && root.has("block")) best = root.get("block").get("number").quantity();
  const kept = best === undefined ? blocks : blocks.filter((b) => b.header.number <= best!);
  for (let i = 1; i < kept.length; i++) {
    const [parent, child] = [kept[i - 1], kept[i]];
    if (child.header.number !== parent.header.number + 1n) {
      throw new StateFileError(`blocks: block ${parent.header.number} is followed by block ${child.header.number}`);
    }
    if (bytesToHex(child.header.parentHash) !== bytesToHex(parent.hash)) {
      throw new StateFileError(`blocks: block ${child.header.number}'s parent hash is not block ${parent.header.number}'s hash`);
    }
  }
  const last = kept[kept.length - 1]?.header.number ?? chain.blockNumber;
  if (best !== undefined && best !== last && (kept.length > 0 || chain.blockByNumber(best) === undefined)) {
    throw new StateFileError(`best block number ${best} is not among the blocks`);
  }
  chain.loadChainState(kept, accounts);
}
