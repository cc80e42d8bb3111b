/**
 * Fork mode start-up: reach the upstream, pin a block, and build the state
 * source, with the accounts the dev chain needs at genesis already fetched.
 */
import { bigIntToHex, hexToBigInt, hexToBytes } from "../primitives/hex.ts";
import { UpstreamError, type StateKey } from "./errors.ts";
import { ForkStateSource } from "./fork_source.ts";
import { UpstreamClient } from "./upstream.ts";

export interface ForkConfig {
  url: string;
  blockNumber?: bigint;
  /** Folder of the persistent cache; undefined disables it. */
  cacheDir?: string;
  timeoutMs?: number;
  retries?: number;
  log?: (line: string) => void;
}

/** The pinned upstream block, as the chain needs it and as clients see it. */
export interface PinnedBlock {
  number: bigint;
  hash: Uint8Array;
  timestamp: bigint;
  gasLimit: bigint;
  baseFeePerGas?: bigint;
  /** The upstream's JSON for it, returned verbatim for reads of this block. */
  json: Record<string, unknown>;
}

export interface ForkConnection {
  client: UpstreamClient;
  source: ForkStateSource;
  chainId: bigint;
  block: PinnedBlock;
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
  const client = new UpstreamClient(config.url, { timeoutMs: config.timeoutMs, retries: config.retries });
  const [chainIdHex, latestHex] = await Promise.all([
    client.request("eth_chainId", []),
    config.blockNumber === undefined ? client.request("eth_blockNumber", []) : Promise.resolve(undefined),
  ]);
  const chainId = quantity(chainIdHex, "eth_chainId");
  const latest = latestHex === undefined ? undefined : quantity(latestHex, "eth_blockNumber");
  const number = config.blockNumber ?? latest!;
  const json = await client.request<Record<string, unknown> | null>("eth_getBlockByNumber", [bigIntToHex(number), false]);
  if (!json || typeof json !== "object") throw new UpstreamError(`upstream has no block ${number} to fork from`);
  const block: PinnedBlock = {
    number,
    hash: hexToBytes(String(json.hash), "block hash"),
    timestamp: quantity(json.timestamp, "block timestamp"),
    gasLimit: quantity(json.gasLimit, "block gasLimit"),
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
  return { client, source, chainId, block };
}
