import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = new URL("../cli.ts", import.meta.url).pathname;

function cli(...args: string[]) {
  const r = spawnSync(Deno.execPath(), ["run", "-A", CLI, ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

Deno.test("unknown fork lists the supported ones", () => {
  const r = cli("statetest", "--fork", "Atlantis", "tests/fixtures");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown fork "Atlantis"; supported forks: Frontier, .*Prague, Osaka/);
  assert.doesNotMatch(r.stderr, /\n\s+at /); // no stack trace
});

Deno.test("bad hex on the command line is a one-line error", () => {
  const r = cli("run", "--code", "0x60zz");
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim().split("\n").length, 1);
  assert.match(r.stderr, /--code: invalid hex/);
});

Deno.test("statetest on a malformed file names it and still counts the rest", () => {
  const dir = mkdtempSync(join(tmpdir(), "evmwasm-cli-"));
  writeFileSync(join(dir, "a_broken.json"), "{ nope");
  const r = cli("statetest", dir, new URL("./fixtures/state_tests/homestead", import.meta.url).pathname);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /FAIL .*a_broken\.json .*malformed fixture/);
  assert.match(r.stdout, /^[1-9]\d* passed, 1 failed$/m);
});

Deno.test("a known-failures file that cannot be read, or a path that does not exist, is a one-line error", () => {
  const fixtures = new URL("./fixtures/state_tests/homestead", import.meta.url).pathname;
  for (const command of ["statetest", "blocktest"]) {
    const missingList = cli(command, "--known-failures", "/nonexistent/known.txt", fixtures);
    assert.equal(missingList.status, 2);
    assert.match(missingList.stderr, /--known-failures: cannot read \/nonexistent\/known\.txt/);
    assert.doesNotMatch(missingList.stderr, /\n\s+at /);
    const missingPath = cli(command, "/nonexistent/fixtures");
    assert.equal(missingPath.status, 2);
    assert.match(missingPath.stderr, /no such file or folder: \/nonexistent\/fixtures/);
  }
});

Deno.test("run prints JSON with output and gas", () => {
  const r = cli("run", "--code", "0x600160020160005260206000f3", "--json");
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.success, true);
  assert.equal(j.output, "0x" + "00".repeat(31) + "03");
  assert.equal(j.gasUsed, 24);
});
