/**
 * `serve`: the JSON-RPC dev node with anvil's flags and startup banner.
 * With --fork-url, state comes from the upstream node through the fork bridge (src/fork/).
 */
import process from "node:process";
import { createBackend } from "../../backends/registry.ts";
import { DEFAULT_DERIVATION_PATH, DEFAULT_MNEMONIC } from "../chain/dev_accounts.ts";
import { ETHER } from "../chain/chain.ts";
import { INITIAL_BASE_FEE } from "../chain/fees.ts";
import { createForkedNode, createNode, type NodeOptions } from "../node.ts";
import { defaultCacheDir } from "../cache_dir.ts";
import { bytesToHex } from "../primitives/hex.ts";
import { toChecksumAddress } from "../primitives/checksum.ts";
import { VERSION } from "../version.ts";
import { CliError } from "./args.ts";
import { parseServeFlags, serveHelp } from "./serve_flags.ts";
import { DEFAULT_STATE_INTERVAL_SECONDS, loadStateFile, StateSaver } from "../chain/state_file.ts";
import { existsSync } from "node:fs";

export const SERVE_USAGE = `serve [options]    run a JSON-RPC dev node (the default command); serve --help lists the options`;

function integer(value: string | undefined, flag: string, min = 0n): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(value)) {
    throw new CliError(`--${flag}: expected a non-negative integer, got "${value}"`);
  }
  const n = BigInt(value);
  if (n < min) throw new CliError(`--${flag}: must be at least ${min}`);
  return n;
}

/** Ether with up to 18 decimals, as anvil's --balance takes it. */
function ether(value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  const m = /^([0-9]+)(?:\.([0-9]{1,18}))?$/.exec(value);
  if (!m) throw new CliError(`--balance: expected an amount of ether like 10000 or 0.5, got "${value}"`);
  return BigInt(m[1]) * ETHER + BigInt((m[2] ?? "").padEnd(18, "0"));
}

export interface ServeConfig {
  host: string;
  port: number;
  silent: boolean;
  node: NodeOptions;
  /** --help: print the options and exit. */
  help?: boolean;
  /** Saved state (--state, --load-state, --dump-state, --state-interval). */
  state: { load?: string; loadIfPresent?: boolean; save?: string; intervalSeconds: number };
}

export function parseServeArgs(argv: string[]): ServeConfig {
  const args = parseServeFlags(argv);
  if (args.positional.length > 0) throw new CliError(`serve: unexpected argument "${args.positional[0]}"`);
  const s = (k: string) => args[k] as string | undefined;
  const port = integer(s("port"), "port") ?? 8545n;
  if (port > 65535n) throw new CliError(`--port: ${port} is not a TCP port`);
  const blockTime = integer(s("block-time"), "block-time", 1n);
  if (blockTime !== undefined && args["no-mining"]) {
    throw new CliError("--block-time and --no-mining cannot be combined");
  }
  const accounts = integer(s("accounts"), "accounts") ?? 10n;
  if (accounts > 1000n) throw new CliError("--accounts: at most 1000");
  const node: NodeOptions = {
    chainId: integer(s("chain-id"), "chain-id", 1n),
    accounts: Number(accounts),
    balance: ether(s("balance")),
    mnemonic: s("mnemonic"),
    derivationPath: s("derivation-path"),
    blockTime: blockTime === undefined ? undefined : Number(blockTime),
    noMining: args["no-mining"] === true,
    gasLimit: integer(s("gas-limit"), "gas-limit", 21000n),
    baseFee: integer(s("block-base-fee-per-gas"), "block-base-fee-per-gas"),
    hardfork: s("hardfork"),
    genesisTimestamp: integer(s("timestamp"), "timestamp"),
    genesisNumber: integer(s("number"), "number"),
    // The WebAssembly backends share the cache folder with fork state: AOT modules from `precompile` are found there.
    backend: createBackend(s("backend") ?? "interpreter", { cacheDir: s("cache-dir") ?? defaultCacheDir() }),
    enforceTxGasLimitCap: args["enable-tx-gas-limit"] === true,
    autoImpersonate: args["auto-impersonate"] === true,
    maxBodyBytes: integer(s("max-body-bytes"), "max-body-bytes", 1n) === undefined
      ? undefined
      : Number(s("max-body-bytes")),
    pruneHistory: s("prune-history") !== undefined,
    stateHistory: s("prune-history") ? Number(integer(s("prune-history"), "prune-history", 1n)) : undefined,
    transactionBlockKeeper: s("transaction-block-keeper") === undefined
      ? undefined
      : Number(integer(s("transaction-block-keeper"), "transaction-block-keeper", 1n)),
    limits: s("max-batch-size") === undefined
      ? undefined
      : { maxBatchSize: Number(integer(s("max-batch-size"), "max-batch-size", 1n)) },
  };
  const forkUrl = s("fork-url");
  if (forkUrl !== undefined) {
    node.fork = {
      url: forkUrl,
      blockNumber: integer(s("fork-block-number"), "fork-block-number"),
      cacheDir: s("cache-dir"),
      storageCaching: args["no-storage-caching"] !== true,
      timeoutMs: Number(integer(s("timeout"), "timeout", 1n) ?? 45_000n),
    };
  } else if (s("fork-block-number") !== undefined) {
    throw new CliError("--fork-block-number needs --fork-url");
  }
  const statePathFlag = s("state");
  if (statePathFlag !== undefined && (s("load-state") !== undefined || s("dump-state") !== undefined)) {
    throw new CliError("--state cannot be combined with --load-state or --dump-state (it is both)");
  }
  const state = {
    load: statePathFlag ?? s("load-state"),
    loadIfPresent: statePathFlag !== undefined,
    save: statePathFlag ?? s("dump-state"),
    intervalSeconds: Number(integer(s("state-interval"), "state-interval") ?? BigInt(DEFAULT_STATE_INTERVAL_SECONDS)),
  };
  return {
    host: s("host") ?? "127.0.0.1",
    port: Number(port),
    silent: args.silent === true,
    node,
    help: args.help === true,
    state,
  };
}

const LOGO = `
  ┌─┐┬  ┬┌┬┐┬ ┬┌─┐┌─┐┌┬┐
  ├┤ └┐┌┘│││││││├─┤└─┐│││
  └─┘ └┘ ┴ ┴└┴┘┴ ┴└─┘┴ ┴
`;

function formatEther(wei: bigint): string {
  return `${wei / ETHER}.${(wei % ETHER).toString().padStart(18, "0")}`;
}

export function banner(config: ServeConfig, listening: string, node: ReturnType<typeof createNode>): string {
  const o = config.node;
  const chain = node.chain;
  const balance = o.balance ?? 10_000n * ETHER;
  const lines = [LOGO, `    ${VERSION}`, "", "Available Accounts", "=================="];
  chain.devAccounts.forEach((a, i) =>
    lines.push(`(${i}) ${toChecksumAddress(a.address)} (${formatEther(balance)} ETH)`)
  );
  lines.push("", "Private Keys", "==================");
  chain.devAccounts.forEach((a, i) => lines.push(`(${i}) ${bytesToHex(a.privateKey)}`));
  lines.push("", "Wallet", "==================");
  lines.push(`Mnemonic:          ${o.mnemonic ?? DEFAULT_MNEMONIC}`);
  lines.push(`Derivation path:   ${o.derivationPath ?? DEFAULT_DERIVATION_PATH}`);
  lines.push("", "", "Chain ID", "==================", "", chain.chainId.toString());
  lines.push("", "Hardfork", "==================", "", chain.hardfork.name);
  lines.push("", "Base Fee", "==================", "", (chain.blocks[0].header.baseFeePerGas ?? o.baseFee ?? INITIAL_BASE_FEE).toString());
  lines.push("", "Gas Limit", "==================", "", chain.gasLimit.toString());
  lines.push("", "Genesis Timestamp", "==================", "", chain.blocks[0].header.timestamp.toString());
  lines.push("", "Genesis Number", "==================", "", chain.blocks[0].header.number.toString());
  if (o.fork) {
    lines.push("", "Fork", "==================", "", `Endpoint:       ${o.fork.url}`);
    lines.push(`Block number:   ${chain.blocks[0].header.number}`);
    lines.push(`Block hash:     ${bytesToHex(chain.blocks[0].hash)}`);
    lines.push(`Chain ID:       ${chain.chainId}`);
    lines.push(`State cache:    ${o.fork.storageCaching ? (o.fork.cacheDir ?? defaultCacheDir()) : "off (--no-storage-caching)"}`);
  }
  lines.push(
    "",
    `Mining: ${
      chain.miningMode === "interval"
        ? `every ${o.blockTime} s`
        : chain.miningMode === "auto"
        ? "automine"
        : "on demand only"
    }`,
  );
  lines.push("", `Listening on ${listening}`);
  return lines.join("\n");
}

export async function serveCommand(argv: string[]): Promise<number> {
  const config = parseServeArgs(argv);
  if (config.help) {
    console.log(serveHelp());
    return 0;
  }
  const node = config.node.fork
    ? await createForkedNode({ ...config.node, fork: config.node.fork, log: config.silent ? () => {} : undefined })
    : createNode(config.node);
  const { load, loadIfPresent, save, intervalSeconds } = config.state;
  try {
    if (load !== undefined && (!loadIfPresent || existsSync(load))) loadStateFile(node.chain, load);
  } catch (e) {
    await node.close();
    throw e;
  }
  const saver = save === undefined ? undefined : new StateSaver(() => node.chain, save, intervalSeconds);
  let server;
  try {
    server = await node.listen({ hostname: config.host, port: config.port });
  } catch (e) {
    await node.close();
    throw new CliError(`cannot listen on ${config.host}:${config.port}: ${(e as Error).message}`);
  }
  const where = `${config.host.includes(":") ? `[${config.host}]` : config.host}:${server.port}`;
  if (!config.silent) console.log(banner(config, where, node));
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  const saved = saver?.stop() ?? true;
  await node.close();
  return saved ? 0 : 1;
}
