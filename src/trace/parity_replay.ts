/**
 * trace_replay* and trace_call: one execution observed by the tracers its trace types ask for ("trace",
 * "stateDiff", "vmTrace"), and the answer built from them; and the call trees of a mined block's transactions
 * (kept per block object, so that trace_filter and Otterscan's searches replay a block once).
 */
import type { EvmTracer } from "../evm/evm.ts";
import { MultiTracer } from "./multi_tracer.ts";
import { bytesToHex } from "../primitives/hex.ts";
import type { WorldState } from "../state/world.ts";
import type { TxResult } from "../tx/execute.ts";
import type { Block, MinedTransaction } from "../chain/block.ts";
import type { DevChain } from "../chain/chain.ts";
import { replayBlock } from "../chain/replay.ts";
import { CallTreeTracer, type TraceNode } from "./call_tree.ts";
import { parityTraces, stateDiff } from "./parity_trace.ts";
import { PrestateTracer } from "./prestate_tracer.ts";
import { VmTracer } from "./vm_trace.ts";

export type TraceType = "trace" | "stateDiff" | "vmTrace";
export const TRACE_TYPES: TraceType[] = ["trace", "stateDiff", "vmTrace"];

/** The tracers for one replayed execution, and its trace_replay answer once it ran. */
export class ParityReplay {
  readonly tracer: EvmTracer;
  private readonly calls: CallTreeTracer;
  private readonly touches?: PrestateTracer;
  private readonly vm?: VmTracer;
  private readonly pre?: WorldState;

  constructor(world: WorldState, private readonly types: Set<TraceType>, always: bigint[]) {
    this.calls = new CallTreeTracer(world);
    const tracers: EvmTracer[] = [this.calls];
    if (types.has("stateDiff")) {
      this.pre = world.clone();
      this.touches = new PrestateTracer(this.pre, {}, always);
      tracers.push(this.touches);
    }
    if (types.has("vmTrace")) tracers.push(this.vm = new VmTracer());
    this.tracer = tracers.length === 1 ? this.calls : new MultiTracer(tracers);
  }

  /** The answer of trace_call / trace_replay* for this execution. */
  answer(result: TxResult, post: WorldState): Record<string, unknown> {
    // A creation's output is the code it deployed.
    const root = this.calls.root;
    const created = root && (root.kind === "CREATE" || root.kind === "CREATE2") && root.status === "success";
    const out: Record<string, unknown> = { output: bytesToHex(created ? root.output : result.output) };
    out.stateDiff = this.touches
      ? stateDiff(
        this.pre!,
        post,
        this.touches.touchedAccounts(),
        (a) => this.touches!.touchedSlots(a),
        (a) => this.touches!.wasCreated(a),
      )
      : null;
    out.trace = this.types.has("trace") && this.calls.root ? parityTraces(this.calls.root) : [];
    if (this.types.has("vmTrace")) out.vmTrace = this.vm?.root ?? null;
    else out.vmTrace = null;
    return out;
  }
}

const trees = new WeakMap<Block, TraceNode[]>();

/** The call tree of each transaction of a mined block (replayed once per block object). */
export function blockCallTrees(chain: DevChain, block: Block): TraceNode[] {
  let known = trees.get(block);
  if (known) return known;
  known = [];
  const found = known;
  replayBlock(chain, block, (_t, world) => {
    const tracer = new CallTreeTracer(world);
    return { tracer, done: () => found.push(tracer.root!) };
  });
  trees.set(block, known);
  return known;
}

/** The transaction's call tree (from its block's). */
export function transactionCallTree(chain: DevChain, t: MinedTransaction): TraceNode {
  return blockCallTrees(chain, chain.blockByNumber(t.blockNumber)!)[t.index];
}
