/**
 * On-disk cache of upstream state at one pinned block: immutable, so it is
 * valid forever for that (chain id, block). Written atomically (temporary
 * file, then rename); a file that fails to parse or whose checksum, version,
 * chain or block does not match is discarded and reported, never trusted.
 */
import { sha256 } from "../primitives/hash.ts";
import { bytesToHex } from "../primitives/hex.ts";
import { nodeFs, nodePath } from "../runtime.ts";
import { writeFileAtomically } from "../cache_dir.ts";

const FORMAT_VERSION = 1;

export interface CachedAccount {
  nonce: string;
  balance: string;
  code: string;
}

export interface ForkCacheData {
  accounts: Record<string, CachedAccount | null>;
  storage: Record<string, Record<string, string>>;
  blockHashes: Record<string, string>;
}

export function emptyCacheData(): ForkCacheData {
  return { accounts: {}, storage: {}, blockHashes: {} };
}

/**
 * One file per chain, block number and block hash: two dev chains with the
 * same id and height (two anvils, say) have different blocks, so different files.
 */
export function cacheFilePath(cacheDir: string, chainId: bigint, block: bigint, blockHash?: string): string {
  const name = blockHash ? `block-${block}-${blockHash.replace(/^0x/, "").slice(0, 16)}.json` : `block-${block}.json`;
  return nodePath().join(cacheDir, "fork-state", `chain-${chainId}`, name);
}

function checksum(payload: string): string {
  return bytesToHex(sha256(new TextEncoder().encode(payload)));
}

export interface LoadResult {
  data: ForkCacheData;
  /** Why the file on disk was discarded, if it was. */
  discarded?: string;
}

export function loadForkCache(file: string, chainId: bigint, block: bigint): LoadResult {
  let text: string;
  try {
    text = nodeFs().readFileSync(file, "utf8");
  } catch {
    return { data: emptyCacheData() };
  }
  const discard = (why: string): LoadResult => {
    try {
      nodeFs().rmSync(file, { force: true });
    } catch { /* a read-only cache folder: we just won't trust the file */ }
    return { data: emptyCacheData(), discarded: `${file}: ${why}; discarded` };
  };
  let parsed: { version?: unknown; chainId?: unknown; block?: unknown; checksum?: unknown; payload?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch {
    return discard("not valid JSON (corrupted)");
  }
  if (!parsed || typeof parsed !== "object") return discard("not a cache file");
  if (parsed.version !== FORMAT_VERSION) return discard(`unknown format version ${JSON.stringify(parsed.version)}`);
  if (parsed.chainId !== chainId.toString() || parsed.block !== block.toString()) {
    return discard(`belongs to chain ${parsed.chainId} block ${parsed.block}`);
  }
  if (typeof parsed.payload !== "string" || checksum(parsed.payload) !== parsed.checksum) return discard("checksum mismatch (corrupted)");
  try {
    const data = JSON.parse(parsed.payload) as ForkCacheData;
    if (!data || typeof data.accounts !== "object" || typeof data.storage !== "object" || typeof data.blockHashes !== "object") {
      return discard("payload has the wrong shape");
    }
    return { data };
  } catch {
    return discard("payload is not valid JSON");
  }
}

export function saveForkCache(file: string, chainId: bigint, block: bigint, data: ForkCacheData): void {
  const payload = JSON.stringify(data);
  const body = JSON.stringify({ version: FORMAT_VERSION, chainId: chainId.toString(), block: block.toString(), checksum: checksum(payload), payload });
  writeFileAtomically(file, body, { makeDir: true });
}
