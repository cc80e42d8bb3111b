/** eth_getLogs filtering over mined blocks (address and topic filters, bloom pre-check). */
import { bigIntToBytes } from "../primitives/hex.ts";
import { keccak256 } from "../primitives/hash.ts";
import type { Log } from "../state/world.ts";
import type { Block, MinedTransaction } from "./block.ts";
import { ArchivedBlock } from "./block_archive.ts";
import type { DevChain } from "./chain.ts";
import { ChainInputError } from "./errors.ts";

export interface LogFilter {
  fromBlock: bigint;
  toBlock: bigint;
  /** Any of these addresses (undefined: any address). */
  addresses?: bigint[];
  /** Per position: any of these topics (null: any topic). */
  topics: (bigint[] | null)[];
}

export interface FoundLog {
  log: Log;
  tx: MinedTransaction;
  logIndex: number;
}

export const MAX_LOG_BLOCK_RANGE = 100_000n;

function bloomHas(bloom: Uint8Array, item: Uint8Array): boolean {
  const h = keccak256(item);
  for (let i = 0; i < 6; i += 2) {
    const bit = ((h[i] << 8) | h[i + 1]) & 2047;
    if ((bloom[255 - (bit >> 3)] & (1 << (bit & 7))) === 0) return false;
  }
  return true;
}

function blockMayMatch(block: Block, f: LogFilter): boolean {
  const bloom = block.header.logsBloom;
  if (f.addresses && !f.addresses.some((a) => bloomHas(bloom, bigIntToBytes(a, 20)))) return false;
  for (const alternatives of f.topics) {
    if (alternatives && !alternatives.some((t) => bloomHas(bloom, bigIntToBytes(t, 32)))) return false;
  }
  return true;
}

export function logMatches(log: Log, f: Pick<LogFilter, "addresses" | "topics">): boolean {
  if (f.addresses && !f.addresses.includes(log.address)) return false;
  if (f.topics.length > log.topics.length) {
    // a position beyond the log's topics only matches a wildcard
    for (let i = log.topics.length; i < f.topics.length; i++) if (f.topics[i] !== null) return false;
  }
  for (let i = 0; i < f.topics.length && i < log.topics.length; i++) {
    const alternatives = f.topics[i];
    if (alternatives && !alternatives.includes(log.topics[i])) return false;
  }
  return true;
}

export function logsOfBlock(block: Block, f: Pick<LogFilter, "addresses" | "topics">): FoundLog[] {
  const out: FoundLog[] = [];
  for (const tx of block.transactions) {
    tx.receipt.logs.forEach((log, i) => {
      if (logMatches(log, f)) out.push({ log, tx, logIndex: tx.firstLogIndex + i });
    });
  }
  return out;
}

export function queryLogs(chain: DevChain, f: LogFilter): FoundLog[] {
  if (f.fromBlock > f.toBlock) {
    throw new ChainInputError(`invalid block range: fromBlock ${f.fromBlock} is after toBlock ${f.toBlock}`);
  }
  const to = f.toBlock > chain.blockNumber ? chain.blockNumber : f.toBlock;
  if (to - f.fromBlock > MAX_LOG_BLOCK_RANGE) {
    throw new ChainInputError(`block range too large: at most ${MAX_LOG_BLOCK_RANGE} blocks per query`);
  }
  const out: FoundLog[] = [];
  for (let n = f.fromBlock; n <= to; n++) {
    const block = chain.blockByNumber(n);
    if (!block || (block instanceof ArchivedBlock && !block.mayHaveLogs)) continue;
    if (blockMayMatch(block, f) && block.transactions.length > 0) out.push(...logsOfBlock(block, f));
  }
  return out;
}
