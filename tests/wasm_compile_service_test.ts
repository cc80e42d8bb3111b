// The compiler thread's synchronous channel: many back-to-back requests must each get their own module.
// (A wake-up left over from the previous answer could let a request read that answer, so that code ran
// with another code's module or a module cut short; seen only under heavy load, in full state-test runs.)
import assert from "node:assert/strict";
import { CompileService } from "../backends/wasm/compile_service.ts";
import { WasmBackend } from "../backends/wasm/backend.ts";
import { Interpreter } from "../backends/interpreter/interpreter.ts";
import { runCall } from "../src/evm/run_call.ts";
import { Fork } from "../src/forks/fork.ts";
import { rulesFor } from "../src/forks/rules.ts";

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
        const code = new Uint8Array([0x60, i & 0xff, 0x60, 0, 0x53, 0x60, i >> 8, 0x60, 1, 0x53, 0x60, 2, 0x60, 0, 0xf3]);
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
