/**
 * Parameter parsing for JSON-RPC methods. Every parser names the parameter
 * it reads, so an error says which one is wrong and what was expected.
 */
import type { BlockRef, BlockTag } from "../chain/chain.ts";
import type { AccountOverride, BlockOverrides, CallRequest, StateOverrides } from "../chain/call_request.ts";
import { bytesToBigInt, hexToBytes } from "../primitives/hex.ts";
import type { AccessListEntry, Authorization } from "../tx/transaction.ts";
import { InvalidParamsError } from "./errors.ts";

const U256_MAX = (1n << 256n) - 1n;
const HASH = /^0x[0-9a-fA-F]{64}$/;

/**
 * Whether `v` is "0x" followed by hex digits only, checked by a loop: data runs to megabytes (calldata,
 * initcode), where a regular expression with a repeated group recursed per character and overflowed the stack.
 */
function isHex(v: string): boolean {
  if (v.length < 2 || v.charCodeAt(0) !== 0x30 || (v.charCodeAt(1) | 0x20) !== 0x78) return false;
  for (let i = 2; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66))) return false;
  }
  return true;
}

/** Digits of a quantity once its leading zeros are left out (a bound before it is parsed). */
function significantDigits(v: string): number {
  let i = 2;
  while (i < v.length - 1 && v.charCodeAt(i) === 0x30) i++;
  return v.length - i;
}

function show(v: unknown): string {
  let s: string;
  try {
    s = v === undefined ? "undefined" : JSON.stringify(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? s.slice(0, 80) + "…" : s;
}

export function fail(name: string, expected: string, got: unknown): never {
  throw new InvalidParamsError(`invalid ${name}: expected ${expected}, got ${show(got)}`);
}

/** A hex quantity ("0x1a"); plain non-negative integers are accepted too, as anvil does. */
export function quantity(v: unknown, name: string, max = U256_MAX): bigint {
  let n: bigint;
  if (typeof v === "string" && v.length > 2 && v[1] === "x" && significantDigits(v) > 64 && isHex(v)) {
    fail(name, `a quantity of at most 0x${max.toString(16)}`, v);
  }
  if (typeof v === "string" && v.length > 2 && v[1] === "x" && isHex(v)) n = BigInt(v);
  else if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) n = BigInt(v);
  else fail(name, 'a hex quantity like "0x1"', v);
  if (n > max) fail(name, `a quantity of at most 0x${max.toString(16)}`, v);
  return n;
}

export const uint64 = (v: unknown, name: string) => quantity(v, name, (1n << 64n) - 1n);

export function data(v: unknown, name: string): Uint8Array {
  const expected = 'hex data with an even number of digits like "0x12ab"';
  if (typeof v !== "string" || !v.startsWith("0x") || v.length % 2 !== 0) fail(name, expected, v);
  try {
    return hexToBytes(v);
  } catch {
    return fail(name, expected, v);
  }
}

export function address(v: unknown, name: string): bigint {
  // "0x" and 40 hex digits, checked by a loop: a regular expression cost as much as the BigInt itself.
  if (typeof v !== "string" || v.length !== 42 || v.charCodeAt(1) !== 0x78 || !isHex(v)) {
    fail(name, "a 20-byte hex address", v);
  }
  return BigInt(v);
}

export function hash(v: unknown, name: string): Uint8Array {
  if (typeof v !== "string" || !HASH.test(v)) fail(name, "a 32-byte hex hash", v);
  return hexToBytes(v);
}

/** A 32-byte word given as a quantity or as 32 bytes of hex (storage slots and values). */
export function word(v: unknown, name: string): bigint {
  if (typeof v === "string" && HASH.test(v)) return BigInt(v);
  return quantity(v, name);
}

/**
 * A storage key as geth reads one: hex of at most 32 bytes, the "0x" optional and an odd digit count padded.
 * `bytes`: the length given (eth_getProof answers a 32-byte key as given, a shorter one as a quantity).
 */
export function storageKey(v: unknown, name: string): { key: bigint; bytes: number } {
  if (typeof v !== "string") fail(name, "a hex storage key of at most 32 bytes", v);
  let digits = /^0[xX]/.test(v) ? v.slice(2) : v;
  if (digits.length % 2) digits = "0" + digits;
  if (digits.length > 64) {
    throw new InvalidParamsError(`storage key too long (want at most 32 bytes): ${JSON.stringify(v)}`);
  }
  if (!/^[0-9a-fA-F]*$/.test(digits)) throw new InvalidParamsError(`invalid hex in storage key: ${JSON.stringify(v)}`);
  return { key: digits.length ? BigInt("0x" + digits) : 0n, bytes: digits.length / 2 };
}

export function bool(v: unknown, name: string): boolean {
  if (typeof v !== "boolean") fail(name, "true or false", v);
  return v;
}

export function string(v: unknown, name: string): string {
  if (typeof v !== "string") fail(name, "a string", v);
  return v;
}

export function object(v: unknown, name: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(name, "an object", v);
  return v as Record<string, unknown>;
}

export function array(v: unknown, name: string): unknown[] {
  if (!Array.isArray(v)) fail(name, "an array", v);
  return v;
}

const TAGS = new Set(["latest", "pending", "earliest", "safe", "finalized"]);

/** A block number (a hex string; a JSON number is refused, as geth and anvil do), tag, or hash (EIP-1898 object or bare hash). */
export function blockRef(v: unknown, name: string): BlockRef {
  if (typeof v === "string") {
    if (TAGS.has(v)) return { tag: v as BlockTag };
    if (HASH.test(v)) return { hash: hexToBytes(v) };
    if (v.length > 2 && v[1] === "x" && isHex(v)) return { number: uint64(v, name) };
  } else if (typeof v === "object" && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (o.blockHash !== undefined) return { hash: hash(o.blockHash, `${name}.blockHash`) };
    if (o.blockNumber !== undefined) return blockRef(o.blockNumber, `${name}.blockNumber`);
  }
  fail(name, 'a block number, a tag ("latest", "pending", "earliest", "safe", "finalized") or a block hash', v);
}

/** blockRef that also takes a JSON number (Otterscan sends them, and anvil's ots_ methods take them). */
export function blockRefOrNumber(v: unknown, name: string): BlockRef {
  return typeof v === "number" ? { number: uint64(v, name) } : blockRef(v, name);
}

function optional<T>(
  o: Record<string, unknown>,
  key: string,
  name: string,
  parse: (v: unknown, n: string) => T,
): T | undefined {
  const v = o[key];
  return v === undefined || v === null ? undefined : parse(v, `${name}.${key}`);
}

export function accessList(v: unknown, name: string): AccessListEntry[] {
  return array(v, name).map((e, i) => {
    const o = object(e, `${name}[${i}]`);
    return {
      address: address(o.address, `${name}[${i}].address`),
      storageKeys: array(o.storageKeys ?? [], `${name}[${i}].storageKeys`).map((k, j) =>
        word(k, `${name}[${i}].storageKeys[${j}]`)
      ),
    };
  });
}

function authorizationList(v: unknown, name: string): Authorization[] {
  return array(v, name).map((e, i) => {
    const o = object(e, `${name}[${i}]`);
    const n = `${name}[${i}]`;
    return {
      chainId: quantity(o.chainId, `${n}.chainId`),
      address: address(o.address, `${n}.address`),
      nonce: uint64(o.nonce, `${n}.nonce`),
      yParity: quantity(o.yParity ?? o.v, `${n}.yParity`),
      r: quantity(o.r, `${n}.r`),
      s: quantity(o.s, `${n}.s`),
    };
  });
}

const CALL_KEYS = new Set([
  "from",
  "to",
  "gas",
  "gasPrice",
  "maxFeePerGas",
  "maxPriorityFeePerGas",
  "maxFeePerBlobGas",
  "value",
  "data",
  "input",
  "nonce",
  "type",
  "chainId",
  "accessList",
  "authorizationList",
  "blobVersionedHashes",
  "blobs",
  "sidecar",
  "gasLimit",
]);

/** A transaction request (eth_call, eth_estimateGas, eth_sendTransaction, ...). */
export function callRequest(v: unknown, name: string): CallRequest {
  const o = object(v, name);
  for (const k of Object.keys(o)) {
    if (!CALL_KEYS.has(k)) fail(`${name}.${k}`, "no such field (unknown transaction field)", o[k]);
  }
  const input = optional(o, "input", name, data);
  const dataField = optional(o, "data", name, data);
  if (input && dataField && (input.length !== dataField.length || !input.every((b, i) => b === dataField[i]))) {
    throw new InvalidParamsError(`invalid ${name}: both "data" and "input" are set and differ`);
  }
  const type = optional(o, "type", name, (x, n) => Number(quantity(x, n, 0x7fn)));
  return {
    from: optional(o, "from", name, address),
    to: optional(o, "to", name, address),
    gas: optional(o, "gas", name, uint64) ?? optional(o, "gasLimit", name, uint64),
    gasPrice: optional(o, "gasPrice", name, quantity),
    maxFeePerGas: optional(o, "maxFeePerGas", name, quantity),
    maxPriorityFeePerGas: optional(o, "maxPriorityFeePerGas", name, quantity),
    maxFeePerBlobGas: optional(o, "maxFeePerBlobGas", name, quantity),
    value: optional(o, "value", name, quantity),
    data: input ?? dataField,
    nonce: optional(o, "nonce", name, uint64),
    type,
    chainId: optional(o, "chainId", name, quantity),
    accessList: optional(o, "accessList", name, accessList),
    authorizationList: optional(o, "authorizationList", name, authorizationList),
    blobVersionedHashes: optional(
      o,
      "blobVersionedHashes",
      name,
      (x, n) => array(x, n).map((h, i) => bytesToBigInt(hash(h, `${n}[${i}]`))),
    ),
  };
}

function storageMap(v: unknown, name: string): Map<bigint, bigint> {
  const o = object(v, name);
  const m = new Map<bigint, bigint>();
  for (const [k, val] of Object.entries(o)) m.set(word(k, `${name} key`), word(val, `${name}[${k}]`));
  return m;
}

/**
 * Code given in an override: the same text gives the same array, so that code simulated call after call under
 * an override warms up (the backends keep heat and compiled modules per code array) as deployed code does.
 */
const overrideCodes = new Map<string, Uint8Array>();
let overrideCodeBytes = 0;
const OVERRIDE_CODE_BYTES_KEPT = 16 << 20;

function overrideCode(v: unknown, name: string): Uint8Array {
  if (typeof v !== "string") return data(v, name);
  const kept = overrideCodes.get(v);
  if (kept) return kept;
  const code = data(v, name);
  overrideCodes.set(v, code);
  overrideCodeBytes += code.length;
  for (const [text, c] of overrideCodes) {
    if (overrideCodeBytes <= OVERRIDE_CODE_BYTES_KEPT) break;
    overrideCodes.delete(text);
    overrideCodeBytes -= c.length;
  }
  return code;
}

/** eth_call's third parameter: address → { balance, nonce, code, state, stateDiff }. */
export function stateOverrides(v: unknown, name: string): StateOverrides {
  const o = object(v, name);
  const out: StateOverrides = new Map();
  for (const [addr, raw] of Object.entries(o)) {
    const a = address(addr, `${name} key`);
    const n = `${name}[${addr}]`;
    const e = object(raw, n);
    for (const k of Object.keys(e)) {
      if (!["balance", "nonce", "code", "state", "stateDiff", "movePrecompileToAddress"].includes(k)) {
        fail(`${n}.${k}`, "no such field (unknown override field)", e[k]);
      }
    }
    if (e.state !== undefined && e.stateDiff !== undefined) {
      throw new InvalidParamsError(`invalid ${n}: "state" and "stateDiff" cannot both be set`);
    }
    const ov: AccountOverride = {
      balance: optional(e, "balance", n, quantity),
      nonce: optional(e, "nonce", n, uint64),
      code: optional(e, "code", n, overrideCode),
      state: optional(e, "state", n, storageMap),
      stateDiff: optional(e, "stateDiff", n, storageMap),
      movePrecompileTo: optional(e, "movePrecompileToAddress", n, address),
    };
    out.set(a, ov);
  }
  return out;
}

export function blockOverrides(v: unknown, name: string): BlockOverrides {
  const o = object(v, name);
  return {
    number: optional(o, "number", name, uint64),
    time: optional(o, "time", name, uint64),
    gasLimit: optional(o, "gasLimit", name, uint64),
    coinbase: optional(o, "feeRecipient", name, address) ?? optional(o, "coinbase", name, address),
    prevRandao: optional(o, "prevRandao", name, word) ?? optional(o, "random", name, word),
    baseFee: optional(o, "baseFeePerGas", name, quantity) ?? optional(o, "baseFee", name, quantity),
    blobBaseFee: optional(o, "blobBaseFee", name, quantity),
    difficulty: optional(o, "difficulty", name, quantity),
  };
}

/** Positional parameters of one call, read by index and name. */
export class Params {
  constructor(readonly list: unknown[]) {}

  required<T>(index: number, name: string, parse: (v: unknown, name: string) => T): T {
    const v = this.list[index];
    if (v === undefined || v === null) {
      throw new InvalidParamsError(`missing value for required argument ${index} (${name})`);
    }
    return parse(v, name);
  }

  optional<T>(index: number, name: string, parse: (v: unknown, name: string) => T): T | undefined {
    const v = this.list[index];
    return v === undefined || v === null ? undefined : parse(v, name);
  }

  /** Rejects surplus positional parameters. */
  atMost(count: number): this {
    if (this.list.length > count) {
      throw new InvalidParamsError(`too many arguments: expected at most ${count}, got ${this.list.length}`);
    }
    return this;
  }
}
