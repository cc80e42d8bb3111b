/**
 * RLP (Yellow Paper appendix B). Encoding is ours: lengths are worked out in
 * one pass and the bytes written into one buffer in a second, where a
 * general-purpose encoder concatenates a new array at every level (trie
 * nodes, headers and receipts are encoded for every block). Decoding is
 * @ethereumjs/rlp's, loaded on first use (a start decodes nothing, and its
 * module's tables cost about a millisecond of every start under Bun):
 * src/npm_packages.ts.
 */
import type { RLP as RlpCodec } from "@ethereumjs/rlp";
import { npmPackage } from "../npm_packages.ts";

let rlp: typeof RlpCodec | undefined;

export type RlpInput = Uint8Array | RlpInput[];

/** Bytes of the length prefix for a payload of `length` bytes (a single byte below 0x80 has none). */
export function prefixLength(length: number): number {
  if (length < 56) return 1;
  let n = 1;
  while (length >= 256 ** n) n++;
  return 1 + n;
}

function payloadLength(item: RlpInput): number {
  if (item instanceof Uint8Array) return item.length;
  let total = 0;
  for (const x of item) total += encodedLength(x);
  return total;
}

function encodedLength(item: RlpInput): number {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && item[0] < 0x80) return 1;
    return prefixLength(item.length) + item.length;
  }
  const p = payloadLength(item);
  return prefixLength(p) + p;
}

/** Writes the length prefix of a payload (offset 0x80 for a string, 0xc0 for a list); returns the next position. */
export function writePrefix(out: Uint8Array, at: number, length: number, offset: number): number {
  if (length < 56) {
    out[at] = offset + length;
    return at + 1;
  }
  let n = 1;
  while (length >= 256 ** n) n++;
  out[at] = offset + 55 + n;
  for (let i = n; i >= 1; i--) {
    out[at + i] = length & 0xff;
    length = Math.floor(length / 256);
  }
  return at + 1 + n;
}

function write(out: Uint8Array, at: number, item: RlpInput): number {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && item[0] < 0x80) {
      out[at] = item[0];
      return at + 1;
    }
    at = writePrefix(out, at, item.length, 0x80);
    out.set(item, at);
    return at + item.length;
  }
  at = writePrefix(out, at, payloadLength(item), 0xc0);
  for (const x of item) at = write(out, at, x);
  return at;
}

export function rlpEncode(input: RlpInput): Uint8Array {
  const out = new Uint8Array(encodedLength(input));
  write(out, 0, input);
  return out;
}

export function rlpDecode(data: Uint8Array): RlpInput {
  rlp ??= npmPackage<{ RLP: typeof RlpCodec }>("@ethereumjs/rlp").RLP;
  return rlp.decode(data) as RlpInput;
}
