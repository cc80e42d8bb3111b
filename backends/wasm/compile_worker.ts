/**
 * The compiler thread: loads Binaryen once and compiles on request. A request
 * with a shared buffer is answered there (the caller waits on it with
 * Atomics.wait); any other request is answered by message. The listener is
 * installed before anything is loaded: Deno drops messages that arrive
 * before a worker listens.
 */
import { parentPort } from "node:worker_threads";
import type { ForkId } from "../../src/forks/fork.ts";
import { SyncReply } from "./compile_protocol.ts";

export interface CompileRequest {
  id: number;
  code: Uint8Array;
  fork: ForkId;
  optimizeLevel: number;
  /** Present for synchronous requests. */
  reply?: SharedArrayBuffer;
}

export interface CompileResponse {
  id: number;
  binary?: Uint8Array;
  error?: string;
  ms?: number;
}

const queue: CompileRequest[] = [];
let compile: ((req: CompileRequest) => Uint8Array) | undefined;
let loadError: string | undefined;
let warmUpRest: ((round: number) => void) | undefined;

/**
 * The engine optimises the compiler's own JavaScript only after it has run a few times: a first contract
 * compiled after one warm-up round takes about 2.5x as long as after eight. The later rounds run one at a
 * time, each after the requests that arrived meanwhile.
 */
const WARM_UP_ROUNDS = 8;

async function warmUpInRounds(round: (i: number) => void): Promise<void> {
  for (let i = 1; i < WARM_UP_ROUNDS; i++) {
    await new Promise((r) => setTimeout(r, 0));
    try {
      round(i);
    } catch {
      return;
    }
  }
}

function serve(req: CompileRequest): void {
  const t0 = performance.now();
  let binary: Uint8Array | undefined, error: string | undefined = loadError;
  if (compile) {
    try {
      binary = compile(req);
    } catch (e) {
      error = (e as Error)?.stack ?? String(e);
    }
  }
  const ms = performance.now() - t0;
  if (req.reply) SyncReply.write(req.reply, binary, error);
  else parentPort!.postMessage({ id: req.id, binary, error, ms } satisfies CompileResponse);
}

parentPort!.on("message", (req: CompileRequest) => {
  if (compile || loadError) serve(req);
  else queue.push(req);
});

try {
  const [{ default: binaryen }, { compileToWasm }, { rulesFor }, { warmUpProgram }, { Fork }] = await Promise.all([
    import("binaryen"),
    import("./compiler.ts"),
    import("../../src/forks/rules.ts"),
    import("./warm_up.ts"),
    import("../../src/forks/fork.ts"),
  ]);
  compile = (req) => compileToWasm(binaryen, req.code, rulesFor(req.fork), { optimizeLevel: req.optimizeLevel }).binary;
  // Nothing asked yet: compile a program with every opcode once, so that the engine has compiled Binaryen's
  // code paths before the first real request (requests that arrive meanwhile wait for it).
  const rules = rulesFor(Fork.Osaka);
  if (queue.length === 0) compileToWasm(binaryen, warmUpProgram(rules, 0), rules);
  warmUpRest = (round) => compileToWasm(binaryen, warmUpProgram(rules, round), rules);
} catch (e) {
  loadError = `the compiler could not be loaded: ${(e as Error)?.message ?? e}`;
}
for (const req of queue.splice(0)) serve(req);
if (warmUpRest) void warmUpInRounds(warmUpRest);
