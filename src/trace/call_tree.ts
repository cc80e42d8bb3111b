/**
 * The tree of calls, creations and self-destructs of one execution, with gas, input, output and why each
 * failed: the common record behind geth's callTracer, Parity's trace_* and Otterscan's ots_* formats.
 */
import { TraceBudget, type TraceLimits } from "./limits.ts";
import type { EvmTracer } from "../evm/evm.ts";
import type { Frame } from "../evm/frame.ts";
import { CallKind, type ExecResult, type Message } from "../evm/message.ts";
import { Op } from "../forks/opcodes.ts";
import type { Log, WorldState } from "../state/world.ts";

export type TraceKind = "CALL" | "CALLCODE" | "DELEGATECALL" | "STATICCALL" | "CREATE" | "CREATE2" | "SELFDESTRUCT";

const KIND_NAMES: Record<number, TraceKind> = {
  [CallKind.Call]: "CALL",
  [CallKind.CallCode]: "CALLCODE",
  [CallKind.DelegateCall]: "DELEGATECALL",
  [CallKind.StaticCall]: "STATICCALL",
  [CallKind.Create]: "CREATE",
  [CallKind.Create2]: "CREATE2",
};

export interface TraceNode {
  kind: TraceKind;
  depth: number;
  /** The account acting (the caller; a self-destructing contract). */
  from: bigint;
  /** The callee as the call named it (a DELEGATECALL's code address), the created account, or the beneficiary. */
  to: bigint;
  /** The account whose state the frame acts on (differs from `to` for DELEGATECALL and CALLCODE). */
  address: bigint;
  value: bigint;
  /** Gas the frame was given, and what it used. */
  gas: bigint;
  gasUsed: bigint;
  /** Call data, or a creation's init code. */
  input: Uint8Array;
  /** Return data; a successful creation's deployed code. */
  output: Uint8Array;
  status: "success" | "revert" | "halt";
  /** The halt's reason. */
  error?: string;
  /** Logs emitted in the frame (kept only with `withLogs`): position among the frame's calls, index in the transaction. */
  logs?: { log: Log; position: number; index: number }[];
  calls: TraceNode[];
}

export interface CallTreeOptions {
  /** Record the LOG0..LOG4 of each frame. */
  withLogs?: boolean;
  /** Past these (counted as the JSON the tree becomes) the trace ends with an error; none: unbounded. */
  limits?: TraceLimits;
}

export class CallTreeTracer implements EvmTracer {
  private stack: TraceNode[] = [];
  private logCount = 0;
  root?: TraceNode;

  private readonly budget?: TraceBudget;

  constructor(private readonly world: WorldState, private readonly options: CallTreeOptions = {}) {
    if (options.limits) this.budget = new TraceBudget(options.limits);
  }

  /** Counts what a frame or log adds to the trace; past a limit the tree is dropped and the trace ends. */
  private count(kind: string, bytes: number): void {
    if (!this.budget) return;
    try {
      this.budget.add(kind, bytes);
    } catch (e) {
      this.root = undefined;
      this.stack.length = 0;
      throw e;
    }
  }

  onEnter(msg: Message): void {
    const kind = KIND_NAMES[msg.kind];
    const isCreate = msg.kind === CallKind.Create || msg.kind === CallKind.Create2;
    const parent = this.stack[this.stack.length - 1];
    const node: TraceNode = {
      kind,
      depth: this.stack.length,
      // The account that ran the call (a DELEGATECALL's msg.sender is its caller's, not the account that called).
      from: parent ? parent.address : msg.caller,
      to: msg.kind === CallKind.DelegateCall || msg.kind === CallKind.CallCode ? msg.codeAddress : msg.address,
      address: msg.address,
      // What moved (a DELEGATECALL carries its caller's msg.value but moves nothing).
      value: msg.transfersValue || isCreate ? msg.value : 0n,
      gas: msg.gas,
      gasUsed: 0n,
      input: isCreate ? msg.code : msg.input,
      output: new Uint8Array(0),
      status: "success",
      calls: [],
    };
    this.count("calls", 200 + 2 * node.input.length);
    if (parent) parent.calls.push(node);
    else this.root = node;
    this.stack.push(node);
  }

  onExit(msg: Message, result: ExecResult): void {
    const node = this.stack.pop();
    if (!node) return;
    node.gasUsed = node.gas - result.gasLeft;
    node.status = result.status;
    node.output = result.output;
    if (result.status === "halt") node.error = result.error ?? "execution halted";
    if (node.kind === "CREATE" || node.kind === "CREATE2") {
      node.output = result.status === "success" ? this.world.getCode(msg.address) : result.output;
    }
    this.count("call outputs", 2 * node.output.length);
  }

  onStep(frame: Frame, _pc: number, op: number, _gas: number, stack: readonly bigint[]): void {
    const current = this.stack[this.stack.length - 1];
    if (!current) return;
    const top = stack.length - 1;
    if (op === Op.SELFDESTRUCT && top >= 0) {
      const address = frame.message.address;
      current.calls.push({
        kind: "SELFDESTRUCT",
        depth: this.stack.length,
        from: address,
        to: stack[top] & ((1n << 160n) - 1n),
        address,
        value: this.world.getBalance(address),
        gas: 0n,
        gasUsed: 0n,
        input: new Uint8Array(0),
        output: new Uint8Array(0),
        status: "success",
        calls: [],
      });
    } else if (this.options.withLogs && op >= Op.LOG0 && op <= Op.LOG4) {
      const n = op - Op.LOG0;
      if (top < 1 + n) return;
      const offset = stack[top], size = stack[top - 1];
      const data = new Uint8Array(size > 0xffffn ? 0 : Number(size));
      if (offset < BigInt(frame.memorySize)) data.set(frame.memory.subarray(Number(offset), Number(offset) + data.length));
      this.count("logs", 120 + 2 * data.length + 68 * n);
      const topics: bigint[] = [];
      for (let i = 0; i < n; i++) topics.push(stack[top - 2 - i]);
      (current.logs ??= []).push({
        log: { address: frame.message.address, topics, data },
        position: current.calls.length,
        index: this.logCount++,
      });
    }
  }
}

/** The nodes of a tree in depth-first order, each with its path of child indices (Parity's traceAddress). */
export function* walkTree(root: TraceNode, path: number[] = []): Generator<{ node: TraceNode; path: number[] }> {
  yield { node: root, path };
  for (let i = 0; i < root.calls.length; i++) yield* walkTree(root.calls[i], [...path, i]);
}
