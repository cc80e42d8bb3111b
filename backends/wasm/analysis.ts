/**
 * Code analysis for the compiler: instructions, basic blocks, and the
 * segments inside a block over which static gas and stack bounds are checked
 * once. Also the slow path that names the exact failing instruction when a
 * segment's aggregate check fails.
 */
import type { ForkRules } from "../../src/forks/rules.ts";
import { EvmHalt } from "../../src/evm/message.ts";
import { scanJumpdests } from "../../src/evm/jumpdests.ts";
import {
  hasDynamicGas, isTerminator as endsRun, Op, OPCODES, runsOnHost, STACK_IN, STACK_LIMIT, STACK_OUT,
} from "../../src/forks/opcodes.ts";

/**
 * Opcodes lowered inside WebAssembly with no dynamic gas and no failure but static gas and stack bounds: all
 * but host operations, dynamic gas, the ends of straight runs, and GAS (which observes the gas left).
 */
const PURE = new Uint8Array(256);
// A plain loop rather than Uint8Array.from: under Bun the built-in costs more to get going at start than the table.
for (let op = 0; op < 256; op++) {
  const pure = OPCODES[op] !== undefined && !runsOnHost(op) && !hasDynamicGas(op) && !endsRun(op) && op !== Op.GAS;
  PURE[op] = pure ? 1 : 0;
}

export function isPure(op: number): boolean {
  return PURE[op] === 1;
}

export interface Instr {
  pc: number;
  op: number;
  /** PUSH immediate (0n for other opcodes). */
  imm: bigint;
}

/** A run of instructions charged and stack-checked together, at its start. */
export interface Segment {
  /** Index in the block's instrs of the first and one past the last instruction. */
  start: number;
  end: number;
  gas: number;
  /** Words that must be on the stack at the segment start (relative to its start height). */
  need: number;
  /** Largest height above the start height reached inside the segment. */
  growth: number;
}

export type Terminator =
  | "fallthrough" // the next instruction starts another block (a JUMPDEST, or a long block's continuation)
  | "jump"
  | "jumpi"
  | "stop" // STOP, or the end of code
  | "return"
  | "revert"
  | "selfdestruct"
  | "invalid" // INVALID or an opcode undefined in this fork
  | "sled"; // a run of JUMPDESTs that jumps enter (pc up to next): only gas, for the JUMPDESTs from the entry on

export interface Block {
  /** pc of the first instruction. */
  pc: number;
  instrs: Instr[];
  segments: Segment[];
  term: Terminator;
  /** pc where execution continues for fallthrough and a JUMPI not taken. */
  next: number;
}

export interface Analysis {
  code: Uint8Array;
  /** Reachable blocks in pc order. */
  blocks: Block[];
  /** Block index by pc of its first instruction. */
  blockAt: Map<number, number>;
  /** 1 where a JUMPDEST opcode (not PUSH data) stands. */
  jumpdests: Uint8Array;
  /** 1 at the JUMPDESTs a jump can reach (each starts a block). */
  entered: Uint8Array;
  /**
   * Whether some JUMP or JUMPI takes its destination from a value the compiler cannot know (any JUMPDEST
   * may then be entered through the dispatch). When false, every destination is a constant pushed in
   * the same block and only those JUMPDESTs start blocks.
   */
  dynamicJumps: boolean;
}

function readPush(code: Uint8Array, pc: number, size: number): bigint {
  let v = 0n;
  for (let i = 1; i <= size; i++) v = (v << 8n) | BigInt(pc + i < code.length ? code[pc + i] : 0);
  return v;
}

function isTerminator(op: number, staticGas: Int32Array): boolean {
  return staticGas[op] < 0 || endsRun(op);
}

function terminatorOf(op: number, staticGas: Int32Array): Terminator {
  if (staticGas[op] < 0 || op === 0xfe) return "invalid";
  switch (op) {
    case 0x00: return "stop";
    case 0x56: return "jump";
    case 0x57: return "jumpi";
    case 0xf3: return "return";
    case 0xfd: return "revert";
    case 0xff: return "selfdestruct";
  }
  throw new Error(`not a terminator: ${op}`);
}

/**
 * Finds the destinations of JUMP and JUMPI that are constants pushed earlier in the same straight run of
 * pure instructions (what the lowering's virtual stack also sees as constants), and whether any
 * destination is not. Knowledge is dropped at every JUMPDEST, after every terminator and at every
 * instruction that is not pure (the lowering may write the stack back there), so this never claims a
 * constant that the lowering would not see.
 */
function scanJumps(code: Uint8Array, staticGas: Int32Array): { dynamic: boolean; targets: Set<number> } {
  const targets = new Set<number>();
  let dynamic = false;
  // Known values at the top of the stack, deepest first; undefined: not known.
  let known: (bigint | undefined)[] = [];
  const pop = () => (known.length ? known.pop() : undefined);
  for (let pc = 0; pc < code.length; pc++) {
    const op = code[pc];
    if (op === 0x5b) {
      known = [];
      continue;
    }
    if (staticGas[op] >= 0 && op >= 0x5f && op <= 0x7f) {
      known.push(op === 0x5f ? 0n : readPush(code, pc, op - 0x5f));
      if (op !== 0x5f) pc += op - 0x5f;
      continue;
    }
    if (op === 0x56 || op === 0x57) {
      const dest = pop();
      if (dest === undefined) dynamic = true;
      else if (dest < BigInt(code.length)) targets.add(Number(dest));
      known = [];
      continue;
    }
    if (op >= 0x80 && op <= 0x8f) {
      const n = op - 0x7f;
      known.push(n <= known.length ? known[known.length - n] : undefined);
      continue;
    }
    if (op >= 0x90 && op <= 0x9f) {
      const n = op - 0x8f;
      while (known.length < n + 1) known.unshift(undefined);
      const t = known.length - 1, b = t - n;
      [known[t], known[b]] = [known[b], known[t]];
      continue;
    }
    if (!isPure(op) || isTerminator(op, staticGas)) {
      known = [];
      continue;
    }
    for (let i = 0; i < STACK_IN[op]; i++) pop();
    for (let i = 0; i < STACK_OUT[op]; i++) known.push(undefined);
  }
  return { dynamic, targets };
}

/**
 * Straight-line runs longer than this are cut into several blocks (so several functions): engines
 * optimise functions one by one, and a very large one late or never.
 */
export const MAX_BLOCK_INSTRS = 256;

export function analyseCode(code: Uint8Array, rules: ForkRules): Analysis {
  const staticGas = rules.staticGas;
  const n = code.length;
  const jumpdests = scanJumpdests(code);
  const jumps = scanJumps(code, staticGas);
  // Block starts besides pc 0 and the instruction after a JUMPI: JUMPDESTs that a jump can reach.
  const entered = new Uint8Array(n);
  for (let pc = 0; pc < n; pc++) {
    if (jumpdests[pc] && (jumps.dynamic || jumps.targets.has(pc))) entered[pc] = 1;
  }
  const blocks: Block[] = [];
  const blockAt = new Map<number, number>();
  let pc = 0;
  // Code is padded with STOP. A JUMPDEST that no jump reaches is an ordinary (1 gas) instruction.
  while (true) {
    const start = pc;
    if (entered[pc] && entered[pc + 1]) {
      // Two or more JUMPDESTs in a row, each a jump target: one block for all, entered at any of them.
      while (entered[pc]) blockAt.set(pc++, blocks.length);
      blocks.push({ pc: start, instrs: [], segments: [], term: "sled", next: pc });
      continue;
    }
    const instrs: Instr[] = [];
    let term: Terminator = "stop";
    while (true) {
      if (pc >= n) {
        instrs.push({ pc, op: 0x00, imm: 0n });
        term = "stop";
        pc++;
        break;
      }
      const op = code[pc];
      if (entered[pc] && pc !== start) {
        term = "fallthrough";
        break;
      }
      if (staticGas[op] >= 0 && op >= 0x60 && op <= 0x7f) {
        instrs.push({ pc, op, imm: readPush(code, pc, op - 0x5f) });
        pc += op - 0x5e;
        continue;
      }
      instrs.push({ pc, op, imm: 0n });
      pc++;
      if (isTerminator(op, staticGas)) {
        term = terminatorOf(op, staticGas);
        break;
      }
      if (instrs.length >= MAX_BLOCK_INSTRS && pc < n) {
        term = "fallthrough"; // continued by the block at pc, so that no function gets too large
        break;
      }
    }
    blockAt.set(start, blocks.length);
    blocks.push({ pc: start, instrs, segments: segmentsOf(instrs, term, staticGas), term, next: pc });
    if (term === "jumpi" || term === "fallthrough") {
      // Continues at pc (into the implicit STOP when that is the end of code).
      if (pc <= n) continue;
      break;
    }
    // Code after a block that does not continue is reachable only from a jump.
    while (pc < n && !entered[pc]) pc++;
    if (pc >= n) break;
  }
  return { code, blocks, blockAt, jumpdests, entered, dynamicJumps: jumps.dynamic };
}

function segmentsOf(instrs: Instr[], term: Terminator, staticGas: Int32Array): Segment[] {
  const segments: Segment[] = [];
  // An invalid opcode halts before its gas is looked at; it is never part of a segment.
  const last = term === "invalid" ? instrs.length - 1 : instrs.length;
  let seg: Segment | undefined;
  let h = 0;
  for (let i = 0; i < last; i++) {
    const op = instrs[i].op;
    if (!seg) {
      seg = { start: i, end: i, gas: 0, need: 0, growth: 0 };
      h = 0;
    }
    seg.gas += staticGas[op];
    seg.need = Math.max(seg.need, STACK_IN[op] - h);
    h += STACK_OUT[op] - STACK_IN[op];
    seg.growth = Math.max(seg.growth, h);
    seg.end = i + 1;
    if (!isPure(op)) {
      segments.push(seg);
      seg = undefined;
    }
  }
  if (seg) segments.push(seg);
  return segments;
}

/**
 * Called when a segment's aggregate check fails: walks its instructions as the
 * interpreter would (static gas, then stack bounds) and throws the first failure.
 */
export function diagnoseSegment(code: Uint8Array, rules: ForkRules, pc: number, gas: number, height: number): never {
  const staticGas = rules.staticGas;
  while (true) {
    const op = pc < code.length ? code[pc] : 0;
    const sg = staticGas[op];
    if (sg < 0) throw new EvmHalt(`invalid opcode 0x${op.toString(16).padStart(2, "0")}`);
    if (gas < sg) throw new EvmHalt("out of gas");
    gas -= sg;
    if (height < STACK_IN[op]) throw new EvmHalt("stack underflow");
    if (STACK_OUT[op] > STACK_IN[op] && height >= STACK_LIMIT) throw new EvmHalt("stack overflow");
    height += STACK_OUT[op] - STACK_IN[op];
    if (!isPure(op)) break;
    pc += op >= 0x60 && op <= 0x7f ? op - 0x5e : 1;
  }
  throw new Error(`compiled code: segment check failed at pc ${pc} but no instruction fails`);
}
