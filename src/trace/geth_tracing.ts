/**
 * geth's debug_trace* tracers for one execution: the struct logger (default), callTracer, prestateTracer,
 * 4byteTracer, flatCallTracer, muxTracer and noopTracer. A run asks for the tracer before it executes and hands
 * back the outcome; `finish` turns it into the JSON the method answers. Used by debug_traceCall,
 * debug_traceTransaction and the block variants.
 */
import type { EvmTracer } from "../evm/evm.ts";
import { MultiTracer } from "./multi_tracer.ts";
import { bigIntToHex, bytesToHex } from "../primitives/hex.ts";
import type { WorldState } from "../state/world.ts";
import type { TxResult } from "../tx/execute.ts";
import { CallTracer } from "./call_tracer.ts";
import { FourByteTracer } from "./four_byte_tracer.ts";
import { parityTraces, type TraceLocation } from "./parity_trace.ts";
import { PrestateTracer } from "./prestate_tracer.ts";
import { StructLogger } from "./struct_logger.ts";
import { BaseError } from "../errors/base.ts";
import { DEFAULT_TRACE_LIMITS, type TraceLimits } from "./limits.ts";

export const GETH_TRACERS = ["callTracer", "prestateTracer", "4byteTracer", "flatCallTracer", "muxTracer", "noopTracer"];

export class UnsupportedTracerError extends BaseError {
  override name = "UnsupportedTracerError";
}

export interface GethTraceOptions {
  /** undefined: the struct logger. */
  tracer?: string;
  tracerConfig: Record<string, unknown>;
  enableMemory?: boolean;
  disableStack?: boolean;
  disableStorage?: boolean;
  enableReturnData?: boolean;
  /** Stop recording struct logs after this many (0: no limit). */
  limit?: number;
  /** How large the trace may grow (default DEFAULT_TRACE_LIMITS); past it the trace ends with an error. */
  limits?: TraceLimits;
}

/** What a traced execution needs to know besides the tracer's own events. */
export interface TraceContext {
  /** The state before the transaction (a copy; the run changes its own). */
  pre: WorldState;
  sender: bigint;
  /** The callee, or the created address for a creation. */
  recipient?: bigint;
  coinbase: bigint;
  /** Where the transaction sits in the chain (flatCallTracer shows it), if mined. */
  location?: TraceLocation;
}

export interface TraceOutcome {
  result: TxResult;
  /** The world after the run. */
  post: WorldState;
}

export interface GethTracing {
  tracer: EvmTracer;
  finish(outcome: TraceOutcome): unknown;
}

const NOOP: EvmTracer = {};

/** The tracer for `options` on a run whose world is `world` (the state it executes on). */
export function gethTracing(options: GethTraceOptions, world: WorldState, context: TraceContext): GethTracing {
  const config = options.tracerConfig;
  const limits = options.limits ?? DEFAULT_TRACE_LIMITS;
  switch (options.tracer) {
    case undefined: {
      const logger = new StructLogger(world, { ...options, limits });
      return {
        tracer: logger,
        finish: ({ result }) => ({
          failed: result.status !== "success",
          gas: Number(result.gasUsed),
          returnValue: bytesToHex(result.output),
          structLogs: logger.logs,
        }),
      };
    }
    case "callTracer": {
      const tracer = new CallTracer(world, {
        onlyTopCall: config.onlyTopCall === true,
        withLog: config.withLog === true,
        limits,
      });
      return {
        tracer,
        finish: ({ result }) => {
          const frame = tracer.frame();
          // The top frame's gas is what was left after the intrinsic cost; its gas used is the transaction's.
          if (frame) frame.gasUsed = bigIntToHex(result.gasUsed);
          return frame ?? {};
        },
      };
    }
    case "prestateTracer": {
      const always = [context.sender, context.coinbase];
      if (context.recipient !== undefined) always.push(context.recipient);
      const tracer = new PrestateTracer(context.pre, {
        diffMode: config.diffMode === true,
        disableCode: config.disableCode === true,
        disableStorage: config.disableStorage === true,
      }, always);
      return { tracer, finish: ({ post }) => tracer.result(post) };
    }
    case "4byteTracer": {
      // Calls into precompiles count too, as anvil counts them.
      const tracer = new FourByteTracer(() => false);
      return { tracer, finish: () => tracer.counts };
    }
    case "flatCallTracer": {
      const tracer = new CallTracer(world, { limits });
      return {
        tracer,
        finish: () => (tracer.root ? parityTraces(tracer.root, context.location) : []),
      };
    }
    case "muxTracer": {
      const parts = Object.entries(config).map(([name, sub]) => {
        if (name === "muxTracer") throw new UnsupportedTracerError("muxTracer cannot contain a muxTracer");
        const subConfig = sub && typeof sub === "object" && !Array.isArray(sub) ? sub as Record<string, unknown> : {};
        return [name, gethTracing({ ...options, tracer: name, tracerConfig: subConfig }, world, context)] as const;
      });
      return {
        tracer: new MultiTracer(parts.map(([, t]) => t.tracer)),
        finish: (outcome) => Object.fromEntries(parts.map(([name, t]) => [name, t.finish(outcome)])),
      };
    }
    case "noopTracer":
      return { tracer: NOOP, finish: () => ({}) };
    default:
      throw new UnsupportedTracerError(
        `tracer "${options.tracer.slice(0, 40)}" is not supported: JavaScript tracers are not run; built in are ${GETH_TRACERS.join(", ")} and the struct logger (no tracer)`,
      );
  }
}
