/** Block headers: the fields of each fork, RLP encoding and the block hash. */
import { Fork, type ForkId } from "../forks/fork.ts";
import { keccak256 } from "../primitives/hash.ts";
import { bigIntToBytes, bigIntToMinimalBytes, hexToBytes } from "../primitives/hex.ts";
import { rlpEncode, type RlpInput } from "../primitives/rlp.ts";
import { EMPTY_TRIE_ROOT } from "../state/trie.ts";

export interface BlockHeader {
  parentHash: Uint8Array;
  ommersHash: Uint8Array;
  coinbase: bigint;
  stateRoot: Uint8Array;
  transactionsRoot: Uint8Array;
  receiptsRoot: Uint8Array;
  logsBloom: Uint8Array;
  difficulty: bigint;
  number: bigint;
  gasLimit: bigint;
  gasUsed: bigint;
  timestamp: bigint;
  extraData: Uint8Array;
  mixHash: Uint8Array;
  nonce: Uint8Array;
  /** London and later. */
  baseFeePerGas?: bigint;
  /** Shanghai and later. */
  withdrawalsRoot?: Uint8Array;
  /** Cancun and later. */
  blobGasUsed?: bigint;
  excessBlobGas?: bigint;
  parentBeaconBlockRoot?: Uint8Array;
  /** Prague and later. */
  requestsHash?: Uint8Array;
}

/** keccak256(rlp([])): the ommers hash of every post-merge block (written out: see EMPTY_CODE_HASH). */
export const EMPTY_OMMERS_HASH = hexToBytes("0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
/** sha256 of no requests (EIP-7685). */
export const EMPTY_REQUESTS_HASH = new Uint8Array([
  0xe3,
  0xb0,
  0xc4,
  0x42,
  0x98,
  0xfc,
  0x1c,
  0x14,
  0x9a,
  0xfb,
  0xf4,
  0xc8,
  0x99,
  0x6f,
  0xb9,
  0x24,
  0x27,
  0xae,
  0x41,
  0xe4,
  0x64,
  0x9b,
  0x93,
  0x4c,
  0xa4,
  0x95,
  0x99,
  0x1b,
  0x78,
  0x52,
  0xb8,
  0x55,
]);

/** Which optional header fields a fork has. */
export function headerFieldsOf(fork: ForkId) {
  return {
    baseFee: fork >= Fork.London,
    withdrawals: fork >= Fork.Shanghai,
    blobs: fork >= Fork.Cancun,
    requests: fork >= Fork.Prague,
  };
}

/**
 * Sets the optional header fields of the fork, as our blocks have them: base fee; empty withdrawals and
 * requests; blob gas, and a zero parent beacon root.
 */
export function setForkFields(
  header: BlockHeader, fork: ForkId, v: { baseFee: bigint; blobGasUsed?: bigint; excessBlobGas?: bigint },
): void {
  const fields = headerFieldsOf(fork);
  if (fields.baseFee) header.baseFeePerGas = v.baseFee;
  if (fields.withdrawals) header.withdrawalsRoot = EMPTY_TRIE_ROOT;
  if (fields.blobs) {
    header.blobGasUsed = v.blobGasUsed ?? 0n;
    header.excessBlobGas = v.excessBlobGas ?? 0n;
    header.parentBeaconBlockRoot = new Uint8Array(32);
  }
  if (fields.requests) header.requestsHash = EMPTY_REQUESTS_HASH;
}

export function headerToRlp(h: BlockHeader): RlpInput[] {
  const u = bigIntToMinimalBytes;
  const fields: RlpInput[] = [
    h.parentHash,
    h.ommersHash,
    bigIntToBytes(h.coinbase, 20),
    h.stateRoot,
    h.transactionsRoot,
    h.receiptsRoot,
    h.logsBloom,
    u(h.difficulty),
    u(h.number),
    u(h.gasLimit),
    u(h.gasUsed),
    u(h.timestamp),
    h.extraData,
    h.mixHash,
    h.nonce,
  ];
  if (h.baseFeePerGas !== undefined) fields.push(u(h.baseFeePerGas));
  if (h.withdrawalsRoot !== undefined) fields.push(h.withdrawalsRoot);
  if (h.blobGasUsed !== undefined) fields.push(u(h.blobGasUsed), u(h.excessBlobGas ?? 0n), h.parentBeaconBlockRoot!);
  if (h.requestsHash !== undefined) fields.push(h.requestsHash);
  return fields;
}

export function headerHash(h: BlockHeader): Uint8Array {
  return keccak256(rlpEncode(headerToRlp(h)));
}
