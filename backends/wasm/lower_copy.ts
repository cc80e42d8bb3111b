/**
 * Lowering of the copies into memory whose source the module can reach: CALLDATACOPY (the calldata region of
 * linear memory, or the `calldatacopy` import for calldata too large for it), CODECOPY (the code itself, a
 * passive data segment of the module) and MCOPY. Gas, the out-of-gas checks and expansion are those of
 * memoryRange (the interpreter's: nothing at all for a zero length); bytes past the source's end read as zero.
 */
import { COPY_WORD_GAS, Op } from "../../src/forks/opcodes.ts";
import type { Instr } from "./analysis.ts";
import { type Expr, type Lowerer, type Val } from "./lower_context.ts";
import { memoryRange } from "./lower_memory.ts";
import { CALLDATA_BASE, CD_IN_MEMORY_ADDR, CDSIZE_ADDR, IMPORT_CALLDATACOPY, MEM_BASE } from "./layout.ts";

/** The passive data segment that holds the contract's code (added to modules whose code has CODECOPY). */
export const CODE_SEGMENT = "code";

export function lowerCopy(cx: Lowerer, ins: Instr): boolean {
  switch (ins.op) {
    case Op.CALLDATACOPY:
      return copyFrom(cx, "calldata");
    case Op.CODECOPY:
      return copyFrom(cx, "code");
    case Op.MCOPY:
      return mcopy(cx);
  }
  return false;
}

/** CALLDATACOPY or CODECOPY (memOffset, offset, size). */
function copyFrom(cx: Lowerer, source: "calldata" | "code"): boolean {
  const m = cx.m;
  const dst = cx.pop(), src = cx.pop(), len = cx.pop();
  const r = memoryRange(cx, dst, len, COPY_WORD_GAS);
  if (!(len.k === "c" && len.v === 0n)) {
    const body = cx.capture(() => {
      const sourceLength = source === "code"
        ? () => cx.c32(cx.code.length)
        : () => m.i32.load(0, 4, cx.c32(CDSIZE_ADDR));
      // Where the bytes start in the source (its length when the offset is at or past it) and how many there are.
      const start = cx.local(), avail = cx.local();
      cx.emit(cx.set(start, m.i64.extend_u(startIn(cx, src, sourceLength))));
      const left = m.i32.sub(sourceLength(), m.i32.wrap(cx.get(start)));
      cx.emit(cx.set(avail, m.i64.extend_u(m.select(m.i32.lt_u(r.len(), left), r.len(), left))));
      const at = () => m.i32.wrap(cx.get(start)), n = () => m.i32.wrap(cx.get(avail));
      if (source === "code") cx.emit(m.memory.init(CODE_SEGMENT, r.addr(), at(), n()));
      else {
        cx.emit(m.if(
          m.i32.load(0, 4, cx.c32(CD_IN_MEMORY_ADDR)),
          m.memory.copy(r.addr(), m.i32.add(cx.c32(CALLDATA_BASE), at()), n()),
          m.call(IMPORT_CALLDATACOPY, [m.i32.sub(r.addr(), cx.c32(MEM_BASE)), at(), n()], cx.none),
        ));
      }
      cx.emit(m.memory.fill(m.i32.add(r.addr(), n()), cx.c32(0), m.i32.sub(r.len(), n())));
      cx.release(start);
      cx.release(avail);
    });
    cx.emit(len.k === "c" ? body : m.if(cx.nonZero(len), body));
  }
  cx.drop(dst);
  cx.drop(src);
  cx.drop(len);
  return true;
}

/** The source offset as an i32: its value when below the source's length, else the length. */
function startIn(cx: Lowerer, src: Val, sourceLength: () => Expr): Expr {
  const m = cx.m;
  // A constant at or past 2^32 is past any source.
  if (src.k === "c" && src.v >= 0xffffffffn) return sourceLength();
  let past: Expr = m.i64.ge_u(cx.limb(src, 0), m.i64.extend_u(sourceLength()));
  for (let i = 1; i < 4; i++) if (!cx.zeroLimb(src, i)) past = m.i32.or(past, m.i64.ne(cx.limb(src, i), cx.c64(0n)));
  return m.select(past, sourceLength(), m.i32.wrap(cx.limb(src, 0)));
}

/** MCOPY (dst, src, size): both ranges checked and made active memory, then one overlapping-safe copy. */
function mcopy(cx: Lowerer): boolean {
  const m = cx.m;
  const dst = cx.pop(), src = cx.pop(), len = cx.pop();
  const to = memoryRange(cx, dst, len, COPY_WORD_GAS);
  const from = memoryRange(cx, src, len, 0);
  if (!(len.k === "c" && len.v === 0n)) {
    const copy = m.memory.copy(to.addr(), from.addr(), to.len());
    cx.emit(len.k === "c" ? copy : m.if(cx.nonZero(len), copy));
  }
  cx.drop(dst);
  cx.drop(src);
  cx.drop(len);
  return true;
}
