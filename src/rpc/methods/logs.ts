/** eth_getLogs and the installed filters. */
import { bytesToHex } from "../../primitives/hex.ts";
import type { DevChain } from "../../chain/chain.ts";
import { type FoundLog, type LogFilter, logsOfBlock, queryLogs } from "../../chain/logs.ts";
import { formatLog } from "../format.ts";
import { address, array, blockRef, fail, hash, object, string, word } from "../params.ts";
import type { MethodTable } from "../context.ts";
import { ErrorCode, InvalidParamsError, RpcError } from "../errors.ts";
import { ChainInputError } from "../../chain/errors.ts";

export const NO_END = (1n << 64n) - 1n;

function blockNumberOf(chain: DevChain, v: unknown, name: string, fallback: bigint): bigint {
  if (v === undefined || v === null) return fallback;
  const ref = blockRef(v, name);
  // Logs of the pending block do not exist yet: "pending" reads as the latest block.
  if ("tag" in ref) return ref.tag === "pending" ? chain.blockNumber : chain.tagNumber(ref.tag);
  if ("number" in ref) return ref.number;
  return chain.findBlock(ref).header.number;
}

export interface ParsedFilter {
  filter: LogFilter;
  blockHash?: Uint8Array;
  /** toBlock was "latest" or absent: an installed filter keeps following new blocks. */
  openEnded: boolean;
}

export function parseFilter(chain: DevChain, v: unknown, name: string): ParsedFilter {
  const o = object(v, name);
  for (const k of Object.keys(o)) {
    if (!["fromBlock", "toBlock", "address", "topics", "blockHash"].includes(k)) {
      fail(`${name}.${k}`, "no such field (unknown filter field)", o[k]);
    }
  }
  let addresses: bigint[] | undefined;
  if (o.address !== undefined && o.address !== null) {
    addresses = Array.isArray(o.address)
      ? o.address.map((a, i) => address(a, `${name}.address[${i}]`))
      : [address(o.address, `${name}.address`)];
  }
  const topicsRaw = o.topics === undefined || o.topics === null ? [] : array(o.topics, `${name}.topics`);
  if (topicsRaw.length > 4) throw new InvalidParamsError(`invalid ${name}.topics: at most 4 positions`);
  const topics = topicsRaw.map((t, i) => {
    if (t === null) return null;
    // An empty list of alternatives matches any topic, as null does.
    if (Array.isArray(t)) return t.length === 0 ? null : t.map((x, j) => word(x, `${name}.topics[${i}][${j}]`));
    return [word(string(t, `${name}.topics[${i}]`), `${name}.topics[${i}]`)];
  });
  if (o.blockHash !== undefined && o.blockHash !== null) {
    if (o.fromBlock !== undefined || o.toBlock !== undefined) {
      throw new InvalidParamsError(`invalid ${name}: blockHash cannot be combined with fromBlock/toBlock`);
    }
    const blockHash = hash(o.blockHash, `${name}.blockHash`);
    const found = chain.blockByHash(blockHash);
    // geth's (and anvil's) answer for a hash it does not know: -32000 "unknown block".
    if (!found) throw new RpcError(ErrorCode.ServerError, "unknown block");
    const n = found.header.number;
    return { filter: { fromBlock: n, toBlock: n, addresses, topics }, blockHash, openEnded: false };
  }
  const latest = chain.blockNumber;
  const fromBlock = blockNumberOf(chain, o.fromBlock, `${name}.fromBlock`, latest);
  const openEnded = o.toBlock === undefined || o.toBlock === null || o.toBlock === "latest" || o.toBlock === "pending";
  const toBlock = blockNumberOf(chain, o.toBlock, `${name}.toBlock`, latest);
  return { filter: { fromBlock, toBlock, addresses, topics }, openEnded };
}

function format(found: FoundLog[]) {
  return found.map(({ log, tx, logIndex }) =>
    formatLog(log, {
      blockHash: tx.blockHash,
      blockNumber: tx.blockNumber,
      blockTimestamp: tx.blockTimestamp,
      transactionHash: tx.hash,
      transactionIndex: tx.index,
      logIndex,
    })
  );
}

export const logMethods: MethodTable = {
  eth_getLogs: (p, { chain }) => {
    p.atMost(1);
    const { filter, blockHash } = parseFilter(chain, p.required(0, "filter", object), "filter");
    if (blockHash) return format(logsOfBlock(chain.findBlock({ hash: blockHash }), filter));
    if (filter.fromBlock > filter.toBlock) {
      throw new ChainInputError(
        `invalid block range: fromBlock ${filter.fromBlock} is after toBlock ${filter.toBlock}`,
      );
    }
    if (filter.toBlock > chain.blockNumber) throw new ChainInputError("block range extends beyond current head block");
    return format(queryLogs(chain, filter));
  },
  eth_newFilter: (p, { chain, filters }) => {
    p.atMost(1);
    const { filter, openEnded } = parseFilter(chain, p.required(0, "filter", object), "filter");
    // Changes are the logs of blocks mined after installation (the registry only sees those).
    return filters.newLogFilter({ ...filter, toBlock: openEnded ? NO_END : filter.toBlock });
  },
  eth_newBlockFilter: (p, { filters }) => (p.atMost(0), filters.newBlockFilter()),
  eth_newPendingTransactionFilter: (p, { filters }) => (p.atMost(0), filters.newPendingTransactionFilter()),
  eth_uninstallFilter: (p, { filters }) => (p.atMost(1), filters.uninstall(p.required(0, "filterId", string))),
  eth_getFilterChanges: (p, { filters }) => {
    p.atMost(1);
    const c = filters.changes(p.required(0, "filterId", string));
    return c.logs ? format(c.logs) : c.hashes!.map(bytesToHex);
  },
  eth_getFilterLogs: (p, { chain, filters }) => {
    p.atMost(1);
    const f = filters.get(p.required(0, "filterId", string));
    if (f.kind !== "logs") throw new InvalidParamsError("invalid filterId: not a log filter");
    const to = f.filter.toBlock > chain.blockNumber ? chain.blockNumber : f.filter.toBlock;
    return format(queryLogs(chain, { ...f.filter, toBlock: to }));
  },
};
