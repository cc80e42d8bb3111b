/** Runs EEST state-test fixtures: every post entry of every test, compared by state root and logs hash. */
import type { Backend } from "../../backends/backend.ts";
import { type ForkId, parseFork } from "../forks/fork.ts";
import { rulesFor } from "../forks/rules.ts";
import { bytesToHex } from "../primitives/hex.ts";
import { executeTransaction } from "../tx/execute.ts";
import { InvalidTransactionError } from "../tx/errors.ts";
import { buildBlockEnv, buildTransaction, buildWorld, type StateTestCase } from "./fixture.ts";
import { logsHash } from "./logs_hash.ts";
import { expectedStateDiff } from "../state/expected_state.ts";

export interface CaseResult {
  file: string;
  test: string;
  fork: string;
  indexes: { data: number; gas: number; value: number };
  passed: boolean;
  /** What differed, for failures. */
  detail?: string;
  ms: number;
}

export interface RunOptions {
  backend: Backend;
  /** Only these forks (ids); all when undefined. */
  forks?: Set<ForkId>;
  /** Only tests whose name contains this. */
  filter?: string;
}

/** Runs every case of one fixture file. A malformed file or test yields a failed result naming it. */
export function runFixtureFile(file: string, text: string, opts: RunOptions): CaseResult[] {
  let parsed: Record<string, StateTestCase>;
  try {
    parsed = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not a JSON object of tests");
  } catch (e) {
    return [{ file, test: "(file)", fork: "-", indexes: { data: 0, gas: 0, value: 0 }, passed: false, detail: `malformed fixture: ${(e as Error).message}`, ms: 0 }];
  }
  const results: CaseResult[] = [];
  for (const [test, tc] of Object.entries(parsed)) {
    if (opts.filter && !test.includes(opts.filter)) continue;
    if (!tc || typeof tc !== "object" || !tc.post || !tc.pre || !tc.transaction || !tc.env) {
      results.push({ file, test, fork: "-", indexes: { data: 0, gas: 0, value: 0 }, passed: false, detail: "malformed test: missing env, pre, transaction or post", ms: 0 });
      continue;
    }
    for (const [forkKey, posts] of Object.entries(tc.post)) {
      let forkId: ForkId;
      try {
        forkId = parseFork(forkKey);
      } catch {
        results.push({ file, test, fork: forkKey, indexes: { data: 0, gas: 0, value: 0 }, passed: false, detail: `unsupported fork ${forkKey}`, ms: 0 });
        continue;
      }
      if (opts.forks && !opts.forks.has(forkId)) continue;
      for (const post of posts) results.push(runCase(file, test, tc, forkKey, forkId, post, opts));
    }
  }
  return results;
}

function runCase(
  file: string, test: string, tc: StateTestCase, forkKey: string, forkId: ForkId,
  post: StateTestCase["post"][string][number], opts: RunOptions,
): CaseResult {
  const start = performance.now();
  const base = { file, test, fork: forkKey, indexes: post.indexes };
  const done = (passed: boolean, detail?: string): CaseResult => ({ ...base, passed, detail, ms: performance.now() - start });
  try {
    const rules = rulesFor(forkId);
    const world = buildWorld(tc.pre);
    const block = buildBlockEnv(tc, rules, forkKey);
    const tx = buildTransaction(tc.transaction, post.indexes);
    let logs = "";
    try {
      const result = executeTransaction({ world, rules, block, backend: opts.backend }, tx);
      logs = bytesToHex(logsHash(result.logs));
      if (post.expectException) return done(false, `expected exception ${post.expectException}, but the transaction was valid (${result.status}, gas used ${result.gasUsed})`);
    } catch (e) {
      if (!(e instanceof InvalidTransactionError)) throw e;
      if (!post.expectException) return done(false, `unexpected invalid transaction: ${e.message}`);
      logs = bytesToHex(logsHash([]));
    }
    const root = bytesToHex(world.stateRoot());
    const diffs: string[] = [];
    if (root !== post.hash.toLowerCase()) diffs.push(`state root ${root} != expected ${post.hash}`);
    if (logs !== post.logs.toLowerCase()) diffs.push(`logs hash ${logs} != expected ${post.logs}`);
    if (diffs.length) {
      if (post.state) diffs.push(...expectedStateDiff(world, post.state).slice(0, 12));
      return done(false, diffs.join("; "));
    }
    return done(true);
  } catch (e) {
    return done(false, `error: ${(e as Error).stack ?? e}`);
  }
}
