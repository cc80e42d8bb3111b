/**
 * The node answers the same on every backend: one session of requests (deployments, transactions that log,
 * revert, create, self-destruct and move value; calls, estimates, access lists, struct-logger and call traces of
 * calls and of every mined transaction, receipts, logs) sent to a node on the interpreter, on wasm, and on auto
 * once its code is compiled, compared answer by answer with the interpreter's.
 */
import assert from "node:assert/strict";
import type { Backend } from "../backends/backend.ts";
import { Interpreter } from "../backends/interpreter/interpreter.ts";
import { TieredBackend } from "../backends/tiered.ts";
import { CompileService } from "../backends/wasm/compile_service.ts";
import { createWasmBackend } from "../backends/wasm/create.ts";
import type { WasmBackend } from "../backends/wasm/backend.ts";
import { createNode, type EvmwasmNode } from "../src/node.ts";
import { calldata, type ContractName, deployData, DEV0, DEV1 } from "./rpc/helpers.ts";

function backendNamed(name: string): { backend: Backend; wasm?: WasmBackend } {
  if (name === "interpreter") return { backend: new Interpreter() };
  if (name === "wasm") return { backend: createWasmBackend(new Interpreter()) };
  // Compiles a code once it has run interpreted, so that after the warm-up everything runs compiled.
  const service = new CompileService(0);
  const interpreter = new Interpreter();
  const wasm = createWasmBackend(interpreter, {}, service);
  return { backend: new TieredBackend(interpreter, wasm, service, 0), wasm };
}

type Answer = { result: unknown } | { error: { code: number; message: string; data?: unknown } };

class Session {
  readonly answers: [string, Answer][] = [];
  constructor(readonly node: EvmwasmNode) {}

  async ask(label: string, method: string, params: unknown[]): Promise<unknown> {
    const outcome = await this.node.handler.call(method, params);
    this.answers.push([`${label}: ${method}`, outcome as Answer]);
    return "result" in outcome ? outcome.result : undefined;
  }

  async send(label: string, tx: Record<string, unknown>): Promise<string> {
    const hash = await this.node.request<string>({ method: "eth_sendTransaction", params: [tx] });
    this.answers.push([`${label}: hash`, { result: hash }]);
    return hash;
  }
}

const TRACES: [string, Record<string, unknown>][] = [
  ["struct logs", {}],
  ["struct logs with memory and return data", { enableMemory: true, enableReturnData: true }],
  ["struct logs without stack and storage", { disableStack: true, disableStorage: true }],
  ["call tracer with logs", { tracer: "callTracer", tracerConfig: { withLog: true } }],
  ["call tracer, top call only", { tracer: "callTracer", tracerConfig: { onlyTopCall: true } }],
];

async function deploy(s: Session, name: ContractName, value = "0x0"): Promise<string> {
  const hash = await s.send(`deploy ${name}`, { from: DEV0, data: deployData(name), value });
  const receipt = await s.node.request<{ contractAddress: string }>({ method: "eth_getTransactionReceipt", params: [hash] });
  return receipt.contractAddress;
}

/** The calls asked about: [label, call object]. */
function callsOf(c: Record<string, string>): [string, Record<string, unknown>][] {
  const probe = (fn: string, args: unknown[] = [], extra: Record<string, unknown> = {}) => ({
    from: DEV0,
    to: c.probe,
    data: calldata("Probe", fn, args),
    ...extra,
  });
  return [
    ["count", { to: c.counter, data: calldata("Counter", "count") }],
    ["setCount by a stranger (require)", { from: DEV1, to: c.counter, data: calldata("Counter", "setCount", [1n]) }],
    ["sum of 40 slots", probe("sum", [40n])],
    ["revert with reason", probe("revertWithReason")],
    ["custom error", probe("revertCustom")],
    ["panic: overflow", probe("panicOverflow", [1n])],
    ["panic: division by zero", probe("panicDivide", [0n])],
    ["panic: index", probe("panicIndex")],
    ["out of gas", probe("burn", [], { gas: "0x30000" })],
    ["precompiles", probe("hashes", ["0x616263"])],
    ["modexp", probe("modexp", [3n, 200n, 1000007n])],
    ["ecrecover", probe("recover", ["0x" + "11".repeat(32), 27, "0x" + "22".repeat(32), "0x" + "33".repeat(32)])],
    ["nested call", probe("nested", [5n])],
    ["nested revert", probe("nestedRevert")],
    ["CREATE2", probe("deploy", ["0x" + "07".repeat(32)])],
    ["block info", probe("blockInfo")],
    ["token transfer", { from: DEV0, to: c.token, data: calldata("Token", "transfer", [DEV1, 5n]) }],
    ["token transfer beyond balance", { from: DEV1, to: c.token, data: calldata("Token", "transfer", [DEV0, 5000n]) }],
    ["delegatecall", { from: DEV0, to: c.tracee, data: calldata("Tracee", "delegate", [9n]) }],
    ["create with value", { from: DEV0, to: c.tracee, data: calldata("Tracee", "create", [4n]), value: "0x5" }],
    ["failed inner call", { from: DEV0, to: c.tracee, data: calldata("Tracee", "tryFail") }],
    ["plain transfer", { from: DEV0, to: DEV1, value: "0x1" }],
  ];
}

async function session(backendName: string): Promise<[string, Answer][]> {
  const { backend, wasm } = backendNamed(backendName);
  const node = createNode({ accounts: 2, backend, now: () => 1_700_000_000n });
  const s = new Session(node);
  try {
    const c: Record<string, string> = {
      counter: await deploy(s, "Counter"),
      probe: await deploy(s, "Probe"),
      token: await deploy(s, "Token"),
      tracee: await deploy(s, "Tracee", "0x64"),
    };
    const calls = callsOf(c);
    if (wasm) {
      // Warm up until every contract's code is compiled and in use: the answers below come from compiled code.
      const rules = node.chain.hardfork.rules;
      const box = "0x" + (await node.request<string>({ method: "eth_call", params: [{ to: c.tracee, data: calldata("Tracee", "box") }] })).slice(26);
      const target = "0x" + (await node.request<string>({ method: "eth_call", params: [{ to: c.probe, data: calldata("Probe", "target") }] })).slice(26);
      const codes = [...Object.values(c), box, target].map((a) => node.chain.head.getCode(BigInt(a)));
      const compiled = () => codes.every((code) => wasm.cache.lookup(code, rules) !== undefined);
      const start = Date.now();
      while (!compiled() || backend instanceof TieredBackend && backend.tieredUp < codes.length) {
        if (Date.now() - start > 60_000) throw new Error(`auto: not all codes compiled after 60 s`);
        for (const [, call] of calls) await node.handler.call("eth_call", [call, "latest"]);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const txs: [string, Record<string, unknown>][] = [
      ["inc", { from: DEV0, to: c.counter, data: calldata("Counter", "inc") }],
      ["inc by another", { from: DEV1, to: c.counter, data: calldata("Counter", "inc") }],
      ["setCount by a stranger", { from: DEV1, to: c.counter, data: calldata("Counter", "setCount", [3n]), gas: "0x20000" }],
      ["fill 40 slots", { from: DEV0, to: c.probe, data: calldata("Probe", "fill", [40n]) }],
      ["nested", { from: DEV0, to: c.probe, data: calldata("Probe", "nested", [11n]) }],
      ["CREATE2", { from: DEV0, to: c.probe, data: calldata("Probe", "deploy", ["0x" + "01".repeat(32)]) }],
      ["pay", { from: DEV0, to: c.probe, data: calldata("Probe", "pay", [DEV1]), value: "0x3" }],
      ["out of gas", { from: DEV0, to: c.probe, data: calldata("Probe", "burn"), gas: "0x30000" }],
      ["token transfer", { from: DEV0, to: c.token, data: calldata("Token", "transfer", [DEV1, 7n]) }],
      ["token approve", { from: DEV1, to: c.token, data: calldata("Token", "approve", [DEV0, 3n]) }],
      ["token transferFrom", { from: DEV0, to: c.token, data: calldata("Token", "transferFrom", [DEV1, DEV0, 2n]) }],
      // Given gas: the estimate is the least that succeeds, with the inner call (whose failure is ignored) out of gas.
      ["delegatecall", { from: DEV0, to: c.tracee, data: calldata("Tracee", "delegate", [21n]), gas: "0x100000" }],
      ["create with value", { from: DEV0, to: c.tracee, data: calldata("Tracee", "create", [8n]), value: "0x9" }],
      ["failed inner call", { from: DEV0, to: c.tracee, data: calldata("Tracee", "tryFail") }],
      ["forward value", { from: DEV0, to: c.tracee, data: calldata("Tracee", "forward", [DEV1]), value: "0x4" }],
      ["selfdestruct", { from: DEV0, to: c.tracee, data: calldata("Tracee", "destroy", [DEV1]) }],
    ];
    const hashes: [string, string][] = [];
    for (const [label, tx] of txs) hashes.push([label, await s.send(label, tx)]);
    for (const [label, hash] of hashes) {
      await s.ask(label, "eth_getTransactionReceipt", [hash]);
      for (const [name, options] of TRACES) await s.ask(`${label}, ${name}`, "debug_traceTransaction", [hash, options]);
    }
    await s.ask("every log", "eth_getLogs", [{ fromBlock: "0x0", toBlock: "latest" }]);
    await s.ask("latest block", "eth_getBlockByNumber", ["latest", true]);
    for (const [label, call] of calls) {
      await s.ask(label, "eth_call", [call, "latest"]);
      await s.ask(label, "eth_estimateGas", [call, "latest"]);
      await s.ask(label, "eth_createAccessList", [call, "latest"]);
      for (const [name, options] of TRACES) await s.ask(`${label}, ${name}`, "debug_traceCall", [call, "latest", options]);
    }
    // A call at an older block, on that block's state.
    await s.ask("sum at block 5", "eth_call", [callsOf(c)[2][1], "0x5"]);
    await s.ask("trace at block 5", "debug_traceCall", [callsOf(c)[2][1], "0x5", {}]);
    return s.answers;
  } finally {
    await node.close();
  }
}

Deno.test("the node answers the same on the interpreter, wasm and auto (compiled) backends", async () => {
  const reference = await session("interpreter");
  // The reference is worth comparing against: long struct logs, access lists, logs.
  const answer = (label: string) => reference.find(([l]) => l === label)![1];
  const steps = (answer("fill 40 slots, struct logs: debug_traceTransaction") as { result: { structLogs: unknown[] } })
    .result.structLogs.length;
  assert.ok(steps > 1000, `${steps} struct log steps`);
  const list = (answer("sum of 40 slots: eth_createAccessList") as { result: { accessList: { storageKeys: string[] }[] } })
    .result.accessList;
  assert.ok(list.some((e) => e.storageKeys.length >= 40), JSON.stringify(list).slice(0, 200));
  const logs = answer("every log: eth_getLogs");
  assert.ok("result" in logs && (logs.result as unknown[]).length >= 8, `${(logs as { result: unknown[] }).result.length} logs`);
  for (const name of ["wasm", "auto"]) {
    const answers = await session(name);
    assert.equal(answers.length, reference.length, `${name}: number of answers`);
    const differing = answers.filter(([label, a], i) => {
      assert.equal(label, reference[i][0]);
      try {
        assert.deepStrictEqual(a, reference[i][1]);
        return false;
      } catch {
        return true;
      }
    }).map(([label]) => label);
    assert.deepEqual(differing, [], `${name} differs from the interpreter`);
    // And in full, so that a failure shows the first difference.
    assert.deepStrictEqual(answers, reference, name);
  }
});
