/**
 * Fork mode start-up: reach the upstream, pin a block, and build the state
 * source, with the accounts the dev chain needs at genesis already fetched.
 */
import { bigIntToHex, hexToBigInt, hexToBytes } from "../primitives/hex.ts";
import { UpstreamError, type StateKey } from "./errors.ts";
import { ForkStateSource } from "./fork_source.ts";
import { UpstreamClient } from "./upstream.ts";
import { nodeFs, nodePath } from "../runtime.ts";
import { writeFileAtomically } from "../cache_dir.ts";

export interface ForkConfig {
  url: string;
  /** Negative: that many blocks before the latest. */
  blockNumber?: bigint;
  /** Folder of the persistent cache; undefined disables it. */
  cacheDir?: string;
  timeoutMs?: number;
  retries?: number;
  /** First retry backoff in ms (--fork-retry-backoff). */
  backoffMs?: number;
  /** Extra HTTP headers (--fork-header). */
  headers?: Record<string, string>;
  /** See UpstreamOptions.computeUnitsPerSecond. */
  computeUnitsPerSecond?: number;
  /**
   * The upstream's chain id, known already (--fork-chain-id): not asked for, and with `blockNumber` the pinned
   * block comes from the disk cache when a start before cached it, so that a start needs no network.
   */
  chainId?: bigint;
  /**
   * Fork just before this transaction's block (--fork-transaction-hash); the block's transactions up to and
   * including it come back as `forcedTransactions`, to be mined first, as anvil does.
   */
  transactionHash?: string;
  log?: (line: string) => void;
}

/** The pinned upstream block, as the chain needs it and as clients see it. */
export interface PinnedBlock {
  number: bigint;
  hash: Uint8Array;
  timestamp: bigint;
  gasLimit: bigint;
  baseFeePerGas?: bigint;
  gasUsed: bigint;
  /** The upstream's JSON for it, returned verbatim for reads of this block. */
  json: Record<string, unknown>;
}

export interface ForkConnection {
  client: UpstreamClient;
  source: ForkStateSource;
  chainId: bigint;
  block: PinnedBlock;
  /** With ForkConfig.transactionHash: the upstream's JSON of the transactions to mine first. */
  forcedTransactions?: Record<string, unknown>[];
}

function quantity(v: unknown, what: string): bigint {
  if (typeof v !== "string") throw new UpstreamError(`upstream answered ${what} with ${JSON.stringify(v)?.slice(0, 80)}`);
  try {
    return hexToBigInt(v, what);
  } catch {
    throw new UpstreamError(`upstream answered ${what} with bad hex ${JSON.stringify(v.slice(0, 80))}`);
  }
}

export async function connectFork(config: ForkConfig, accounts: bigint[]): Promise<ForkConnection> {
  const client = new UpstreamClient(config.url, {
    timeoutMs: config.timeoutMs,
    retries: config.retries,
    backoffMs: config.backoffMs,
    headers: config.headers,
    computeUnitsPerSecond: config.computeUnitsPerSecond,
  });
  const [chainIdHex, latestHex] = await Promise.all([
    config.chainId === undefined ? client.request("eth_chainId", []) : Promise.resolve(bigIntToHex(config.chainId)),
    config.blockNumber === undefined || config.blockNumber < 0n
      ? client.request("eth_blockNumber", [])
      : Promise.resolve(undefined),
  ]);
  const chainId = quantity(chainIdHex, "eth_chainId");
  const latest = latestHex === undefined ? undefined : quantity(latestHex, "eth_blockNumber");
  // A negative block number counts back from the latest, as anvil's --fork-block-number does.
  let number = config.blockNumber === undefined ? latest! : config.blockNumber < 0n ? latest! + config.blockNumber : config.blockNumber;
  if (number < 0n) throw new UpstreamError(`--fork-block-number ${config.blockNumber}: the upstream has only ${latest! + 1n} blocks`);
  let forcedTransactions: Record<string, unknown>[] | undefined;
  if (config.transactionHash !== undefined) {
    const forced = await transactionsUpTo(client, config.transactionHash);
    number = forced.blockNumber - 1n;
    forcedTransactions = forced.transactions;
  }
  const pinnedFile = config.cacheDir && config.chainId !== undefined ? pinnedBlockPath(config.cacheDir, chainId, number) : undefined;
  let json = pinnedFile ? readPinnedBlock(pinnedFile, number) : undefined;
  if (!json) {
    json = await client.request<Record<string, unknown> | null>("eth_getBlockByNumber", [bigIntToHex(number), false]) ?? undefined;
    if (json && typeof json === "object" && config.cacheDir) writePinnedBlock(pinnedBlockPath(config.cacheDir, chainId, number), json);
  }
  if (!json || typeof json !== "object") throw new UpstreamError(`upstream has no block ${number} to fork from`);
  const block: PinnedBlock = {
    number,
    hash: hexToBytes(String(json.hash), "block hash"),
    timestamp: quantity(json.timestamp, "block timestamp"),
    gasLimit: quantity(json.gasLimit, "block gasLimit"),
    gasUsed: json.gasUsed === undefined || json.gasUsed === null ? 0n : quantity(json.gasUsed, "block gasUsed"),
    baseFeePerGas: json.baseFeePerGas === undefined || json.baseFeePerGas === null ? undefined : quantity(json.baseFeePerGas, "block baseFeePerGas"),
    json,
  };
  const source = new ForkStateSource(client, {
    chainId,
    blockNumber: number,
    blockHash: String(json.hash),
    cacheDir: config.cacheDir ?? null,
    log: config.log,
  });
  await source.fetch(accounts.map((address): StateKey => ({ kind: "account", address })));
  return { client, source, chainId, block, forcedTransactions };
}

/** The block of `hash` and its transactions up to and including it (the upstream's JSON). */
async function transactionsUpTo(
  client: UpstreamClient,
  hash: string,
): Promise<{ blockNumber: bigint; transactions: Record<string, unknown>[] }> {
  const tx = await client.request<Record<string, unknown> | null>("eth_getTransactionByHash", [hash]);
  if (!tx) throw new UpstreamError(`--fork-transaction-hash: the upstream has no transaction ${hash}`);
  if (tx.blockNumber === null || tx.blockNumber === undefined) {
    throw new UpstreamError(`--fork-transaction-hash: transaction ${hash} is not mined yet (no block number)`);
  }
  const blockNumber = quantity(tx.blockNumber, "transaction blockNumber");
  const block = await client.request<{ transactions?: Record<string, unknown>[] } | null>("eth_getBlockByNumber", [
    bigIntToHex(blockNumber),
    true,
  ]);
  const all = block?.transactions;
  if (!Array.isArray(all)) throw new UpstreamError(`upstream has no block ${blockNumber} with its transactions`);
  const at = all.findIndex((t) => typeof t?.hash === "string" && t.hash.toLowerCase() === hash.toLowerCase());
  if (at < 0) throw new UpstreamError(`upstream block ${blockNumber} does not list transaction ${hash}`);
  return { blockNumber, transactions: all.slice(0, at + 1) };
}

/** The pinned block's JSON, kept for offline starts with --fork-chain-id and --fork-block-number. */
function pinnedBlockPath(cacheDir: string, chainId: bigint, number: bigint): string {
  return nodePath().join(cacheDir, "fork-state", `chain-${chainId}`, `pinned-${number}.json`);
}

function readPinnedBlock(file: string, number: bigint): Record<string, unknown> | undefined {
  try {
    const json = JSON.parse(nodeFs().readFileSync(file, "utf8"));
    if (json && typeof json === "object" && typeof json.hash === "string" && json.number === bigIntToHex(number)) return json;
  } catch { /* absent or damaged: fetched again */ }
  return undefined;
}

function writePinnedBlock(file: string, json: Record<string, unknown>): void {
  try {
    writeFileAtomically(file, JSON.stringify(json), { makeDir: true });
  } catch { /* a read-only cache folder: the next start asks the upstream again */ }
}
