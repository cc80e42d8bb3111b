/**
 * `serve`: the JSON-RPC dev node with anvil's flags and startup banner.
 * With --fork-url, state comes from the upstream node through the fork bridge (src/fork/).
 */
import { createBackend, DEFAULT_BACKEND } from "../../backends/registry.ts";
import { DEFAULT_DERIVATION_PATH, DEFAULT_MNEMONIC } from "../chain/dev_accounts.ts";
import { ETHER } from "../chain/chain.ts";
import { INITIAL_BASE_FEE } from "../chain/fees.ts";
import { createForkedNode, createNode, type NodeOptions } from "../node.ts";
import { defaultCacheDir } from "../cache_dir.ts";
import { bytesToHex, hexAddress } from "../primitives/hex.ts";
import { toChecksumAddress } from "../primitives/checksum.ts";
import { VERSION } from "../version.ts";
import { CliError } from "./args.ts";
import { parseServeFlags, serveHelp } from "./serve_flags.ts";
import { DEFAULT_STATE_INTERVAL_SECONDS, loadStateFile, StateSaver } from "../chain/state_file.ts";
import { npmPackage } from "../npm_packages.ts";
import { BatchedLines, NodeLog } from "./node_log.ts";
import { keccakCompiled } from "../primitives/keccak_wasm.ts";
import { normalJitPolicy } from "../jit_policy.ts";
import { attachTracePrinting } from "./trace_printing.ts";
import { INITIAL_GAS_PRICE } from "../chain/fees.ts";
import { DEFAULT_UPSTREAM_TIMEOUT_MS } from "../fork/upstream.ts";
import type { DevChain } from "../chain/chain.ts";
import { loadGenesisFile } from "../chain/genesis.ts";
import { warmUpNode } from "../exec/warm_up.ts";
import { warmUpHttpPath } from "../exec/http_warm_up.ts";
import { touchYoungGeneration } from "../exec/young_generation.ts";
import { keepSpareMemories } from "../exec/spare_memories.ts";
import { BlockImportError, importChainFile } from "../chain/import.ts";
import { afterMs, nodeFs, onceTerminated } from "../runtime.ts";

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
  /** --silent or --quiet: no banner, no log. */
  silent: boolean;
  /** Synthetic calls, requests and garbage after start-up (not with --no-warm-up): exec/warm_up.ts and others. */
  warmUp: boolean;
  /** --json: log lines as JSON objects. */
  json: boolean;
  /** --config-out: where to write the accounts, keys and settings. */
  configOut?: string;
  /** --ipc: the Unix socket to serve on as well. */
  ipc?: string;
  /** --print-traces: the call trace of each mined transaction and eth_call. */
  printTraces: boolean;
  /** --mnemonic-random: the mnemonic drawn, for the banner and --config-out. */
  randomMnemonic?: string;
  node: NodeOptions;
  /** --help: print the options and exit. */
  help?: boolean;
  /** Saved state (--state, --load-state, --dump-state, --state-interval). */
  state: { load?: string; loadIfPresent?: boolean; save?: string; intervalSeconds: number };
  /** A chain file (RLP blocks) imported before serving. */
  importFile?: string;
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
  let randomMnemonic: string | undefined;
  if (args["mnemonic-random"] !== undefined) {
    if (s("mnemonic") !== undefined) throw new CliError("--mnemonic-random cannot be combined with --mnemonic");
    const words = s("mnemonic-random") === "" ? 12 : Number(integer(s("mnemonic-random"), "mnemonic-random"));
    randomMnemonic = randomMnemonicOf(words);
  }
  if (s("code-size-limit") !== undefined && args["disable-code-size-limit"]) {
    throw new CliError("--code-size-limit and --disable-code-size-limit cannot be combined");
  }
  const order = s("order");
  if (order !== undefined && order !== "fees" && order !== "fifo") {
    throw new CliError(`--order: expected fees or fifo, got "${order}"`);
  }
  const memoryLimit = integer(s("memory-limit"), "memory-limit");
  const backendSpec = {
    name: s("backend") ?? DEFAULT_BACKEND,
    cacheDir: s("cache-dir") ?? defaultCacheDir(),
    cacheMaxBytes: s("cache-max-bytes") === undefined
      ? undefined
      : Number(integer(s("cache-max-bytes"), "cache-max-bytes", 1n)),
  };
  const node: NodeOptions = {
    chainId: integer(s("chain-id"), "chain-id", 1n),
    accounts: Number(accounts),
    balance: ether(s("balance")),
    mnemonic: randomMnemonic ?? s("mnemonic"),
    derivationPath: s("derivation-path"),
    blockTime: blockTime === undefined ? undefined : Number(blockTime),
    noMining: args["no-mining"] === true,
    gasLimit: integer(s("gas-limit"), "gas-limit", 21000n),
    baseFee: integer(s("block-base-fee-per-gas"), "block-base-fee-per-gas"),
    hardfork: s("hardfork"),
    genesisTimestamp: integer(s("timestamp"), "timestamp"),
    genesisNumber: integer(s("number"), "number"),
    // The WebAssembly backends share the cache folder with fork state: AOT modules from `precompile` are found there.
    // Its compiler thread starts after the first request (EvmwasmNode.warmUpAfterFirstRequest).
    backend: createBackend(backendSpec.name, {
      cacheDir: backendSpec.cacheDir,
      cacheMaxBytes: backendSpec.cacheMaxBytes,
      warmCompiler: false,
    }),
    backendSpec,
    callTimeoutMs: s("call-timeout") === undefined ? undefined : Number(integer(s("call-timeout"), "call-timeout", 1n)),
    enforceTxGasLimitCap: args["enable-tx-gas-limit"] === true,
    disableBlockGasLimit: args["disable-block-gas-limit"] === true,
    disableCreate2Deployer: args["disable-default-create2-deployer"] === true,
    codeSizeLimit: args["disable-code-size-limit"]
      ? 0
      : s("code-size-limit") === undefined
      ? undefined
      : Number(integer(s("code-size-limit"), "code-size-limit", 1n)),
    memoryLimit: memoryLimit === undefined ? undefined : Number(memoryLimit),
    gasPrice: integer(s("gas-price"), "gas-price"),
    order: order as "fees" | "fifo" | undefined,
    slotsInAnEpoch: s("slots-in-an-epoch") === undefined
      ? undefined
      : Number(integer(s("slots-in-an-epoch"), "slots-in-an-epoch", 1n)),
    autoImpersonate: args["auto-impersonate"] === true,
    maxBodyBytes: integer(s("max-body-bytes"), "max-body-bytes", 1n) === undefined
      ? undefined
      : Number(s("max-body-bytes")),
    pruneHistory: s("prune-history") !== undefined,
    stateHistory: s("prune-history") ? Number(integer(s("prune-history"), "prune-history", 1n)) : undefined,
    transactionBlockKeeper: s("transaction-block-keeper") === undefined
      ? undefined
      : Number(integer(s("transaction-block-keeper"), "transaction-block-keeper", 1n)),
    access: {
      allowHosts: ((args["allow-host"] as string[] | undefined) ?? []).flatMap((h) => h.split(",")).map((h) => h.trim())
        .filter((h) => h !== ""),
      allowOrigins: args["no-cors"] === true
        ? false
        : s("allow-origin") === undefined || s("allow-origin")!.trim() === "*"
        ? "*"
        : s("allow-origin")!.split(",").map((o) => o.trim()).filter((o) => o !== ""),
    },
    traceLimits: {
      ...(s("trace-max-steps") === undefined ? {} : { maxSteps: Number(integer(s("trace-max-steps"), "trace-max-steps", 1n)) }),
      ...(s("trace-max-bytes") === undefined ? {} : { maxBytes: Number(integer(s("trace-max-bytes"), "trace-max-bytes", 1n)) }),
    },
    limits: s("max-batch-size") === undefined
      ? undefined
      : { maxBatchSize: Number(integer(s("max-batch-size"), "max-batch-size", 1n)) },
  };
  node.forkSettings = {
    cacheDir: s("cache-dir"),
    storageCaching: args["no-storage-caching"] !== true,
    timeoutMs: Number(integer(s("timeout"), "timeout", 1n) ?? BigInt(DEFAULT_UPSTREAM_TIMEOUT_MS)),
    retries: s("retries") === undefined ? undefined : Number(integer(s("retries"), "retries")),
    retryBackoffMs: s("fork-retry-backoff") === undefined
      ? undefined
      : Number(integer(s("fork-retry-backoff"), "fork-retry-backoff")),
    computeUnitsPerSecond: args["no-rate-limit"]
      ? Infinity
      : s("compute-units-per-second") === undefined
      ? undefined
      : Number(integer(s("compute-units-per-second"), "compute-units-per-second", 1n)),
    headers: forkHeaders((args["fork-header"] as string[] | undefined) ?? []),
  };
  const init = s("init");
  if (init !== undefined) {
    // The genesis file sets what these would: it is the chain's whole configuration.
    const taken = ["chain-id", "hardfork", "block-base-fee-per-gas", "timestamp", "number", "balance", "fork-url", "gas-limit"];
    for (const flag of taken) {
      if (s(flag) !== undefined) throw new CliError(`--${flag} cannot be combined with --init (the genesis file sets it)`);
    }
    node.genesis = loadGenesisFile(init);
  }
  const forkUrl = s("fork-url");
  const importFile = s("import");
  if (importFile !== undefined && forkUrl !== undefined) throw new CliError("--import cannot be combined with --fork-url");
  if (forkUrl !== undefined) {
    // anvil takes the block as a suffix too: http://host:8545@1400000
    const at = /^(.*)@(-?[0-9]+)$/.exec(forkUrl);
    const blockFlag = s("fork-block-number");
    if (at && blockFlag !== undefined) throw new CliError("--fork-url with @BLOCK cannot be combined with --fork-block-number");
    const transactionHash = s("fork-transaction-hash");
    if (transactionHash !== undefined) {
      if (!/^0x[0-9a-fA-F]{64}$/.test(transactionHash)) {
        throw new CliError(`--fork-transaction-hash: expected a 32-byte hex hash, got "${transactionHash}"`);
      }
      if (blockFlag !== undefined || at) throw new CliError("--fork-transaction-hash cannot be combined with a fork block number");
    }
    const chainIdFlag = integer(s("fork-chain-id"), "fork-chain-id", 1n);
    node.fork = {
      url: at ? at[1] : forkUrl,
      blockNumber: forkBlockNumber(at ? at[2] : blockFlag),
      ...node.forkSettings,
      chainId: chainIdFlag,
      transactionHash,
    };
  } else {
    for (const flag of ["fork-block-number", "fork-transaction-hash", "fork-chain-id", "fork-header"]) {
      if (args[flag] !== undefined) throw new CliError(`--${flag} needs --fork-url`);
    }
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
  const ipc = args.ipc === undefined ? undefined : (s("ipc") || "/tmp/anvil.ipc");
  return {
    host: s("host") ?? "127.0.0.1",
    port: Number(port),
    silent: args.silent === true || args.quiet === true,
    warmUp: args["no-warm-up"] !== true,
    json: args.json === true,
    configOut: s("config-out"),
    ipc,
    printTraces: args["print-traces"] === true,
    randomMnemonic,
    node,
    help: args.help === true,
    state,
    importFile,
  };
}

/** --fork-block-number: a block, or counted back from the latest when negative (as anvil's). */
function forkBlockNumber(value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  if (/^-[0-9]+$/.test(value)) return BigInt(value);
  return integer(value, "fork-block-number");
}

/** --fork-header "Name: value", repeatable. */
function forkHeaders(values: string[]): Record<string, string> | undefined {
  if (values.length === 0) return undefined;
  const headers: Record<string, string> = {};
  for (const v of values) {
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*:\s*(.*)$/.exec(v);
    if (!m) throw new CliError(`--fork-header: expected "Name: value", got "${v}"`);
    headers[m[1]] = m[2];
  }
  return headers;
}

const MNEMONIC_WORDS: Record<number, number> = { 12: 128, 15: 160, 18: 192, 21: 224, 24: 256 };

function randomMnemonicOf(words: number): string {
  const strength = MNEMONIC_WORDS[words];
  if (!strength) throw new CliError(`--mnemonic-random: ${words} words is not a BIP-39 length (12, 15, 18, 21 or 24)`);
  // BIP-39 and its word list are loaded only for this flag (the word list took about 3 ms of every start).
  const { generateMnemonic } = npmPackage<typeof import("@scure/bip39")>("@scure/bip39");
  type Wordlist = typeof import("@scure/bip39/wordlists/english.js");
  const { wordlist } = npmPackage<Wordlist>("@scure/bip39/wordlists/english.js");
  return generateMnemonic(wordlist, strength);
}

const LOGO = `
  ┌─┐┬  ┬┌┬┐┬ ┬┌─┐┌─┐┌┬┐
  ├┤ └┐┌┘│││││││├─┤└─┐│││
  └─┘ └┘ ┴ ┴└┴┘┴ ┴└─┘┴ ┴
`;

function formatEther(wei: bigint): string {
  return `${wei / ETHER}.${(wei % ETHER).toString().padStart(18, "0")}`;
}

/** --config-out: what anvil writes there (accounts, keys, wallet, fees, gas limit; the fork or the genesis time). */
export function configJson(config: ServeConfig, node: ReturnType<typeof createNode>): Record<string, unknown> {
  const o = config.node;
  const chain = node.chain;
  const common = {
    available_accounts: chain.devAccounts.map((a) => hexAddress(a.address)),
    private_keys: chain.devAccounts.map((a) => bytesToHex(a.privateKey)),
  };
  const rest = {
    wallet: { mnemonic: o.mnemonic ?? DEFAULT_MNEMONIC, derivation_path: o.derivationPath ?? DEFAULT_DERIVATION_PATH },
    base_fee: (chain.blocks[0].header.baseFeePerGas ?? o.baseFee ?? INITIAL_BASE_FEE).toString(),
    gas_price: (o.gasPrice ?? INITIAL_GAS_PRICE).toString(),
    gas_limit: o.disableBlockGasLimit ? ((1n << 64n) - 1n).toString() : o.gasLimit?.toString() ?? null,
  };
  if (o.fork) {
    return {
      ...common,
      endpoint: o.fork.url,
      block_number: Number(chain.blocks[0].header.number),
      block_hash: bytesToHex(chain.blocks[0].hash),
      chain_id: Number(chain.chainId),
      ...rest,
    };
  }
  return { ...common, ...rest, genesis_timestamp: chain.blocks[0].header.timestamp.toString() };
}

export function banner(config: ServeConfig, listening: string, node: ReturnType<typeof createNode>): string {
  const o = config.node;
  const chain = node.chain;
  const lines = [LOGO, `    ${VERSION}`, "", "Available Accounts", "=================="];
  chain.devAccounts.forEach((a, i) =>
    lines.push(`(${i}) ${toChecksumAddress(a.address)} (${formatEther(chain.genesisBalance(a.address))} ETH)`)
  );
  lines.push("", "Private Keys", "==================");
  chain.devAccounts.forEach((a, i) => lines.push(`(${i}) ${bytesToHex(a.privateKey)}`));
  lines.push("", "Wallet", "==================");
  lines.push(`Mnemonic:          ${o.mnemonic ?? DEFAULT_MNEMONIC}`);
  lines.push(`Derivation path:   ${o.derivationPath ?? DEFAULT_DERIVATION_PATH}`);
  lines.push("", "", "Chain ID", "==================", "", chain.chainId.toString());
  lines.push("", "Hardfork", "==================", "", chain.hardfork.name);
  const genesisBaseFee = chain.blocks[0].header.baseFeePerGas ?? (o.genesis ? 0n : o.baseFee ?? INITIAL_BASE_FEE);
  lines.push("", "Base Fee", "==================", "", genesisBaseFee.toString());
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

/**
 * --import: the chain file's blocks on top of the genesis. A bad block stops the import with a one-line error;
 * the node serves the blocks imported before it.
 */
function importAtStart(chain: DevChain, file: string): void {
  let data: Uint8Array;
  try {
    data = nodeFs().readFileSync(file);
  } catch (e) {
    throw new CliError(`--import: cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    const r = importChainFile(chain, data);
    console.log(`Imported ${r.imported} blocks from ${file} (head: block ${r.head})`);
  } catch (e) {
    if (!(e instanceof BlockImportError)) throw e;
    console.error(`evmwasm: import of ${file} stopped: ${e.message}; serving up to block ${chain.blockNumber}`);
  }
}

/** Whether the node listens beyond this machine (not on a loopback address). */
function listensBeyondLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  return !(h === "localhost" || h === "::1" || /^127\./.test(h));
}

/** The warning printed when the node listens beyond loopback: anyone who reaches it can spend the dev accounts. */
export function exposureWarning(host: string, port: number, node: ReturnType<typeof createNode>): string | undefined {
  if (!listensBeyondLoopback(host)) return undefined;
  const accounts = node.chain.devAccounts.map((a) => toChecksumAddress(a.address));
  return [
    `Warning: listening on ${host}:${port}, beyond this machine. Anyone who can reach the port can send`,
    `transactions from the ${accounts.length} unlocked accounts${accounts.length ? ":" : "."}`,
    ...accounts.map((a) => `  ${a}`),
    `Requests must still name the node by IP address or a --allow-host name (Host header).`,
  ].join("\n");
}

export async function serveCommand(argv: string[]): Promise<number> {
  const config = parseServeArgs(argv);
  if (config.help) {
    console.log(serveHelp());
    return 0;
  }
  const stdout = new BatchedLines();
  const log = config.silent ? undefined : new NodeLog(stdout.write, config.json);
  await keccakCompiled; // the genesis hashes: see keccak_wasm.ts
  const node = config.node.fork
    ? await createForkedNode({ ...config.node, fork: config.node.fork, log: (line) => log?.line(line) })
    : createNode(config.node);
  if (config.configOut !== undefined) {
    try {
      nodeFs().writeFileSync(config.configOut, JSON.stringify(configJson(config, node), null, 2));
    } catch (e) {
      await node.close();
      throw new CliError(`--config-out: cannot write ${config.configOut}: ${(e as Error).message}`);
    }
  }
  const { load, loadIfPresent, save, intervalSeconds } = config.state;
  try {
    if (config.importFile !== undefined) importAtStart(node.chain, config.importFile);
    if (load !== undefined && (!loadIfPresent || nodeFs().existsSync(load))) loadStateFile(node.chain, load);
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
  let stopping = false;
  // After the first request (or a second without one): the compiler thread and, unless --no-warm-up,
  // synthetic calls and, alongside them, synthetic requests through a private HTTP server, so that users' first
  // calls and requests find optimised code, garbage through the engine's young generation, so that they find its
  // memory mapped, and free memories for compiled frames, so that a frame nested deeper than before finds one.
  node.warmUpAfterFirstRequest(() => {
    normalJitPolicy();
    if (!config.warmUp) return;
    const quiet = node.handler.unlogged();
    const idleMs = () => node.handler.idleMs();
    void warmUpNode((body) => quiet.handleBody(body), {
      stopped: () => stopping,
      idleMs,
      staticGas: node.chain.hardfork.rules.staticGas,
    });
    void warmUpHttpPath(quiet, { stopped: () => stopping, idleMs }).catch(() => 0);
    void touchYoungGeneration({ stopped: () => stopping, idleMs });
    if (config.node.backendSpec?.name !== "interpreter") keepSpareMemories({ stopped: () => stopping, idleMs });
  });
  if (config.ipc !== undefined) {
    try {
      await node.listenIpc(config.ipc);
    } catch (e) {
      await node.close();
      throw new CliError(`--ipc: cannot listen on ${config.ipc}: ${(e as Error).message}`);
    }
  }
  if (log) {
    // Traces print before the block's lines, as anvil prints them while mining.
    if (config.printTraces) attachTracePrinting(node, log);
    const traced = node.handler.onRequest;
    node.handler.onRequest = (method, params) => {
      log.request(method);
      traced?.(method, params);
    };
    node.subscribeChain({ onBlock: (block) => log.block(block) });
    node.info.setLogging = (enabled) => (log.enabled = enabled);
  }
  const where = `${config.host.includes(":") ? `[${config.host}]` : config.host}:${server.port}`;
  const exposed = exposureWarning(config.host, server.port, node);
  if (exposed) console.error(exposed);
  stdout.flush();
  if (!config.silent) console.log(banner(config, where, node) + (config.ipc ? `\nIPC path: ${config.ipc}` : ""));
  // A second after start, out of the way of the first requests.
  const cancelPrewarm = afterMs(1000, () => node.prewarmExecutions());
  await new Promise<void>((resolve) => onceTerminated(resolve));
  stopping = true;
  cancelPrewarm();
  const saved = saver?.stop() ?? true;
  await node.close();
  stdout.flush();
  return saved ? 0 : 1;
}
