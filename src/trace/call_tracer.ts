/** geth's callTracer: the tree of calls and creations with gas, input, output and errors (call_tree.ts's record). */
import { bigIntToHex, bytesToHex, hexAddress, hexWord } from "../primitives/hex.ts";
import { decodeRevertReason } from "../chain/revert_reason.ts";
import type { WorldState } from "../state/world.ts";
import { CallTreeTracer, type TraceNode } from "./call_tree.ts";
import type { TraceLimits } from "./limits.ts";

export interface CallTracerConfig {
  onlyTopCall?: boolean;
  withLog?: boolean;
  /** Past these the trace ends with an error (none: unbounded). */
  limits?: TraceLimits;
}

export interface CallFrameLog {
  address: string;
  topics: string[];
  data: string;
  position: string;
  index: string;
}

export interface CallFrame {
  from: string;
  gas: string;
  gasUsed: string;
  to?: string;
  input: string;
  output?: string;
  error?: string;
  revertReason?: string;
  calls?: CallFrame[];
  logs?: CallFrameLog[];
  value?: string;
  type: string;
}

/** One frame (and its children) in callTracer's JSON, field order as anvil writes it. */
export function callFrameOf(node: TraceNode, config: CallTracerConfig = {}): CallFrame {
  const frame: CallFrame = {
    from: hexAddress(node.from),
    gas: bigIntToHex(node.gas),
    gasUsed: bigIntToHex(node.gasUsed),
    to: hexAddress(node.to),
    input: bytesToHex(node.input),
    type: node.kind,
  };
  if (node.output.length > 0) frame.output = bytesToHex(node.output);
  if (node.status === "revert") {
    frame.error = "execution reverted";
    const reason = decodeRevertReason(node.output);
    if (reason !== undefined) frame.revertReason = reason;
  } else if (node.status === "halt") {
    frame.error = node.error;
    delete frame.output;
  }
  // anvil keeps a top call's self-destruct even with onlyTopCall (it is recorded on the top frame).
  const calls = config.onlyTopCall ? node.calls.filter((c) => c.kind === "SELFDESTRUCT") : node.calls;
  if (calls.length > 0) frame.calls = calls.map((c) => callFrameOf(c, config));
  if (config.withLog && node.status === "success" && node.logs?.length) {
    frame.logs = node.logs.map(({ log, position, index }) => ({
      address: hexAddress(log.address),
      topics: log.topics.map(hexWord),
      data: bytesToHex(log.data),
      position: bigIntToHex(position),
      index: bigIntToHex(index),
    }));
  }
  if (node.kind !== "STATICCALL") frame.value = bigIntToHex(node.value);
  // type last, as anvil orders it
  const { type, ...rest } = frame;
  return { ...rest, type };
}

/** The callTracer as an EvmTracer: `frame()` gives the JSON once the execution is done. */
export class CallTracer extends CallTreeTracer {
  constructor(world: WorldState, private readonly config: CallTracerConfig = {}) {
    super(world, { withLogs: config.withLog === true, limits: config.limits });
  }

  frame(): CallFrame | undefined {
    return this.root ? callFrameOf(this.root, this.config) : undefined;
  }
}
