/** Lowering of block terminators: STOP, RETURN, REVERT, SELFDESTRUCT, INVALID, JUMP, JUMPI and fall-through. */
import type { Analysis, Block } from "./analysis.ts";
import { type Expr, L_COND, L_TARGET, type Lowerer, type Val } from "./lower_context.ts";
import { memoryRange } from "./lower_memory.ts";
import { hostCall } from "./lower_host.ts";
import { GAS_ADDR, Halt, MEM_BASE, OUT_LEN_ADDR, OUT_OFF_ADDR, Status } from "./layout.ts";

/**
 * Where control goes after a block. "dispatch": the jump table on L_TARGET. "continue": on into the block at
 * `into` (by default the next one) in the same function, with the virtual stack as it is, after leaving for
 * `exitIf.to` when L_COND != 0 (with `exitIf.flush` run first).
 */
export type Exit =
  | { kind: "none" }
  | { kind: "goto"; to: number | "dispatch" }
  | { kind: "branch"; to: number | "dispatch"; next: number } // taken when L_COND != 0
  | { kind: "continue"; into?: number; exitIf?: { to: number | "dispatch"; flush: Expr[] } };

/** Jump destinations that may be lowered on in the same function (their only way in is this block's jump). */
export interface Merge {
  /** The destinations the analysis found for the block's jump, if it found them. */
  targets?: readonly number[];
  canMerge(pc: number): boolean;
}

function finish(cx: Lowerer, status: number): void {
  cx.emit(cx.m.i64.store(0, 8, cx.c32(GAS_ADDR), cx.gas()));
  cx.emit(cx.m.return(cx.c32(status)));
}

/** A valid static jump target, or undefined. */
function staticTarget(cx: Lowerer, jumpdests: Uint8Array, v: Val): number | undefined {
  if (v.k !== "c") return undefined;
  if (v.v >= BigInt(cx.code.length) || !jumpdests[Number(v.v)]) return -1;
  return Number(v.v);
}

/**
 * Range-checks a dynamic destination (invalid jump unless < code size) and puts it in L_TARGET. The analysis
 * must have seen the jump as dynamic (else the dispatch maps block indexes, not pcs): a mismatch is a
 * compiler bug, and the code then runs on the interpreter.
 */
function setTarget(cx: Lowerer, a: Analysis, dest: Val): Expr {
  const m = cx.m;
  if (!a.dynamicJumps) throw new Error(`compiler: jump at pc ${cx.pc} has a destination the analysis took for a constant`);
  return cx.capture(() => {
    let hi: Expr = m.i64.ge_u(cx.limb(dest, 0), cx.c64(BigInt(cx.code.length)));
    for (let i = 1; i < 4; i++) if (!cx.zeroLimb(dest, i)) hi = m.i32.or(hi, m.i64.ne(cx.limb(dest, i), cx.c64(0n)));
    cx.emit(m.if(hi, cx.halt(Halt.InvalidJump)));
    cx.emit(m.local.set(L_TARGET, m.i32.wrap(cx.limb(dest, 0))));
  });
}

/** An unconditional jump to dest (JUMP, or JUMPI whose condition is a non-zero constant). */
function jumpTo(cx: Lowerer, a: Analysis, dest: Val, merge?: Merge): Exit {
  const t = staticTarget(cx, a.jumpdests, dest);
  if (t === -1) {
    cx.emit(cx.halt(Halt.InvalidJump));
    return { kind: "none" };
  }
  if (t !== undefined) {
    if (merge?.canMerge(t)) return { kind: "continue", into: t };
    cx.flush();
    return { kind: "goto", to: t };
  }
  cx.materialise(dest);
  cx.emit(setTarget(cx, a, dest));
  // One destination lowered on here; the others are left for (each flushing the stack first).
  const into = merge?.targets?.find((pc) => merge.canMerge(pc));
  if (into !== undefined) {
    const m = cx.m;
    cx.emit(m.local.set(L_COND, m.i32.ne(m.local.get(L_TARGET, cx.i32), m.i32.const(into))));
    return { kind: "continue", into, exitIf: { to: "dispatch", flush: cx.flushOnBranch() } };
  }
  cx.flush();
  return { kind: "goto", to: "dispatch" };
}

/**
 * Lowers the block's terminator. With `intoNext`, a fall-through or a JUMPI not taken goes on into the next
 * block in the same function (which no jump enters) without a flush; otherwise a jump goes on into a
 * destination that `merge` allows.
 */
export function lowerTerminator(cx: Lowerer, block: Block, a: Analysis, intoNext = false, merge?: Merge): Exit {
  const m = cx.m;
  const jumpdests = a.jumpdests;
  cx.pc = block.instrs[block.instrs.length - 1].pc;
  const last = block.instrs[block.instrs.length - 1];
  switch (block.term) {
    case "sled":
      throw new Error("compiler: a sled has its own function (compiler.ts addSled)");
    case "fallthrough":
      if (intoNext) return { kind: "continue" };
      cx.flush();
      return { kind: "goto", to: block.next };
    case "stop":
      finish(cx, Status.Stop);
      return { kind: "none" };
    case "invalid":
      cx.emit(cx.halt(Halt.InvalidOpcode, last.op));
      return { kind: "none" };
    case "return":
    case "revert": {
      const off = cx.pop(), len = cx.pop();
      const r = memoryRange(cx, off, len, 0);
      cx.emit(m.i32.store(0, 4, cx.c32(OUT_OFF_ADDR), m.i32.sub(r.addr(), cx.c32(MEM_BASE))));
      cx.emit(m.i32.store(0, 4, cx.c32(OUT_LEN_ADDR), r.len()));
      finish(cx, block.term === "return" ? Status.Return : Status.Revert);
      return { kind: "none" };
    }
    case "selfdestruct":
      hostCall(cx, 0xff, last.pc);
      finish(cx, Status.SelfDestruct);
      return { kind: "none" };
    case "jump":
      return jumpTo(cx, a, cx.pop(), merge);
    case "jumpi": {
      const dest = cx.pop(), cond = cx.pop();
      if (cond.k === "c") {
        if (cond.v === 0n) {
          if (intoNext) return { kind: "continue" };
          cx.flush();
          return { kind: "goto", to: block.next };
        }
        return jumpTo(cx, a, dest, merge);
      }
      cx.emit(m.local.set(L_COND, cx.nonZero(cond)));
      const t = staticTarget(cx, jumpdests, dest);
      if (t === -1) {
        cx.emit(m.if(m.local.get(L_COND, cx.i32), cx.halt(Halt.InvalidJump)));
        if (intoNext) return { kind: "continue" };
        cx.flush();
        return { kind: "goto", to: block.next };
      }
      if (t !== undefined) {
        if (intoNext) return { kind: "continue", exitIf: { to: t, flush: cx.flushOnBranch() } };
        if (merge?.canMerge(t)) {
          cx.emit(m.local.set(L_COND, m.i32.eqz(m.local.get(L_COND, cx.i32))));
          return { kind: "continue", into: t, exitIf: { to: block.next, flush: cx.flushOnBranch() } };
        }
        cx.flush();
        return { kind: "branch", to: t, next: block.next };
      }
      cx.materialise(dest);
      cx.emit(m.if(m.local.get(L_COND, cx.i32), setTarget(cx, a, dest)));
      if (intoNext) return { kind: "continue", exitIf: { to: "dispatch", flush: cx.flushOnBranch() } };
      cx.flush();
      return { kind: "branch", to: "dispatch", next: block.next };
    }
  }
}
