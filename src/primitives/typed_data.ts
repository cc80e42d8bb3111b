/**
 * EIP-712 typed structured data hashing (eth_signTypedData_v4): encodeType,
 * hashStruct and the final digest keccak256(0x1901 || domainSeparator || hashStruct(message)).
 */
import { BaseError } from "../errors/base.ts";
import { keccak256 } from "./hash.ts";
import { bigIntToBytes, concatBytes, hexToBytes } from "./hex.ts";

export interface TypedDataField {
  name: string;
  type: string;
}

export interface TypedData {
  types: Record<string, TypedDataField[]>;
  primaryType: string;
  domain: Record<string, unknown>;
  message: Record<string, unknown>;
}

export class TypedDataError extends BaseError {
  override name = "TypedDataError";
  constructor(details: string) {
    super("invalid typed data", { details });
  }
}

const DOMAIN_FIELDS: Record<string, string> = {
  name: "string",
  version: "string",
  chainId: "uint256",
  verifyingContract: "address",
  salt: "bytes32",
};

const encoder = new TextEncoder();

/** The struct types `primary` refers to, itself first, then the rest sorted by name. */
function dependencies(
  types: Record<string, TypedDataField[]>,
  primary: string,
  found = new Set<string>(),
): Set<string> {
  const base = primary.replace(/\[\d*\]$/, "").replace(/(\[\d*\])+$/, "");
  if (found.has(base) || !types[base]) return found;
  found.add(base);
  for (const field of types[base]) dependencies(types, field.type.replace(/(\[\d*\])+$/, ""), found);
  return found;
}

export function encodeType(types: Record<string, TypedDataField[]>, primary: string): string {
  const [first, ...rest] = [...dependencies(types, primary)];
  return [first, ...rest.sort()].map((t) => `${t}(${types[t].map((f) => `${f.type} ${f.name}`).join(",")})`).join("");
}

export function typeHash(types: Record<string, TypedDataField[]>, primary: string): Uint8Array {
  return keccak256(encoder.encode(encodeType(types, primary)));
}

function toBigInt(v: unknown, what: string): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === "string" && /^(0x[0-9a-fA-F]+|-?[0-9]+)$/.test(v)) return BigInt(v);
  throw new TypedDataError(`${what}: expected an integer, got ${JSON.stringify(v)}`);
}

function toBytes(v: unknown, what: string): Uint8Array {
  if (typeof v === "string" && /^0x([0-9a-fA-F]{2})*$/.test(v)) return hexToBytes(v);
  throw new TypedDataError(`${what}: expected hex bytes, got ${JSON.stringify(v)}`);
}

function encodeValue(types: Record<string, TypedDataField[]>, type: string, value: unknown, what: string): Uint8Array {
  const array = /^(.*)\[(\d*)\]$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) throw new TypedDataError(`${what}: expected an array`);
    if (array[2] !== "" && value.length !== Number(array[2])) {
      throw new TypedDataError(`${what}: expected ${array[2]} elements`);
    }
    return keccak256(concatBytes(...value.map((v, i) => encodeValue(types, array[1], v, `${what}[${i}]`))));
  }
  if (types[type]) {
    if (typeof value !== "object" || value === null) throw new TypedDataError(`${what}: expected a ${type} object`);
    return hashStruct(types, type, value as Record<string, unknown>);
  }
  if (type === "string") {
    if (typeof value !== "string") throw new TypedDataError(`${what}: expected a string`);
    return keccak256(encoder.encode(value));
  }
  if (type === "bytes") return keccak256(toBytes(value, what));
  if (type === "bool") {
    if (typeof value !== "boolean" && value !== "true" && value !== "false") {
      throw new TypedDataError(`${what}: expected a boolean`);
    }
    return bigIntToBytes(value === true || value === "true" ? 1n : 0n);
  }
  if (type === "address") {
    const n = toBigInt(value, what);
    if (n < 0n || n >= 1n << 160n) throw new TypedDataError(`${what}: not an address`);
    return bigIntToBytes(n);
  }
  const fixedBytes = /^bytes(\d+)$/.exec(type);
  if (fixedBytes) {
    const b = toBytes(value, what);
    const size = Number(fixedBytes[1]);
    if (size < 1 || size > 32 || b.length > size) throw new TypedDataError(`${what}: expected at most ${size} bytes`);
    const out = new Uint8Array(32);
    out.set(b);
    return out;
  }
  const int = /^(u?)int(\d*)$/.exec(type);
  if (int) {
    const bits = BigInt(int[2] || "256");
    let n = toBigInt(value, what);
    if (int[1] === "u") {
      if (n < 0n || n >= 1n << bits) throw new TypedDataError(`${what}: out of range for ${type}`);
    } else {
      if (n < -(1n << (bits - 1n)) || n >= 1n << (bits - 1n)) {
        throw new TypedDataError(`${what}: out of range for ${type}`);
      }
      if (n < 0n) n += 1n << 256n;
    }
    return bigIntToBytes(n);
  }
  throw new TypedDataError(`${what}: unknown type ${type}`);
}

export function hashStruct(
  types: Record<string, TypedDataField[]>,
  primary: string,
  value: Record<string, unknown>,
): Uint8Array {
  const fields = types[primary];
  if (!fields) throw new TypedDataError(`unknown struct type ${primary}`);
  const parts = [typeHash(types, primary)];
  for (const f of fields) parts.push(encodeValue(types, f.type, value[f.name], `${primary}.${f.name}`));
  return keccak256(concatBytes(...parts));
}

export function hashTypedData(data: TypedData): Uint8Array {
  if (
    typeof data !== "object" || data === null || typeof data.types !== "object" || typeof data.primaryType !== "string"
  ) {
    throw new TypedDataError("expected an object with types, primaryType, domain and message");
  }
  const types = { ...data.types };
  const domain = data.domain ?? {};
  types.EIP712Domain = types.EIP712Domain ??
    Object.keys(DOMAIN_FIELDS).filter((k) => domain[k] !== undefined).map((k) => ({ name: k, type: DOMAIN_FIELDS[k] }));
  const parts = [new Uint8Array([0x19, 0x01]), hashStruct(types, "EIP712Domain", domain)];
  if (data.primaryType !== "EIP712Domain") parts.push(hashStruct(types, data.primaryType, data.message ?? {}));
  return keccak256(concatBytes(...parts));
}
