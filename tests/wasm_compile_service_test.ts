// The compiler thread's synchronous channel: many back-to-back requests must each get their own module.
// (A wake-up left over from the previous answer could let a request read that answer, so that code ran
// with another code's module or a module cut short; seen only under heavy load, in full state-test runs.)
import assert from "node:assert/strict";
import { CompileService, type PendingCompile } from "../backends/wasm/compile_service.ts";
import { WasmBackend } from "../backends/wasm/backend.ts";
import { Interpreter } from "../backends/interpreter/interpreter.ts";
import { runCall } from "../src/evm/run_call.ts";
import { Fork, type ForkId } from "../src/forks/fork.ts";
import { rulesFor } from "../src/forks/rules.ts";

/** The module of a background compilation, polled until it is there (5 s at most). */
async function answerOf(pending: PendingCompile): Promise<WebAssembly.Module> {
  for (let i = 0; i < 500; i++) {
    const module = pending.poll();
    if (module) return module;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("no answer from the compiler thread");
}

Deno.test({
  name: "wasm: 300 back-to-back synchronous compilations each get their own module",
  sanitizeOps: false,
  sanitizeResources: false,
  fn() {
    const service = new CompileService();
    try {
      const rules = rulesFor(Fork.Osaka);
      const backend = new WasmBackend({ compile: (c, r) => service.compileSync(c, r), fallback: new Interpreter() });
      service.compileSync(new Uint8Array([0]), rules); // the worker is up
      const wrong: string[] = [];
      for (let i = 0; i < 300; i++) {
        // MSTORE8(0, i & 0xff) MSTORE8(1, i >> 8) RETURN(0, 2)
        const code = new Uint8Array([
          0x60,
          i & 0xff,
          0x60,
          0,
          0x53,
          0x60,
          i >> 8,
          0x60,
          1,
          0x53,
          0x60,
          2,
          0x60,
          0,
          0xf3,
        ]);
        const r = runCall({ backend, code, fork: Fork.Osaka });
        const got = r.output.length === 2 ? r.output[0] | (r.output[1] << 8) : -1;
        if (!r.success || got !== i) wrong.push(`${i}: ${r.success} ${got}`);
      }
      assert.deepEqual(wrong, []);
      assert.equal(backend.compiled, 300);
    } finally {
      service.terminate();
    }
  },
});

Deno.test({
  name: "wasm: a service on another's port compiles on that service's thread, in both ways, and leaves it running",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const owner = new CompileService();
    const rules = rulesFor(Fork.Osaka);
    // PUSH1 42 PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
    const code = new Uint8Array([0x60, 42, 0x60, 0, 0x52, 0x60, 32, 0x60, 0, 0xf3]);
    try {
      const first = await owner.compileAsync(code, rules);
      const guest = new CompileService(0, owner.connect());
      try {
        assert.deepEqual(guest.compileSync(code, rules), first);
        const module = await answerOf(guest.compileInBackground(new Uint8Array([0x00]), rules));
        assert.ok(module instanceof WebAssembly.Module);
        assert.deepEqual(await guest.compileAsync(code, rules), first);
        const backend = new WasmBackend({ compile: (c, r) => guest.compileSync(c, r), fallback: new Interpreter() });
        const r = runCall({ backend, code, fork: Fork.Osaka });
        assert.equal(r.output[31], 42);
      } finally {
        guest.terminate();
      }
      // The owner's thread outlives the guest's port.
      assert.deepEqual(owner.compileSync(code, rules), first);
    } finally {
      owner.terminate();
    }
  },
});

Deno.test({
  name: "wasm: the same codes asked for again, from another thread's service, get modules that run them",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const owner = new CompileService();
    const guest = new CompileService(0, owner.connect());
    try {
      // More codes than the compiler thread keeps modules of; one asked for again under another fork.
      const codes = [...Array(12).keys()].map((i) => new Uint8Array([0x60, i, 0x60, 0, 0x53, 0x60, 1, 0x60, 0, 0xf3]));
      const asks: [number, CompileService, ForkId][] = [
        ...codes.map((_, i): [number, CompileService, ForkId] => [i, owner, Fork.Osaka]),
        ...[11, 3, 0, 7, 11, 1].map((i): [number, CompileService, ForkId] => [i, guest, Fork.Osaka]),
        [3, guest, Fork.Cancun],
      ];
      for (const [i, service, fork] of asks) {
        const rules = rulesFor(fork);
        const module = await answerOf(service.compileInBackground(codes[i], rules));
        const backend = new WasmBackend({ compile: () => new Uint8Array(), fallback: new Interpreter() });
        backend.installModule(codes[i], rules, module);
        assert.equal(runCall({ backend, code: codes[i], fork }).output[0], i, `code ${i}`);
      }
    } finally {
      guest.terminate();
      owner.terminate();
    }
  },
});

Deno.test({
  name: "wasm: background compilations polled in any order each get their own module",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const service = new CompileService();
    const rules = rulesFor(Fork.Osaka);
    try {
      const codes = [0, 1, 2, 3].map((i) => new Uint8Array([0x60, i, 0x60, 0, 0x53, 0x60, 1, 0x60, 0, 0xf3]));
      const pending = codes.map((code) => service.compileInBackground(code, rules));
      await service.compileAsync(new Uint8Array([0x00]), rules); // answered after the four before it
      const modules = [3, 1, 0, 2].map((i) => [i, pending[i].poll()] as const);
      for (const [i, module] of modules) {
        assert.ok(module instanceof WebAssembly.Module, `compilation ${i} is ready`);
        const backend = new WasmBackend({ compile: () => new Uint8Array(), fallback: new Interpreter() });
        backend.installModule(codes[i], rules, module);
        assert.equal(runCall({ backend, code: codes[i], fork: Fork.Osaka }).output[0], i);
      }
      // Polled again, a handle gives the same module.
      assert.equal(pending[3].poll(), modules[0][1]);
    } finally {
      service.terminate();
    }
  },
});
