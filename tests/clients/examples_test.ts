/** The examples in examples/ run and say what they should (a toy upstream; nothing leaves the machine). */
import assert from "node:assert/strict";
import { join } from "node:path";
import { anvilAvailable } from "../rpc/helpers.ts";
import { ensureClientDeps, foundryAvailable, REPO, runOk } from "./harness.ts";

const env = { EVMWASM_FROM_SOURCE: "1" }; // the scripts run cli.ts, not a dist/evmwasm of another tree

Deno.test({
  name: "examples: fork_swap.ts, forge_tests.sh, aot_precompile.sh, dump_wat.sh",
  ignore: !anvilAvailable(),
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    await t.step("fork_swap.ts: quote = simulation = mined swap, upstream unchanged", async () => {
      const out = await runOk(Deno.execPath(), [
        "run",
        "-A",
        "--v8-flags=--stack-size=4000",
        "examples/fork_swap.ts",
        "--json",
      ], {
        cwd: REPO,
        env,
        timeoutMs: 120_000,
      });
      const r = JSON.parse(out);
      assert.equal(r.quoted, "2961.474103191183896551");
      assert.equal(r.simulated, r.quoted);
      assert.equal(r.mined, r.quoted);
      assert.equal(r.upstreamUnchanged, true);
    });

    await t.step({
      name: "forge_tests.sh: forge script --broadcast, then forge test --fork-url",
      ignore: !foundryAvailable(),
      fn: async () => {
        const deps = await ensureClientDeps("foundry");
        const tmp = Deno.makeTempDirSync({ prefix: "evmwasm-example-forge-" });
        try {
          const out = await runOk("bash", ["examples/forge_tests.sh"], {
            cwd: REPO,
            env: { ...env, HOME: tmp, FORGE: join(deps, "node_modules/@foundry-rs/forge-linux-amd64/bin/forge") },
            timeoutMs: 180_000,
          });
          assert.match(out, /ONCHAIN EXECUTION COMPLETE & SUCCESSFUL/);
          assert.match(out, /Suite result: ok\. 3 passed; 0 failed/);
        } finally {
          Deno.removeSync(tmp, { recursive: true });
          for (const d of ["out", "cache", "broadcast"]) {
            Deno.removeSync(join(REPO, "examples/forge", d), { recursive: true });
          }
        }
      },
    });

    await t.step("aot_precompile.sh: compiled, then already cached, then run from the cache", async () => {
      const out = await runOk("bash", ["examples/aot_precompile.sh"], {
        cwd: REPO,
        env: { ...env, OPT: "0" },
        timeoutMs: 180_000,
      });
      assert.equal(out.match(/bytes +compiled /g)?.length, 3, out);
      assert.equal(out.match(/already cached/g)?.length, 3, out);
      const runs = out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
      assert.equal(runs.length, 2);
      assert.ok(runs.every((r) => r.success && r.gasUsed === runs[0].gasUsed));
      assert.ok(
        runs[0].compileMs < runs[1].compileMs,
        `from the cache ${runs[0].compileMs} ms, cold ${runs[1].compileMs} ms`,
      );
    });

    await t.step("dump_wat.sh: a .wat with EVM pc markers", async () => {
      const tmp = Deno.makeTempDirSync({ prefix: "evmwasm-example-wat-" });
      try {
        const out = await runOk("bash", ["examples/dump_wat.sh"], {
          cwd: REPO,
          env: { ...env, OUT: join(tmp, "pair.wat") },
          timeoutMs: 120_000,
        });
        assert.match(out, /EVM pc 0 \(0x0\): PUSH1 0x80 PUSH1 0x40 MSTORE/);
        assert.match(out, /== \d+ blocks/);
      } finally {
        Deno.removeSync(tmp, { recursive: true });
      }
    });
  },
});
