/**
 * Hardhat 2 + hardhat-ethers (the project in tests/clients/hardhat/) with
 * `--network target` pointing at our node, then at anvil; each run records
 * what its tests saw (test/observe.js) and the two records are compared.
 * The fork test resets the node into fork mode over a third node, an anvil
 * upstream holding a Counter.
 */
import assert from "node:assert/strict";
import { readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEV0 } from "../rpc/helpers.ts";
import {
  assertSameObservations,
  CLIENT_PACKAGES,
  clientTest,
  copyProject,
  ensureClientDeps,
  nodeAvailable,
  type Observations,
  run,
  runOk,
  startAnvilTarget,
  startOurs,
  type Target,
} from "./harness.ts";
import { anvilAvailable, deployData } from "../rpc/helpers.ts";

/** The observations that differ by design (see docs/clients.md, "Real clients"). */
const INTENDED: string[] = [];

async function hardhatRun(
  project: string,
  env: Record<string, string>,
  target: Target,
  tag: string,
): Promise<Observations> {
  const outFile = join(project, `observed-${tag}.json`);
  const r = await run("node", [
    "node_modules/hardhat/internal/cli/bootstrap.js",
    "test",
    "--network",
    "target",
    "--no-compile",
  ], {
    cwd: project,
    env: { ...env, RPC_URL: target.url, OUT_FILE: outFile },
    timeoutMs: 180_000,
  });
  assert.equal(r.code, 0, `hardhat test against ${target.name} failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /7 passing/, r.stdout);
  return JSON.parse(readFileSync(outFile, "utf8"));
}

clientTest(
  "hardhat 2: deploy, call, send, events, revert reasons, impersonation, snapshots, time travel, hardhat_reset forking — same as anvil",
  !anvilAvailable() || !nodeAvailable(),
  async (res) => {
    const tmp = Deno.makeTempDirSync({ prefix: "evmwasm-hardhat-" });
    res.defer(() => Deno.removeSync(tmp, { recursive: true }));
    // hardhat_reset's fork keeps its state cache under $EVMWASM_CACHE_DIR, keyed by chain id and block number:
    // a throwaway folder, so that no other anvil's block 2 is ever read back.
    const cacheDir = Deno.env.get("EVMWASM_CACHE_DIR");
    Deno.env.set("EVMWASM_CACHE_DIR", join(tmp, "evmwasm-cache"));
    res.defer(() =>
      cacheDir === undefined ? Deno.env.delete("EVMWASM_CACHE_DIR") : Deno.env.set("EVMWASM_CACHE_DIR", cacheDir)
    );
    const deps = await ensureClientDeps("hardhat");
    const project = copyProject("hardhat", tmp);
    symlinkSync(join(deps, "node_modules"), join(project, "node_modules"));
    // Hardhat wants a package.json at the project root (kept out of the repository so that Deno never sees it).
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify(
        { private: true, name: "evmwasm-hardhat-test", devDependencies: CLIENT_PACKAGES.hardhat },
        null,
        1,
      ),
    );
    const env = {
      CI: "true",
      HARDHAT_DISABLE_TELEMETRY_PROMPT: "true",
      XDG_CONFIG_HOME: join(tmp, "xdg"),
      XDG_DATA_HOME: join(tmp, "xdg"),
      XDG_CACHE_HOME: join(tmp, "xdg"),
    };
    await runOk("node", ["node_modules/hardhat/internal/cli/bootstrap.js", "compile", "--quiet"], {
      cwd: project,
      env,
    });

    // The upstream for hardhat_reset's forking: a Counter with count 1.
    const upstream = res.add(await startAnvilTarget());
    const deployed = await upstream.rpc.send({ from: DEV0, data: deployData("Counter") });
    const counter = deployed.contractAddress as string;
    await upstream.rpc.send({ from: DEV0, to: counter, data: "0x371303c0" }); // inc()
    const forkEnv = { ...env, UPSTREAM_URL: upstream.url, UPSTREAM_COUNTER: counter, UPSTREAM_COUNT: "1" };

    const ours = res.add(await startOurs());
    const anvil = res.add(await startAnvilTarget());
    const a = await hardhatRun(project, forkEnv, ours, "evmwasm");
    const b = await hardhatRun(project, forkEnv, anvil, "anvil");
    assert.equal(a["fork: forked count"], "1");
    assertSameObservations(a, b, INTENDED);
  },
);
