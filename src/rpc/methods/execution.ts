/** Calls that do not change the chain: eth_call, eth_estimateGas, eth_createAccessList, eth_simulateV1. */
import { bigIntToHex, bytesToHex } from "../../primitives/hex.ts";
import { createAccessList } from "../../chain/access_list.ts";
import { callOutcome, ethCall } from "../../chain/call_request.ts";
import type { BlockRef } from "../../chain/chain.ts";
import { UnknownBlockError } from "../../chain/errors.ts";
import { estimateGas } from "../../chain/estimate.ts";
import { type SimulateBlockOverrides, simulate, type SimulatedBlockInput } from "../../chain/simulate.ts";
import { ErrorCode, RpcError, simulatedCallError } from "../errors.ts";
import { formatBlock, formatLog } from "../format.ts";
import { accessListJson } from "../../chain/json.ts";
import {
  address,
  array,
  blockOverrides,
  blockRef,
  bool,
  callRequest,
  hash,
  object,
  type Params,
  stateOverrides,
  uint64,
} from "../params.ts";
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
    const { result } = ethCall(ctx.chain, resolved.state, resolved.env, request, overrides, undefined, true);
    return bytesToHex(callOutcome(result));
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
      accessList: accessListJson(r.accessList),
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
        blockOverrides: o.blockOverrides == null ? undefined : simulateBlockOverrides(o.blockOverrides, `${n}.blockOverrides`),
        stateOverrides: o.stateOverrides == null ? undefined : stateOverrides(o.stateOverrides, `${n}.stateOverrides`),
        calls: o.calls == null ? [] : array(o.calls, `${n}.calls`).map((c, j) => callRequest(c, `${n}.calls[${j}]`)),
      };
    });
    const flag = (k: string) => (opts[k] == null ? false : bool(opts[k], `payload.${k}`));
    let resolved;
    try {
      resolved = ctx.chain.resolve(p.optional(1, "block", blockRef) ?? LATEST);
    } catch (e) {
      if (e instanceof UnknownBlockError) throw new RpcError(ErrorCode.ServerError, `header not found: ${e.details}`);
      throw e;
    }
    const simulated = simulate(ctx.chain, resolved, {
      blocks,
      validation: flag("validation"),
      traceTransfers: flag("traceTransfers"),
    });
    const full = flag("returnFullTransactions");
    return simulated.map(({ block, calls, logIndex }) => {
      const out = formatBlock(block, full);
      out.calls = calls.map((c, i) => {
        const call: Record<string, unknown> = {
          returnData: bytesToHex(c.returnData),
          logs: c.logs.map((log) =>
            formatLog(log, {
              blockHash: block.hash,
              blockNumber: block.header.number,
              blockTimestamp: block.header.timestamp,
              transactionHash: block.transactions[i].hash,
              transactionIndex: i,
              logIndex: logIndex(log),
            })
          ),
          gasUsed: bigIntToHex(c.gasUsed),
          maxUsedGas: bigIntToHex(c.maxUsedGas),
          status: c.status ? "0x1" : "0x0",
        };
        if (c.error) {
          call.error = simulatedCallError(c.error);
        }
        return call;
      });
      return out;
    });
  },
};

/** eth_simulateV1's block overrides: eth_call's, with withdrawals and the parent beacon block root. */
function simulateBlockOverrides(v: unknown, name: string): SimulateBlockOverrides {
  const o = object(v, name);
  const out: SimulateBlockOverrides = blockOverrides(v, name);
  if (o.beaconRoot != null) out.beaconRoot = hash(o.beaconRoot, `${name}.beaconRoot`);
  if (o.withdrawals != null) {
    out.withdrawals = array(o.withdrawals, `${name}.withdrawals`).map((w, i) => {
      const e = object(w, `${name}.withdrawals[${i}]`);
      const f = `${name}.withdrawals[${i}]`;
      return {
        index: uint64(e.index, `${f}.index`),
        validatorIndex: uint64(e.validatorIndex, `${f}.validatorIndex`),
        address: address(e.address, `${f}.address`),
        amount: uint64(e.amount, `${f}.amount`),
      };
    });
  }
  return out;
}
