/**
 * Step tracers see every instruction on every backend: a traced execution on the wasm and auto backends gives the
 * interpreter's struct logs and access lists, including after the code has been compiled.
 */
import assert from "node:assert/strict";
import type { Backend } from "../backends/backend.ts";
import { Interpreter } from "../backends/interpreter/interpreter.ts";
import { TieredBackend } from "../backends/tiered.ts";
import { CompileService } from "../backends/wasm/compile_service.ts";
import { createWasmBackend } from "../backends/wasm/create.ts";
import { createNode } from "../src/node.ts";
import { calldata, deployData, DEV0 } from "./rpc/helpers.ts";

function backendNamed(name: string): Backend {
  if (name === "interpreter") return new Interpreter();
  if (name === "wasm") return createWasmBackend(new Interpreter());
  // Compiles a code after its first interpreted frame, so that the calls below run it compiled.
  const service = new CompileService(0);
  const interpreter = new Interpreter();
  return new TieredBackend(interpreter, createWasmBackend(interpreter, {}, service), service, 0);
}

async function tracedAnswers(backendName: string): Promise<unknown[]> {
  const backend = backendNamed(backendName);
  const node = createNode({ accounts: 1, backend, now: () => 1_700_000_000n });
  try {
    const hash = await node.request<string>({
      method: "eth_sendTransaction",
      params: [{ from: DEV0, data: deployData("Probe") }],
    });
    const receipt = await node.request<{ contractAddress: string }>({
      method: "eth_getTransactionReceipt",
      params: [hash],
    });
    const to = receipt.contractAddress;
    const fill = { from: DEV0, to, data: calldata("Probe", "fill", [5n]) };
    await node.request({ method: "eth_sendTransaction", params: [fill] });
    const sum = { from: DEV0, to, data: calldata("Probe", "sum", [5n]) };
    // Untraced calls first, so that the code is compiled (wasm) or hot enough to tier up (auto).
    for (let i = 0; i < 50; i++) await node.request({ method: "eth_call", params: [sum, "latest"] });
    if (backend instanceof TieredBackend) {
      for (let i = 0; i < 500 && backend.tieredUp === 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
        await node.request({ method: "eth_call", params: [sum, "latest"] });
      }
      assert.ok(backend.tieredUp > 0, "the auto backend compiled the contract");
    }
    const answers: unknown[] = [];
    answers.push(await node.request({ method: "eth_call", params: [sum, "latest"] }));
    answers.push(await node.request({ method: "eth_createAccessList", params: [sum, "latest"] }));
    answers.push(await node.request({ method: "debug_traceCall", params: [sum, "latest", {}] }));
    answers.push(await node.request({ method: "debug_traceTransaction", params: [hash, {}] }));
    answers.push(await node.request({ method: "debug_traceCall", params: [fill, "latest", { tracer: "callTracer" }] }));
    return answers;
  } finally {
    await node.close();
  }
}

Deno.test("traced calls and transactions answer the same on every backend", async () => {
  const reference = await tracedAnswers("interpreter");
  const logs = (reference[2] as { structLogs: unknown[] }).structLogs;
  if (logs.length < 100) throw new Error(`expected a long struct log, got ${logs.length} steps`);
  if ((reference[1] as { accessList: unknown[] }).accessList.length === 0) throw new Error("expected an access list");
  for (const name of ["wasm", "auto"]) assert.deepStrictEqual(await tracedAnswers(name), reference, name);
});
