/**
 * Test-node methods under anvil_, hardhat_ and evm_ names: state cheats,
 * impersonation, mining control, time travel, snapshots.
 */
import { bigIntToHex, bytesToHex } from "../../primitives/hex.ts";
import { ChainInputError } from "../../chain/errors.ts";
import { address, bool, data, hash, object, type Params, quantity, uint64, word } from "../params.ts";
import type { MethodHandler, MethodTable, RpcContext } from "../context.ts";
import { InvalidParamsError } from "../errors.ts";
import { formatBlock } from "../format.ts";
import { VERSION } from "../../version.ts";

type Cheat = (p: Params, ctx: RpcContext) => unknown;

/**
 * Registers a cheat under anvil_ and hardhat_ names; both answer as anvil does
 * (null when the cheat has no value of its own).
 */
function both(name: string, cheat: Cheat): MethodTable {
  const handler: MethodHandler = (p, ctx) => {
    const r = cheat(p, ctx);
    return r === undefined ? null : r;
  };
  return { [`anvil_${name}`]: handler, [`hardhat_${name}`]: handler };
}

function mineBlocks(p: Params, ctx: RpcContext): void {
  p.atMost(2);
  const count = p.optional(0, "numBlocks", uint64) ?? 1n;
  const interval = p.optional(1, "interval", uint64);
  ctx.chain.mine(count, interval);
}

/** evm_mine's parameter: a timestamp, or { timestamp, blocks }. */
function evmMine(p: Params, ctx: RpcContext): string {
  p.atMost(1);
  const v = p.list[0];
  if (v === undefined || v === null) {
    ctx.chain.mineBlock();
  } else if (typeof v === "object" && !Array.isArray(v)) {
    const o = object(v, "options");
    const blocks = o.blocks == null ? 1n : uint64(o.blocks, "options.blocks");
    const timestamp = o.timestamp == null ? undefined : uint64(o.timestamp, "options.timestamp");
    if (blocks > 100_000n) throw new InvalidParamsError("invalid options.blocks: at most 100000");
    for (let i = 0n; i < blocks; i++) ctx.chain.mineBlock(i === 0n ? timestamp : undefined);
  } else {
    ctx.chain.mineBlock(uint64(v, "timestamp"));
  }
  return "0x0";
}

function dropAll(p: Params, { chain }: RpcContext): null {
  p.atMost(0);
  chain.dropAllTransactions();
  return null;
}

function autoImpersonate(p: Params, { chain }: RpcContext): null {
  p.atMost(1);
  chain.autoImpersonate = p.required(0, "enabled", bool);
  return null;
}

function addBalance(p: Params, { chain }: RpcContext): null {
  p.atMost(2);
  const a = p.required(0, "address", address);
  chain.setBalance(a, chain.head.getBalance(a) + p.required(1, "amount", quantity));
  return null;
}

function snapshotId(v: unknown, name: string): bigint {
  return quantity(v, name);
}

function nodeInfo({ chain, info }: RpcContext) {
  const latest = chain.latest;
  return {
    currentBlockNumber: bigIntToHex(latest.header.number),
    currentBlockTimestamp: Number(latest.header.timestamp),
    currentBlockHash: bytesToHex(latest.hash),
    hardFork: chain.hardfork.name,
    transactionOrder: chain.options.order ?? "fees",
    environment: {
      baseFee: bigIntToHex(chain.nextBlockBaseFee()),
      chainId: Number(chain.chainId),
      gasLimit: bigIntToHex(chain.gasLimit),
      gasPrice: bigIntToHex(chain.gasPrice()),
    },
    forkConfig: {
      forkUrl: info.forkUrl ?? null,
      forkBlockNumber: info.forkBlockNumber === undefined ? null : Number(info.forkBlockNumber),
      forkRetryBackoff: null,
    },
  };
}

/** anvil_metadata: numbers as JSON numbers, the fork's network, and the snapshots (id: [block number, hash]). */
function metadata({ chain, info }: RpcContext) {
  const fork = chain.options.forkBlock;
  return {
    clientVersion: info.clientVersion,
    clientSemver: VERSION,
    clientCommitSha: null,
    chainId: Number(chain.chainId),
    instanceId: bytesToHex(chain.instanceId),
    latestBlockNumber: Number(chain.blockNumber),
    latestBlockHash: bytesToHex(chain.latest.hash),
    forkedNetwork: fork
      ? { chainId: Number(chain.chainId), forkBlockNumber: Number(fork.number), forkBlockHash: bytesToHex(fork.hash) }
      : null,
    snapshots: Object.fromEntries(
      chain.snapshotList().map(({ id, blockNumber, blockHash }) => [
        bigIntToHex(id),
        [Number(blockNumber), bytesToHex(blockHash)],
      ]),
    ),
  };
}

/** evm_setTime / anvil_setTime: the seconds between the new time and the time a call would have seen (0 if earlier). */
function setTime(p: Params, { chain }: RpcContext): number {
  p.atMost(1);
  const timestamp = p.required(0, "timestamp", uint64);
  const before = chain.clock.peekNext().timestamp;
  chain.clock.setTime(timestamp);
  return Number(timestamp > before ? timestamp - before : 0n);
}

/** anvil_mine_detailed / evm_mine_detailed: evm_mine, answering the mined blocks with their transactions. */
function mineDetailed(p: Params, ctx: RpcContext) {
  p.atMost(1);
  const before = ctx.chain.blockNumber;
  evmMine(p, ctx);
  const first = ctx.chain.blocks[0].header.number;
  return ctx.chain.blocks.slice(Number(before - first) + 1).map((b) => {
    const block = formatBlock(b, true, true);
    (block.transactions as Record<string, unknown>[]).forEach((t, i) => {
      t.output = bytesToHex(b.transactions[i].receipt.output ?? new Uint8Array(0));
    });
    return block;
  });
}

export const cheatMethods: MethodTable = {
  ...both("setBalance", (p, { chain }) => {
    p.atMost(2);
    chain.setBalance(p.required(0, "address", address), p.required(1, "balance", quantity));
  }),
  anvil_addBalance: addBalance,
  hardhat_addBalance: addBalance,
  tenderly_addBalance: addBalance,
  tenderly_setBalance: (p, { chain }) => {
    p.atMost(2);
    chain.setBalance(p.required(0, "address", address), p.required(1, "balance", quantity));
    return null;
  },
  ...both("setCode", (p, { chain }) => {
    p.atMost(2);
    chain.setCode(p.required(0, "address", address), p.required(1, "code", data));
  }),
  ...both("setNonce", (p, { chain }) => {
    p.atMost(2);
    chain.setNonce(p.required(0, "address", address), p.required(1, "nonce", uint64));
  }),
  evm_setAccountNonce: (p, { chain }) => {
    p.atMost(2);
    chain.setNonce(p.required(0, "address", address), p.required(1, "nonce", uint64));
    return null;
  },
  ...both("setStorageAt", (p, { chain }) => {
    p.atMost(3);
    chain.setStorageAt(p.required(0, "address", address), p.required(1, "slot", word), p.required(2, "value", word));
    return true;
  }),
  ...both("impersonateAccount", (p, { chain }) => {
    p.atMost(1);
    chain.impersonate(p.required(0, "address", address));
  }),
  ...both("stopImpersonatingAccount", (p, { chain }) => {
    p.atMost(1);
    chain.stopImpersonating(p.required(0, "address", address));
  }),
  anvil_autoImpersonateAccount: autoImpersonate,
  hardhat_autoImpersonateAccount: autoImpersonate,
  ...both("mine", (p, ctx) => mineBlocks(p, ctx)),
  ...both("reset", async (p, { chain, info }) => {
    p.atMost(1);
    const options = p.optional(0, "options", object);
    const forking = options?.forking as Record<string, unknown> | null | undefined;
    if (forking != null) {
      if (typeof forking !== "object" || (forking.jsonRpcUrl != null && typeof forking.jsonRpcUrl !== "string")) {
        throw new InvalidParamsError("invalid options.forking: expected { jsonRpcUrl?: string, blockNumber?: number }");
      }
      // Without a URL: the fork's own (or the one anvil_setRpcUrl gave), as anvil does.
      const url = (forking.jsonRpcUrl as string | undefined) ?? info.forkUrl ?? info.pendingForkUrl;
      if (url === undefined) {
        throw new InvalidParamsError("Forking not enabled and RPC URL not provided to start forking");
      }
      const bn = forking.blockNumber;
      let blockNumber: bigint | undefined;
      if (typeof bn === "number" && Number.isSafeInteger(bn) && bn >= 0) blockNumber = BigInt(bn);
      else if (typeof bn === "string" && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(bn)) blockNumber = BigInt(bn);
      else if (bn !== undefined && bn !== null) throw new InvalidParamsError("invalid options.forking.blockNumber: expected a number");
      if (!info.resetFork) throw new InvalidParamsError("invalid options.forking: this node cannot switch to fork mode");
      await info.resetFork(url, blockNumber);
      return null;
    }
    chain.reset();
    return null;
  }),
  ...both("setNextBlockBaseFeePerGas", (p, { chain }) => {
    p.atMost(1);
    chain.setNextBlockBaseFee(p.required(0, "baseFee", quantity));
  }),
  ...both("dropTransaction", (p, { chain }) => {
    p.atMost(1);
    const h = bytesToHex(p.required(0, "hash", hash));
    const dropped = chain.dropTransaction(h);
    return dropped ? h : null;
  }),
  anvil_dropAllTransactions: dropAll,
  hardhat_dropAllTransactions: dropAll,
  anvil_removePoolTransactions: (p, { chain }) => {
    p.atMost(1);
    chain.pool.removeSender(p.required(0, "address", address));
    return null;
  },
  ...both("setCoinbase", (p, { chain }) => {
    p.atMost(1);
    chain.setCoinbase(p.required(0, "address", address));
  }),
  ...both("setLoggingEnabled", (p, { info }) => {
    p.atMost(1);
    info.setLogging?.(p.required(0, "enabled", bool));
  }),
  ...both("setMinGasPrice", (p) => {
    p.atMost(1);
    throw new ChainInputError("min gas price is not supported with EIP-1559; use setNextBlockBaseFeePerGas");
  }),
  anvil_setBlockGasLimit: (p, { chain }) => {
    p.atMost(1);
    chain.setBlockGasLimit(p.required(0, "gasLimit", uint64));
    return true;
  },
  evm_setBlockGasLimit: (p, { chain }) => {
    p.atMost(1);
    chain.setBlockGasLimit(p.required(0, "gasLimit", uint64));
    return true;
  },
  anvil_getAutomine: (p, { chain }) => (p.atMost(0), chain.automine),
  hardhat_getAutomine: (p, { chain }) => (p.atMost(0), chain.automine),
  anvil_setAutomine: (p, { chain }) => (p.atMost(1), chain.setAutomine(p.required(0, "enabled", bool)), null),
  evm_setAutomine: (p, { chain }) => (p.atMost(1), chain.setAutomine(p.required(0, "enabled", bool)), null),
  anvil_setIntervalMining: (
    p,
    { chain },
  ) => (p.atMost(1), chain.setIntervalMining(Number(p.required(0, "seconds", uint64))), null),
  evm_setIntervalMining: (
    p,
    { chain },
  ) => (p.atMost(1), chain.setIntervalMining(Number(p.required(0, "seconds", uint64))), null),
  /** The interval in seconds, or null when not interval mining (anvil's answer). */
  anvil_getIntervalMining: (p, { chain }) => (p.atMost(0), chain.miningInterval ?? null),
  evm_mine: evmMine,
  anvil_mine_detailed: mineDetailed,
  evm_mine_detailed: mineDetailed,
  evm_snapshot: (p, { chain }) => (p.atMost(0), bigIntToHex(chain.snapshot())),
  anvil_snapshot: (p, { chain }) => (p.atMost(0), bigIntToHex(chain.snapshot())),
  evm_revert: (p, { chain }) => (p.atMost(1), chain.revert(p.required(0, "snapshotId", snapshotId))),
  anvil_revert: (p, { chain }) => (p.atMost(1), chain.revert(p.required(0, "snapshotId", snapshotId))),
  evm_increaseTime: (
    p,
    { chain },
  ) => (p.atMost(1), Number(chain.clock.increase(p.required(0, "seconds", uint64)))),
  anvil_increaseTime: (
    p,
    { chain },
  ) => (p.atMost(1), Number(chain.clock.increase(p.required(0, "seconds", uint64)))),
  evm_setNextBlockTimestamp: (
    p,
    { chain },
  ) => (p.atMost(1), chain.clock.setNext(p.required(0, "timestamp", uint64)), null),
  anvil_setNextBlockTimestamp: (
    p,
    { chain },
  ) => (p.atMost(1), chain.clock.setNext(p.required(0, "timestamp", uint64)), null),
  evm_setTime: setTime,
  anvil_setTime: setTime,
  anvil_setBlockTimestampInterval: (
    p,
    { chain },
  ) => (p.atMost(1), chain.clock.setInterval(p.required(0, "seconds", uint64)), null),
  anvil_removeBlockTimestampInterval: (p, { chain }) => (p.atMost(0), chain.clock.setInterval(undefined), true),
  anvil_nodeInfo: (p, ctx) => (p.atMost(0), nodeInfo(ctx)),
  anvil_metadata: (p, ctx) => (p.atMost(0), metadata(ctx)),
  hardhat_metadata: (p, ctx) => (p.atMost(0), metadata(ctx)),
  anvil_getBlockNumber: (p, { chain }) => (p.atMost(0), bigIntToHex(chain.blockNumber)),
  anvil_getGenesisTime: (p, { chain }) => (p.atMost(0), Number(chain.blocks[0].header.timestamp)),
};
