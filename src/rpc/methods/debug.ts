/** debug_traceCall and debug_traceTransaction with geth's struct logger or callTracer. */
import { bigIntToHex, bytesToHex } from "../../primitives/hex.ts";
import type { EvmTracer } from "../../evm/evm.ts";
import type { WorldState } from "../../state/world.ts";
import type { TxResult } from "../../tx/execute.ts";
import { ethCall } from "../../chain/call.ts";
import type { BlockRef } from "../../chain/chain.ts";
import { ChainError } from "../../chain/errors.ts";
import { replayTransaction } from "../../chain/replay.ts";
import { CallTracer } from "../../trace/call_tracer.ts";
import { StructLogger } from "../../trace/struct_logger.ts";
import {
  blockOverrides,
  blockRef,
  bool,
  callRequest,
  data,
  hash,
  object,
  stateOverrides,
  string,
  uint64,
} from "../params.ts";
import type { MethodTable } from "../context.ts";
import { InvalidParamsError } from "../errors.ts";

interface TraceOptions {
  tracer?: string;
  tracerConfig: Record<string, unknown>;
  enableMemory?: boolean;
  disableStack?: boolean;
  disableStorage?: boolean;
  enableReturnData?: boolean;
  limit?: number;
}

function traceOptions(v: unknown, name: string): TraceOptions {
  const o = object(v, name);
  const opt = <T>(
    k: string,
    parse: (x: unknown, n: string) => T,
  ) => (o[k] == null ? undefined : parse(o[k], `${name}.${k}`));
  const tracer = opt("tracer", string);
  if (tracer !== undefined && tracer !== "callTracer") {
    throw new InvalidParamsError(
      `invalid ${name}.tracer: "${tracer.slice(0, 40)}" is not supported (the struct logger, or "callTracer")`,
    );
  }
  return {
    tracer,
    tracerConfig: o.tracerConfig == null ? {} : object(o.tracerConfig, `${name}.tracerConfig`),
    enableMemory: opt("enableMemory", bool),
    disableStack: opt("disableStack", bool),
    disableStorage: opt("disableStorage", bool),
    enableReturnData: opt("enableReturnData", bool),
    limit: opt("limit", (x, n) => Number(uint64(x, n))),
  };
}

/** Makes the tracer for a run, and turns the run's result into the trace the client gets. */
function tracing(options: TraceOptions) {
  let tracer: StructLogger | CallTracer | undefined;
  const make = (world: WorldState): EvmTracer => {
    if (options.tracer === "callTracer") {
      const c = options.tracerConfig;
      tracer = new CallTracer({ onlyTopCall: c.onlyTopCall === true, withLog: c.withLog === true });
    } else {
      tracer = new StructLogger(world, options);
    }
    return tracer;
  };
  const finish = (result: TxResult, gasLimit: bigint) => {
    if (tracer instanceof CallTracer) {
      const root = tracer.root!;
      root.gas = bigIntToHex(gasLimit);
      root.gasUsed = bigIntToHex(result.gasUsed);
      return root;
    }
    return {
      failed: result.status !== "success",
      gas: Number(result.gasUsed),
      returnValue: bytesToHex(result.output),
      structLogs: (tracer as StructLogger).logs,
    };
  };
  return { make, finish };
}

/** The code whose keccak256 is `codeHash` among the accounts of `state` ("0x" when none has it, as anvil answers). */
function codeByHash(state: WorldState, codeHash: Uint8Array): string {
  const wanted = bytesToHex(codeHash);
  for (const [, account] of state.everyAccount()) {
    if (account.code.length > 0 && bytesToHex(account.codeHash) === wanted) return bytesToHex(account.code);
  }
  return "0x";
}

export const debugMethods: MethodTable = {
  debug_codeByHash: (p, { chain }) => {
    p.atMost(2);
    const codeHash = p.required(0, "codeHash", hash);
    return codeByHash(chain.resolve(p.optional(1, "block", blockRef) ?? { tag: "latest" }).state, codeHash);
  },
  /** reth's database read, as anvil serves it: only code, under the key 0x63 ("c") followed by the code hash. */
  debug_dbGet: (p, { chain }) => {
    p.atMost(1);
    const key = string(p.list[0], "key");
    const bytes = key.startsWith("0x") ? data(key, "key") : new TextEncoder().encode(key);
    if (bytes.length !== 33) throw new ChainError(-32000, `Invalid key length: expected 33 bytes, got ${bytes.length}`);
    if (bytes[0] !== 0x63) throw new ChainError(-32000, "Key prefix must be 0x63 for code hash lookups");
    return codeByHash(chain.head, bytes.subarray(1));
  },
  debug_traceCall: (p, { chain }) => {
    p.atMost(3);
    const request = p.required(0, "transaction", callRequest);
    const ref: BlockRef = p.optional(1, "block", blockRef) ?? { tag: "latest" };
    const rawOptions = p.optional(2, "options", object) ?? {};
    const options = traceOptions(rawOptions, "options");
    const resolved = chain.resolve(ref);
    const t = tracing(options);
    const overrides = {
      state: rawOptions.stateOverrides == null
        ? undefined
        : stateOverrides(rawOptions.stateOverrides, "options.stateOverrides"),
      block: rawOptions.blockOverrides == null
        ? undefined
        : blockOverrides(rawOptions.blockOverrides, "options.blockOverrides"),
    };
    const { result, tx } = ethCall(chain, resolved.state, resolved.env, request, overrides, t.make);
    return t.finish(result, tx.gasLimit);
  },
  debug_traceTransaction: (p, { chain }) => {
    p.atMost(2);
    const h = bytesToHex(p.required(0, "hash", hash));
    const options = traceOptions(p.optional(1, "options", object) ?? {}, "options");
    const found = chain.transactionByHash(h);
    if (!found?.mined) throw new ChainError(-32001, "transaction not found", { details: h });
    const t = tracing(options);
    const { result } = replayTransaction(chain, found.mined, t.make);
    return t.finish(result, found.mined.tx.gasLimit);
  },
};
