/**
 * The Parity-style trace namespace: trace_transaction, trace_block, trace_filter, trace_call,
 * trace_replayTransaction and trace_replayBlockTransactions.
 */
import { bytesToHex, hexAddress } from "../../primitives/hex.ts";
import { createAddress } from "../../evm/address.ts";
import type { Block, MinedTransaction } from "../../chain/block.ts";
import { ethCall } from "../../chain/call_request.ts";
import type { BlockRef, DevChain } from "../../chain/chain.ts";
import { UnknownBlockError } from "../../chain/errors.ts";
import { replayBlock } from "../../chain/replay.ts";
import { type ParityTrace, parityTraces, type TraceLocation } from "../../trace/parity_trace.ts";
import { blockCallTrees, ParityReplay, TRACE_TYPES, type TraceType, transactionCallTree } from "../../trace/parity_replay.ts";
import { address, array, blockRef, callRequest, hash, object, type Params, string, uint64 } from "../params.ts";
import type { MethodTable } from "../context.ts";
import { ErrorCode, InvalidParamsError, RpcError } from "../errors.ts";

/** At most this many blocks per trace_filter (each block not traced before is replayed). */
export const MAX_TRACE_FILTER_BLOCKS = 10_000n;

function locationOf(block: Block, t: MinedTransaction): TraceLocation {
  return {
    blockHash: bytesToHex(block.hash),
    blockNumber: Number(block.header.number),
    transactionHash: bytesToHex(t.hash),
    transactionPosition: t.index,
  };
}

function blockTraces(chain: DevChain, block: Block): ParityTrace[] {
  const roots = blockCallTrees(chain, block);
  return block.transactions.flatMap((t, i) => parityTraces(roots[i], locationOf(block, t)));
}

function traceTypes(p: Params, index: number): Set<TraceType> {
  const list = p.required(index, "traceTypes", array).map((v, i) => string(v, `traceTypes[${i}]`));
  for (const t of list) {
    if (!TRACE_TYPES.includes(t as TraceType)) {
      throw new InvalidParamsError(`invalid traceTypes: "${t.slice(0, 20)}" is not one of ${TRACE_TYPES.join(", ")}`);
    }
  }
  return new Set(list as TraceType[]);
}

function findBlock(chain: DevChain, ref: BlockRef): Block | undefined {
  try {
    return chain.findBlock(ref);
  } catch (e) {
    if (e instanceof UnknownBlockError) return undefined;
    throw e;
  }
}

function mined(chain: DevChain, p: Params): MinedTransaction | undefined {
  return chain.transactionByHash(bytesToHex(p.required(0, "hash", hash)))?.mined;
}

/** Each transaction of the block replayed with the trace types' tracers. */
function replayAnswers(chain: DevChain, block: Block, types: Set<TraceType>, only?: number): Record<string, unknown>[] {
  const answers: Record<string, unknown>[] = [];
  replayBlock(chain, block, (t, world) => {
    if (only !== undefined && t.index !== only) return undefined;
    const recipient = t.tx.to ?? createAddress(t.sender, t.tx.nonce);
    const replay = new ParityReplay(world, types, [t.sender, recipient, block.header.coinbase]);
    return {
      tracer: replay.tracer,
      done: (result, post) => answers.push({ ...replay.answer(result, post), transactionHash: bytesToHex(t.hash) }),
    };
  }, only);
  return answers;
}

export const traceMethods: MethodTable = {
  trace_transaction: (p, { chain }) => {
    p.atMost(1);
    const t = mined(chain, p);
    if (!t) return null;
    return parityTraces(transactionCallTree(chain, t), locationOf(chain.blockByNumber(t.blockNumber)!, t));
  },
  trace_block: (p, { chain }) => {
    p.atMost(1);
    const block = findBlock(chain, p.required(0, "block", blockRef));
    return block ? blockTraces(chain, block) : null;
  },
  /** Traces of a block range, by caller (fromAddress) and callee or created address (toAddress); after/count page. */
  trace_filter: (p, { chain }) => {
    p.atMost(1);
    const f = p.required(0, "filter", object);
    const number = (k: string, fallback: bigint) => {
      if (f[k] == null) return fallback;
      const ref = blockRef(f[k], `filter.${k}`);
      return "hash" in ref ? chain.findBlock(ref).header.number : "tag" in ref ? chain.tagNumber(ref.tag) : ref.number;
    };
    const addresses = (k: string) =>
      f[k] == null ? undefined : new Set(array(f[k], `filter.${k}`).map((a, i) => hexAddress(address(a, `filter.${k}[${i}]`))));
    const from = number("fromBlock", chain.blocks[0].header.number);
    const to = number("toBlock", chain.blockNumber);
    if (from > to) throw new InvalidParamsError(`invalid filter: fromBlock ${from} is after toBlock ${to}`);
    if (to - from >= MAX_TRACE_FILTER_BLOCKS) {
      throw new InvalidParamsError(`invalid filter: at most ${MAX_TRACE_FILTER_BLOCKS} blocks per trace_filter`);
    }
    const fromAddress = addresses("fromAddress"), toAddress = addresses("toAddress");
    const after = f.after == null ? 0 : Number(uint64(f.after, "filter.after"));
    const count = f.count == null ? Infinity : Number(uint64(f.count, "filter.count"));
    const out: ParityTrace[] = [];
    for (let n = from; n <= to && n <= chain.blockNumber; n++) {
      const block = chain.blockByNumber(n);
      if (!block || block.transactions.length === 0) continue;
      for (const trace of blockTraces(chain, block)) {
        const a = trace.action as Record<string, string>;
        const r = trace.result as Record<string, string> | null;
        const caller = a.from ?? a.address;
        const callee = a.to ?? a.refundAddress ?? r?.address;
        if (fromAddress && !fromAddress.has(caller)) continue;
        if (toAddress && !toAddress.has(callee)) continue;
        out.push(trace);
      }
    }
    return out.slice(after, after + count);
  },
  /** A call (not mined) with the trace types' tracers, on the block's state. */
  trace_call: (p, { chain }) => {
    p.atMost(3);
    const request = p.required(0, "call", callRequest);
    const types = traceTypes(p, 1);
    const resolved = chain.resolve(p.optional(2, "block", blockRef) ?? { tag: "latest" });
    const sender = request.from ?? 0n;
    let replay: ParityReplay | undefined;
    const { result, world } = ethCall(chain, resolved.state, resolved.env, request, undefined, (w) => {
      const recipient = request.to ?? createAddress(sender, request.nonce ?? w.getNonce(sender));
      replay = new ParityReplay(w, types, [sender, recipient, resolved.env.coinbase]);
      return replay.tracer;
    });
    return replay!.answer(result, world);
  },
  trace_replayTransaction: (p, { chain }) => {
    p.atMost(2);
    const t = mined(chain, p);
    if (!t) {
      const h = bytesToHex(p.required(0, "hash", hash));
      throw new RpcError(ErrorCode.ResourceNotFound, `transaction not found: ${h}`);
    }
    const [answer] = replayAnswers(chain, chain.blockByNumber(t.blockNumber)!, traceTypes(p, 1), t.index);
    delete answer.transactionHash;
    return answer;
  },
  trace_replayBlockTransactions: (p, { chain }) => {
    p.atMost(2);
    const block = findBlock(chain, p.required(0, "block", blockRef));
    if (!block) return null;
    return replayAnswers(chain, block, traceTypes(p, 1));
  },
};
