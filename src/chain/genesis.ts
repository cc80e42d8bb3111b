/**
 * A chain's genesis from outside: a geth-format genesis file (`serve --init`)
 * or an EEST fixture's genesis header and `pre` state. The genesis block's
 * header has the optional fields of the fork it starts in, so its hash is the
 * one geth computes for the same file.
 */
import { BaseError } from "../errors/base.ts";
import { hexToBytes } from "../primitives/hex.ts";
import { Account } from "../state/account.ts";
import { EMPTY_TRIE_ROOT } from "../state/trie.ts";
import { INITIAL_BASE_FEE } from "./fees.ts";
import { ForkSchedule, ForkScheduleError } from "./fork_schedule.ts";
import { type BlockHeader, EMPTY_OMMERS_HASH, EMPTY_REQUESTS_HASH, headerFieldsOf } from "./header.ts";
import { nodeFs } from "../runtime.ts";

export class GenesisError extends BaseError {
  override name = "GenesisError";
}

/** The genesis header's own values (the roots are computed). Optional fork fields default as geth does. */
export interface GenesisHeaderFields {
  parentHash: Uint8Array;
  coinbase: bigint;
  difficulty: bigint;
  number: bigint;
  gasLimit: bigint;
  gasUsed: bigint;
  timestamp: bigint;
  extraData: Uint8Array;
  mixHash: Uint8Array;
  nonce: Uint8Array;
  baseFeePerGas?: bigint;
  blobGasUsed?: bigint;
  excessBlobGas?: bigint;
  parentBeaconBlockRoot?: Uint8Array;
}

export interface GenesisSpec {
  chainId: bigint;
  schedule: ForkSchedule;
  alloc: Map<bigint, Account>;
  header: GenesisHeaderFields;
}

/** The genesis block header over a state with root `stateRoot`. */
export function genesisHeader(spec: GenesisSpec, stateRoot: Uint8Array): BlockHeader {
  const g = spec.header;
  const merged = spec.schedule.isPostMerge(g.number, 0n);
  const fork = spec.schedule.at(g.number, g.timestamp, merged).fork;
  const fields = headerFieldsOf(fork);
  const header: BlockHeader = {
    parentHash: g.parentHash,
    ommersHash: EMPTY_OMMERS_HASH,
    coinbase: g.coinbase,
    stateRoot,
    transactionsRoot: EMPTY_TRIE_ROOT,
    receiptsRoot: EMPTY_TRIE_ROOT,
    logsBloom: new Uint8Array(256),
    difficulty: g.difficulty,
    number: g.number,
    gasLimit: g.gasLimit,
    gasUsed: g.gasUsed,
    timestamp: g.timestamp,
    extraData: g.extraData,
    mixHash: g.mixHash,
    nonce: g.nonce,
  };
  if (fields.baseFee) header.baseFeePerGas = g.baseFeePerGas ?? INITIAL_BASE_FEE;
  if (fields.withdrawals) header.withdrawalsRoot = EMPTY_TRIE_ROOT;
  if (fields.blobs) {
    header.blobGasUsed = g.blobGasUsed ?? 0n;
    header.excessBlobGas = g.excessBlobGas ?? 0n;
    header.parentBeaconBlockRoot = g.parentBeaconBlockRoot ?? new Uint8Array(32);
  }
  if (fields.requests) header.requestsHash = EMPTY_REQUESTS_HASH;
  return header;
}

// ---- geth genesis files ----

type Json = Record<string, unknown>;

const INTEGER = /^(0x[0-9a-fA-F]+|[0-9]+)$/;

function integer(v: unknown, name: string): bigint {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === "string" && INTEGER.test(v)) return BigInt(v);
  throw new GenesisError(`invalid ${name}: expected a non-negative integer (hex or decimal), got ${JSON.stringify(v)}`);
}

function optionalInteger(o: Json, key: string, name = key): bigint | undefined {
  const v = o[key];
  return v === undefined || v === null ? undefined : integer(v, name);
}

function hexBytes(v: unknown, name: string, length?: number): Uint8Array {
  if (typeof v !== "string" || !/^(0x)?([0-9a-fA-F]{2})*$/.test(v)) {
    throw new GenesisError(`invalid ${name}: expected hex bytes, got ${JSON.stringify(v)}`);
  }
  const b = hexToBytes(v.startsWith("0x") ? v : "0x" + v);
  if (length !== undefined && b.length !== length) {
    throw new GenesisError(`invalid ${name}: expected ${length} bytes, got ${b.length}`);
  }
  return b;
}

/** A 32-byte word given as hex of at most 32 bytes (storage keys and values). */
function word(v: unknown, name: string): bigint {
  if (typeof v !== "string" || !/^(0x)?[0-9a-fA-F]{1,64}$/.test(v)) {
    throw new GenesisError(`invalid ${name}: expected hex of at most 32 bytes, got ${JSON.stringify(v)}`);
  }
  return BigInt(v.startsWith("0x") ? v : "0x" + v);
}

function address(v: string, name: string): bigint {
  if (!/^(0x)?[0-9a-fA-F]{40}$/.test(v)) {
    throw new GenesisError(`invalid ${name}: expected a 20-byte hex address, got ${JSON.stringify(v)}`);
  }
  return BigInt(v.startsWith("0x") ? v : "0x" + v);
}

function object(v: unknown, name: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new GenesisError(`invalid ${name}: expected an object`);
  }
  return v as Json;
}

/** Accounts as geth's alloc and EEST's pre have them: balance, nonce, code, storage. */
export function parseAlloc(v: unknown, name = "alloc"): Map<bigint, Account> {
  const alloc = new Map<bigint, Account>();
  for (const [key, raw] of Object.entries(object(v, name))) {
    const a = address(key, `${name} key`);
    const n = `${name}[${key}]`;
    const o = object(raw, n);
    const storage = new Map<bigint, bigint>();
    if (o.storage !== undefined && o.storage !== null) {
      for (const [k, val] of Object.entries(object(o.storage, `${n}.storage`))) {
        const value = word(val, `${n}.storage[${k}]`);
        if (value !== 0n) storage.set(word(k, `${n}.storage key`), value);
      }
    }
    const code = o.code === undefined || o.code === null ? new Uint8Array(0) : hexBytes(o.code, `${n}.code`);
    const balance = o.balance === undefined || o.balance === null ? 0n : integer(o.balance, `${n}.balance`);
    alloc.set(a, new Account(optionalInteger(o, "nonce", `${n}.nonce`) ?? 0n, balance, code, storage));
  }
  return alloc;
}

/** A geth genesis (parsed JSON): config, alloc and the genesis header's fields. */
export function parseGethGenesis(json: unknown): GenesisSpec {
  const g = object(json, "genesis");
  if (g.config === undefined) throw new GenesisError("genesis: missing field config");
  const config = object(g.config, "config");
  for (const key of ["alloc", "gasLimit", "difficulty"]) {
    if (g[key] === undefined || g[key] === null) throw new GenesisError(`genesis: missing field ${key}`);
  }
  const chainId = config.chainId === undefined ? undefined : integer(config.chainId, "config.chainId");
  if (chainId === undefined) throw new GenesisError("genesis: missing field config.chainId");
  let schedule: ForkSchedule;
  try {
    schedule = ForkSchedule.fromGethConfig(config);
  } catch (e) {
    if (e instanceof ForkScheduleError) throw new GenesisError(`genesis: ${e.shortMessage}`, { details: e.details });
    throw e;
  }
  const nonce = optionalInteger(g, "nonce") ?? 0n;
  if (nonce >= 1n << 64n) throw new GenesisError(`invalid nonce: ${nonce} does not fit in 8 bytes`);
  const nonceBytes = new Uint8Array(8);
  for (let i = 0, x = nonce; i < 8; i++, x >>= 8n) nonceBytes[7 - i] = Number(x & 0xffn);
  const header: GenesisHeaderFields = {
    parentHash: g.parentHash == null ? new Uint8Array(32) : hexBytes(g.parentHash, "parentHash", 32),
    coinbase: g.coinbase == null ? 0n : address(String(g.coinbase), "coinbase"),
    difficulty: integer(g.difficulty, "difficulty"),
    number: optionalInteger(g, "number") ?? 0n,
    gasLimit: integer(g.gasLimit, "gasLimit"),
    gasUsed: optionalInteger(g, "gasUsed") ?? 0n,
    timestamp: optionalInteger(g, "timestamp") ?? 0n,
    extraData: g.extraData == null ? new Uint8Array(0) : hexBytes(g.extraData, "extraData"),
    mixHash: g.mixHash == null ? new Uint8Array(32) : hexBytes(g.mixHash, "mixHash", 32),
    nonce: nonceBytes,
    baseFeePerGas: optionalInteger(g, "baseFeePerGas"),
    blobGasUsed: optionalInteger(g, "blobGasUsed"),
    excessBlobGas: optionalInteger(g, "excessBlobGas"),
    parentBeaconBlockRoot: g.parentBeaconBlockRoot == null
      ? undefined
      : hexBytes(g.parentBeaconBlockRoot, "parentBeaconBlockRoot", 32),
  };
  if (header.extraData.length > 32) {
    throw new GenesisError(`invalid extraData: ${header.extraData.length} bytes, at most 32 allowed`);
  }
  return { chainId, schedule, alloc: parseAlloc(g.alloc), header };
}

/** Reads and parses a geth genesis file; every problem is a GenesisError naming the file. */
export function loadGenesisFile(path: string): GenesisSpec {
  let text: string;
  try {
    text = nodeFs().readFileSync(path, "utf8");
  } catch (e) {
    throw new GenesisError(`cannot read genesis file ${path}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new GenesisError(`genesis file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return parseGethGenesis(json);
  } catch (e) {
    if (e instanceof GenesisError) {
      throw new GenesisError(`genesis file ${path}: ${e.shortMessage}`, { details: e.details });
    }
    throw e;
  }
}
