/**
 * EVM bytecode to a WebAssembly module: analysis into basic blocks, lowering
 * of each block as its own function (wasm_builder.ts writes the binary as it
 * goes), control flow by tail calls (static jumps call their block; dynamic
 * ones go through a dispatch function on the target pc), then, on request,
 * Binaryen's optimiser. The u256 runtime is imported from the shared runtime
 * module (runtime_module.ts).
 */
import type binaryenT from "./binaryen.ts";
import * as wasm from "./wasm_builder.ts";
import type { ForkRules } from "../../src/forks/rules.ts";
import { declareU256RuntimeImports } from "./u256_runtime.ts";
import { analyseCode, type Analysis, type Block, MAX_BLOCK_INSTRS } from "./analysis.ts";
import { addBuiltinFunctions } from "./builtin_functions.ts";
import { analyseStackFlow } from "./stack_heights.ts";
import { stackConstants } from "./stack_constants.ts";
import { CHECK_EVERY } from "../../src/evm/interrupt.ts";
import { G_MSIZE, haltTail, L_COND, L_GAS, L_SPB, L_TARGET, Lowerer, SEGMENT_FAIL_TAIL } from "./lower_context.ts";
import { lowerStack } from "./lower_stack.ts";
import { lowerArith } from "./lower_arith.ts";
import { lowerBitwise } from "./lower_bitwise.ts";
import { lowerCalldata, lowerMemory } from "./lower_memory.ts";
import { lowerEnv, lowerHost } from "./lower_host.ts";
import { CODE_SEGMENT, lowerCopy } from "./lower_copy.ts";
import { lowerStorage } from "./lower_storage.ts";
import { lowerTerminator, type Merge } from "./lower_control.ts";
import {
  EXPORT_RUN, IMPORT_MEMORY, GAS_ADDR, Halt, IMPORT_CALLDATACOPY, IMPORT_CALLDATALOAD, IMPORT_ENV, IMPORT_HALT, IMPORT_HOST, IMPORT_SLOAD, IMPORT_MODULE, IMPORT_SEGMENT_FAIL, IMPORT_TICK,
  INITIAL_PAGES, MAX_PAGES, MSIZE_ADDR,
} from "./layout.ts";
import { Op, STACK_LIMIT } from "../../src/forks/opcodes.ts";

type B = typeof wasm;

export interface CompileOptions {
  /** Binaryen optimisation level (0: none). */
  optimizeLevel?: number;
  /** Binaryen, for an optimisation level above 0. */
  binaryen?: typeof binaryenT;
  /** Mark each block with its EVM pc (`drop (i32.const PC_MARK + pc)`), for the annotated text form. */
  annotate?: boolean;
}

export interface CompileOutput {
  binary: Uint8Array;
  blocks: number;
  ms: { lower: number; optimize: number; emit: number };
}

/** Marker constant for annotated blocks: `drop (i32.const PC_MARK + pc)` survives into the text form. */
export const PC_MARK = 0x40000000;

export function compileToWasm(code: Uint8Array, rules: ForkRules, opts: CompileOptions = {}): CompileOutput {
  const t0 = performance.now();
  const analysis = analyseCode(code, rules);
  const m = new wasm.Module();
  m.setMemory(INITIAL_PAGES, MAX_PAGES, null, [], false, false, "0");
  m.addMemoryImport("0", IMPORT_MODULE, IMPORT_MEMORY);
  m.addGlobal(G_MSIZE, wasm.i64, true, m.i64.const(0n));
  m.addGlobal(G_TICKS, wasm.i32, true, m.i32.const(CHECK_EVERY));
  m.addFunctionImport(IMPORT_HALT, IMPORT_MODULE, IMPORT_HALT, wasm.createType([wasm.i32, wasm.i32]), wasm.none);
  m.addFunctionImport(IMPORT_SEGMENT_FAIL, IMPORT_MODULE, IMPORT_SEGMENT_FAIL,
    wasm.createType([wasm.i32, wasm.f64, wasm.i32]), wasm.none);
  m.addFunctionImport(IMPORT_HOST, IMPORT_MODULE, IMPORT_HOST,
    wasm.createType([wasm.i32, wasm.i32, wasm.i32]), wasm.none);
  m.addFunctionImport(IMPORT_CALLDATALOAD, IMPORT_MODULE, IMPORT_CALLDATALOAD,
    wasm.createType([wasm.i32, wasm.i32]), wasm.none);
  m.addFunctionImport(IMPORT_CALLDATACOPY, IMPORT_MODULE, IMPORT_CALLDATACOPY,
    wasm.createType([wasm.i32, wasm.i32, wasm.i32]), wasm.none);
  m.addFunctionImport(IMPORT_SLOAD, IMPORT_MODULE, IMPORT_SLOAD, wasm.createType([wasm.i32, wasm.i32]), wasm.none);
  m.addFunctionImport(IMPORT_ENV, IMPORT_MODULE, IMPORT_ENV, wasm.i32, wasm.none);
  m.addFunctionImport(IMPORT_TICK, IMPORT_MODULE, IMPORT_TICK, wasm.none, wasm.i32);
  declareU256RuntimeImports(m, wasm); // the runtime module (runtime_module.ts) supplies them
  addBuiltinFunctions(wasm, m);
  const copiesCode = analysis.blocks.some((b) => b.instrs.some((ins) => ins.op === Op.CODECOPY));
  if (copiesCode) m.addPassiveSegment(CODE_SEGMENT, code);
  addBlockFunctions(wasm, m, analysis, rules, !!opts.annotate);
  m.addFunctionExport(EXPORT_RUN, EXPORT_RUN);
  m.addGlobalExport(G_MSIZE, G_MSIZE);
  const t1 = performance.now();
  let binary = m.emitBinary();
  const t2 = performance.now();
  const level = opts.optimizeLevel ?? 0;
  if (level > 0) {
    if (!opts.binaryen) throw new Error("compiler: optimisation level above 0 needs Binaryen");
    binary = optimizeWithBinaryen(opts.binaryen, binary, level);
  }
  const t3 = performance.now();
  return { binary, blocks: analysis.blocks.length, ms: { lower: t1 - t0, emit: t2 - t1, optimize: t3 - t2 } };
}

/** The features a compiled module uses, in Binaryen's terms. */
function features(binaryen: typeof binaryenT): number {
  const f = binaryen.Features;
  return f.MVP | f.MutableGlobals | f.SignExt | f.BulkMemory | f.NontrappingFPToInt | f.Multivalue | f.SIMD128 | f.TailCall;
}

/** A compiled module run through Binaryen's optimiser at `level`. */
export function optimizeWithBinaryen(binaryen: typeof binaryenT, binary: Uint8Array, level: number): Uint8Array {
  const m = binaryen.readBinary(binary);
  try {
    m.setFeatures(features(binaryen));
    binaryen.setOptimizeLevel(level);
    binaryen.setShrinkLevel(0);
    m.optimize();
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

function lowerInstrs(cx: Lowerer, block: Block): void {
  const m = cx.m;
  const segStart = new Map(block.segments.map((s) => [s.start, s]));
  const body = block.term === "fallthrough" ? block.instrs.length : block.instrs.length - 1;
  for (let i = 0; i < block.instrs.length; i++) {
    const ins = block.instrs[i];
    cx.pc = ins.pc;
    cx.nextOp = i + 1 < block.instrs.length ? block.instrs[i + 1].op : -1;
    const seg = segStart.get(i);
    if (seg) {
      // Static gas and stack bounds of the whole segment, at once; the slow path names the exact failure.
      const h = cx.top;
      // Each failing condition branches to one slow path (no boolean materialised per condition).
      const fails: number[] = seg.gas > 0 ? [m.i64.lt_s(cx.gas(), cx.c64(BigInt(seg.gas)))] : [];
      // Bounds on L_SPB now, and the same on L_SPB at the block's start: a bound that an earlier check in
      // this block already implies cannot fail (memory_grow_*: 4,000 segments, one check).
      const low = 32 * (seg.need - h), high = 32 * (STACK_LIMIT - seg.growth - h);
      const checkLow = low > 0 && low - cx.spbShift > cx.checkedLow;
      const checkHigh = seg.growth > 0 && high - cx.spbShift < cx.checkedHigh;
      if (checkLow && checkHigh && low <= high) {
        // Both bounds in one unsigned comparison: spb - low > high - low also when spb < low.
        fails.push(m.i32.gt_u(m.i32.sub(cx.spb(), cx.c32(low)), cx.c32(high - low)));
      } else {
        if (checkLow) fails.push(m.i32.lt_s(cx.spb(), cx.c32(low)));
        if (checkHigh) fails.push(m.i32.gt_s(cx.spb(), cx.c32(high)));
      }
      if (checkLow) cx.checkedLow = low - cx.spbShift;
      if (checkHigh) cx.checkedHigh = high - cx.spbShift;
      if (fails.length > 0) {
        const ok = `seg${ins.pc}`, failed = `segfail${ins.pc}`;
        cx.emit(m.block(ok, [
          m.block(failed, [...fails.map((c) => m.br(failed, c)), m.br(ok)]),
          m.return_call(SEGMENT_FAIL_TAIL, [
            cx.c32(ins.pc),
            cx.gas(),
            m.i32.add(m.i32.shr_s(cx.spb(), cx.c32(5)), cx.c32(h)),
          ], cx.i32),
        ]));
      }
      if (seg.gas > 0) cx.emit(m.local.set(L_GAS, m.i64.sub(cx.gas(), cx.c64(BigInt(seg.gas)))));
    }
    if (i >= body) break;
    if (!(lowerStack(cx, ins) || lowerArith(cx, ins) || lowerBitwise(cx, ins) || lowerMemory(cx, ins) || lowerCalldata(cx, ins) || lowerCopy(cx, ins) || lowerStorage(cx, ins) || lowerEnv(cx, ins) || lowerHost(cx, ins))) {
      throw new Error(`compiler: no lowering for opcode 0x${ins.op.toString(16)} at pc ${ins.pc}`);
    }
  }
}

/**
 * Bytes of memory active in every frame once the block at pc 0 has made its accesses at constant offsets
 * (Solidity's code starts by storing the free memory pointer: PUSH1 0x80 PUSH1 0x40 MSTORE): every other block
 * runs after them, so what they made active needs no check there.
 */
function entryMemory(a: Analysis): bigint {
  const entry = a.blocks[0];
  if (entry?.pc !== 0) return 0n;
  const body = entry.term === "fallthrough" ? entry.instrs.length : entry.instrs.length - 1;
  let known = 0n;
  for (let i = 1; i < body; i++) {
    const op = entry.instrs[i].op, offset = entry.instrs[i - 1];
    const size = op === Op.MSTORE || op === Op.MLOAD ? 32n : op === Op.MSTORE8 ? 1n : 0n;
    // The offset pushed right before (the top of the stack); larger than 2^32, the access runs out of gas.
    if (size > 0n && offset.op >= Op.PUSH0 && offset.op <= Op.PUSH32 && offset.imm < 1n << 32n) {
      if (offset.imm + size > known) known = offset.imm + size;
    }
  }
  return known;
}

/** Engines cap a br_table's size (V8: 65520 targets); larger tables are split on the high bits of the pc. */
const MAX_TABLE = 32768;

/** A br_table on the target pc over `names`; for long code, a first br_table picks a chunk of MAX_TABLE pcs. */
function dispatch(m: wasm.Module, names: string[], target: () => number): number {
  if (names.length <= MAX_TABLE) return m.switch(names, "inv", target());
  const chunks = Math.ceil(names.length / MAX_TABLE);
  const chunkLabel = (k: number) => `chunk${k}`;
  // block $chunk[n-1] (... (block $chunk0 (br_table $chunk0 .. (pc >> 15))) (br_table over chunk 0) ...)
  let inner = m.block(chunkLabel(0), [
    m.switch(Array.from({ length: chunks }, (_, k) => chunkLabel(k)), "inv", m.i32.shr_u(target(), m.i32.const(15))),
  ]);
  for (let k = 0; k < chunks; k++) {
    const part = m.switch(names.slice(k * MAX_TABLE, (k + 1) * MAX_TABLE), "inv", m.i32.and(target(), m.i32.const(MAX_TABLE - 1)));
    inner = k + 1 < chunks ? m.block(chunkLabel(k + 1), [inner, part]) : m.block(null, [inner, part]);
  }
  return inner;
}

const DISPATCH = "dispatch";
/** The jumps left before the host looks at the clock. */
const G_TICKS = "ticks";
/** A dynamic jump with more possible destinations than this goes through the jump table. */
const MAX_TESTED_TARGETS = 8;
const blockFn = (i: number) => `b${i}`;

/**
 * One function per block that a jump enters, `(sp: i32, gas: i64) -> status`, plus `run` and, when some jump
 * is dynamic, `dispatch`. A block reached only by falling through (after a JUMPI not taken, mostly) is lowered
 * on in its predecessor's function, the virtual stack unflushed, up to MAX_BLOCK_INSTRS instructions a function.
 * So is a block whose one way in is a jump from one other block (an internal function called from one site, or
 * the site it returns to), when the analysis accounts for every jump (stack_heights.ts).
 * Between functions the EVM stack is in memory (the virtual stack is flushed at their edges),
 * so a block ends by tail-calling the next one with the stack height and gas: fall-through and static
 * jumps call their block directly; a dynamic jump tests the destinations the analysis found for it, or calls
 * `dispatch(sp, gas, pc)`, whose br_table maps each JUMPDEST pc to a tail call of its block and everything
 * else to an invalid-jump halt; a block that jumps to itself loops in place. Small functions let the engine
 * compile each on first use and optimise the hot ones on its own, where one function for the whole contract
 * would be compiled at once (and large ones are never optimised).
 */
function addBlockFunctions(types: B, m: wasm.Module, a: Analysis, rules: ForkRules, annotate: boolean): void {
  const { i32, i64, none } = types;
  const cx = new Lowerer(types, m, a.code, rules);
  const params = types.createType([i32, i64]);
  const index = (pc: number) => {
    const k = a.blockAt.get(pc);
    if (k === undefined) throw new Error(`compiler: no block at pc ${pc}`);
    return k;
  };
  const next = () => [m.local.get(L_SPB, i32), m.local.get(L_GAS, i64)];
  // Blocks already lowered (each heads a function, or is lowered on in another block's function), and those
  // without a function of their own: lowered on in another's, or (when the analysis found no way to them) not at all.
  const placed = new Set<number>();
  const merged = new Set<number>();
  const flow = analyseStackFlow(a);
  if (flow) {
    a.blocks.forEach((_, i) => {
      if (flow.reached.has(i)) return;
      placed.add(i);
      merged.add(i);
    });
  }
  const heights = flow?.heights;
  const entryConsts = flow ? stackConstants(a, flow) : new Map<number, Map<number, bigint>>();
  const onlyEntry = flow?.onlyEntry ?? new Map<number, number>();
  /** The last block lowered, at the end of the function before: the constants it left are known after it. */
  let lastLowered = -1;
  const memoryAfterEntry = entryMemory(a);

  const addFunction = (i: number) => {
    const block = a.blocks[i];
    placed.add(i);
    if (block.term === "sled") {
      addSled(types, m, a, block, i, annotate);
      lastLowered = -1;
      return;
    }
    const carried = cx.flushedConsts;
    cx.resetFunction(i === 0 ? 0n : memoryAfterEntry);
    // Slots that hold one constant whenever the block is entered, however it is (stack_constants.ts).
    const known = entryConsts.get(i);
    if (known) cx.keepConsts(known);
    // A block that no jump enters is reached only from the one before (which ended with a flush, falling
    // through or not taking a JUMPI): the constants that block left on the stack are known here.
    const prev = a.blocks[i - 1];
    if (
      prev && lastLowered === i - 1 && !a.entered[block.pc] && prev.next === block.pc &&
      (prev.term === "fallthrough" || prev.term === "jumpi")
    ) {
      cx.keepConsts(carried);
    }
    let selfLoop = false;
    /**
     * `transfer` after counting a jump that may close a loop (a backward or dynamic one): every CHECK_EVERY
     * of them the host looks at the execution's deadline (src/evm/interrupt.ts).
     */
    const ticked = (transfer: number): number =>
      m.block(null, [
        m.global.set(G_TICKS, m.i32.sub(m.global.get(G_TICKS, i32), m.i32.const(1))),
        m.if(m.i32.lt_s(m.global.get(G_TICKS, i32), m.i32.const(0)), m.global.set(G_TICKS, m.call(IMPORT_TICK, [], i32))),
        transfer,
      ], i32);
    /** A statement that continues at `to`, leaving block `from` (whose jump, if dynamic, is in L_TARGET). */
    const go = (to: number | "dispatch", from: number): number =>
      to === "dispatch" || to <= a.blocks[from].pc ? ticked(goOn(to, from)) : goOn(to, from);
    const goOn = (to: number | "dispatch", from: number): number => {
      if (to === "dispatch") {
        const viaTable = m.return_call(DISPATCH, [...next(), m.local.get(L_TARGET, i32)], i32);
        // Each destination the analysis found (but one lowered on here), tested in turn; the table for the rest.
        const targets = flow?.jumpTargets.get(from)?.filter((t) => !merged.has(index(t)));
        if (!targets || targets.length > MAX_TESTED_TARGETS) return viaTable;
        const tests = targets.map((t) => m.if(m.i32.eq(m.local.get(L_TARGET, i32), m.i32.const(t)), goOn(t, from)));
        return m.block(null, [...tests, viaTable], i32);
      }
      const k = index(to);
      // No function: a block never entered (this statement follows a halt that the analysis saw, such as a
      // stack underflow), or one lowered on in the one block that jumps to it (which is not this one). A block
      // whose one way in is another block's jump may be lowered on there after this function is built, so a
      // jump to it from here is one the analysis saw no execution make (this block halts before it).
      const only = onlyEntry.get(k);
      if (merged.has(k) || (only !== undefined && only !== from)) return haltTail(m, i32, Halt.Internal, to);
      if (a.blocks[k].term === "sled") return m.return_call(blockFn(k), [...next(), m.i32.const(to)], i32);
      if (k === i) {
        selfLoop = true;
        return m.br(`l${i}`);
      }
      return m.return_call(blockFn(k), next(), i32);
    };
    // A height every entry has (stack_heights.ts): the stack at constant addresses, which are not bounds-checked.
    const height = heights?.get(i);
    if (height !== undefined) cx.emit(m.local.set(L_SPB, m.i32.const(32 * height)));
    let k = i, instrs = 0;
    for (let cur = block;;) {
      if (annotate) cx.emit(m.drop(m.i32.const(PC_MARK + cur.pc)));
      // A block lowered on here with a proved height: the base as a constant (the value it has anyway).
      const h = k === i ? undefined : heights?.get(k);
      if (h !== undefined && height === undefined) cx.emit(m.local.set(L_SPB, m.i32.const(32 * (h - cx.top))));
      lowerInstrs(cx, cur);
      instrs += cur.instrs.length;
      const following = a.blocks[k + 1];
      const intoNext = following !== undefined && following.pc === cur.next && !a.entered[following.pc] &&
        following.term !== "sled" && (cur.term === "fallthrough" || cur.term === "jumpi") &&
        !placed.has(k + 1) && instrs + following.instrs.length <= MAX_BLOCK_INSTRS;
      const from = k;
      const merge: Merge = {
        targets: flow?.jumpTargets.get(from),
        canMerge: (pc) => {
          const t = a.blockAt.get(pc);
          return t !== undefined && onlyEntry.get(t) === from && t !== i && !placed.has(t) &&
            instrs + a.blocks[t].instrs.length <= MAX_BLOCK_INSTRS;
        },
      };
      const exit = lowerTerminator(cx, cur, a, intoNext, merge);
      if (exit.kind === "continue") {
        k = exit.into === undefined ? k + 1 : index(exit.into);
        placed.add(k);
        merged.add(k);
        if (exit.exitIf) {
          cx.emit(m.if(m.local.get(L_COND, i32), m.block(null, [...exit.exitIf.flush, go(exit.exitIf.to, from)])));
        }
        cur = a.blocks[k];
        continue;
      }
      if (exit.kind === "goto") cx.emit(go(exit.to, k));
      else if (exit.kind === "branch") {
        cx.emit(m.if(m.local.get(L_COND, i32), go(exit.to, k)));
        cx.emit(go(exit.next, k));
      }
      break;
    }
    lastLowered = k;
    let body = m.block(null, cx.out, none);
    if (selfLoop) body = m.loop(`l${i}`, body);
    const vars: number[] = [];
    for (let l = 2; l < cx.nextLocal; l++) {
      const kind = cx.localKind(l);
      vars.push(kind === 0 ? i32 : kind === 2 ? types.v128 : i64);
    }
    // Every path ends in a return, a tail call or a halt.
    m.addFunction(blockFn(i), params, i32, vars, m.block(null, [body, m.unreachable()], i32));
  };
  // Each block is lowered once. One that a single jump enters waits for the block with that jump, and one
  // that no jump enters for the block before it: that block's function lowers it on, or (when full) ends with
  // a tail call to it, and it then heads a function of its own.
  const waitsFor = (i: number) => onlyEntry.get(i) ?? (i > 0 && !a.entered[a.blocks[i].pc] ? i - 1 : undefined);
  const ready = (i: number) => {
    const w = waitsFor(i);
    return w === undefined || placed.has(w);
  };
  // In pc order, pass after pass, until no block that waits is ready.
  for (let progress = true; progress;) {
    progress = false;
    a.blocks.forEach((_, i) => {
      if (placed.has(i) || !ready(i)) return;
      addFunction(i);
      progress = true;
    });
  }
  // Left only if waiting in a cycle that nothing else enters, which no execution reaches.
  a.blocks.forEach((_, i) => {
    if (!placed.has(i)) addFunction(i);
  });
  if (a.dynamicJumps) addDispatch(types, m, a, merged);
  // run() -> status; the memory size is left at MSIZE_ADDR, where JavaScript reads it more cheaply than the global.
  m.addFunction(EXPORT_RUN, none, i32, [i32], m.block(null, [
    m.global.set(G_MSIZE, m.i64.load(0, 8, m.i32.const(MSIZE_ADDR))),
    m.local.set(0, m.call(blockFn(0), [
      m.i32.const(0),
      m.i64.load(0, 8, m.i32.const(GAS_ADDR)),
      ...(a.blocks[0].term === "sled" ? [m.i32.const(0)] : []), // a sled takes its entry pc
    ], i32)),
    m.i64.store(0, 8, m.i32.const(MSIZE_ADDR), m.global.get(G_MSIZE, i64)),
    m.local.get(0, i32),
  ], i32));
}

/**
 * A sled `(sp, gas, pc)`: entered at JUMPDEST pc of a run of them, it charges one gas for each JUMPDEST
 * from pc to the end of the run at once (short of gas, the interpreter too would run out on one of them)
 * and continues after the run.
 */
function addSled(types: B, m: wasm.Module, a: Analysis, block: Block, i: number, annotate: boolean): void {
  const { i32, i64 } = types;
  const SP = 0, GAS = 1, PC = 2, COST = 3;
  const next = a.blockAt.get(block.next);
  if (next === undefined) throw new Error(`compiler: no block after the JUMPDESTs at pc ${block.pc}`);
  const body = [
    m.local.set(COST, m.i64.extend_u(m.i32.sub(m.i32.const(block.next), m.local.get(PC, i32)))),
    m.if(m.i64.lt_s(m.local.get(GAS, i64), m.local.get(COST, i64)), haltTail(m, i32, Halt.OutOfGas)),
    m.return_call(blockFn(next), [m.local.get(SP, i32), m.i64.sub(m.local.get(GAS, i64), m.local.get(COST, i64))], i32),
  ];
  if (annotate) body.unshift(m.drop(m.i32.const(PC_MARK + block.pc)));
  m.addFunction(blockFn(i), types.createType([i32, i64, i32]), i32, [i64], m.block(null, body, i32));
}

/** Pcs per second-level dispatch function (log2). */
const DISPATCH_BUCKET_BITS = 6;
/** The table of second-level dispatch functions, and the one for runs of pcs without a JUMPDEST. */
const DISPATCH_TABLE = "dispatch_runs";
const DISPATCH_NO_RUN = "dispatch_no_run";

/**
 * `dispatch(sp, gas, pc)`: tail-calls the block at JUMPDEST pc (pc < code size, checked by the caller).
 * Two levels: the function of the run of 64 pcs that holds pc, called through a table on pc >> 6 (runs without
 * a JUMPDEST are invalid jumps there), whose br_table on the low bits picks the block. Every br_table stays
 * small and the first level has one call site: engines' optimising compilers take time in proportion to a
 * br_table's entries and its call sites (V8's took half a second on one br_table over a 23 KB contract's pcs,
 * and 12 ms on a first level of 245 tail calls), and they compile a function when it is first called, so a
 * call pays only for the runs of pcs it jumps into.
 */
function addDispatch(types: B, m: wasm.Module, a: Analysis, merged: ReadonlySet<number>): void {
  const { i32, i64 } = types;
  const args = () => [m.local.get(0, i32), m.local.get(1, i64)];
  // One case per JUMPDEST, or per sled (a range of pcs: its function takes the pc).
  const targets: SwitchCase[] = [];
  for (let pc = 0; pc < a.code.length; pc++) {
    const k = a.jumpdests[pc] ? a.blockAt.get(pc) : undefined;
    if (k === undefined) continue;
    const sled = a.blocks[k].term === "sled", from = pc, to = sled ? a.blocks[k].next : pc + 1;
    // A block without a function is lowered inside the one block that jumps to it (which tests for it), or
    // never entered: the analysis saw no other way in.
    const go = merged.has(k)
      ? () => haltTail(m, i32, Halt.Internal, from)
      : () => m.return_call(blockFn(k), sled ? [...args(), m.local.get(2, i32)] : args(), i32);
    targets.push({ from, to, go });
    pc = to - 1;
  }
  const pc = () => m.local.get(2, i32);
  const bucket = 1 << DISPATCH_BUCKET_BITS;
  if (a.code.length <= bucket) {
    addSwitch(types, m, DISPATCH, a.code.length, pc, targets);
    return;
  }
  const size = Math.ceil(a.code.length / bucket);
  const runs = new Array<string>(size).fill(DISPATCH_NO_RUN);
  for (let lo = 0, t = 0; lo < a.code.length; lo += bucket) {
    const hi = Math.min(lo + bucket, a.code.length);
    const cases: SwitchCase[] = [];
    while (t < targets.length && targets[t].to <= lo) t++;
    for (let j = t; j < targets.length && targets[j].from < hi; j++) {
      const c = targets[j];
      cases.push({ from: Math.max(c.from, lo) - lo, to: Math.min(c.to, hi) - lo, go: c.go });
    }
    if (cases.length === 0) continue;
    const name = `${DISPATCH}${lo >> DISPATCH_BUCKET_BITS}`;
    addSwitch(types, m, name, hi - lo, () => m.i32.and(pc(), m.i32.const(bucket - 1)), cases);
    runs[lo >> DISPATCH_BUCKET_BITS] = name;
  }
  const signature = types.createType([i32, i64, i32]);
  const invalid = haltTail(m, i32, Halt.InvalidJump);
  m.addFunction(DISPATCH_NO_RUN, signature, i32, [], invalid);
  m.addTable(DISPATCH_TABLE, runs);
  const run = m.i32.shr_u(pc(), m.i32.const(DISPATCH_BUCKET_BITS));
  const call = m.return_call_indirect(DISPATCH_TABLE, run, [...args(), pc()], signature, i32);
  m.addFunction(DISPATCH, signature, i32, [], call);
}

/** A case of a dispatch table: selector values [from, to) run `go`. */
interface SwitchCase {
  from: number;
  to: number;
  go: () => number;
}

/**
 * A function `(sp, gas, pc)`: a br_table on `selector()` (in [0, size), checked by the caller's range) whose
 * cases run `go`; any other value is an invalid jump.
 */
function addSwitch(
  types: B, m: wasm.Module, name: string, size: number, selector: () => number, cases: SwitchCase[],
): void {
  const { i32, i64, none } = types;
  const names: string[] = new Array(size).fill("inv");
  cases.forEach((c, j) => names.fill(`c${j}`, c.from, c.to));
  // (block $c[n-1] (... (block $c0 (block $inv (br_table ...)) halt) case0 ...) case[n-2]) case[n-1]
  // Children are wrapped in `if (1)` so that Binaryen never types a named block by scanning its (nested,
  // ever larger) contents for branches: quadratic otherwise.
  const always = (e: number) => m.if(m.i32.const(1), e);
  const halt = always(haltTail(m, i32, Halt.InvalidJump));
  let nest = m.block(
    cases.length ? "c0" : null,
    [m.block("inv", [always(dispatch(m, names, selector))], none), halt],
    none,
  );
  for (let j = 1; j < cases.length; j++) nest = m.block(`c${j}`, [nest, always(cases[j - 1].go())], none);
  const last = cases.length ? always(cases[cases.length - 1].go()) : m.nop();
  m.addFunction(name, types.createType([i32, i64, i32]), i32, [], m.block(null, [nest, last, m.unreachable()], i32));
}
