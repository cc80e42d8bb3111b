/**
 * Block import: a block from outside (RLP) is checked against its parent
 * header, its transactions run on the head state (put back if it fails) with the block's
 * fork rules, and everything the header commits to (state, transactions and
 * receipts roots, logs bloom, gas and blob gas used, withdrawals root,
 * requests hash) is recomputed and compared. A block that fails any check is
 * rejected with an error naming the field and both values, and the chain
 * stays as it was. The proof-of-work seal is not checked.
 */
import { BaseError } from "../errors/base.ts";
import { Fork } from "../forks/fork.ts";
import { keccak256 } from "../primitives/hash.ts";
import { bytesEqual, bytesToBigInt, bytesToHex } from "../primitives/hex.ts";
import { rlpEncode } from "../primitives/rlp.ts";
import { recoverAddress, SECP256K1_N } from "../primitives/signature.ts";
import { GAS_PER_BLOB } from "../tx/blob.ts";
import { type SignedTransaction, signingHash, toExecutable, transactionHash } from "../tx/codec.ts";
import { InvalidTransactionError } from "../tx/errors.ts";
import { executeTransaction } from "../tx/execute.ts";
import { TxType } from "../tx/transaction.ts";
import type { BlockEnv } from "../evm/env.ts";
import type { WorldState } from "../state/world.ts";
import type { Block, PooledTransaction } from "./block.ts";
import { assembleBlock } from "./block_builder.ts";
import { BlockDecodeError, decodeBlock, type DecodedBlock, encodeWithdrawal, splitChainFile } from "./block_codec.ts";
import {
  applyWithdrawals,
  beginBlock,
  type BlockContext,
  collectRequests,
  InvalidBlockError,
  payRewards,
  requestsHash,
} from "./block_processing.ts";
import {
  blockDifficulty,
  expectedBaseFee,
  expectedExcessBlobGas,
  gasLimitWithinBounds,
  MAX_EXTRA_DATA_BYTES,
  MAX_OMMER_DEPTH,
  MAX_OMMERS,
  MAX_RLP_BLOCK_SIZE,
  type ParentValues,
} from "./block_rules.ts";
import { BLOOM_BYTES, orBlooms } from "./bloom.ts";
import type { DevChain } from "./chain.ts";
import { blobGasPrice } from "./fees.ts";
import type { ChainHardfork } from "./hardfork.ts";
import { type BlockHeader, EMPTY_OMMERS_HASH, headerFieldsOf, headerHash, headerToRlp } from "./header.ts";
import { encodeReceipt, orderedTrieRoot, type Receipt, receiptOf } from "./receipt.ts";

export class BlockImportError extends BaseError {
  override name = "BlockImportError";
  constructor(
    /** The block's number, when its header could be read. */
    readonly blockNumber: bigint | undefined,
    /** What was wrong: a header field, "rlp", "transactions[i]", ... */
    readonly field: string,
    message: string,
  ) {
    super(`${blockNumber === undefined ? "block" : `block ${blockNumber}`}: ${message}`);
  }
}

const HALF_N = SECP256K1_N / 2n;

function show(v: bigint | Uint8Array | undefined): string {
  if (v === undefined) return "absent";
  return typeof v === "bigint" ? v.toString() : bytesToHex(v);
}

function parentValues(parent: Block): ParentValues {
  const h = parent.header;
  return {
    number: h.number,
    timestamp: h.timestamp,
    difficulty: h.difficulty,
    gasLimit: h.gasLimit,
    gasUsed: h.gasUsed,
    baseFeePerGas: h.baseFeePerGas,
    excessBlobGas: h.excessBlobGas,
    blobGasUsed: h.blobGasUsed,
    hasOmmers: !bytesEqual(h.ommersHash, EMPTY_OMMERS_HASH),
  };
}

/** The sender of a transaction in a block of `hardfork` on chain `chainId`, or why it has none. */
function blockTransactionSender(tx: SignedTransaction, hardfork: ChainHardfork, chainId: bigint): bigint {
  const { r, s, yParity } = tx.signature;
  const fail = (detail: string): never => {
    throw new InvalidTransactionError("INVALID_SIGNATURE", detail);
  };
  if (tx.type === TxType.Legacy && tx.chainId !== undefined && hardfork.fork < Fork.SpuriousDragon) {
    fail(`v ${tx.signature.v}: EIP-155 signatures are valid from Spurious Dragon on`);
  }
  if (tx.chainId !== undefined && tx.chainId !== chainId) fail(`chain id ${tx.chainId}, expected ${chainId}`);
  if (r === 0n || r >= SECP256K1_N) fail("r is out of range");
  // EIP-2 (Homestead): s in the lower half of the curve order.
  if (s === 0n || s >= SECP256K1_N || (hardfork.fork >= Fork.Homestead && s > HALF_N)) fail("s is out of range");
  const sender = recoverAddress(signingHash(tx), r, s, yParity);
  if (sender === undefined) fail("no public key recovers from this signature");
  return sender!;
}

interface Verified {
  block: Block;
  world: WorldState;
}

/** Checks a header against its parent (and the chain, for ommers); throws BlockImportError. */
function validateHeader(
  chain: DevChain,
  header: BlockHeader,
  parent: Block,
  hardfork: ChainHardfork,
  merged: boolean,
  what = "",
): void {
  const n = header.number;
  const fail = (field: string, message: string): never => {
    throw new BlockImportError(n, what + field, message);
  };
  const mismatch = (field: string, got: bigint | Uint8Array | undefined, want: bigint | Uint8Array | undefined) =>
    fail(field, `${what}${field} is ${show(got)}, expected ${show(want)}`);
  const p = parent.header;
  const fields = headerFieldsOf(hardfork.fork);
  const presence: [string, unknown, boolean, string][] = [
    ["baseFeePerGas", header.baseFeePerGas, fields.baseFee, "London"],
    ["withdrawalsRoot", header.withdrawalsRoot, fields.withdrawals, "Shanghai"],
    ["blobGasUsed", header.blobGasUsed, fields.blobs, "Cancun"],
    ["requestsHash", header.requestsHash, fields.requests, "Prague"],
  ];
  for (const [field, value, expected, since] of presence) {
    if ((value !== undefined) !== expected) {
      fail(
        field,
        `${what}${field} is ${value === undefined ? "absent" : "present"} in a ${hardfork.name} block (${since} on)`,
      );
    }
  }
  if (!bytesEqual(header.parentHash, parent.hash)) mismatch("parentHash", header.parentHash, parent.hash);
  if (n !== p.number + 1n) mismatch("number", n, p.number + 1n);
  if (header.timestamp <= p.timestamp) {
    fail("timestamp", `${what}timestamp ${header.timestamp} is not after the parent's ${p.timestamp}`);
  }
  if (header.extraData.length > MAX_EXTRA_DATA_BYTES) {
    fail("extraData", `${what}extraData is ${header.extraData.length} bytes, at most ${MAX_EXTRA_DATA_BYTES} allowed`);
  }
  if (header.gasUsed > header.gasLimit) {
    fail("gasUsed", `${what}gasUsed ${header.gasUsed} exceeds gasLimit ${header.gasLimit}`);
  }
  const parentFork = chain.hardforkOf(parent);
  // EIP-1559: the first London block's limit is measured against twice its parent's (the target stays).
  const limitBase = fields.baseFee && parentFork.fork < Fork.London ? p.gasLimit * 2n : p.gasLimit;
  if (!gasLimitWithinBounds(header.gasLimit, limitBase)) {
    fail("gasLimit", `${what}gasLimit ${header.gasLimit} is out of bounds for the parent's ${p.gasLimit}`);
  }
  const pv = parentValues(parent);
  if (fields.baseFee) {
    const want = expectedBaseFee(pv, parentFork.fork >= Fork.London);
    if (header.baseFeePerGas !== want) mismatch("baseFeePerGas", header.baseFeePerGas, want);
  }
  if (fields.blobs) {
    const want = expectedExcessBlobGas(pv, hardfork.blobSchedule, hardfork.fork >= Fork.Osaka);
    if (header.excessBlobGas !== want) mismatch("excessBlobGas", header.excessBlobGas, want);
    const maxBlobGas = BigInt(hardfork.blobSchedule.max) * GAS_PER_BLOB;
    if (header.blobGasUsed! > maxBlobGas) mismatch("blobGasUsed", header.blobGasUsed, maxBlobGas);
  }
  if (merged) {
    if (header.difficulty !== 0n) mismatch("difficulty", header.difficulty, 0n);
    if (bytesToBigInt(header.nonce) !== 0n) mismatch("nonce", header.nonce, new Uint8Array(8));
    if (!bytesEqual(header.ommersHash, EMPTY_OMMERS_HASH)) mismatch("ommersHash", header.ommersHash, EMPTY_OMMERS_HASH);
  } else {
    const want = blockDifficulty(hardfork.fork, hardfork.bombDelay ?? 0n, n, header.timestamp, pv);
    if (header.difficulty !== want) mismatch("difficulty", header.difficulty, want);
  }
}

/** Ommers of a proof-of-work block: at most two, distinct, valid headers of recent side blocks. */
function validateOmmers(chain: DevChain, decoded: DecodedBlock, hash: Uint8Array, merged: boolean): void {
  const { header, ommers } = decoded;
  const n = header.number;
  const fail = (message: string): never => {
    throw new BlockImportError(n, "ommers", message);
  };
  const listHash = keccak256(rlpEncode(ommers.map(headerToRlp)));
  if (!bytesEqual(listHash, header.ommersHash)) {
    fail(`ommersHash is ${bytesToHex(header.ommersHash)}, the ommers hash to ${bytesToHex(listHash)}`);
  }
  if (ommers.length === 0) return;
  if (merged) fail(`${ommers.length} ommers in a block after the merge`);
  if (ommers.length > MAX_OMMERS) fail(`${ommers.length} ommers, at most ${MAX_OMMERS} allowed`);
  const recent: Block[] = [];
  for (let k = 1n; k <= MAX_OMMER_DEPTH + 1n && n - k >= chain.blocks[0].header.number; k++) {
    const b = chain.blockByNumber(n - k);
    if (b) recent.push(b);
  }
  const recentHashes = new Set(recent.map((b) => bytesToHex(b.hash)));
  const recentOmmers = new Set(recent.flatMap((b) => (b.ommers ?? []).map((o) => bytesToHex(headerHash(o)))));
  const seen = new Set<string>();
  ommers.forEach((o, i) => {
    const oh = bytesToHex(headerHash(o));
    if (seen.has(oh)) fail(`ommer ${i} is listed twice`);
    seen.add(oh);
    if (oh === bytesToHex(hash) || recentHashes.has(oh)) fail(`ommer ${i} is a block of the chain`);
    if (recentOmmers.has(oh)) fail(`ommer ${i} is already an ommer of a recent block`);
    const age = n - o.number;
    if (age < 1n || age > MAX_OMMER_DEPTH) fail(`ommer ${i} is ${age} blocks old (1 to ${MAX_OMMER_DEPTH} allowed)`);
    if (!recentHashes.has(bytesToHex(o.parentHash))) fail(`ommer ${i}'s parent is not a recent block of the chain`);
    if (bytesEqual(o.parentHash, header.parentHash)) fail(`ommer ${i} is a sibling of the block itself`);
    const ommerParent = chain.blockByHash(o.parentHash)!;
    const ommerMerged = chain.schedule.isPostMerge(o.number, ommerParent.totalDifficulty ?? 0n);
    validateHeader(
      chain,
      o,
      ommerParent,
      chain.hardforkAt(o.number, o.timestamp, ommerMerged),
      ommerMerged,
      `ommers[${i}].`,
    );
  });
}

/**
 * Decodes, checks and executes one block on top of the chain's head. It runs on the head state itself
 * (chain.beginImport); when it fails the head is put back, when it passes commitImportedBlock must follow.
 */
export function verifyBlock(chain: DevChain, rlp: Uint8Array): Verified | { known: Block } {
  let decoded: DecodedBlock;
  try {
    decoded = decodeBlock(rlp);
  } catch (e) {
    if (e instanceof BlockDecodeError) throw new BlockImportError(undefined, "rlp", e.shortMessage);
    throw e;
  }
  const { header } = decoded;
  const n = header.number;
  const hash = headerHash(header);
  const known = chain.blockByHash(hash);
  if (known && n <= chain.blockNumber && bytesEqual(chain.blockByNumber(n)!.hash, hash)) return { known };
  const parent = chain.latest;
  if (!bytesEqual(header.parentHash, parent.hash)) {
    const other = chain.blockByHash(header.parentHash);
    throw new BlockImportError(
      n,
      "parentHash",
      other
        ? `parent ${
          bytesToHex(header.parentHash)
        } is block ${other.header.number}, not the head ${parent.header.number} (side chains are not imported)`
        : `parentHash ${bytesToHex(header.parentHash)} is not a known block (the head is ${bytesToHex(parent.hash)})`,
    );
  }
  const merged = chain.schedule.isPostMerge(n, parent.totalDifficulty ?? 0n);
  const hardfork = chain.hardforkAt(n, header.timestamp, merged);
  const fail = (field: string, message: string): never => {
    throw new BlockImportError(n, field, message);
  };
  if (hardfork.fork >= Fork.Osaka && decoded.size > MAX_RLP_BLOCK_SIZE) {
    fail("size", `the block's RLP is ${decoded.size} bytes, at most ${MAX_RLP_BLOCK_SIZE} allowed (EIP-7934)`);
  }
  validateHeader(chain, header, parent, hardfork, merged);
  const fields = headerFieldsOf(hardfork.fork);
  if ((decoded.withdrawals !== undefined) !== fields.withdrawals) {
    fail("withdrawals", `the body ${decoded.withdrawals ? "has" : "lacks"} withdrawals in a ${hardfork.name} block`);
  }
  validateOmmers(chain, decoded, hash, merged);

  const env: BlockEnv = {
    coinbase: header.coinbase,
    number: n,
    timestamp: header.timestamp,
    gasLimit: header.gasLimit,
    difficulty: header.difficulty,
    prevRandao: bytesToBigInt(header.mixHash),
    baseFee: header.baseFeePerGas ?? 0n,
    blobBaseFee: blobGasPrice(header.excessBlobGas ?? 0n, hardfork.blobSchedule),
    chainId: chain.chainId,
    blockHash: chain.blockHashOf,
  };
  const world = chain.beginImport();
  const ctx: BlockContext = { world, hardfork, env, backend: chain.backend };
  try {
    beginBlock(ctx, header.parentHash, header.parentBeaconBlockRoot);
    const included: { ptx: PooledTransaction; receipt: Receipt }[] = [];
    const bloom = new Uint8Array(BLOOM_BYTES);
    const allLogs = [];
    let gasUsed = 0n;
    let blobGasUsed = 0n;
    const maxBlobGas = BigInt(hardfork.blobSchedule.max) * GAS_PER_BLOB;
    for (const [i, { tx: signed, encoded }] of decoded.transactions.entries()) {
      let result;
      let sender: bigint;
      try {
        sender = blockTransactionSender(signed, hardfork, chain.chainId);
        const tx = toExecutable(signed, sender);
        if (!hardfork.rules.txTypes.has(tx.type)) {
          throw new InvalidTransactionError(
            "TYPE_NOT_SUPPORTED",
            `type ${tx.type} transactions are not valid in ${hardfork.name}`,
          );
        }
        const txBlobGas = BigInt(tx.blobVersionedHashes?.length ?? 0) * GAS_PER_BLOB;
        if (blobGasUsed + txBlobGas > maxBlobGas) {
          throw new InvalidTransactionError(
            "TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED",
            `blob gas ${blobGasUsed + txBlobGas} exceeds the block's ${maxBlobGas}`,
          );
        }
        result = executeTransaction(
          { world, rules: hardfork.rules, block: env, backend: chain.backend, blockGasUsed: gasUsed },
          tx,
        );
      } catch (e) {
        if (e instanceof InvalidTransactionError) {
          fail(`transactions[${i}]`, `transaction ${i} is invalid: ${e.message}`);
        }
        throw e;
      }
      gasUsed += result.gasUsed;
      blobGasUsed += result.blobGasUsed;
      const postState = hardfork.fork < Fork.Byzantium ? chain.stateRootOf(world) : undefined;
      const receipt = receiptOf(signed, result, gasUsed, postState, env.blobBaseFee);
      orBlooms(bloom, receipt.logsBloom);
      allLogs.push(...result.logs);
      included.push({
        ptx: { tx: signed, sender: sender!, hash: transactionHash(signed), encoded, impersonated: false },
        receipt,
      });
    }
    if (decoded.withdrawals) applyWithdrawals(world, decoded.withdrawals);
    if (!merged) payRewards(world, hardfork, header, decoded.ommers);
    const requests = fields.requests ? collectRequests(ctx, allLogs, chain.schedule.depositContract, true) : undefined;

    const check = (field: string, got: bigint | Uint8Array | undefined, want: bigint | Uint8Array | undefined) => {
      const same = typeof got === "bigint" || typeof want === "bigint"
        ? got === want
        : got !== undefined && want !== undefined && bytesEqual(got, want);
      if (!same) fail(field, `${field} is ${show(want)} in the header, ${show(got)} computed`);
    };
    check("gasUsed", gasUsed, header.gasUsed);
    check("transactionsRoot", orderedTrieRoot(decoded.transactions.map((t) => t.encoded)), header.transactionsRoot);
    check("stateRoot", chain.stateRootOf(world), header.stateRoot);
    check("receiptsRoot", orderedTrieRoot(included.map((x) => encodeReceipt(x.receipt))), header.receiptsRoot);
    check("logsBloom", bloom, header.logsBloom);
    if (decoded.withdrawals) {
      check("withdrawalsRoot", orderedTrieRoot(decoded.withdrawals.map(encodeWithdrawal)), header.withdrawalsRoot);
    }
    if (fields.blobs) check("blobGasUsed", blobGasUsed, header.blobGasUsed);
    if (requests) check("requestsHash", requestsHash(requests), header.requestsHash);

    const block = assembleBlock(header, included, decoded.withdrawals, decoded.ommers);
    block.size = decoded.size;
    if (requests) block.requests = requests;
    block.totalDifficulty = (parent.totalDifficulty ?? 0n) + header.difficulty;
    return { block, world };
  } catch (e) {
    chain.abandonImport();
    if (e instanceof InvalidBlockError) fail(e.field, e.message);
    throw e;
  }
}

/** Imports one block on top of the head; returns it (or the block already known with that hash). */
export function importBlock(chain: DevChain, rlp: Uint8Array): Block {
  const v = verifyBlock(chain, rlp);
  if ("known" in v) return v.known;
  chain.commitImportedBlock(v.block, v.world);
  return v.block;
}

export interface ChainImportResult {
  imported: number;
  /** Blocks already in the chain (the genesis, or a file imported twice). */
  known: number;
  head: bigint;
}

/**
 * Imports a chain file (concatenated RLP blocks). Stops at the first bad block with its error; the blocks
 * before it stay imported.
 */
export function importChainFile(chain: DevChain, data: Uint8Array): ChainImportResult {
  // What is whole before damage in the file is imported, then the damage is reported.
  const { blocks, damage } = splitChainFile(data);
  let imported = 0, known = 0;
  for (const rlp of blocks) {
    const v = verifyBlock(chain, rlp);
    if ("known" in v) {
      known++;
      continue;
    }
    chain.commitImportedBlock(v.block, v.world);
    imported++;
  }
  if (damage) throw new BlockImportError(undefined, "rlp", `${damage} (${imported} blocks imported before it)`);
  return { imported, known, head: chain.blockNumber };
}
