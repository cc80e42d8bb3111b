/** debug_traceCall and debug_traceTransaction with geth's tracers (src/trace/geth_tracing.ts); code by hash. */
import type { TraceLimits } from "../../trace/limits.ts";
import { bytesToHex } from "../../primitives/hex.ts";
import type { WorldState } from "../../state/world.ts";
import { createAddress } from "../../evm/address.ts";
import type { Block, MinedTransaction } from "../../chain/block.ts";
import { ethCall } from "../../chain/call_request.ts";
import type { BlockRef, DevChain } from "../../chain/chain.ts";
import { UnknownBlockError } from "../../chain/errors.ts";
import { replayBlock } from "../../chain/replay.ts";
import {
  type GethTraceOptions,
  type GethTracing,
  gethTracing,
  type TraceContext,
  type TraceOutcome,
  UnsupportedTracerError,
} from "../../trace/geth_tracing.ts";
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
import { ErrorCode, InvalidParamsError, RpcError } from "../errors.ts";

export function traceOptions(v: unknown, name: string, limits?: TraceLimits): GethTraceOptions {
  const o = object(v, name);
  const opt = <T>(
    k: string,
    parse: (x: unknown, n: string) => T,
  ) => (o[k] == null ? undefined : parse(o[k], `${name}.${k}`));
  return {
    tracer: opt("tracer", string),
    tracerConfig: o.tracerConfig == null ? {} : object(o.tracerConfig, `${name}.tracerConfig`),
    enableMemory: opt("enableMemory", bool),
    disableStack: opt("disableStack", bool),
    disableStorage: opt("disableStorage", bool),
    enableReturnData: opt("enableReturnData", bool),
    limit: opt("limit", (x, n) => Number(uint64(x, n))),
    limits,
  };
}

/** A tracer error as the client sees it: -32602, as anvil answers an unknown or unsupported tracer. */
function tracingFor(options: GethTraceOptions, world: WorldState, context: TraceContext): GethTracing {
  try {
    return gethTracing(options, world, context);
  } catch (e) {
    if (e instanceof UnsupportedTracerError) throw new InvalidParamsError(e.shortMessage);
    throw e;
  }
}

/** What a tracer is told of a mined transaction it replays: the state before it, its parties and place. */
function minedTraceContext(block: Block, t: MinedTransaction, world: WorldState): TraceContext {
  return {
    pre: world.clone(),
    sender: t.sender,
    recipient: t.tx.to ?? createAddress(t.sender, t.tx.nonce),
    coinbase: block.header.coinbase,
    location: {
      blockHash: bytesToHex(block.hash),
      blockNumber: Number(block.header.number),
      transactionHash: bytesToHex(t.hash),
      transactionPosition: t.index,
    },
  };
}

/** debug_traceTransaction's answer for a mined transaction (the block variants trace each transaction so). */
export function traceMinedTransaction(chain: DevChain, t: MinedTransaction, options: GethTraceOptions): unknown {
  const block = chain.blockByNumber(t.blockNumber)!;
  let tracing: GethTracing | undefined;
  let outcome: TraceOutcome | undefined;
  replayBlock(chain, block, (tx, world) => {
    if (tx.index !== t.index) return undefined;
    tracing = tracingFor(options, world, minedTraceContext(block, t, world));
    return { tracer: tracing.tracer, done: (result, post) => (outcome = { result, post }) };
  }, t.index);
  return tracing!.finish(outcome!);
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
    if (bytes.length !== 33) {
      throw new RpcError(ErrorCode.ServerError, `Invalid key length: expected 33 bytes, got ${bytes.length}`);
    }
    if (bytes[0] !== 0x63) throw new RpcError(ErrorCode.ServerError, "Key prefix must be 0x63 for code hash lookups");
    return codeByHash(chain.head, bytes.subarray(1));
  },
  debug_traceCall: (p, { chain, info }) => {
    p.atMost(3);
    const request = p.required(0, "transaction", callRequest);
    const ref: BlockRef = p.optional(1, "block", blockRef) ?? { tag: "latest" };
    const rawOptions = p.optional(2, "options", object) ?? {};
    const options = traceOptions(rawOptions, "options", info.traceLimits);
    const resolved = chain.resolve(ref);
    const overrides = {
      state: rawOptions.stateOverrides == null
        ? undefined
        : stateOverrides(rawOptions.stateOverrides, "options.stateOverrides"),
      block: rawOptions.blockOverrides == null
        ? undefined
        : blockOverrides(rawOptions.blockOverrides, "options.blockOverrides"),
    };
    let tracing: GethTracing | undefined;
    const sender = request.from ?? 0n;
    const { result, world } = ethCall(chain, resolved.state, resolved.env, request, overrides, (w) => {
      tracing = tracingFor(options, w, {
        pre: w.clone(),
        sender,
        recipient: request.to ?? createAddress(sender, request.nonce ?? w.getNonce(sender)),
        coinbase: resolved.env.coinbase,
      });
      return tracing.tracer;
    });
    return tracing!.finish({ result, post: world });
  },
  debug_traceTransaction: (p, { chain, info }) => {
    p.atMost(2);
    const h = bytesToHex(p.required(0, "hash", hash));
    const options = traceOptions(p.optional(1, "options", object) ?? {}, "options", info.traceLimits);
    const found = chain.transactionByHash(h);
    if (!found?.mined) throw new RpcError(ErrorCode.ServerError, `transaction not found: ${h}`);
    return traceMinedTransaction(chain, found.mined, options);
  },
  debug_traceBlockByNumber: (p, { chain, info }) => {
    p.atMost(2);
    return traceBlock(chain, p.required(0, "block", blockRef), p.optional(1, "options", object) ?? {}, info.traceLimits);
  },
  debug_traceBlockByHash: (p, { chain, info }) => {
    p.atMost(2);
    const ref = { hash: p.required(0, "blockHash", hash) };
    return traceBlock(chain, ref, p.optional(1, "options", object) ?? {}, info.traceLimits);
  },
};

/** Every transaction of a block, each traced on its own, in one replay: [{ txHash, result }]. */
function traceBlock(chain: DevChain, ref: BlockRef, rawOptions: Record<string, unknown>, limits?: TraceLimits) {
  const options = traceOptions(rawOptions, "options", limits);
  let block;
  try {
    block = chain.findBlock(ref);
  } catch (e) {
    if (!(e instanceof UnknownBlockError)) throw e;
    const what = "hash" in ref ? bytesToHex(ref.hash) : "number" in ref ? `#${ref.number}` : ref.tag;
    throw new RpcError(ErrorCode.ServerError, `block ${what} not found`);
  }
  if (block === chain.blocks[0]) throw new RpcError(ErrorCode.ServerError, "genesis is not traceable");
  const traces: { txHash: string; result: unknown }[] = [];
  replayBlock(chain, block, (t, world) => {
    const tracing = tracingFor(options, world, minedTraceContext(block, t, world));
    return {
      tracer: tracing.tracer,
      done: (result, post) => traces.push({ txHash: bytesToHex(t.hash), result: tracing.finish({ result, post }) }),
    };
  });
  return traces;
}
