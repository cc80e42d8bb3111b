/** `statetest [--backend B] [--fork NAME[,NAME]] [--filter S] [--json] [--known-failures FILE] PATH...` */
import { type ForkId, parseFork } from "../forks/fork.ts";
import { type CaseResult, runFixtureFile } from "../statetest/runner.ts";
import { createBackend } from "../../backends/registry.ts";
import { CliError, parseArgs } from "./args.ts";
import { fixtureFiles, FixtureTally, fixtureText } from "./fixture_runs.ts";

export function caseId(r: CaseResult): string {
  return `${r.file}::${r.test}::${r.fork}::d${r.indexes.data}g${r.indexes.gas}v${r.indexes.value}`;
}

export function statetestCommand(argv: string[]): number {
  const args = parseArgs(argv, { string: ["backend", "fork", "filter", "known-failures"], boolean: ["json", "quiet"] });
  if (args.positional.length === 0) throw new CliError("statetest needs at least one PATH (a fixture file or folder)");
  let forks: Set<ForkId> | undefined;
  if (args.fork) forks = new Set(String(args.fork).split(",").map((f) => parseFork(f)));
  const backend = createBackend(String(args.backend ?? "interpreter"));
  const files = fixtureFiles(args.positional);
  const tally = new FixtureTally(args["known-failures"] === undefined ? undefined : String(args["known-failures"]));
  const notPassed: CaseResult[] = [];
  for (const file of files) {
    for (
      const r of runFixtureFile(file, fixtureText(file), { backend, forks, filter: args.filter as string | undefined })
    ) {
      const unexpected = tally.count(caseId(r), r.passed);
      if (unexpected && !args.json) {
        console.log(`FAIL ${r.file} ${r.test} [${r.fork} ${JSON.stringify(r.indexes)}]: ${r.detail}`);
      }
      if (args.json && !r.passed) notPassed.push(r);
    }
  }
  const rejected = tally.countRejected(backend);
  if (args.json) {
    console.log(JSON.stringify({ ...tally.counts(), results: notPassed }, null, 1));
  } else {
    if (rejected) console.log(rejected);
    for (const line of tally.summary(files.length, backend)) console.log(line);
  }
  return tally.status;
}
