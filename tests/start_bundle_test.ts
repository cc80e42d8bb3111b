/**
 * `deno task start:deno` runs the command line from a bundle (scripts/start/start.ts): built when the sources' stamp
 * differs, reused when it does not, and the files the program opens by path (the compiler's and the execution
 * workers' entry points, npm packages) are found from it.
 */
import assert from "node:assert/strict";
import { existsSync, statSync, utimesSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { spawnServe } from "./rpc/helpers.ts";
import { bundlePath, sourceStamp } from "../scripts/start/bundle.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// Counts down from the calldata word and returns it (tests/execution_workers_test.ts).
const COUNTDOWN = "0x600035805b600190038060045750600052602060" + "00f3";
const TARGET = "0x00000000000000000000000000000000000c0de1";
const word = (n: number) => "0x" + n.toString(16).padStart(64, "0");
const call = (n: number) => ({ to: TARGET, input: word(n), gas: "0x" + (2n ** 40n).toString(16) });

const start = (args: string[]) => spawnServe(args, [], "scripts/start/start.ts");

Deno.test({
  name: "start bundle: built for sources not bundled yet, then reused; workers and packages found from it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // Sources not bundled yet: one of them touched (a running node's bundle stays where it is).
    const before = sourceStamp();
    const touched = `${ROOT}scripts/start/bundle_entry.ts`;
    utimesSync(touched, new Date(), new Date(statSync(touched).mtimeMs + 1000));
    const stamp = sourceStamp();
    assert.notEqual(stamp, before);
    const OUT = bundlePath(stamp);
    assert.equal(existsSync(OUT), false);
    const first = await start(["--backend", "interpreter", "--gas-limit", "1000000000000"]);
    let built: number;
    try {
      assert.ok(existsSync(`${OUT}bundle_entry.js`), `no bundle: ${first.err()}`);
      built = statSync(`${OUT}bundle_entry.js`).mtimeMs;
      assert.equal(first.err().includes("could not be built"), false, first.err());
      await first.rpc.call("anvil_setCode", [TARGET, COUNTDOWN]);
      // Past the execution slice (100 ms): an execution worker finishes it.
      const t0 = performance.now();
      assert.equal(await first.rpc.call("eth_call", [call(2_000_000), "latest"]), word(2_000_000));
      assert.ok(performance.now() - t0 > 150, "too short a call to reach an execution worker");
      // SHA-256 (precompile 2) of nothing: its package is loaded from the bundle's place.
      assert.equal(
        await first.rpc.call("eth_call", [{ to: "0x0000000000000000000000000000000000000002", input: "0x" }, "latest"]),
        "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      );
    } finally {
      await first.stop();
    }
    assert.equal(await Deno.readTextFile(`${OUT}stamp`), stamp);
    // The same sources: the bundle is reused; the compiler thread (--backend wasm compiles every code) starts.
    const second = await start(["--backend", "wasm"]);
    try {
      assert.equal(statSync(`${OUT}bundle_entry.js`).mtimeMs, built);
      await second.rpc.call("anvil_setCode", [TARGET, COUNTDOWN]);
      assert.equal(await second.rpc.call("eth_call", [call(1000), "latest"]), word(1000));
    } finally {
      await second.stop();
    }
  },
});
