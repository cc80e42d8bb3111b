/**
 * State shared by the instruction lowerings while one basic block is compiled:
 * the Binaryen module, the virtual stack (256-bit words as constants, four i64
 * locals, or untouched stack slots in linear memory), local allocation with
 * reuse, and the statements emitted so far.
 */
import type * as wasm from "./wasm_builder.ts";
import type { ForkRules } from "../../src/forks/rules.ts";
import { GAS_ADDR, Halt, IMPORT_HALT, MSIZE_ADDR, STACK_BASE } from "./layout.ts";

export type Expr = number;

const M64 = (1n << 64n) - 1n;

/**
 * A stack word known at compile time, held in locals (index -1: limb known zero; `signed64`: limbs 1-3 are copies of
 * limb 0's sign), or still in its stack slot.
 */
export type Val =
  | { k: "c"; v: bigint; rc: number }
  | { k: "l"; l: number[]; rc: number; signed64?: boolean }
  | { k: "m"; slot: number; rc: number };

/** Fixed locals of each block's function; the first two are its parameters. */
export const L_SPB = 0; // stack height in bytes (32 per word) at the virtual stack's base
export const L_GAS = 1; // gas left (i64)
export const L_TARGET = 2; // pc of a dynamic jump (i32)
export const L_COND = 3; // JUMPI condition (i32)
export const L_VEC = 4; // the temporary of big-endian word loads and stores (v128); they never nest
export const FIXED_LOCALS = [0, 1, 0, 0, 2]; // 0: i32, 1: i64, 2: v128

/** i8x16.shuffle mask that reverses the 16 bytes of a vector. */
const REVERSE16 = Array.from({ length: 16 }, (_, i) => 15 - i);
const ZERO16 = new Array(16).fill(0);

export const G_MSIZE = "msize";

/** The 16 little-endian bytes of half h (0: low) of the 256-bit value v (in few BigInt operations: most are small). */
function halfBytes(v: bigint, h: number): number[] {
  const half = h === 0 ? BigInt.asUintN(128, v) : v >> 128n;
  if (half === 0n) return ZERO16;
  const bytes = new Array<number>(16);
  for (let k = 0; k < 4; k++) {
    let digit = k === 0 && half <= 0xffffffffn ? Number(half) : Number(BigInt.asUintN(32, half >> BigInt(32 * k)));
    for (let i = 0; i < 4; i++, digit >>>= 8) bytes[4 * k + i] = digit & 0xff;
  }
  return bytes;
}

/** A statement that halts the frame: the `halt` import (which throws) with the kind and its argument. */
export function haltCall(m: wasm.Module, none: number, code: number, arg = 0): number {
  return m.block(null, [m.call(IMPORT_HALT, [m.i32.const(code), m.i32.const(arg)], none), m.unreachable()], none);
}

/** The trampolines (builtin_functions.ts) through which a function that returns a status halts. */
export const HALT_TAIL = "halt_tail";
export const SEGMENT_FAIL_TAIL = "segment_fail_tail";

/**
 * haltCall for a function that returns a status (blocks, dispatch): a tail call to HALT_TAIL. A call is a
 * point where every live value must be saved; the optimising compiler spent a third of its time on the
 * halts' calls, on paths that almost never run. Nothing is live across a tail call.
 */
export function haltTail(m: wasm.Module, i32: number, code: number, arg = 0): number {
  return m.return_call(HALT_TAIL, [m.i32.const(code), m.i32.const(arg)], i32);
}

export class Lowerer {
  readonly m: wasm.Module;
  readonly i32: number;
  readonly i64: number;
  readonly none: number;
  /** Statements of the block being lowered. */
  out: Expr[] = [];
  /** Virtual stack: positions relative to the base (L_SPB); absent positions below 0 are untouched slots. */
  items = new Map<number, Val>();
  top = 0;
  /** Positions whose slot already holds the value now at that position (no store needed at a flush). */
  private clean = new Map<number, Val>();
  /** Constants of the virtual stack at the last flush, by position relative to the base after it. */
  flushedConsts = new Map<number, bigint>();
  /** i64 locals: free pool and high-water mark (indexes are after the fixed locals). */
  private free: number[] = [];
  nextLocal = FIXED_LOCALS.length;
  /** The locals beyond the fixed ones that are v128 (all others are i64), and those free. */
  readonly vecLocals = new Set<number>();
  private freeVec: number[] = [];
  /** pc of the instruction being lowered (for host calls and diagnostics). */
  pc = 0;
  /** Opcode of the next instruction of the block (-1 at its end), for peepholes such as a popped MLOAD. */
  nextOp = -1;
  /** L_SPB minus its value at the start of the block's code (bytes): every change to it is by moveBase. */
  spbShift = 0;
  /**
   * Stack bounds already checked in this block, as bounds on L_SPB at its start (bytes): later segments
   * whose bounds these imply skip their check. A block entered with a valid stack has 0 <= L_SPB <= 32 * 1024.
   */
  checkedLow = 0;
  checkedHigh = 32 * 1024;
  /**
   * Products a * b mod 2^256 computed in this block (by MULMOD with modulus 2^256 - 1), by the identity of
   * their operand values: a value keeps its identity while it is on the virtual stack (DUP and SWAP move the
   * same object), so a later MUL of the same objects has this product. Their locals are kept until a flush.
   */
  knownProducts: { a: Val; b: Val; product: Val }[] = [];

  constructor(readonly types: typeof wasm, m: wasm.Module, readonly code: Uint8Array, readonly rules: ForkRules) {
    this.m = m;
    this.i32 = types.i32;
    this.i64 = types.i64;
    this.none = types.none;
  }

  /**
   * Bytes of EVM memory known to be active here: expansion to at most this is not checked. A function is one
   * path from its first block (its branches leave it), and active memory only grows.
   */
  private knownMemory = 0n;
  /** Code being captured for a branch (capture): what it makes active is not known after it. */
  private capturing = 0;

  /**
   * Starts the function of a new block: no statements, an empty virtual stack, no locals beyond the fixed ones.
   * `knownMemory`: bytes of memory active whenever the block is entered.
   */
  resetFunction(knownMemory = 0n): void {
    this.knownMemory = knownMemory;
    this.out = [];
    this.items.clear();
    this.clean.clear();
    this.top = 0;
    this.free = [];
    this.nextLocal = FIXED_LOCALS.length;
    this.vecLocals.clear();
    this.freeVec = [];
    this.spbShift = 0;
    this.checkedLow = 0;
    this.checkedHigh = 32 * 1024;
    this.knownProducts = [];
  }

  emit(e: Expr): void {
    this.out.push(e);
  }

  /** Runs f with a fresh statement list and returns what it emitted as one block. */
  capture(f: () => void): Expr {
    const saved = this.out, shift = this.spbShift;
    this.out = [];
    this.capturing++;
    try {
      f();
    } finally {
      this.capturing--;
    }
    const body = this.out;
    this.out = saved;
    // Code on one branch must not move the stack base: what follows assumes one static spbShift.
    if (this.spbShift !== shift) throw new Error(`compiler: conditional code moved the stack base at pc ${this.pc}`);
    return this.m.block(null, body, this.none);
  }

  // ---- locals

  local(): number {
    return this.free.length ? this.free.pop()! : this.nextLocal++;
  }

  release(l: number): void {
    if (l >= FIXED_LOCALS.length) this.free.push(l);
  }

  /** A v128 local, free again at the next flush. */
  private vecLocal(): number {
    if (this.freeVec.length) return this.freeVec.pop()!;
    const l = this.nextLocal++;
    this.vecLocals.add(l);
    return l;
  }

  /** The wasm kind of local l: 0 i32, 1 i64, 2 v128. */
  localKind(l: number): number {
    return l < FIXED_LOCALS.length ? FIXED_LOCALS[l] : this.vecLocals.has(l) ? 2 : 1;
  }

  get(l: number): Expr {
    return this.m.local.get(l, this.i64);
  }

  set(l: number, e: Expr): Expr {
    return this.m.local.set(l, e);
  }

  spb(): Expr {
    return this.m.local.get(L_SPB, this.i32);
  }

  gas(): Expr {
    return this.m.local.get(L_GAS, this.i64);
  }

  // ---- constants and limbs

  c64(v: bigint): Expr {
    return this.m.i64.const(BigInt.asIntN(64, v));
  }

  c32(v: number): Expr {
    return this.m.i32.const(v);
  }

  /** Limb i of v as a fresh expression. Values in slots are loaded on every call: materialise those read twice. */
  limb(v: Val, i: number): Expr {
    switch (v.k) {
      case "c":
        return this.c64((v.v >> BigInt(64 * i)) & M64);
      case "l":
        return v.l[i] < 0 ? this.c64(0n) : this.get(v.l[i]);
      case "m":
        return this.m.i64.load(STACK_BASE + v.slot * 32 + 8 * i, 8, this.spb());
    }
  }

  /** Whether limb i is known to be zero. */
  zeroLimb(v: Val, i: number): boolean {
    return v.k === "c" ? ((v.v >> BigInt(64 * i)) & M64) === 0n : v.k === "l" ? v.l[i] < 0 : false;
  }

  /** Makes v safe to read more than once (loads slot values into locals; same object, so aliases follow). */
  materialise(v: Val): Val {
    if (v.k !== "m") return v;
    const l = [this.local(), this.local(), this.local(), this.local()];
    for (let i = 0; i < 4; i++) this.emit(this.set(l[i], this.limb(v, i)));
    const w = v as unknown as { k: string; l?: number[]; slot?: number };
    // Its slot still holds it: a flush that finds it there again (SWAP and DUP patterns) need not store it.
    this.clean.set(w.slot!, v);
    w.k = "l";
    w.l = l;
    delete w.slot;
    return v;
  }

  /** A new value from four limb expressions (null: zero). */
  fromLimbs(limbs: (Expr | null)[]): Val {
    const l = limbs.map((e) => {
      if (e === null) return -1;
      const x = this.local();
      this.emit(this.set(x, e));
      return x;
    });
    return { k: "l", l, rc: 0 };
  }

  /** A new value whose limb 0 is e and the others zero. */
  fromU64(e: Expr): Val {
    return this.fromLimbs([e, null, null, null]);
  }

  fromBool(e32: Expr): Val {
    return this.fromU64(this.m.i64.extend_u(e32));
  }

  const(v: bigint): Val {
    return { k: "c", v, rc: 0 };
  }

  /** v with one more holder that never drops it: its locals stay allocated until the next flush. */
  keep(v: Val): Val {
    v.rc++;
    return v;
  }

  /** Done with v (popped and used): its locals go back to the pool when nothing else refers to it. */
  drop(v: Val): void {
    if (--v.rc <= 0 && v.k === "l") for (const l of v.l) if (l >= 0) this.release(l);
  }

  // ---- virtual stack

  push(v: Val): void {
    v.rc++;
    this.items.set(this.top++, v);
  }

  pop(): Val {
    const p = --this.top;
    let v = this.items.get(p);
    if (v) this.items.delete(p);
    else v = { k: "m", slot: p, rc: 1 };
    return v;
  }

  /** The value n below the top (0: the top), without popping. */
  peek(n: number): Val {
    const p = this.top - 1 - n;
    let v = this.items.get(p);
    if (!v) {
      v = { k: "m", slot: p, rc: 1 };
      this.items.set(p, v);
    }
    return v;
  }

  swap(n: number): void {
    const a = this.top - 1, b = this.top - 1 - n;
    const va = this.peek(0), vb = this.peek(n);
    this.items.set(a, vb);
    this.items.set(b, va);
  }

  /**
   * Writes every changed position back to its slot, moves the base to the
   * top, and empties the virtual stack: the canonical state at block edges
   * and around host calls. The constants that were on the virtual stack are
   * left in `flushedConsts` (positions relative to the new base), for
   * keepConsts.
   */
  flush(): void {
    const stores: [number, Val][] = [];
    for (const [p, v] of this.items) {
      if (p >= this.top) continue;
      if (v.k === "m" && v.slot === p) continue;
      if (this.clean.get(p) === v) continue;
      stores.push([p, v]);
    }
    // Slot values moving to other slots are read before any slot is written, as two 16-byte halves: one
    // bounds check for each (Deno runs WebAssembly without the trap handler) where four i64 loads take four.
    const m = this.m, v128 = this.types.v128;
    const moved = new Map<Val, number[]>();
    for (const [, v] of stores) {
      if (v.k !== "m" || moved.has(v)) continue;
      const halves = [this.vecLocal(), this.vecLocal()];
      for (let h = 0; h < 2; h++) {
        this.emit(m.local.set(halves[h], this.slotHalf(v.slot, h)));
      }
      moved.set(v, halves);
    }
    for (const [p, v] of stores) {
      const halves = moved.get(v);
      if (halves) {
        for (let h = 0; h < 2; h++) {
          this.emit(m.v128.store(STACK_BASE + p * 32 + 16 * h, 16, this.spb(), m.local.get(halves[h], v128)));
        }
        continue;
      }
      // A constant half, or a half whose limbs are known zero, is one 16-byte store.
      for (let h = 0; h < 2; h++) {
        const at = STACK_BASE + p * 32 + 16 * h;
        if (v.k === "c") {
          this.emit(m.v128.store(at, 16, this.spb(), m.v128.const(halfBytes(v.v, h))));
        } else if (this.zeroLimb(v, 2 * h) && this.zeroLimb(v, 2 * h + 1)) {
          this.emit(m.v128.store(at, 16, this.spb(), m.v128.const(ZERO16)));
        } else {
          // Two limbs in locals, as one 16-byte store: one bounds check where two i64 stores take two.
          const low = m.i64x2.splat(this.limb(v, 2 * h));
          this.emit(m.v128.store(at, 16, this.spb(), m.i64x2.replace_lane(low, 1, this.limb(v, 2 * h + 1))));
        }
      }
    }
    const consts = new Map<number, bigint>();
    for (const [p, v] of this.items) if (p < this.top && v.k === "c") consts.set(p - this.top, v.v);
    this.flushedConsts = consts;
    this.items.clear();
    this.clean.clear();
    this.knownProducts = [];
    // Nothing lives in locals past a flush.
    this.free = [];
    this.freeVec = [];
    for (let i = FIXED_LOCALS.length; i < this.nextLocal; i++) {
      (this.vecLocals.has(i) ? this.freeVec : this.free).push(i);
    }
    this.moveBase(this.top * 32);
    this.top = 0;
  }

  /**
   * The statements of a flush, with the lowering state left as it was: for a branch that leaves the function
   * (a taken JUMPI) while the lowering goes on along the other path with the virtual stack as it is. Locals
   * the flush takes stay taken.
   */
  flushOnBranch(): Expr[] {
    const out = this.out, items = new Map(this.items), clean = new Map(this.clean), top = this.top;
    const flushedConsts = this.flushedConsts, knownProducts = this.knownProducts, spbShift = this.spbShift;
    const free = [...this.free], freeVec = [...this.freeVec];
    this.out = [];
    this.flush();
    const body = this.out;
    this.out = out;
    this.items = items;
    this.clean = clean;
    this.top = top;
    this.flushedConsts = flushedConsts;
    this.knownProducts = knownProducts;
    this.spbShift = spbShift;
    this.free = free;
    this.freeVec = freeVec;
    return body;
  }

  /** Moves the stack base (L_SPB) by a constant number of bytes, keeping spbShift in step. */
  moveBase(bytes: number): void {
    if (bytes === 0) return;
    this.emit(this.m.local.set(L_SPB, this.m.i32.add(this.spb(), this.c32(bytes))));
    this.spbShift += bytes;
  }

  /**
   * Puts known constants back on an empty virtual stack (position + shift), marked as already in their
   * slots: after a flush (and a host call that leaves those slots alone), or at the start of a block
   * that only the previous block's fall-through reaches.
   */
  keepConsts(consts: Map<number, bigint>, shift = 0): void {
    for (const [p, v] of consts) {
      const val: Val = { k: "c", v, rc: 1 };
      this.items.set(p + shift, val);
      this.clean.set(p + shift, val);
    }
  }

  // ---- gas, memory size and halts

  halt(code: number, arg = 0): Expr {
    return haltTail(this.m, this.i32, code, arg);
  }

  outOfGas(): Expr {
    return this.halt(Halt.OutOfGas);
  }

  /** Charges a constant amount, halting with out of gas when short. */
  chargeConst(cost: number): void {
    if (cost === 0) return;
    const m = this.m;
    this.emit(m.if(m.i64.lt_s(this.gas(), this.c64(BigInt(cost))), this.outOfGas()));
    this.emit(m.local.set(L_GAS, m.i64.sub(this.gas(), this.c64(BigInt(cost)))));
  }

  /** Charges a computed (non-negative i64) amount. */
  chargeDynamic(cost: Expr): void {
    const m = this.m;
    const t = this.local();
    this.emit(this.set(t, cost));
    this.emit(m.if(m.i64.lt_s(this.gas(), this.get(t)), this.outOfGas()));
    this.emit(m.local.set(L_GAS, m.i64.sub(this.gas(), this.get(t))));
    this.release(t);
  }

  msize(): Expr {
    return this.m.global.get(G_MSIZE, this.i64);
  }

  /** ensureMemory for an end known at compile time: nothing when that much memory is known to be active. */
  ensureMemoryTo(end: bigint): void {
    if (end <= this.knownMemory) return;
    this.ensureMemory(this.c64(end));
    if (this.capturing === 0) this.knownMemory = end;
  }

  /** Makes [0, end) active memory (end: i64 expression, evaluated once), charging expansion. */
  ensureMemory(end: Expr): void {
    const m = this.m;
    const t = this.local();
    this.emit(this.set(t, end));
    this.emit(m.if(
      m.i64.gt_u(this.get(t), this.msize()),
      m.local.set(L_GAS, m.call("mem_expand", [this.get(t), this.gas()], this.i64)),
    ));
    this.release(t);
  }

  /** Halts with out of gas unless v < 2^32 (as the interpreter does for memory offsets). */
  requireU32(v: Val): void {
    const m = this.m;
    if (v.k === "c") {
      if (v.v > 0xffffffffn) this.emit(this.outOfGas());
      return;
    }
    let hi = m.i64.shr_u(this.limb(v, 0), this.c64(32n));
    for (let i = 1; i < 4; i++) if (!this.zeroLimb(v, i)) hi = m.i64.or(hi, this.limb(v, i));
    this.emit(m.if(m.i64.ne(hi, this.c64(0n)), this.outOfGas()));
  }

  /** Stores gas and memory size where JavaScript reads them, before a host call. */
  syncOut(): void {
    const m = this.m;
    this.emit(m.i64.store(0, 8, this.c32(GAS_ADDR), this.gas()));
    this.emit(m.i64.store(0, 8, this.c32(MSIZE_ADDR), this.msize()));
  }

  /** Reloads them after a host call. */
  syncIn(): void {
    const m = this.m;
    this.emit(m.local.set(L_GAS, m.i64.load(0, 8, this.c32(GAS_ADDR))));
    this.emit(m.global.set(G_MSIZE, m.i64.load(0, 8, this.c32(MSIZE_ADDR))));
  }

  // ---- word helpers

  /**
   * The big-endian word at addr() + offset (EVM memory, calldata) as a value: each 16-byte half is loaded
   * as a vector, byte-reversed with one shuffle, and split into two limbs (into the locals `into`, if given).
   */
  loadWordBE(offset: number, addr: () => Expr, into?: number[]): Val {
    const m = this.m;
    const l = into ?? [this.local(), this.local(), this.local(), this.local()];
    for (let h = 0; h < 2; h++) {
      // h = 0: bytes 16..31 (limbs 0 and 1); h = 1: bytes 0..15 (limbs 2 and 3).
      this.emit(m.local.set(L_VEC, m.i8x16.shuffle(m.v128.load(offset + 16 - 16 * h, 1, addr()), m.v128.const(ZERO16), REVERSE16)));
      this.emit(this.set(l[2 * h], m.i64x2.extract_lane(m.local.get(L_VEC, this.types.v128), 0)));
      this.emit(this.set(l[2 * h + 1], m.i64x2.extract_lane(m.local.get(L_VEC, this.types.v128), 1)));
    }
    return { k: "l", l, rc: 0 };
  }

  /** Stores v big-endian at addr() + offset (the inverse of loadWordBE); a constant is stored as vector constants. */
  storeWordBE(offset: number, addr: () => Expr, v: Val): void {
    const m = this.m;
    for (let h = 0; h < 2; h++) {
      let vec: Expr;
      if (v.k === "c") {
        const bytes = new Array(16);
        const half = (v.v >> BigInt(128 * h)) & ((1n << 128n) - 1n);
        for (let i = 0; i < 16; i++) bytes[15 - i] = Number((half >> BigInt(8 * i)) & 0xffn);
        vec = m.v128.const(bytes);
      } else {
        const pair = m.i64x2.replace_lane(m.i64x2.splat(this.limb(v, 2 * h)), 1, this.limb(v, 2 * h + 1));
        vec = m.i8x16.shuffle(pair, m.v128.const(ZERO16), REVERSE16);
      }
      this.emit(m.v128.store(offset + 16 - 16 * h, 1, addr(), vec));
    }
  }

  /** Half h (0: the low 16 bytes) of the word in stack slot `slot`, as one v128 load. */
  private slotHalf(slot: number, h: number): Expr {
    return this.m.v128.load(STACK_BASE + slot * 32 + 16 * h, 16, this.spb());
  }

  /** i32 expression: v != 0. */
  nonZero(v: Val): Expr {
    const m = this.m;
    let e: Expr | null = null;
    for (let i = 0; i < 4; i++) {
      if (this.zeroLimb(v, i)) continue;
      e = e === null ? this.limb(v, i) : m.i64.or(e, this.limb(v, i));
    }
    return e === null ? this.c32(0) : m.i64.ne(e, this.c64(0n));
  }

  /** Writes v to a scratch word at addr (a value still in its slot is copied, and a constant stored, by halves). */
  storeWord(addr: number, v: Val): void {
    const m = this.m;
    if (v.k === "m" || v.k === "c") {
      for (let h = 0; h < 2; h++) {
        const half = v.k === "c" ? m.v128.const(halfBytes(v.v, h)) : this.slotHalf(v.slot, h);
        this.emit(m.v128.store(16 * h, 16, this.c32(addr), half));
      }
      return;
    }
    for (let i = 0; i < 4; i++) this.emit(m.i64.store(8 * i, 8, this.c32(addr), this.limb(v, i)));
  }

  loadWord(addr: number): Val {
    return this.fromLimbs([0, 1, 2, 3].map((i) => this.m.i64.load(8 * i, 8, this.c32(addr))));
  }
}
