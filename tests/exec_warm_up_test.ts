// The node's start-up warm-up: synthetic calls that all succeed, on every backend, and change no state.
import assert from "node:assert/strict";
import { createNode } from "../src/node.ts";
import {
  WARM_UP_CALLEE,
  WARM_UP_SIGNATURE,
  warmUpCallee,
  warmUpContract,
  warmUpNode,
  warmUpSigning,
} from "../src/exec/warm_up.ts";
import { WorldState } from "../src/state/world.ts";
import { Account } from "../src/state/account.ts";
import { bytesToHex } from "../src/primitives/hex.ts";
import { privateServer, warmUpHttpPath } from "../src/exec/http_warm_up.ts";
import { touchYoungGeneration } from "../src/exec/young_generation.ts";
import { createBackend } from "../backends/registry.ts";
import { runCall } from "../src/evm/run_call.ts";
import { Fork, type ForkId } from "../src/forks/fork.ts";
import { staticGasTable } from "../src/forks/opcodes.ts";

Deno.test({
  name: "warm-up contract: on every fork it runs its loop to a word, alike on the interpreter and compiled",
  sanitizeOps: false,
  sanitizeResources: false,
  fn() {
    const interpreter = createBackend("interpreter"), wasm = createBackend("wasm");
    for (const fork of [Fork.Frontier, Fork.Byzantium, Fork.London, Fork.Cancun, Fork.Osaka]) {
      const code = warmUpContract(6, staticGasTable(fork));
      const run = (backend: typeof wasm) => runCall({ backend, code, fork });
      const r = run(interpreter);
      assert.ok(r.success, `${fork}: ${r.error}`);
      assert.equal(r.output.length, 32);
      assert.ok(r.gasUsed > 20_000n, `gas ${r.gasUsed}`); // a storage write at least
      const w = run(wasm);
      assert.deepEqual([w.success, w.output, w.gasUsed], [r.success, r.output, r.gasUsed], `fork ${fork}`);
    }
  },
});

Deno.test({
  name: "warm-up contract: each kind of call runs a frame of the callee, alike on the interpreter and compiled",
  sanitizeOps: false,
  sanitizeResources: false,
  fn() {
    const interpreter = createBackend("interpreter"), wasm = createBackend("wasm");
    const calleeAddress = BigInt(WARM_UP_CALLEE);
    const kinds: [ForkId, number][] = [[Fork.Frontier, 2], [Fork.Homestead, 3], [Fork.Byzantium, 4], [Fork.Osaka, 4]];
    for (const [fork, callKinds] of kinds) {
      const code = warmUpContract(2, staticGasTable(fork));
      const run = (backend: typeof wasm) => {
        const world = new WorldState();
        const callee = new Account();
        callee.code = warmUpCallee();
        world.setAccountDirect(calleeAddress, callee);
        const answers: number[] = [];
        const recovered: string[] = [];
        const tracer = {
          onExit(msg: { codeAddress: bigint }, result: { output: Uint8Array }) {
            if (msg.codeAddress === calleeAddress) answers.push(result.output.length);
            if (msg.codeAddress === 1n) recovered.push(bytesToHex(result.output));
          },
        };
        return { result: runCall({ backend, code, fork, world, tracer }), answers, recovered };
      };
      const r = run(interpreter);
      assert.ok(r.result.success, `${fork}: ${r.result.error}`);
      assert.deepEqual(r.answers, new Array(2 * callKinds).fill(32), `fork ${fork}`);
      // WARM_UP_SIGNATURE is a real one: ECRECOVER runs the whole recovery, to its signer.
      assert.deepEqual(r.recovered, [`0x${"00".repeat(12)}${WARM_UP_SIGNATURE.signer.slice(2)}`], `fork ${fork}`);
      const w = run(wasm);
      assert.deepEqual([w.answers, w.recovered], [r.answers, r.recovered], `fork ${fork}`);
      assert.deepEqual(
        [w.result.success, w.result.output, w.result.gasUsed],
        [r.result.success, r.result.output, r.result.gasUsed],
        `fork ${fork}`,
      );
    }
  },
});

for (const backend of ["interpreter", "auto"]) {
  Deno.test({
    name: `warm-up on ${backend}: every call answered, nothing logged, the chain unchanged`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const node = await createNode({ backendSpec: { name: backend } });
      try {
        const logged: string[] = [];
        node.handler.onRequest = (m) => logged.push(m);
        const before = await node.handler.call("eth_blockNumber", []);
        logged.length = 0;
        const quiet = node.handler.unlogged();
        assert.equal(await warmUpNode((b) => quiet.handleBody(b), { quick: 20, spread: 10 }), 30);
        assert.deepEqual(logged, []);
        assert.deepEqual(await node.handler.call("eth_blockNumber", []), before);
        const code = await node.handler.call("eth_getCode", ["0x00000000000000000000000000000000005741e1", "latest"]);
        assert.deepEqual(code, { result: "0x" });
        assert.deepEqual(await node.handler.call("eth_getCode", [WARM_UP_CALLEE, "latest"]), { result: "0x" });
        // The signings it starts with succeed (so they run the signing code), unlogged, and send nothing.
        logged.length = 0;
        assert.equal(await warmUpSigning((b) => quiet.handleBody(b)), 20);
        assert.deepEqual(logged, []);
        assert.deepEqual(await node.handler.call("eth_blockNumber", []), before);
      } finally {
        await node.close();
      }
    },
  });
}

Deno.test({
  name: "warm-up: waits while the node is busy, and gives up at its time budget",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const node = await createNode({});
    try {
      const quiet = node.handler.unlogged();
      let synthetic = 0;
      const handle = (b: string) => (synthetic++, quiet.handleBody(b));
      // Someone else's requests every 10 ms: next to no synthetic call goes in (a gap of 100 ms lets one in).
      const busy = setInterval(() => void node.handler.call("eth_chainId", []), 10);
      try {
        const done = await warmUpNode(handle, { budgetMs: 600, idleMs: () => node.handler.idleMs() });
        assert.ok(done < 10, `${done} synthetic calls while busy`);
        assert.equal(synthetic, done);
      } finally {
        clearInterval(busy);
      }
      // Idle: it goes ahead.
      assert.equal(await warmUpNode(handle, { quick: 5, spread: 0, idleMs: () => node.handler.idleMs() }), 5);
      assert.ok(node.handler.idleMs() >= 100);
    } finally {
      await node.close();
    }
  },
});

Deno.test({
  name: "HTTP warm-up: every request answered through a private server, unlogged, token-gated, chain unchanged",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const node = await createNode({});
    try {
      const logged: string[] = [];
      node.handler.onRequest = (m) => logged.push(m);
      const before = await node.handler.call("eth_blockNumber", []);
      logged.length = 0;
      const started = performance.now();
      assert.equal(await warmUpHttpPath(node.handler.unlogged(), { requests: 50 }), 50);
      assert.deepEqual(logged, []);
      // No call since before the warm-up began, as the node's idle clock sees it.
      assert.ok(node.handler.idleMs() >= performance.now() - started, "the warm-up counted as activity");
      assert.deepEqual(await node.handler.call("eth_blockNumber", []), before);
      // Stopped before it starts: nothing sent, and its server is closed either way.
      assert.equal(await warmUpHttpPath(node.handler.unlogged(), { stopped: () => true }), 0);
      // The private server answers its own token only.
      const server = await privateServer(node.handler.unlogged());
      try {
        const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
        const ok = await fetch(server.url, { method: "POST", headers: server.headers, body });
        assert.deepEqual(await ok.json(), { jsonrpc: "2.0", id: 1, result: "0x7a69" });
        const other = await fetch(server.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        assert.equal(other.status, 403);
        await other.body?.cancel();
      } finally {
        await server.close();
      }
    } finally {
      await node.close();
    }
  },
});

Deno.test({
  name: "HTTP warm-up: waits while the node is busy",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const node = await createNode({});
    try {
      let stop = false;
      setTimeout(() => (stop = true), 400);
      // The node answered someone 0 ms ago, all the time: no request goes out before it is stopped.
      assert.equal(await warmUpHttpPath(node.handler.unlogged(), { idleMs: () => 0, stopped: () => stop }), 0);
    } finally {
      await node.close();
    }
  },
});

Deno.test({
  name: "young generation touch: allocates while idle, in steps, and waits while the node is busy",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    assert.equal(await touchYoungGeneration({ megabytes: 8, stepMegabytes: 2 }), 8);
    let steps = 0;
    const stopAfterTwo = () => steps++ >= 2;
    assert.equal(await touchYoungGeneration({ megabytes: 8, stepMegabytes: 2, stopped: stopAfterTwo }), 4);
    // Someone else's request a moment ago, all the time: nothing is allocated until it stops.
    const until = performance.now() + 300;
    const stopped = () => performance.now() > until;
    assert.equal(await touchYoungGeneration({ megabytes: 8, idleMs: () => 0, stopped }), 0);
  },
});
