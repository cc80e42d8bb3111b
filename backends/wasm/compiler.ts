/**
 * EVM bytecode to a WebAssembly module: analysis into basic blocks, lowering
 * of each block to Binaryen IR, control flow through Binaryen's Relooper (static
 * jumps branch directly; dynamic ones go through one switch on the target pc),
 * then optional Binaryen optimisation and emission.
 */
import type binaryenT from "binaryen";
import type { ForkRules } from "../../src/forks/rules.ts";
import { declareU256RuntimeImports } from "./u256_runtime.ts";
import { analyseCode, type Analysis, type Block } from "./analysis.ts";
import { addHelpers } from "./helpers.ts";
import { FIXED_LOCALS, G_MSIZE, L_COND, L_GAS, L_SPB, L_TARGET, Lowerer } from "./lower_context.ts";
import { lowerStack } from "./lower_stack.ts";
import { lowerArith } from "./lower_arith.ts";
import { lowerBitwise } from "./lower_bitwise.ts";
import { lowerCalldata, lowerMemory } from "./lower_memory.ts";
import { lowerHost } from "./lower_host.ts";
import { lowerStorage } from "./lower_storage.ts";
import { lowerTerminator } from "./lower_control.ts";
import {
  EXPORT_RUN, IMPORT_MEMORY, GAS_ADDR, Halt, IMPORT_CALLDATALOAD, IMPORT_HALT, IMPORT_HOST, IMPORT_SLOAD, IMPORT_MODULE, IMPORT_SEGMENT_FAIL,
  INITIAL_PAGES, MAX_PAGES, MSIZE_ADDR, STACK_LIMIT,
} from "./layout.ts";

type B = typeof binaryenT;

export interface CompileOptions {
  /** Binaryen optimisation level (0: none). */
  optimizeLevel?: number;
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

export function compileToWasm(binaryen: B, code: Uint8Array, rules: ForkRules, opts: CompileOptions = {}): CompileOutput {
  const t0 = performance.now();
  const analysis = analyseCode(code, rules);
  const m = new binaryen.Module();
  try {
    m.setFeatures(binaryen.Features.MVP | binaryen.Features.MutableGlobals | binaryen.Features.SignExt |
      binaryen.Features.BulkMemory | binaryen.Features.NontrappingFPToInt | binaryen.Features.Multivalue);
    m.setMemory(INITIAL_PAGES, MAX_PAGES, null, [], false, false, "0");
    m.addMemoryImport("0", IMPORT_MODULE, IMPORT_MEMORY);
    m.addGlobal(G_MSIZE, binaryen.i64, true, m.i64.const(0n));
    m.addFunctionImport(IMPORT_HALT, IMPORT_MODULE, IMPORT_HALT, binaryen.createType([binaryen.i32, binaryen.i32]), binaryen.none);
    m.addFunctionImport(IMPORT_SEGMENT_FAIL, IMPORT_MODULE, IMPORT_SEGMENT_FAIL,
      binaryen.createType([binaryen.i32, binaryen.f64, binaryen.i32]), binaryen.none);
    m.addFunctionImport(IMPORT_HOST, IMPORT_MODULE, IMPORT_HOST,
      binaryen.createType([binaryen.i32, binaryen.i32, binaryen.i32]), binaryen.none);
    m.addFunctionImport(IMPORT_CALLDATALOAD, IMPORT_MODULE, IMPORT_CALLDATALOAD,
      binaryen.createType([binaryen.i32, binaryen.i32]), binaryen.none);
    m.addFunctionImport(IMPORT_SLOAD, IMPORT_MODULE, IMPORT_SLOAD, binaryen.createType([binaryen.i32, binaryen.i32]), binaryen.none);
    declareU256RuntimeImports(m); // the runtime module (runtime_module.ts) supplies them
    addHelpers(binaryen, m);
    addRun(binaryen, m, analysis, rules, !!opts.annotate);
    m.addFunctionExport(EXPORT_RUN, EXPORT_RUN);
    m.addGlobalExport(G_MSIZE, G_MSIZE);
    const t1 = performance.now();
    const level = opts.optimizeLevel ?? 0;
    if (level > 0) {
      binaryen.setOptimizeLevel(level);
      binaryen.setShrinkLevel(0);
      m.optimize();
    }
    const t2 = performance.now();
    const binary = m.emitBinary();
    const t3 = performance.now();
    return { binary, blocks: analysis.blocks.length, ms: { lower: t1 - t0, optimize: t2 - t1, emit: t3 - t2 } };
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
    const seg = segStart.get(i);
    if (seg) {
      // Static gas and stack bounds of the whole segment, at once; the slow path names the exact failure.
      const h = cx.top;
      let fail: number | null = seg.gas > 0 ? m.i64.lt_s(cx.gas(), cx.c64(BigInt(seg.gas))) : null;
      const or = (e: number) => (fail = fail === null ? e : m.i32.or(fail, e));
      if (seg.need - h > 0) or(m.i32.lt_s(cx.spb(), cx.c32(32 * (seg.need - h))));
      if (seg.growth > 0) or(m.i32.gt_s(cx.spb(), cx.c32(32 * (STACK_LIMIT - seg.growth - h))));
      if (fail !== null) {
        cx.emit(m.if(fail, m.block(null, [
          m.call(IMPORT_SEGMENT_FAIL, [
            cx.c32(ins.pc),
            m.f64.convert_s.i64(cx.gas()),
            m.i32.add(m.i32.shr_s(cx.spb(), cx.c32(5)), cx.c32(h)),
          ], cx.none),
          m.unreachable(),
        ])));
      }
      if (seg.gas > 0) cx.emit(m.local.set(L_GAS, m.i64.sub(cx.gas(), cx.c64(BigInt(seg.gas)))));
    }
    if (i >= body) break;
    if (!(lowerStack(cx, ins) || lowerArith(cx, ins) || lowerBitwise(cx, ins) || lowerMemory(cx, ins) || lowerCalldata(cx, ins) || lowerStorage(cx, ins) || lowerHost(cx, ins))) {
      throw new Error(`compiler: no lowering for opcode 0x${ins.op.toString(16)} at pc ${ins.pc}`);
    }
  }
}

/** Engines cap a br_table's size (V8: 65520 targets); larger tables are split on the high bits of the pc. */
const MAX_TABLE = 32768;

/** A br_table on the target pc over `names`; for long code, a first br_table picks a chunk of MAX_TABLE pcs. */
function dispatch(m: binaryenT.Module, names: string[], target: () => number): number {
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

/**
 * The `run` function. Blocks are laid out in pc order inside one loop:
 *   loop $dispatch (block $b[n-1] (... (block $b0 (block $inv (br_table ...)) halt) code0 ...) code[n-2]) code[n-1]
 * so the end of $b[i] is the start of block i's code. Fall-through and forward jumps are plain
 * branches; backward and dynamic jumps set L_TARGET and go round the loop, whose br_table maps it to
 * its block. With dynamic jumps L_TARGET is the destination pc (each JUMPDEST pc maps to its block,
 * everything else to an invalid-jump halt); without, it is the block index, and the table is as long
 * as the block list.
 */
function addRun(binaryen: B, m: binaryenT.Module, a: Analysis, rules: ForkRules, annotate: boolean): void {
  const cx = new Lowerer(binaryen, m, a.code, rules);
  const n = a.blocks.length;
  const byPc = a.dynamicJumps;
  const entry = byPc ? a.code.length : 0; // L_TARGET value that selects block 0
  const label = (i: number) => `b${i}`;
  const target32 = () => m.local.get(L_TARGET, binaryen.i32);
  const index = (pc: number) => {
    const k = a.blockAt.get(pc);
    if (k === undefined) throw new Error(`compiler: no block at pc ${pc}`);
    return k;
  };
  const codes: number[] = [];
  a.blocks.forEach((block, i) => {
    cx.resetBlock();
    if (annotate) cx.emit(m.drop(m.i32.const(PC_MARK + block.pc)));
    lowerInstrs(cx, block);
    const exit = lowerTerminator(cx, block, a);
    /** Statements that go to `to`, or null when that is falling into the next block. */
    let selfLoop = false;
    const go = (to: number | "dispatch"): number | null => {
      if (to === "dispatch") return m.br("dispatch");
      const k = index(to);
      if (k === i + 1) return null;
      if (k > i) return m.br(label(k));
      if (k === i) {
        // A block that jumps to itself loops in place, without the dispatch.
        selfLoop = true;
        return m.br(`l${i}`);
      }
      return m.block(null, [m.local.set(L_TARGET, m.i32.const(byPc ? to : k)), m.br("dispatch")]);
    };
    if (exit.kind === "goto") {
      const g = go(exit.to);
      if (g !== null) cx.emit(g);
    } else if (exit.kind === "branch") {
      const g = go(exit.to);
      if (g !== null) cx.emit(m.if(m.local.get(L_COND, binaryen.i32), g));
      const f = go(exit.next);
      if (f !== null) cx.emit(f);
    }
    const code = cx.out.length ? m.block(null, cx.out, binaryen.none) : m.nop();
    codes.push(selfLoop ? m.loop(`l${i}`, code) : code);
  });
  let names: string[];
  if (byPc) {
    names = new Array(entry + 1).fill("inv");
    for (let pc = 0; pc < a.code.length; pc++) if (a.jumpdests[pc] && a.blockAt.has(pc)) names[pc] = label(a.blockAt.get(pc)!);
    names[entry] = label(0);
  } else {
    names = a.blocks.map((_, k) => label(k));
  }
  // Every nested child is wrapped in `if (1)`, which is never unreachable: otherwise Binaryen gives a
  // named block with an unreachable child the type its branches decide, scanning all of the block's
  // (nested, so ever larger) contents each time: quadratic.
  const none = binaryen.none;
  const always = (e: number) => m.if(m.i32.const(1), e);
  let nest = m.block(label(0), [m.block("inv", [always(dispatch(m, names, target32))], none), always(cx.halt(Halt.InvalidJump))], none);
  for (let i = 1; i < n; i++) nest = m.block(label(i), [nest, always(codes[i - 1])], none);
  const body = m.loop("dispatch", m.block(null, [nest, codes[n - 1]], none));
  const vars: number[] = [];
  for (let i = 0; i < cx.nextLocal; i++) {
    vars.push(i < FIXED_LOCALS.length && FIXED_LOCALS[i] === 0 ? binaryen.i32 : binaryen.i64);
  }
  m.addFunction(EXPORT_RUN, binaryen.none, binaryen.i32, vars, m.block(null, [
    m.local.set(L_SPB, m.i32.const(0)),
    m.local.set(L_TARGET, m.i32.const(entry)),
    m.local.set(L_GAS, m.i64.load(0, 8, m.i32.const(GAS_ADDR))),
    m.global.set(G_MSIZE, m.i64.load(0, 8, m.i32.const(MSIZE_ADDR))),
    body,
    m.unreachable(),
  ], binaryen.i32));
}
