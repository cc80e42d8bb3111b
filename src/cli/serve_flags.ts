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
      { name: "derivation-path", value: "PATH", help: "derivation path prefix of the dev accounts (default m/44'/60'/0'/0/)" },
      { name: "chain-id", value: "ID", help: "chain id (default 31337; fork mode: the upstream's)" },
      { name: "hardfork", value: "NAME", help: "EVM hardfork (default osaka with the BPO1 blob schedule)" },
      { name: "timestamp", value: "NUM", help: "timestamp of the genesis block" },
      { name: "number", value: "NUM", help: "number of the genesis block" },
      { name: "auto-impersonate", aliases: ["auto-unlock"], help: "send transactions from any account without a key" },
    ],
  },
  {
    title: "Mining",
    flags: [
      { name: "block-time", short: "-b", aliases: ["blockTime"], value: "SECONDS", help: "interval mining every SECONDS" },
      { name: "no-mining", aliases: ["no-mine"], help: "no automine and no interval: blocks only on evm_mine/anvil_mine" },
    ],
  },
  {
    title: "Environment",
    flags: [
      { name: "gas-limit", value: "GAS", help: "block gas limit (default 30000000)" },
      { name: "block-base-fee-per-gas", aliases: ["base-fee"], value: "WEI", help: "base fee of the genesis block" },
      { name: "enable-tx-gas-limit", aliases: ["tx-gas-limit"], help: "enforce EIP-7825's transaction gas cap (Osaka)" },
      { name: "backend", value: "NAME", help: "interpreter (default), wasm or auto" },
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
      { name: "no-storage-caching", help: "no disk cache of fork state" },
      { name: "timeout", value: "MS", help: "timeout of an upstream request (default 45000)" },
    ],
  },
  {
    title: "Server",
    flags: [
      { name: "port", short: "-p", value: "NUM", help: "port to listen on (default 8545; 0 picks a free one)" },
      { name: "host", value: "IP", help: "address to listen on (default 127.0.0.1)" },
      { name: "max-body-bytes", value: "BYTES", help: "largest request body (default 2097152)" },
      { name: "max-batch-size", value: "NUM", help: "most requests in a batch (default 1000)" },
    ],
  },
  {
    title: "Output",
    flags: [
      { name: "silent", help: "print nothing (no banner, no logs)" },
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
    string: ALL.filter((f) => f.value).map((f) => f.name),
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
