/**
 * Human-readable revert reasons for error messages, decoded the way
 * anvil does: Error(string), Panic(uint256), a bare ABI string or ASCII,
 * else "custom error 0x<selector>".
 */
import { bytesToBigInt, bytesToHex } from "../primitives/hex.ts";

const ERROR_SELECTOR = 0x08c379a0;
const PANIC_SELECTOR = 0x4e487b71;

const PANIC_REASONS: Record<number, string> = {
  0x00: "generic/unspecified error",
  0x01: "assertion failed",
  0x11: "arithmetic underflow or overflow",
  0x12: "division or modulo by zero",
  0x21: "failed to convert value into enum type",
  0x22: "storage byte array incorrectly encoded",
  0x31: "called `.pop()` on an empty array",
  0x32: "array out-of-bounds access",
  0x41: "memory allocation error",
  0x51: "called an invalid internal function",
};

/** Decodes an ABI-encoded `string` at the start of `data`, or undefined when it is not one. */
export function decodeAbiString(data: Uint8Array): string | undefined {
  if (data.length < 64) return undefined;
  const offset = bytesToBigInt(data.subarray(0, 32));
  if (offset > BigInt(data.length - 32)) return undefined;
  const o = Number(offset);
  const length = bytesToBigInt(data.subarray(o, o + 32));
  if (length > BigInt(data.length - o - 32)) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(data.subarray(o + 32, o + 32 + Number(length)));
  } catch {
    return undefined;
  }
}

function isAscii(data: Uint8Array): boolean {
  for (const b of data) if (b > 0x7f) return false;
  return true;
}

function utf8OrUndefined(data: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(data);
  } catch {
    return undefined;
  }
}

function selectorOf(data: Uint8Array): number {
  return ((data[0] << 24) | (data[1] << 16) | (data[2] << 8) | data[3]) >>> 0;
}

export function panicReason(code: bigint): string {
  const known = code <= 0xffn ? PANIC_REASONS[Number(code)] : undefined;
  return `panic: ${known ?? "unknown code"} (0x${code.toString(16).padStart(2, "0")})`;
}

/** The reason to show after "execution reverted: ", or undefined for empty revert data. */
export function decodeRevertReason(data: Uint8Array): string | undefined {
  if (data.length >= 4) {
    const selector = selectorOf(data);
    if (selector === ERROR_SELECTOR) {
      const reason = decodeAbiString(data.subarray(4));
      if (reason !== undefined) return reason;
    } else if (selector === PANIC_SELECTOR && data.length === 36) {
      return panicReason(bytesToBigInt(data.subarray(4)));
    }
  }
  const bare = decodeAbiString(data);
  if (bare) return bare;
  if (data.length > 0 && isAscii(data)) return new TextDecoder().decode(data);
  if (data.length >= 4) {
    const rest = data.subarray(4);
    let s = `custom error ${bytesToHex(data.subarray(0, 4))}`;
    if (rest.length > 0) s += ": " + (utf8OrUndefined(rest) ?? bytesToHex(rest).slice(2));
    return s;
  }
  return data.length === 0 ? undefined : `custom error bytes ${bytesToHex(data)}`;
}
