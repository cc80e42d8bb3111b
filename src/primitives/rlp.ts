import { RLP } from "@ethereumjs/rlp";

export type RlpInput = Uint8Array | RlpInput[];

export function rlpEncode(input: RlpInput): Uint8Array {
  return RLP.encode(input as never);
}

export function rlpDecode(data: Uint8Array): RlpInput {
  return RLP.decode(data) as RlpInput;
}
