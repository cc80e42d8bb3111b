/**
 * Tracing against anvil 1.7.1: the same transactions (calls with value, DELEGATECALL, CREATE, STATICCALL into a
 * precompile that fails, SELFDESTRUCT) traced by geth's tracers (callTracer, prestateTracer with and without
 * diffMode, 4byteTracer, noopTracer, the struct logger), the Parity trace_* methods and Otterscan's ots_*; the
 * answers are compared field by field, block hashes and times aside. Intended differences are listed.
 */
import assert from "node:assert/strict";
import { encodeFunctionData } from "viem";
import { anvilAvailable, artifacts, DEV0, type RpcClient } from "../rpc/helpers.ts";
import { clientTest, startAnvilTarget, startOurs } from "./harness.ts";

const DEAD = "0x000000000000000000000000000000000000dead";
const BEEF = "0x000000000000000000000000000000000000beef";
const VOLATILE = new Set(["blockHash", "parentHash", "timestamp", "blockTimestamp", "mixHash", "stateRoot", "size", "hash"]);

function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).filter(([k]) => !VOLATILE.has(k)).map(([k, x]) => [k, strip(x)]));
  }
  return v;
}

async function answer(rpc: RpcClient, method: string, params: unknown[]): Promise<unknown> {
  const r = await rpc.raw(method, params);
  return r.error ? { error: r.error.code } : { result: strip(r.result) };
}

async function flow(rpc: RpcClient): Promise<Record<string, unknown>> {
  const abi = artifacts.Tracee.abi;
  const deploy = await rpc.send({ from: DEV0, data: artifacts.Tracee.bytecode, value: "0x10" });
  const tracee = deploy.contractAddress as string;
  const calls: [string, unknown[], string?][] = [
    ["delegate", [7n]],
    ["create", [9n], "0x5"],
    ["look", []],
    ["forward", [DEAD], "0x3"],
    ["tryFail", []],
    ["destroy", [BEEF]],
  ];
  const hashes = [deploy.transactionHash as string];
  for (const [fn, args, value] of calls) {
    const data = encodeFunctionData({ abi, functionName: fn, args } as never);
    hashes.push((await rpc.send({ from: DEV0, to: tracee, data, value, gas: "0x100000" })).transactionHash as string);
  }
  // A reverted transaction too.
  const reverted = await rpc.send({ from: DEV0, to: tracee, data: "0xdeadbeef", gas: "0x100000" });
  hashes.push(reverted.transactionHash as string);
  const o: Record<string, unknown> = {};
  const tracers: [string, Record<string, unknown>][] = [
    ["callTracer", { tracer: "callTracer" }],
    ["callTracer top+logs", { tracer: "callTracer", tracerConfig: { onlyTopCall: true, withLog: true } }],
    ["callTracer logs", { tracer: "callTracer", tracerConfig: { withLog: true } }],
    ["prestateTracer", { tracer: "prestateTracer" }],
    ["prestateTracer diff", { tracer: "prestateTracer", tracerConfig: { diffMode: true } }],
    ["4byteTracer", { tracer: "4byteTracer" }],
    ["noopTracer", { tracer: "noopTracer" }],
  ];
  for (const [i, h] of hashes.entries()) {
    for (const [name, options] of tracers) o[`tx ${i} ${name}`] = await answer(rpc, "debug_traceTransaction", [h, options]);
    o[`tx ${i} trace_transaction`] = await answer(rpc, "trace_transaction", [h]);
    o[`tx ${i} ots_getInternalOperations`] = await answer(rpc, "ots_getInternalOperations", [h]);
    o[`tx ${i} ots_traceTransaction`] = await answer(rpc, "ots_traceTransaction", [h]);
    o[`tx ${i} ots_getTransactionError`] = await answer(rpc, "ots_getTransactionError", [h]);
  }
  const structLogs = await rpc.call<{ structLogs: unknown[]; gas: number; failed: boolean }>("debug_traceTransaction", [hashes[2]]);
  o["struct logger"] = structLogs;
  o["struct logger with memory and return data"] = await answer(rpc, "debug_traceTransaction", [
    hashes[5],
    { enableMemory: true, enableReturnData: true },
  ]);
  o["struct logger without stack and storage"] = await answer(rpc, "debug_traceTransaction", [
    hashes[6],
    { disableStack: true, disableStorage: true },
  ]);
  for (let n = 1; n <= hashes.length; n++) {
    const block = "0x" + n.toString(16);
    o[`block ${n} trace_block`] = await answer(rpc, "trace_block", [block]);
    o[`block ${n} replay trace+stateDiff`] = await answer(rpc, "trace_replayBlockTransactions", [block, ["trace", "stateDiff"]]);
    o[`block ${n} ots_getBlockDetails`] = await answer(rpc, "ots_getBlockDetails", [n]);
    o[`block ${n} ots_getBlockTransactions`] = await answer(rpc, "ots_getBlockTransactions", [n, 0, 5]);
  }
  const vm = await rpc.call<{ vmTrace: { ops: { pc: number; op: string; cost: number; ex: { push: string[]; store: unknown } }[] } }[]>(
    "trace_replayBlockTransactions",
    ["0x3", ["vmTrace"]],
  );
  o["vmTrace ops"] = vm[0].vmTrace.ops.map((op) => [op.pc, op.op, op.cost, op.ex.push, op.ex.store]);
  o["trace_filter to"] = await answer(rpc, "trace_filter", [{ fromBlock: "0x1", toBlock: "0x8", toAddress: [tracee] }]);
  o["trace_filter from, page"] = await answer(rpc, "trace_filter", [{ fromAddress: [tracee], after: 1, count: 2 }]);
  o["trace_filter all"] = await answer(rpc, "trace_filter", [{}]);
  o["ots_searchTransactionsBefore"] = await answer(rpc, "ots_searchTransactionsBefore", [DEV0, 0, 3]);
  o["ots_searchTransactionsBefore 4"] = await answer(rpc, "ots_searchTransactionsBefore", [DEV0, 4, 2]);
  o["ots_searchTransactionsAfter"] = await answer(rpc, "ots_searchTransactionsAfter", [DEV0, 0, 3]);
  o["ots_searchTransactionsAfter 5"] = await answer(rpc, "ots_searchTransactionsAfter", [BEEF, 5, 3]);
  o["ots_getContractCreator"] = await answer(rpc, "ots_getContractCreator", [tracee]);
  o["ots_getContractCreator none"] = await answer(rpc, "ots_getContractCreator", [DEAD]);
  o["ots_getTransactionBySenderAndNonce"] = await answer(rpc, "ots_getTransactionBySenderAndNonce", [DEV0, 2]);
  o["ots_hasCode"] = await answer(rpc, "ots_hasCode", [tracee, "0x1"]);
  o["ots_getApiLevel"] = await answer(rpc, "ots_getApiLevel", []);
  const look = encodeFunctionData({ abi, functionName: "look", args: [] } as never);
  for (const [name, options] of tracers.slice(0, 6)) {
    o[`traceCall ${name}`] = await answer(rpc, "debug_traceCall", [{ from: DEV0, to: tracee, data: look }, "0x2", options]);
  }
  return o;
}

/** Where two JSON values first differ, for the failure message. */
function firstDifference(a: unknown, b: unknown, path = ""): string {
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return "";
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return "";
  return `${path}: ours ${JSON.stringify(a)?.slice(0, 300)}, anvil ${JSON.stringify(b)?.slice(0, 300)}`;
}

/** Observations that differ on purpose, and why. */
const INTENDED: Record<string, string> = {
  "traceCall 4byteTracer": "anvil answers -32602 \"unsupported tracer type\" for debug_traceCall; we run it",
  "vmTrace ops": "anvil's vmTrace reports push values and memory one step late (revm-inspectors); ours per instruction",
};

clientTest("tracing: geth tracers, trace_* and ots_* answer as anvil's", !anvilAvailable(), async (res) => {
  const ours = res.add(await startOurs());
  // --steps-tracing: anvil records struct logs only with it (we always can).
  const anvil = res.add(await startAnvilTarget(["--steps-tracing"]));
  const [a, b] = [await flow(ours.rpc), await flow(anvil.rpc)];
  const keys = Object.keys(a);
  const differing = keys.filter((k) => {
    try {
      assert.deepEqual(a[k], b[k]);
      return false;
    } catch {
      return true;
    }
  });
  const unexpected = differing.filter((k) => !(k in INTENDED));
  for (const k of unexpected.slice(0, 20)) console.error(`differs: ${k}: ${firstDifference(a[k], b[k])}`);
  assert.deepEqual(unexpected, []);
});
