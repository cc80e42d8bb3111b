import type { Log } from "../state/world.ts";
import { keccak256 } from "../primitives/hash.ts";
import { bigIntToBytes } from "../primitives/hex.ts";
import { rlpEncode } from "../primitives/rlp.ts";

/** keccak256(rlp(logs)): the `logs` field of state tests. */
export function logsHash(logs: Log[]): Uint8Array {
  return keccak256(rlpEncode(logs.map((l) => [
    bigIntToBytes(l.address, 20),
    l.topics.map((t) => bigIntToBytes(t)),
    l.data,
  ])));
}
