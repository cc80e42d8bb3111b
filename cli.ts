/** evmwasm command line: `evmwasm <command> [options]`. */
import { CliError } from "./src/cli/args.ts";
import { UnknownBackendError } from "./backends/registry.ts";
import { HexError } from "./src/primitives/hex.ts";
import { UnknownForkError } from "./src/forks/fork.ts";
import { VERSION } from "./src/version.ts";
import { BaseError } from "./src/errors/base.ts";
import { normalJitPolicy } from "./src/jit_policy.ts";
import { commandArgs, setExitCode } from "./src/runtime.ts";

const USAGE = `evmwasm ${VERSION} — an EVM runtime for Deno and Bun

usage: evmwasm [command] [options]      (no command: serve)

commands:
  serve     [options]   run a JSON-RPC dev node (anvil's flags and methods) on 127.0.0.1:8545;
            \`evmwasm serve --help\` lists the options
  statetest [--backend interpreter] [--fork NAME[,NAME]] [--filter S] [--json] PATH...
            run Ethereum execution-spec state tests (files or folders)
  blocktest [--backend interpreter] [--filter S] [--json] [--known-failures FILE] PATH...
            run Ethereum execution-spec blockchain tests through block import
  rpccompat [--backend interpreter] [--filter S] [--known-failures FILE] [DIR]
            run the execution-apis JSON-RPC test suite (DIR: its tests folder) against the node
  run       --code <hex|@file> [--input <hex>] [--gas N] [--fork NAME] [--repeat N] [--json]
            [--backend interpreter|wasm|auto] [--cache-dir DIR | --no-cache] [--opt N]
            run one call against an empty state
  compile   --code <hex|@file> [--out file.wasm] [--wat file.wat] [--fork NAME] [--opt N] [--json]
            compile EVM code to WebAssembly (the .wat text marks the EVM pc of each block)
  precompile --fork-url URL --address A [--address B ...] [--cache-dir DIR] [--opt N] [--block TAG] [--json]
            fetch contracts' code from a node and compile them into the on-disk AOT cache
  version   print the version
`;

async function main(argv: string[]): Promise<number> {
  // Flags without a command go to serve, as `evmwasm --port 9000` does.
  const [command, ...rest] = argv[0]?.startsWith("-") && !["--help", "--version"].includes(argv[0]) ? ["serve", ...argv] : argv;
  if (command !== undefined && command !== "serve") normalJitPolicy(); // serve puts it back once interactive
  switch (command) {
    case undefined:
    case "serve": {
      const { serveCommand } = await import("./src/cli/serve.ts");
      return await serveCommand(rest);
    }
    case "statetest": {
      const { statetestCommand } = await import("./src/cli/statetest.ts");
      return await statetestCommand(rest);
    }
    case "rpccompat": {
      const { rpccompatCommand } = await import("./src/cli/rpccompat.ts");
      return await rpccompatCommand(rest);
    }
    case "blocktest": {
      const { blocktestCommand } = await import("./src/cli/blocktest.ts");
      return blocktestCommand(rest);
    }
    case "run": {
      const { runCommand } = await import("./src/cli/run.ts");
      return await runCommand(rest);
    }
    case "precompile": {
      const { precompileCommand } = await import("./src/cli/precompile.ts");
      return await precompileCommand(rest);
    }
    case "compile": {
      const { compileCommand } = await import("./src/cli/compile.ts");
      return await compileCommand(rest);
    }
    case "version":
    case "--version":
      console.log(`evmwasm ${VERSION}`);
      return 0;
    case "help":
    case "--help":
      console.log(USAGE);
      return 0;
    default:
      throw new CliError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

try {
  setExitCode(await main(commandArgs()));
} catch (e) {
  if (
    e instanceof CliError || e instanceof HexError || e instanceof UnknownForkError || e instanceof UnknownBackendError ||
    e instanceof BaseError
  ) {
    console.error(`evmwasm: ${e.message}`);
    setExitCode(2);
  } else {
    throw e;
  }
}
