/**
 * The single-file binary (`deno task binary`: `bun build --compile`, packed behind a launcher): built
 * from this tree into a temporary folder (or taken from $EVMWASM_BINARY), then
 * `--version`, `serve` answering eth_chainId and eth_call (over WebSocket too, a state saved with `--state` and loaded
 * again, and a runaway call in an execution worker), `statetest` on a sample and on 1024-deep calls, `compile --wat`
 * and `--opt 2` (Binaryen bundled), and `run` on the WebAssembly backend (its compiler thread inside the binary).
 * `deno task start` runs the same executable, unpacked (scripts/start/executable.sh).
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { VERSION } from "../../src/version.ts";
import { anvilAvailable, deployData, RpcClient } from "../rpc/helpers.ts";
import { REPO, run, runOk } from "./harness.ts";
import denoJson from "../../deno.json" with { type: "json" };

/** The `binary` task's build (scripts/binary/build.ts), writing to `outfile` instead of dist/evmwasm. */
export async function buildBinary(outfile: string): Promise<void> {
  const task = denoJson.tasks.binary.replace(/^deno task setup && /, "");
  assert.equal(task, "deno run -A scripts/binary/build.ts");
  await runOk(Deno.execPath(), ["run", "-A", "scripts/binary/build.ts", "--out", outfile], { cwd: REPO, timeoutMs: 300_000 });
}

/** Starts `evmwasm serve --port 0` and reads the port it got from "Listening on host:port". */
async function startServe(bin: string, flags: string[] = []): Promise<{ url: string; stop(): Promise<number> }> {
  const child = new Deno.Command(bin, { args: ["serve", "--port", "0", ...flags], stdout: "piped", stderr: "piped" })
    .spawn();
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const status = await child.status;
    clearTimeout(timer);
    return status.code;
  };
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const deadline = setTimeout(() => child.kill("SIGKILL"), 20_000);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`serve exited before listening: ${text}`);
      text += value;
      const m = /Listening on ([\d.]+):(\d+)/.exec(text);
      if (m) return { url: `http://${m[1]}:${m[2]}`, stop };
    }
  } catch (e) {
    await stop();
    throw e;
  } finally {
    clearTimeout(deadline);
    reader.releaseLock();
    child.stdout.cancel().catch(() => {});
    child.stderr.cancel().catch(() => {});
  }
}

Deno.test({
  name:
    "single-file binary: --version, serve (eth_chainId, eth_call, WebSocket), statetest (incl. 1024-deep calls), compile --wat and --opt, run --backend wasm",
  ignore: Deno.build.os !== "linux" || !anvilAvailable(), // bun from npm; the same platforms as the client tools
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const tmp = Deno.makeTempDirSync({ prefix: "evmwasm-binary-" });
    const unpackDir = Deno.env.get("EVMWASM_UNPACK_DIR");
    Deno.env.set("EVMWASM_UNPACK_DIR", join(tmp, "unpacked"));
    try {
      let bin = Deno.env.get("EVMWASM_BINARY") && resolve(Deno.env.get("EVMWASM_BINARY")!);
      if (!bin) {
        bin = join(tmp, "evmwasm");
        await t.step("build with bun build --compile", () => buildBinary(bin!));
      }
      const size = Deno.statSync(bin).size;
      assert.ok(size > 10_000_000, `${bin}: ${size} bytes`);
      // Packed: at most twice anvil's binary (issue 18); it unpacks on its first run, here into the test's folder.
      const anvilSize = Deno.statSync(join(REPO, "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil")).size;
      assert.ok(size <= 2 * anvilSize, `${bin}: ${size} bytes, anvil's ${anvilSize}`);

      await t.step("--version", async () => {
        assert.equal((await runOk(bin!, ["--version"], { cwd: tmp })).trim(), `evmwasm ${VERSION}`);
      });

      await t.step("serve: eth_chainId and eth_call", async () => {
        const node = await startServe(bin!);
        try {
          const rpc = new RpcClient(node.url);
          assert.equal(await rpc.call("eth_chainId"), "0x7a69");
          assert.equal(
            await rpc.call("eth_call", [{ to: "0x0000000000000000000000000000000000000004", data: "0xc0ffee" }]),
            "0xc0ffee",
          );
          const counter = await rpc.deploy("Counter");
          await rpc.send({ from: "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", to: counter, data: "0x371303c0" });
          assert.equal(BigInt(await rpc.call<string>("eth_call", [{ to: counter, data: "0x06661abd" }, "latest"])), 1n);
          assert.ok(deployData("Counter").length > 2);
          // WebSocket on the same port under Bun: a subscription and its notification.
          const ws = new WebSocket(node.url.replace(/^http/, "ws"));
          const messages: Record<string, unknown>[] = [];
          ws.onmessage = (e) => messages.push(JSON.parse(e.data));
          await new Promise((r, j) => ((ws.onopen = r), (ws.onerror = j)));
          ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] }));
          while (messages.length < 1) await new Promise((r) => setTimeout(r, 10));
          await rpc.call("anvil_mine", ["0x1"]);
          while (messages.length < 2) await new Promise((r) => setTimeout(r, 10));
          assert.equal((messages[1].params as { subscription: string }).subscription, messages[0].result);
          const closed = new Promise((r) => (ws.onclose = r));
          ws.close();
          await closed;
        } finally {
          assert.equal(await node.stop(), 0, "serve stops cleanly on SIGTERM");
        }
      });

      await t.step("serve --state: saved when the node stops, loaded by the next start", async () => {
        const file = join(tmp, "state.json");
        const dead = "0x000000000000000000000000000000000000dead";
        const first = await startServe(bin!, ["--state", file]);
        try {
          await new RpcClient(first.url).call("anvil_setBalance", [dead, "0x1234"]);
        } finally {
          assert.equal(await first.stop(), 0, "serve stops cleanly on SIGTERM");
        }
        const second = await startServe(bin!, ["--state", file]);
        try {
          assert.equal(await new RpcClient(second.url).call("eth_getBalance", [dead, "latest"]), "0x1234");
        } finally {
          await second.stop();
        }
      });

      await t.step("serve: a runaway call moves to an execution worker and ends at --call-timeout", async () => {
        const node = await startServe(bin!, ["--call-timeout", "1500", "--disable-block-gas-limit"]);
        try {
          const rpc = new RpcClient(node.url);
          const loop = "0x00000000000000000000000000000000000c0de1";
          await rpc.call("anvil_setCode", [loop, "0x5b600056"]); // JUMPDEST PUSH1 0 JUMP
          const call = rpc.raw("eth_call", [{ to: loop, gas: "0x" + (2n ** 60n).toString(16) }, "latest"]);
          await new Promise((r) => setTimeout(r, 500));
          assert.equal(await rpc.call("eth_chainId"), "0x7a69", "answered while the call runs");
          const r = await call;
          assert.equal(r.error?.code, -32000, JSON.stringify(r));
          assert.match(r.error!.message, /timed out.*1500 ms/);
        } finally {
          assert.equal(await node.stop(), 0, "serve stops cleanly on SIGTERM");
        }
      });

      await t.step("statetest: the sample, and 1024-deep calls", async () => {
        for (
          const path of [
            "tests/fixtures/state_tests/frontier",
            "tests/fixtures/state_tests/cancun",
            "tests/clients/fixtures/Call1024BalanceTooLow.json",
          ]
        ) {
          const r = await run(bin!, ["statetest", join(REPO, path)], { cwd: tmp, timeoutMs: 120_000 });
          assert.equal(r.code, 0, `${path}:\n${r.stdout}\n${r.stderr}`);
          assert.match(r.stdout, /\d+ passed, 0 failed/);
        }
      });

      await t.step("compile --wat", async () => {
        const wat = join(tmp, "out.wat");
        const wasm = join(tmp, "out.wasm");
        // PUSH1 1 PUSH1 2 ADD PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN, and a loop with a dynamic jump
        const code = "0x600160020160005260206000f35b600a565b";
        await runOk(bin!, ["compile", "--code", code, "--wat", wat, "--out", wasm], { cwd: tmp });
        const text = readFileSync(wat, "utf8");
        assert.match(text, /^\(module|\n\(module/);
        assert.match(text, /EVM pc 0 \(0x0\): PUSH1 0x01/);
        assert.ok(existsSync(wasm) && new WebAssembly.Module(readFileSync(wasm)));
      });

      await t.step("compile --opt 2 (Binaryen inside the binary)", async () => {
        const wasm = join(tmp, "opt.wasm");
        const args = ["compile", "--code", "0x600160020160005260206000f3", "--opt", "2", "--out", wasm, "--json"];
        const out = await runOk(bin!, args, { cwd: tmp, timeoutMs: 60_000 });
        assert.ok(JSON.parse(out).optimize > 0, out);
        assert.ok(new WebAssembly.Module(readFileSync(wasm)));
      });

      await t.step("run --backend wasm (the compiler thread inside the binary)", async () => {
        const out = await runOk(bin!, [
          "run",
          "--backend",
          "wasm",
          "--no-cache",
          "--code",
          "0x600160020160005260206000f3",
          "--json",
        ], {
          cwd: tmp,
          timeoutMs: 60_000,
        });
        const r = JSON.parse(out);
        assert.equal(r.success, true);
        assert.equal(r.output, "0x" + "3".padStart(64, "0"));
      });
    } finally {
      if (unpackDir === undefined) Deno.env.delete("EVMWASM_UNPACK_DIR");
      else Deno.env.set("EVMWASM_UNPACK_DIR", unpackDir);
      Deno.removeSync(tmp, { recursive: true });
    }
  },
});
