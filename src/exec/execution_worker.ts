/**
 * An execution worker: runs the node's read-only executions (eth_call, eth_estimateGas, eth_createAccessList,
 * debug_traceCall) that would hold the node's thread too long. The method runs as it would on the node, on the
 * block the node resolved, with state read from the node through the channel, under the job's time limit.
 */
import { parentPort } from "node:worker_threads";
import { createBackend } from "../../backends/registry.ts";
import type { Backend } from "../../backends/backend.ts";
import type { BlockEnv } from "../evm/env.ts";
import { restartable, withDeadline } from "../evm/interrupt.ts";
import type { RpcContext } from "../rpc/context.ts";
import { toErrorObject } from "../rpc/errors.ts";
import { executionMethods } from "../rpc/methods/execution.ts";
import { debugMethods } from "../rpc/methods/debug.ts";
import { Params } from "../rpc/params.ts";
import type { ChainHardfork } from "../chain/hardfork.ts";
import type { TraceLimits } from "../trace/limits.ts";
import type { Job, WorkerMessage, WorkerSetup } from "./protocol.ts";
import { RemoteStates, StateChannel } from "./remote_state.ts";

/** The methods a worker runs: those that execute code on a copy of the state and return a value. */
export const OFFLOADED_METHODS = ["eth_call", "eth_estimateGas", "eth_createAccessList", "debug_traceCall"] as const;
const METHODS = { ...executionMethods, ...debugMethods };

let backend: Backend;
let states: RemoteStates;
let traceLimits: TraceLimits | undefined;

/** The part of the chain these methods use: the resolved block, its rules, the backend. */
function chainView(job: Job): RpcContext {
  const b = job.block;
  const env: BlockEnv = { ...b.env, blockHash: (n) => states.blockHash(n) };
  const hardfork: ChainHardfork = b.hardfork;
  const view = {
    backend,
    hardfork,
    hardforkOf: () => hardfork,
    resolve: () => ({ block: undefined, state: states.at(b.stateKey), env, pending: b.pending }),
  };
  return { chain: view, info: { traceLimits } } as unknown as RpcContext;
}

function post(m: WorkerMessage): void {
  parentPort!.postMessage(m);
}

function run(job: Job): void {
  const t0 = performance.now();
  try {
    const handler = METHODS[job.method];
    if (!handler || !(OFFLOADED_METHODS as readonly string[]).includes(job.method)) {
      throw new Error(`an execution worker does not run ${job.method}`);
    }
    const left = Math.max(0, job.deadline - Date.now());
    const result = withDeadline(left, "timeout", () => restartable(() => handler(new Params(job.params), chainView(job))), job.timeoutMs);
    post({ type: "done", id: job.id, result: result === undefined ? null : result, ms: performance.now() - t0 });
  } catch (e) {
    post({ type: "done", id: job.id, error: toErrorObject(e), ms: performance.now() - t0 });
  }
}

parentPort!.on("message", (m: WorkerSetup | Job) => {
  if (m.type === "setup") {
    backend = createBackend(m.backend.name, {
      cacheDir: m.backend.cacheDir,
      cacheMaxBytes: m.backend.cacheMaxBytes,
      warmCompiler: false,
      compiler: m.compiler,
    });
    states = new RemoteStates(new StateChannel(m.channel));
    traceLimits = m.traceLimits;
  } else {
    run(m);
  }
});
