/**
 * The flags of `serve`, one table: names as anvil spells them (with its short forms and aliases), the value
 * each takes, and the help text `serve --help` prints. parseServeArgs (serve.ts) reads values by these names.
 */
import { CliError, parseArgs, type ParsedArgs } from "./args.ts";

export interface FlagSpec {
  name: string;
  /** What the value is called in the help; absent for a switch. */
  value?: string;
  /** The value may be left out (`--ipc`, `--mnemonic-random`). */
  optionalValue?: boolean;
  /** May be given more than once (`--fork-header`). */
  multiple?: boolean;
  short?: string;
  aliases?: string[];
  help: string;
}

export interface FlagGroup {
  title: string;
  flags: FlagSpec[];
}

export const SERVE_FLAG_GROUPS: FlagGroup[] = [
  {
    title: "Accounts and chain",
    flags: [
      { name: "accounts", short: "-a", value: "NUM", help: "number of dev accounts (default 10)" },
      { name: "balance", value: "ETH", help: "balance of each dev account in ether (default 10000)" },
      { name: "mnemonic", short: "-m", value: "PHRASE", help: "BIP-39 mnemonic of the dev accounts (default: the test mnemonic)" },
      {
        name: "mnemonic-random",
        value: "WORDS",
        optionalValue: true,
        help: "dev accounts from a new random mnemonic of WORDS words (12, 15, 18, 21 or 24; default 12)",
      },
      { name: "derivation-path", value: "PATH", help: "derivation path prefix of the dev accounts (default m/44'/60'/0'/0/)" },
      { name: "chain-id", value: "ID", help: "chain id (default 31337; fork mode: the upstream's)" },
      { name: "hardfork", value: "NAME", help: "EVM hardfork, frontier to osaka, or bpo1 / bpo2 (default osaka with the BPO1 blob schedule)" },
      { name: "timestamp", value: "NUM", help: "timestamp of the genesis block" },
      { name: "number", value: "NUM", help: "number of the genesis block" },
      { name: "auto-impersonate", aliases: ["auto-unlock"], help: "send transactions from any account without a key" },
      {
        name: "disable-default-create2-deployer",
        aliases: ["no-create2"],
        help: "no CREATE2 deployer at 0x4e59b44847b379578588920ca78fbf26c0b4956c in the genesis state",
      },
      {
        name: "init",
        value: "PATH",
        help: "start from a geth genesis file: its alloc, header fields and fork schedule",
      },
      { name: "import", value: "PATH", help: "import a chain file (RLP blocks) at start-up" },
    ],
  },
  {
    title: "Mining",
    flags: [
      { name: "block-time", short: "-b", aliases: ["blockTime"], value: "SECONDS", help: "interval mining every SECONDS" },
      { name: "no-mining", aliases: ["no-mine"], help: "no automine and no interval: blocks only on evm_mine/anvil_mine" },
      { name: "order", value: "ORDER", help: "how blocks take pool transactions: fees (default: priority fee, then arrival) or fifo" },
      {
        name: "slots-in-an-epoch",
        value: "NUM",
        help: "the safe block is NUM blocks behind the head, the finalized block 2*NUM (default 32)",
      },
    ],
  },
  {
    title: "Environment",
    flags: [
      { name: "gas-limit", value: "GAS", help: "block gas limit (default 30000000)" },
      {
        name: "disable-block-gas-limit",
        help: "transactions and calls may ask for more gas than the block gas limit",
      },
      { name: "block-base-fee-per-gas", aliases: ["base-fee"], value: "WEI", help: "base fee of the genesis block" },
      { name: "gas-price", value: "WEI", help: "gas price of a chain before London (default 1875000000)" },
      { name: "code-size-limit", value: "BYTES", help: "EIP-170 contract code size limit (default 24576; initcode: twice it)" },
      { name: "disable-code-size-limit", help: "no contract code size limit (nor EIP-3860's initcode limit)" },
      { name: "memory-limit", value: "BYTES", help: "most EVM memory the frames of one execution may hold (MemoryLimitOOG past it)" },
      { name: "enable-tx-gas-limit", aliases: ["tx-gas-limit"], help: "enforce EIP-7825's transaction gas cap (Osaka)" },
      { name: "backend", value: "NAME", help: "auto (default: interpreted cold code, compiled hot code), wasm or interpreter" },
      {
        name: "call-timeout",
        value: "MS",
        help: "time limit of one eth_call, estimate, access list, simulation or trace (default 60000)",
      },
      { name: "no-warm-up", help: "no synthetic calls and requests after start-up (they get the engine's optimised code ready for the first real ones)" },
    ],
  },
  {
    title: "Saved state",
    flags: [
      {
        name: "state",
        value: "PATH",
        help: "load the state from PATH if it exists, save it there on exit and every --state-interval seconds",
      },
      { name: "state-interval", short: "-s", value: "SECONDS", help: "seconds between saves of --state/--dump-state (default 60)" },
      { name: "dump-state", value: "PATH", help: "save the state to PATH on exit (a folder: PATH/state.json)" },
      { name: "load-state", value: "PATH", help: "start from the state saved in PATH (anvil's JSON layout)" },
    ],
  },
  {
    title: "History",
    flags: [
      {
        name: "prune-history",
        value: "N",
        optionalValue: true,
        help: "keep the states of the last N blocks (500 without N; default 4096 and the genesis state)",
      },
      { name: "transaction-block-keeper", value: "N", help: "keep the transactions and receipts of the last N blocks only" },
    ],
  },
  {
    title: "Fork",
    flags: [
      { name: "fork-url", short: "-f", aliases: ["rpc-url"], value: "URL", help: "fork the chain of the node at URL" },
      { name: "fork-block-number", value: "BLOCK", help: "fork at BLOCK (default: the latest)" },
      { name: "cache-dir", value: "DIR", help: "cache folder of fork state and compiled modules (default ~/.cache/evmwasm)" },
      {
        name: "cache-max-bytes",
        value: "BYTES",
        help: "size cap of the compiled modules in --cache-dir; the least recently used go first (default 536870912)",
      },
      { name: "no-storage-caching", help: "no disk cache of fork state" },
      { name: "timeout", value: "MS", help: "time budget of an upstream request, its retries included (default 20000)" },
      { name: "retries", value: "NUM", help: "retries of a failed upstream request (default 4)" },
      { name: "fork-retry-backoff", value: "MS", help: "first retry backoff, doubled each retry (default 200)" },
      {
        name: "compute-units-per-second",
        value: "CUPS",
        help: "the upstream's rate limit in compute units a second: a 429 waits for the units in flight (default 330)",
      },
      { name: "no-rate-limit", aliases: ["no-rpc-rate-limit"], help: "no waiting for compute units after a 429 (backoff only)" },
      { name: "fork-header", value: "\"NAME: VALUE\"", multiple: true, help: "an HTTP header on upstream requests (repeatable)" },
      { name: "fork-chain-id", value: "ID", help: "the upstream's chain id, not asked for (with --fork-block-number: offline start from the cache)" },
      {
        name: "fork-transaction-hash",
        value: "HASH",
        help: "fork before this transaction's block, then mine it and the transactions before it in that block",
      },
    ],
  },
  {
    title: "Server",
    flags: [
      { name: "port", short: "-p", value: "NUM", help: "port to listen on (default 8545; 0 picks a free one)" },
      { name: "host", value: "IP", help: "address to listen on (default 127.0.0.1)" },
      {
        name: "allow-host",
        value: "HOST",
        multiple: true,
        help: "also answer requests whose Host header names HOST (repeatable or comma-separated; * for any); " +
          "default: localhost and IP addresses only",
      },
      { name: "allow-origin", value: "ORIGIN", help: "the CORS origins let in (comma-separated; default *)" },
      { name: "no-cors", help: "no CORS headers: browsers on other origins cannot read the answers" },
      { name: "max-body-bytes", value: "BYTES", help: "largest request body (default 2097152)" },
      { name: "max-batch-size", value: "NUM", help: "most requests in a batch (default 1000)" },
      { name: "trace-max-steps", value: "NUM", help: "most steps in a debug_trace* struct log (default 2000000)" },
      { name: "trace-max-bytes", value: "BYTES", help: "largest debug_trace* answer (default 134217728)" },
      {
        name: "ipc",
        aliases: ["ipcpath"],
        value: "PATH",
        optionalValue: true,
        help: "also serve JSON-RPC on a Unix socket (default /tmp/anvil.ipc)",
      },
    ],
  },
  {
    title: "Output",
    flags: [
      { name: "silent", help: "print nothing (no banner, no logs)" },
      { name: "quiet", short: "-q", help: "print nothing (as --silent)" },
      { name: "json", help: "log lines as JSON objects" },
      { name: "config-out", value: "FILE", help: "write the accounts, keys and settings as JSON to FILE (as anvil's)" },
      { name: "print-traces", aliases: ["enable-trace-printing"], help: "print the call trace of each mined transaction and eth_call" },
      {
        name: "steps-tracing",
        aliases: ["tracing"],
        help: "accepted for anvil's scripts: step traces (debug_trace*) are always available, computed on demand",
      },
      { name: "help", short: "-h", help: "print this help" },
    ],
  },
];

const ALL = SERVE_FLAG_GROUPS.flatMap((g) => g.flags);

/** Canonical flag names by every way of writing them (short forms, aliases). */
function canonicalNames(): Map<string, string> {
  const names = new Map<string, string>();
  for (const f of ALL) {
    names.set(`--${f.name}`, `--${f.name}`);
    if (f.short) names.set(f.short, `--${f.name}`);
    for (const a of f.aliases ?? []) names.set(`--${a}`, `--${f.name}`);
  }
  return names;
}

/** Parses serve's arguments by the table: every spelling to its canonical name, values checked for presence. */
export function parseServeFlags(argv: string[]): ParsedArgs {
  const names = canonicalNames();
  const optional = new Set(ALL.filter((f) => f.optionalValue).map((f) => `--${f.name}`));
  const normalized: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    const [flag, inline] = eq >= 0 ? [a.slice(0, eq), a.slice(eq)] : [a, ""];
    const canonical = names.get(flag);
    if (canonical === undefined) {
      if (a.startsWith("-") && !/^-[0-9]/.test(a)) {
        throw new CliError(`unknown option ${flag} (serve --help lists the options)`);
      }
      normalized.push(a);
      continue;
    }
    normalized.push(canonical + inline);
    // A flag whose value may be left out takes the next argument only when it is not another flag.
    if (optional.has(canonical) && inline === "") {
      const next = argv[i + 1];
      normalized.push(next === undefined || next.startsWith("-") ? "" : argv[++i]);
    }
  }
  return parseArgs(normalized, {
    string: ALL.filter((f) => f.value && !f.multiple).map((f) => f.name),
    multiple: ALL.filter((f) => f.multiple).map((f) => f.name),
    boolean: ALL.filter((f) => !f.value).map((f) => f.name),
  });
}

export function serveHelp(): string {
  const lines = ["usage: evmwasm [serve] [options]", "", "Runs a JSON-RPC dev node (anvil's flags and methods).", ""];
  for (const group of SERVE_FLAG_GROUPS) {
    lines.push(`${group.title}:`);
    for (const f of group.flags) {
      const names = [f.short, `--${f.name}`, ...(f.aliases ?? []).map((a) => `--${a}`)].filter(Boolean).join(", ");
      const value = f.value ? (f.optionalValue ? ` [${f.value}]` : ` <${f.value}>`) : "";
      const left = `  ${names}${value}`;
      lines.push(left.length < 40 ? left.padEnd(40) + f.help : `${left}\n${" ".repeat(40)}${f.help}`);
    }
    lines.push("");
  }
  return lines.join("\n");
}
