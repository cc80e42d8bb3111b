/**
 * geth's default tracer (the "struct logger"): one entry per executed
 * opcode with pc, op, gas, gas cost, depth, stack, and optionally memory,
 * storage and return data.
 */
import type { EvmTracer } from "../evm/evm.ts";
import type { Frame } from "../evm/frame.ts";
import type { ExecResult, Message } from "../evm/message.ts";
import { Op, OPCODE_NAMES } from "../forks/opcodes.ts";
import { bigIntToHex, bytesToHex, hexWord } from "../primitives/hex.ts";
import type { WorldState } from "../state/world.ts";
import { TraceBudget, type TraceLimits } from "./limits.ts";

export interface StructLoggerConfig {
  enableMemory?: boolean;
  disableStack?: boolean;
  disableStorage?: boolean;
  enableReturnData?: boolean;
  /** Stop recording after this many steps (0: no limit). */
  limit?: number;
  /** Past these the trace ends with an error (none: unbounded). */
  limits?: TraceLimits;
}

export interface StructLog {
  pc: number;
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
  stack?: string[];
  memory?: string[];
  storage?: Record<string, string>;
  returnData?: string;
  refund?: number;
  error?: string;
}

export class StructLogger implements EvmTracer {
  readonly logs: StructLog[] = [];
  /** The step whose cost is known only when the next step of its frame (or its child) starts. */
  private open: { log: StructLog; frame: Frame }[] = [];
  private storage = new Map<bigint, Map<bigint, bigint>>();
  private readonly budget?: TraceBudget;

  constructor(private readonly world: WorldState, private readonly config: StructLoggerConfig = {}) {
    if (config.limits) this.budget = new TraceBudget(config.limits);
  }

  private closeOpen(depth: number, gasNow: number): void {
    const top = this.open[this.open.length - 1];
    if (top && top.log.depth === depth) {
      top.log.gasCost = top.log.gas - gasNow;
      this.open.pop();
    }
  }

  onStep(frame: Frame, pc: number, op: number, gas: number, stack: readonly bigint[], depth: number): void {
    const d = depth + 1;
    this.closeOpen(d, gas);
    if (this.config.limit && this.logs.length >= this.config.limit) return;
    const log: StructLog = { pc, op: OPCODE_NAMES[op], gas, gasCost: 0, depth: d };
    if (!this.config.disableStack) log.stack = stack.map((v) => bigIntToHex(v));
    if (this.config.enableMemory) {
      const mem: string[] = [];
      // Words with their 0x, as anvil writes them (geth leaves it out).
      for (let i = 0; i < frame.memorySize; i += 32) mem.push(bytesToHex(frame.memory.subarray(i, i + 32)));
      log.memory = mem;
    }
    if (!this.config.disableStorage && (op === Op.SLOAD || op === Op.SSTORE) && stack.length >= 1) {
      const address = frame.message.address;
      let seen = this.storage.get(address);
      if (!seen) this.storage.set(address, seen = new Map());
      const slot = stack[stack.length - 1];
      if (op === Op.SLOAD) seen.set(slot, this.world.getStorage(address, slot));
      else if (stack.length >= 2) seen.set(slot, stack[stack.length - 2]);
      // Slots in order, as anvil's sorted map; "0x"-prefixed words.
      const slots = [...seen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      log.storage = Object.fromEntries(slots.map(([k, v]) => [hexWord(k), hexWord(v)]));
    }
    if (this.config.enableReturnData) log.returnData = bytesToHex(frame.returnData);
    // anvil writes the refund counter on every step, 0 included (geth leaves a 0 out).
    log.refund = this.world.refund;
    if (this.budget) this.count(log);
    this.logs.push(log);
    this.open.push({ log, frame });
  }

  /** What a step adds to the trace's JSON; past a limit the recorded steps are dropped and the trace ends. */
  private count(log: StructLog): void {
    const b = this.budget!;
    try {
      b.step(this.logs.length + 1);
      b.add("steps", 100);
      if (log.stack) {
        let n = 12;
        for (const v of log.stack) n += v.length + 3;
        b.add("stack", n);
      }
      if (log.memory) b.add("memory", 12 + log.memory.length * 69);
      if (log.storage) b.add("storage", 14 + Object.keys(log.storage).length * 138);
      if (log.returnData) b.add("return data", 16 + log.returnData.length);
    } catch (e) {
      this.logs.length = 0;
      this.open.length = 0;
      throw e;
    }
  }

  onEnter(msg: Message): void {
    // A child frame starts: the parent's CALL/CREATE step cost what the parent's gas dropped by.
    const top = this.open[this.open.length - 1];
    if (top && top.log.depth === msg.depth && msg.depth >= 0) {
      top.log.gasCost = top.log.gas - top.frame.gas;
      this.open.pop();
    }
  }

  onExit(msg: Message, result: ExecResult): void {
    const d = msg.depth + 1;
    const top = this.open[this.open.length - 1];
    if (top && top.log.depth === d) {
      // The frame's own gas at its end: a creation's code deposit is charged after it, not by its last step.
      const left = result.status === "halt" ? Number(result.gasLeft) : Number(top.frame.gasLeft());
      top.log.gasCost = Math.max(0, top.log.gas - left);
      if (result.status === "halt" && result.error) top.log.error = result.error;
      this.open.pop();
    }
  }
}
