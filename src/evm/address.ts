import { keccak256 } from "../primitives/hash.ts";
import { bigIntToBytes, bigIntToMinimalBytes, bytesToBigInt, concatBytes } from "../primitives/hex.ts";
import { rlpEncode } from "../primitives/rlp.ts";

export const ADDRESS_MASK = (1n << 160n) - 1n;

export function createAddress(sender: bigint, nonce: bigint): bigint {
  const hash = keccak256(rlpEncode([bigIntToBytes(sender, 20), bigIntToMinimalBytes(nonce)]));
  return bytesToBigInt(hash.subarray(12));
}

export function create2Address(sender: bigint, salt: bigint, initcode: Uint8Array): bigint {
  const hash = keccak256(
    concatBytes(new Uint8Array([0xff]), bigIntToBytes(sender, 20), bigIntToBytes(salt), keccak256(initcode)),
  );
  return bytesToBigInt(hash.subarray(12));
}

/** EIP-7702 delegation designator: 0xef0100 || address. */
export function delegationTarget(code: Uint8Array): bigint | undefined {
  if (code.length !== 23 || code[0] !== 0xef || code[1] !== 0x01 || code[2] !== 0x00) return undefined;
  return bytesToBigInt(code.subarray(3));
}

export function delegationDesignator(address: bigint): Uint8Array {
  return concatBytes(new Uint8Array([0xef, 0x01, 0x00]), bigIntToBytes(address, 20));
}
