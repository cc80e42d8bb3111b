import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { runFixtureFile } from "../src/statetest/runner.ts";
import { Interpreter } from "../backends/interpreter/interpreter.ts";

const SAMPLE = new URL("./fixtures/state_tests/", import.meta.url).pathname;

function jsonFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) jsonFiles(p, out);
    else if (p.endsWith(".json")) out.push(p);
  }
  return out;
}

Deno.test("committed state-test sample passes on the interpreter", () => {
  const backend = new Interpreter();
  const failures: string[] = [];
  let cases = 0;
  for (const file of jsonFiles(SAMPLE)) {
    for (const r of runFixtureFile(file, readFileSync(file, "utf8"), { backend })) {
      cases++;
      if (!r.passed) failures.push(`${r.file} ${r.test} ${r.fork}: ${r.detail}`);
    }
  }
  assert.ok(cases > 100, `expected a real sample, ran ${cases} cases`);
  assert.deepEqual(failures, []);
});

Deno.test("a malformed fixture names the file and the runner goes on", () => {
  const backend = new Interpreter();
  const bad = runFixtureFile("broken.json", "{ not json", { backend });
  assert.equal(bad.length, 1);
  assert.equal(bad[0].passed, false);
  assert.match(bad[0].detail!, /malformed fixture/);

  const partial = runFixtureFile("partial.json", JSON.stringify({ t1: { env: {} }, t2: 5 }), { backend });
  assert.equal(partial.length, 2);
  assert.ok(partial.every((r) => !r.passed && /malformed test/.test(r.detail!)));
  assert.deepEqual(partial.map((r) => r.test), ["t1", "t2"]);
});

Deno.test("a broken case inside a good file fails alone, naming the test", () => {
  const file = jsonFiles(SAMPLE).find((f) => f.includes("cancun"))!;
  const fixture = JSON.parse(readFileSync(file, "utf8"));
  const [name] = Object.keys(fixture);
  const copy = structuredClone(fixture[name]);
  copy.transaction.data = ["0xzz"];
  const results = runFixtureFile("mixed.json", JSON.stringify({ good: fixture[name], bad: copy }), { backend: new Interpreter() });
  assert.ok(results.filter((r) => r.test === "good").every((r) => r.passed));
  const bad = results.filter((r) => r.test === "bad");
  assert.ok(bad.length > 0 && bad.every((r) => !r.passed && /invalid hex/.test(r.detail!)));
});

Deno.test("a wrong expected root is reported with what differed", () => {
  const file = jsonFiles(SAMPLE).find((f) => f.includes("osaka"))!;
  const fixture = JSON.parse(readFileSync(file, "utf8"));
  const [name] = Object.keys(fixture);
  const tc = fixture[name];
  for (const posts of Object.values(tc.post) as { hash: string }[][]) for (const p of posts) p.hash = "0x" + "11".repeat(32);
  const results = runFixtureFile("wrong.json", JSON.stringify({ [name]: tc }), { backend: new Interpreter() });
  assert.ok(results.length > 0 && results.every((r) => !r.passed && /state root/.test(r.detail!)));
});
