/**
 * How a world state differs from a test fixture's expected accounts (state tests' post state, blockchain tests'
 * postState): missing and unexpected accounts, nonce, balance, code and storage, a line a difference.
 */
import { bytesToHex, hexAddress, hexToBigInt } from "../primitives/hex.ts";
import type { WorldState } from "./world.ts";

export interface ExpectedAccount {
  nonce: string;
  balance: string;
  code: string;
  storage?: Record<string, string>;
}

export function expectedStateDiff(world: WorldState, expected: Record<string, ExpectedAccount>): string[] {
  const out: string[] = [];
  const seen = new Set<bigint>();
  for (const [addrHex, exp] of Object.entries(expected)) {
    const addr = hexToBigInt(addrHex);
    seen.add(addr);
    const acc = world.getAccount(addr);
    if (!acc) {
      out.push(`${addrHex}: missing`);
      continue;
    }
    if (acc.nonce !== hexToBigInt(exp.nonce)) out.push(`${addrHex}: nonce ${acc.nonce} != ${hexToBigInt(exp.nonce)}`);
    if (acc.balance !== hexToBigInt(exp.balance)) {
      out.push(`${addrHex}: balance ${acc.balance} != ${hexToBigInt(exp.balance)}`);
    }
    if (bytesToHex(acc.code) !== exp.code.toLowerCase()) out.push(`${addrHex}: code differs`);
    const want = new Map<bigint, bigint>();
    for (const [k, v] of Object.entries(exp.storage ?? {})) {
      if (hexToBigInt(v) !== 0n) want.set(hexToBigInt(k), hexToBigInt(v));
    }
    for (const [k, v] of want) {
      const got = acc.storage.get(k) ?? 0n;
      if (got !== v) out.push(`${addrHex}[0x${k.toString(16)}]: 0x${got.toString(16)} != 0x${v.toString(16)}`);
    }
    for (const [k, v] of acc.storage) {
      if (v !== 0n && !want.has(k)) out.push(`${addrHex}[0x${k.toString(16)}]: 0x${v.toString(16)} unexpected`);
    }
  }
  for (const [addr] of world.entries()) {
    if (!seen.has(addr)) out.push(`${hexAddress(addr)}: unexpected account`);
  }
  return out;
}
