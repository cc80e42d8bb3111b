/** `blocktest [--backend B] [--filter S] [--json] [--known-failures FILE] PATH...` */
import { type BlockTestResult, runBlockchainFile } from "../blocktest/runner.ts";
import { createBackend } from "../../backends/registry.ts";
import { CliError, parseArgs } from "./args.ts";
import { fixtureFiles, FixtureTally, fixtureText } from "./fixture_runs.ts";

export function blocktestId(r: BlockTestResult): string {
  return `${r.file}::${r.test}`;
}

export function blocktestCommand(argv: string[]): number {
  const args = parseArgs(argv, { string: ["backend", "filter", "known-failures"], boolean: ["json"] });
  if (args.positional.length === 0) throw new CliError("blocktest needs at least one PATH (a fixture file or folder)");
  const backend = createBackend(String(args.backend ?? "interpreter"));
  const files = fixtureFiles(args.positional);
  const tally = new FixtureTally(args["known-failures"] === undefined ? undefined : String(args["known-failures"]));
  const failures: BlockTestResult[] = [];
  for (const file of files) {
    for (
      const r of runBlockchainFile(file, fixtureText(file), { backend, filter: args.filter as string | undefined })
    ) {
      if (!tally.count(blocktestId(r), r.passed)) continue;
      failures.push(r);
      if (!args.json) console.log(`FAIL ${r.file} ${r.test} [${r.network}]: ${r.detail}`);
    }
  }
  const rejected = tally.countRejected(backend);
  if (args.json) {
    console.log(JSON.stringify({ ...tally.counts(), failures }, null, 1));
  } else {
    if (rejected) console.log(rejected);
    for (const line of tally.summary(files.length, backend)) console.log(line);
  }
  return tally.status;
}
