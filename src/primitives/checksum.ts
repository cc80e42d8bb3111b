/** EIP-55 mixed-case checksum addresses (for display). */
import { keccak256 } from "./hash.ts";

export function toChecksumAddress(address: bigint): string {
  const hex = address.toString(16).padStart(40, "0");
  const hash = keccak256(new TextEncoder().encode(hex));
  let out = "0x";
  for (let i = 0; i < 40; i++) {
    const nibble = (hash[i >> 1] >> (i % 2 === 0 ? 4 : 0)) & 15;
    out += nibble >= 8 ? hex[i].toUpperCase() : hex[i];
  }
  return out;
}
