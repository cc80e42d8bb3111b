/**
 * `deno task start` (scripts/start/executable.sh): runs the executable built from the sources in .cache/start/,
 * builds it again when a source is newer than it and not otherwise, and the node it starts answers and stops with
 * the task.
 */
import assert from "node:assert/strict";
import { statSync, utimesSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { freePort } from "../bench/free_port.ts";
import { RpcClient } from "./rpc/helpers.ts";
import { START_EXECUTABLE } from "../scripts/start/executable.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const EXE = START_EXECUTABLE;
const BUILDING = "building the executable";

async function task(args: string[]): Promise<{ ok: boolean; out: string; err: string }> {
  const r = await new Deno.Command(Deno.execPath(), { args: ["task", "-q", "start", ...args], cwd: ROOT }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { ok: r.success, out: text(r.stdout), err: text(r.stderr) };
}

Deno.test({
  name: "deno task start: the executable is built when a source is newer, reused otherwise; the node stops with it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const first = await task(["--help"]);
    assert.ok(first.ok && first.out.includes("--port"), first.err);
    const built = statSync(EXE).mtimeMs;

    const again = await task(["--help"]);
    assert.ok(again.ok, again.err);
    assert.equal(again.err.includes(BUILDING), false, again.err);
    assert.equal(statSync(EXE).mtimeMs, built);

    // Every source is newer than an executable from 2000.
    utimesSync(EXE, new Date("2000-01-01"), new Date("2000-01-01"));
    const rebuilt = await task(["--help"]);
    assert.ok(rebuilt.ok && rebuilt.err.includes(BUILDING), rebuilt.err);
    assert.ok(statSync(EXE).mtimeMs > Date.parse("2001-01-01"));

    const port = await freePort();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "start", "--port", String(port), "--silent"],
      cwd: ROOT,
      stdout: "null",
      stderr: "null",
    }).spawn();
    const rpc = new RpcClient(`http://127.0.0.1:${port}`);
    try {
      await rpc.waitReady();
      assert.equal(await rpc.call("eth_chainId"), "0x7a69");
    } finally {
      child.kill("SIGTERM");
      await child.status;
    }
    // The task's SIGTERM reached the node (the launcher execs it): nothing listens on the port any more.
    await assert.rejects(() => Deno.connect({ hostname: "127.0.0.1", port }));
  },
});
