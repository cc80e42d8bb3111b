/**
 * What the fixture commands (statetest, blocktest) share: the JSON files under the paths given, a known-failures
 * list, the tally of results against it, and the summary lines CI reads (`N passed, N failed`).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Backend } from "../../backends/backend.ts";
import { WasmBackend } from "../../backends/wasm/backend.ts";
import { CliError } from "./args.ts";

/** The .json files at or below `paths`, each folder in name order. */
export function fixtureFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const collect = (path: string) => {
    let st;
    try {
      st = statSync(path);
    } catch {
      throw new CliError(`no such file or folder: ${path}`);
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(path).sort()) collect(join(path, name));
    } else if (path.endsWith(".json")) out.push(path);
  };
  for (const p of paths) collect(p);
  return out;
}

/** A fixture file's text; an unreadable one becomes text that fails to parse, naming why. */
export function fixtureText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    return `<unreadable: ${(e as Error).message}>`;
  }
}

/** The ids listed in a known-failures file (one a line; blank lines and `#` comments skipped). */
function knownFailures(file: string | undefined): Set<string> {
  const known = new Set<string>();
  if (file === undefined) return known;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new CliError(`--known-failures: cannot read ${file}: ${(e as Error).message}`);
  }
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (t && !t.startsWith("#")) known.add(t);
  }
  return known;
}

/** Results counted against the known-failures list in `knownFile` (none without one). */
export class FixtureTally {
  passed = 0;
  failed = 0;
  knownFailed = 0;
  readonly nowPassing: string[] = [];
  private readonly known: Set<string>;
  private readonly start = performance.now();

  constructor(private readonly knownFile: string | undefined) {
    this.known = knownFailures(knownFile);
  }

  /** Counts one result; true when it is a failure not on the list. */
  count(id: string, passed: boolean): boolean {
    if (passed) {
      this.passed++;
      if (this.known.has(id)) this.nowPassing.push(id);
      return false;
    }
    if (this.known.has(id)) {
      this.knownFailed++;
      return false;
    }
    this.failed++;
    return true;
  }

  /**
   * The wasm backend runs code it cannot compile on the interpreter: a pass there would not be the compiler's, so
   * each rejected code counts as a failure. Returns the line that says so, if any.
   */
  countRejected(backend: Backend): string | undefined {
    if (!(backend instanceof WasmBackend) || backend.rejected === 0) return undefined;
    this.failed += backend.rejected;
    return `FAIL ${backend.rejected} codes were rejected by the compiler (they ran on the interpreter)`;
  }

  /** Seconds since the tally began, to a tenth. */
  seconds(): string {
    return ((performance.now() - this.start) / 1000).toFixed(1);
  }

  /** The counts as the commands' --json output starts. */
  counts(): { passed: number; failed: number; knownFailed: number; nowPassing: string[]; seconds: number } {
    const { passed, failed, knownFailed, nowPassing } = this;
    return { passed, failed, knownFailed, nowPassing, seconds: Number(this.seconds()) };
  }

  /** The summary lines: known failures still failing, those now passing, files and time, the counts. */
  summary(files: number, backend: Backend): string[] {
    const lines: string[] = [];
    if (this.known.size) {
      lines.push(`${this.knownFailed} known failures still failing (listed in ${this.knownFile})`);
      for (const id of this.nowPassing) lines.push(`NOW PASSING (remove from the known-failures list): ${id}`);
    }
    lines.push(`${files} files, ${this.seconds()} s, backend ${backend.name}`);
    lines.push(`${this.passed} passed, ${this.failed} failed`);
    return lines;
  }

  /** The exit status: 1 when anything failed that is not on the list. */
  get status(): number {
    return this.failed > 0 ? 1 : 0;
  }
}
