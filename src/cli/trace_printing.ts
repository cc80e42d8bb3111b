/**
 * --print-traces: the call trace of each mined transaction (replayed after its block) and of each eth_call
 * (run once more with a call tracer before the call itself), printed as forge does.
 */
import type { Block } from "../chain/block.ts";
import { ethCall } from "../chain/call_request.ts";
import type { BlockRef } from "../chain/chain.ts";
import { replayBlock } from "../chain/replay.ts";
import type { EvmwasmNode } from "../node.ts";
import { blockRef, callRequest } from "../rpc/params.ts";
import { CallTreeTracer } from "../trace/call_tree.ts";
import { traceLines } from "../trace/trace_printer.ts";
import type { NodeLog } from "./node_log.ts";

export function attachTracePrinting(node: EvmwasmNode, log: NodeLog): void {
  const earlier = node.handler.onRequest;
  node.handler.onRequest = (method, params) => {
    earlier?.(method, params);
    if (method === "eth_call" && Array.isArray(params)) printCall(node, log, params);
  };
  node.subscribeChain({ onBlock: (block) => printBlock(node, log, block) });
}

function print(log: NodeLog, tracer: CallTreeTracer): void {
  if (tracer.root) for (const line of traceLines(tracer.root)) log.line(line);
}

function printCall(node: EvmwasmNode, log: NodeLog, params: unknown[]): void {
  try {
    const request = callRequest(params[0], "transaction");
    const ref: BlockRef = params[1] === undefined || params[1] === null ? { tag: "latest" } : blockRef(params[1], "block");
    const { state, env } = node.chain.resolve(ref);
    let tracer: CallTreeTracer | undefined;
    ethCall(node.chain, state, env, request, undefined, (world) => (tracer = new CallTreeTracer(world)));
    if (tracer) print(log, tracer);
  } catch { /* the call itself answers what is wrong with it */ }
}

function printBlock(node: EvmwasmNode, log: NodeLog, block: Block): void {
  if (block.transactions.length === 0) return;
  try {
    replayBlock(node.chain, block, (_t, world) => {
      const tracer = new CallTreeTracer(world);
      return { tracer, done: () => print(log, tracer) };
    });
  } catch (e) {
    log.line(`    (no traces for block ${block.header.number}: ${(e as Error).message})`);
  }
}
