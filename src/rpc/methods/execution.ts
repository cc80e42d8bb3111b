/** Calls that do not change the chain: eth_call, eth_estimateGas, eth_createAccessList, eth_simulateV1. */
import { bigIntToHex, bytesToHex } from "../../primitives/hex.ts";
import { createAccessList } from "../../chain/access_list.ts";
import { callOutcome, ethCall } from "../../chain/call.ts";
import type { BlockRef } from "../../chain/chain.ts";
import { estimateGas } from "../../chain/estimate.ts";
import { simulate, type SimulatedBlockInput } from "../../chain/simulate.ts";
import { formatAccessList, formatBlock, formatLog } from "../format.ts";
import { array, blockOverrides, blockRef, bool, callRequest, object, type Params, stateOverrides } from "../params.ts";
import type { MethodTable, RpcContext } from "../context.ts";

const LATEST: BlockRef = { tag: "latest" };

function callArgs(p: Params, ctx: RpcContext, overrideIndex: number) {
  const request = p.required(0, "transaction", callRequest);
  const resolved = ctx.chain.resolve(p.optional(1, "block", blockRef) ?? LATEST);
  const state = p.optional(overrideIndex, "stateOverrides", stateOverrides);
  const block = p.optional(overrideIndex + 1, "blockOverrides", blockOverrides);
  return { request, resolved, overrides: { state, block } };
}

export const executionMethods: MethodTable = {
  eth_call: (p, ctx) => {
    p.atMost(4);
    const { request, resolved, overrides } = callArgs(p, ctx, 2);
    return bytesToHex(callOutcome(ethCall(ctx.chain, resolved.state, resolved.env, request, overrides).result));
  },
  eth_estimateGas: (p, ctx) => {
    p.atMost(4);
    const { request, resolved, overrides } = callArgs(p, ctx, 2);
    return bigIntToHex(estimateGas(ctx.chain, resolved.state, resolved.env, request, overrides));
  },
  eth_createAccessList: (p, ctx) => {
    p.atMost(3);
    const { request, resolved, overrides } = callArgs(p, ctx, 2);
    const r = createAccessList(ctx.chain, resolved.state, resolved.env, request, { state: overrides.state });
    const out: Record<string, unknown> = {
      accessList: formatAccessList(r.accessList),
      gasUsed: bigIntToHex(r.gasUsed),
    };
    if (r.error) out.error = r.error;
    return out;
  },
  eth_simulateV1: (p, ctx) => {
    p.atMost(2);
    const opts = p.required(0, "payload", object);
    const blocks: SimulatedBlockInput[] = array(opts.blockStateCalls, "payload.blockStateCalls").map((b, i) => {
      const n = `payload.blockStateCalls[${i}]`;
      const o = object(b, n);
      return {
        blockOverrides: o.blockOverrides == null ? undefined : blockOverrides(o.blockOverrides, `${n}.blockOverrides`),
        stateOverrides: o.stateOverrides == null ? undefined : stateOverrides(o.stateOverrides, `${n}.stateOverrides`),
        calls: o.calls == null ? [] : array(o.calls, `${n}.calls`).map((c, j) => callRequest(c, `${n}.calls[${j}]`)),
      };
    });
    const validation = opts.validation == null ? false : bool(opts.validation, "payload.validation");
    const traceTransfers = opts.traceTransfers == null ? false : bool(opts.traceTransfers, "payload.traceTransfers");
    const resolved = ctx.chain.resolve(p.optional(1, "block", blockRef) ?? LATEST);
    return simulate(ctx.chain, resolved, { blocks, validation, traceTransfers }).map((b) => {
      const block = formatBlock({ header: b.header, hash: b.hash, transactions: [], size: 0 }, false);
      let logIndex = 0;
      block.calls = b.calls.map((c) => {
        const out: Record<string, unknown> = {
          status: c.status ? "0x1" : "0x0",
          returnData: bytesToHex(c.returnData),
          gasUsed: bigIntToHex(c.gasUsed),
          logs: c.logs.map((log) =>
            formatLog(log, {
              blockHash: b.hash,
              blockNumber: b.header.number,
              blockTimestamp: b.header.timestamp,
              transactionHash: new Uint8Array(32),
              transactionIndex: 0,
              logIndex: logIndex++,
            })
          ),
        };
        if (c.error) {
          out.error = {
            code: c.error.code,
            message: c.error.message,
            ...(c.error.data ? { data: bytesToHex(c.error.data) } : {}),
          };
        }
        return out;
      });
      return block;
    });
  },
};
