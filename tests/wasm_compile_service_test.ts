// The compiler thread's synchronous channel: many back-to-back requests must each get their own module.
// (A wake-up left over from the previous answer could let a request read that answer, so that code ran
// with another code's module or a module cut short; seen only under heavy load, in full state-test runs.)
import assert from "node:assert/strict";
import { CompileService, type PendingCompile } from "../backends/wasm/compile_service.ts";
import { SyncReply } from "../backends/wasm/compile_protocol.ts";
import { WasmBackend } from "../backends/wasm/backend.ts";
import { Interpreter } from "../backends/interpreter/interpreter.ts";
import { runCall } from "../src/evm/run_call.ts";
import { Fork } from "../src/forks/fork.ts";
import { rulesFor } from "../src/forks/rules.ts";

/** The binary of a background compilation, polled until it is there (5 s at most). */
async function answerOf(pending: PendingCompile): Promise<Uint8Array> {
  for (let i = 0; i < 500; i++) {
    const binary = pending.poll();
    if (binary) return binary;
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
        const binary = await answerOf(guest.compileInBackground(new Uint8Array([0x00]), rules));
        assert.ok(new WebAssembly.Module(binary as BufferSource));
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
  name: "wasm: background compilations reuse a finished one's reply buffer, and each keeps its own answer",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const service = new CompileService();
    const rules = rulesFor(Fork.Osaka);
    const created: number[] = [];
    const create = SyncReply.create;
    SyncReply.create = (capacity?: number) => (created.push(capacity ?? 0), create(capacity));
    try {
      const codes = [0, 1, 2, 3].map((i) => new Uint8Array([0x60, i, 0x60, 0, 0x53, 0x60, 1, 0x60, 0, 0xf3]));
      const first = service.compileInBackground(codes[0], rules);
      const binaries = [await answerOf(first)];
      for (const code of codes.slice(1)) binaries.push(await answerOf(service.compileInBackground(code, rules)));
      // One buffer served all four; the first handle still answers its own module after the buffer moved on.
      assert.equal(created.length, 1);
      assert.deepEqual(first.poll(), binaries[0]);
      for (let i = 0; i < 4; i++) {
        const r = runCall({
          backend: new WasmBackend({ compile: () => binaries[i], fallback: new Interpreter() }),
          code: codes[i],
          fork: Fork.Osaka,
        });
        assert.equal(r.output[0], i);
      }
    } finally {
      SyncReply.create = create;
      service.terminate();
    }
  },
});
