/** evmwasm command line: `evmwasm <command> [options]`. */
import process from "node:process";
import { CliError } from "./src/cli/args.ts";
import { statetestCommand } from "./src/cli/statetest.ts";
import { HexError } from "./src/primitives/hex.ts";
import { UnknownForkError } from "./src/forks/fork.ts";
import { VERSION } from "./src/version.ts";

const USAGE = `evmwasm ${VERSION} — an EVM runtime for Deno and Bun

usage: evmwasm <command> [options]

commands:
  statetest [--backend interpreter] [--fork NAME[,NAME]] [--filter S] [--json] PATH...
            run Ethereum execution-spec state tests (files or folders)
  run       --code <hex|@file> [--input <hex>] [--gas N] [--fork NAME] [--repeat N] [--json]
            run one call against an empty state
  version   print the version
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "statetest":
      return await statetestCommand(rest);
    case "run": {
      const { runCommand } = await import("./src/cli/run.ts");
      return await runCommand(rest);
    }
    case "version":
    case "--version":
      console.log(`evmwasm ${VERSION}`);
      return 0;
    case undefined:
    case "help":
    case "--help":
      console.log(USAGE);
      return 0;
    default:
      throw new CliError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  if (e instanceof CliError || e instanceof HexError || e instanceof UnknownForkError) {
    console.error(`evmwasm: ${e.message}`);
    process.exitCode = 2;
  } else {
    throw e;
  }
}
