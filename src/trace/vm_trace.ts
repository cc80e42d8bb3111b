/**
 * Parity's vmTrace: every instruction of every frame with its cost, the gas left when it ran, the stack words
 * it wrote, the memory it wrote, the storage slot it set, and the sub-trace of the frame a call or creation
 * opened. ("used" is the gas left before the instruction, as anvil reports it.)
 */
import type { EvmTracer } from "../evm/evm.ts";
import type { Frame } from "../evm/frame.ts";
import type { ExecResult, Message } from "../evm/message.ts";
import { Op, OPCODE_NAMES, stackWrites } from "../forks/opcodes.ts";
import { bigIntToHex, bytesToHex } from "../primitives/hex.ts";

export interface VmOp {
  cost: number;
  ex: { used: number; push: string[]; mem: { off: number; data: string } | null; store: { key: string; val: string } | null };
  pc: number;
  sub: VmTraceJson | null;
  op: string;
}

export interface VmTraceJson {
  code: string;
  ops: VmOp[];
}

interface Pending {
  op: VmOp;
  opcode: number;
  frame: Frame;
  store?: { key: bigint; val: bigint };
  /** The memory range the instruction writes. */
  memWrite?: { off: bigint; len: bigint };
}

interface Open {
  trace: VmTraceJson;
  /** The instruction started but not finished (its effects are seen at the next step or the frame's end). */
  pending?: Pending;
}

/** [offset, length] of the memory an instruction writes, by the stack positions (from the top) holding them. */
const MEMORY_WRITES = new Map<number, [number, number | bigint]>([
  [Op.MSTORE, [0, 32n]],
  [Op.MSTORE8, [0, 1n]],
  [Op.CALLDATACOPY, [0, 2]],
  [Op.CODECOPY, [0, 2]],
  [Op.RETURNDATACOPY, [0, 2]],
  [Op.EXTCODECOPY, [1, 3]],
  [Op.MCOPY, [0, 2]],
  [Op.CALL, [5, 6]],
  [Op.CALLCODE, [5, 6]],
  [Op.DELEGATECALL, [4, 5]],
  [Op.STATICCALL, [4, 5]],
]);

function memoryWrite(op: number, stack: readonly bigint[]): { off: bigint; len: bigint } | undefined {
  const where = MEMORY_WRITES.get(op);
  if (!where) return undefined;
  const [offAt, len] = where;
  const need = Math.max(offAt, typeof len === "number" ? len : 0) + 1;
  if (stack.length < need) return undefined;
  const top = stack.length - 1;
  return { off: stack[top - offAt], len: typeof len === "number" ? stack[top - len] : len };
}

export class VmTracer implements EvmTracer {
  private frames: Open[] = [];
  root?: VmTraceJson;

  onEnter(msg: Message): void {
    const trace: VmTraceJson = { code: bytesToHex(msg.code), ops: [] };
    const parent = this.frames[this.frames.length - 1];
    if (parent?.pending) parent.pending.op.sub = trace;
    else if (!this.root) this.root = trace;
    this.frames.push({ trace });
  }

  onExit(_msg: Message, result: ExecResult): void {
    const open = this.frames.pop();
    if (open?.pending) this.finish(open, Number(result.gasLeft), undefined);
  }

  onStep(frame: Frame, pc: number, op: number, gas: number, stack: readonly bigint[]): void {
    const open = this.frames[this.frames.length - 1];
    if (!open) return;
    if (open.pending) this.finish(open, gas, stack);
    const entry: VmOp = { cost: 0, ex: { used: gas, push: [], mem: null, store: null }, pc, sub: null, op: OPCODE_NAMES[op] };
    open.trace.ops.push(entry);
    const pending: Pending = { op: entry, opcode: op, frame, memWrite: memoryWrite(op, stack) };
    if (op === Op.SSTORE && stack.length >= 2) pending.store = { key: stack[stack.length - 1], val: stack[stack.length - 2] };
    open.pending = pending;
  }

  /** Completes an instruction once the next step (or the frame's end) shows its effects. */
  private finish(open: Open, gasNow: number, stack: readonly bigint[] | undefined): void {
    const p = open.pending!;
    open.pending = undefined;
    p.op.cost = p.op.ex.used - gasNow;
    if (stack) {
      const n = stackWrites(p.opcode);
      p.op.ex.push = stack.slice(Math.max(0, stack.length - n)).map((v) => bigIntToHex(v));
    }
    if (p.store) p.op.ex.store = { key: bigIntToHex(p.store.key), val: bigIntToHex(p.store.val) };
    const write = p.memWrite;
    if (write && write.len > 0n && write.off + write.len <= BigInt(p.frame.memorySize)) {
      const off = Number(write.off), len = Number(write.len);
      p.op.ex.mem = { off, data: bytesToHex(p.frame.memory.subarray(off, off + len)) };
    }
  }
}
