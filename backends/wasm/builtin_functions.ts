/**
 * The functions every compiled module carries besides its blocks: the halt trampolines, byte swap, memory
 * expansion, shifts by a dynamic amount.
 */
import type * as wasm from "./wasm_builder.ts";
import { MEMORY_QUADRATIC_DIVISOR, MEMORY_WORD_GAS } from "../../src/forks/opcodes.ts";
import { Halt, IMPORT_HALT, IMPORT_SEGMENT_FAIL, MEM_BASE, SCRATCH_OUT, SHIFT_AREA } from "./layout.ts";
import { G_MSIZE, HALT_TAIL, haltCall, SEGMENT_FAIL_TAIL } from "./lower_context.ts";

export function addBuiltinFunctions(types: typeof wasm, m: wasm.Module): void {
  const { i32, i64, none } = types;
  const c64 = (v: bigint) => m.i64.const(v);
  const c32 = (v: number) => m.i32.const(v);
  const g64 = (l: number) => m.local.get(l, i64);
  const g32 = (l: number) => m.local.get(l, i32);
  const oog = () => haltCall(m, none, Halt.OutOfGas);

  // halt_tail(code, arg) -> status, segment_fail_tail(pc, gas, height) -> status: the imports (which throw),
  // for functions that return a status to reach by a tail call (lower_context.ts haltTail).
  m.addFunction(HALT_TAIL, types.createType([i32, i32]), i32, [], m.block(null, [
    m.call(IMPORT_HALT, [g32(0), g32(1)], none),
    m.unreachable(),
  ], i32));
  m.addFunction(SEGMENT_FAIL_TAIL, types.createType([i32, i64, i32]), i32, [], m.block(null, [
    m.call(IMPORT_SEGMENT_FAIL, [g32(0), m.f64.convert_s.i64(g64(1)), g32(2)], none),
    m.unreachable(),
  ], i32));

  // bswap64(x) -> x with its bytes reversed
  {
    const x = 0;
    m.addFunction("bswap64", i64, i64, [], m.block(null, [
      m.local.set(x, m.i64.or(
        m.i64.and(m.i64.shr_u(g64(x), c64(8n)), c64(0x00ff00ff00ff00ffn)),
        m.i64.shl(m.i64.and(g64(x), c64(0x00ff00ff00ff00ffn)), c64(8n)),
      )),
      m.local.set(x, m.i64.or(
        m.i64.and(m.i64.shr_u(g64(x), c64(16n)), c64(0x0000ffff0000ffffn)),
        m.i64.shl(m.i64.and(g64(x), c64(0x0000ffff0000ffffn)), c64(16n)),
      )),
      m.return(m.i64.rotl(g64(x), c64(32n))),
    ], i64));
  }

  // mem_expand(end, gas) -> gas: grows active memory to cover [0, end) (end > msize), charging the expansion.
  {
    const end = 0, gas = 1, nw = 2, ow = 3, cost = 4, pages = 5, cur = 6;
    // C_mem (src/evm/gas.ts memoryCost); the divisor is a power of two.
    const divisorBits = BigInt(Math.log2(MEMORY_QUADRATIC_DIVISOR));
    const memCost = (w: number) =>
      m.i64.add(m.i64.mul(g64(w), c64(BigInt(MEMORY_WORD_GAS))), m.i64.shr_u(m.i64.mul(g64(w), g64(w)), c64(divisorBits)));
    m.addFunction("mem_expand", types.createType([i64, i64]), i64, [i64, i64, i64, i64, i64], m.block(null, [
      m.if(m.i64.gt_u(g64(end), c64(1n << 32n)), oog()),
      m.local.set(nw, m.i64.shr_u(m.i64.add(g64(end), c64(31n)), c64(5n))),
      m.local.set(ow, m.i64.shr_u(m.global.get(G_MSIZE, i64), c64(5n))),
      m.local.set(cost, m.i64.sub(memCost(nw), memCost(ow))),
      m.if(m.i64.lt_s(g64(gas), g64(cost)), oog()),
      m.local.set(pages, m.i64.shr_u(m.i64.add(m.i64.shl(g64(nw), c64(5n)), c64(BigInt(MEM_BASE + 65535))), c64(16n))),
      m.local.set(cur, m.i64.extend_u(m.memory.size())),
      m.if(m.i64.gt_u(g64(pages), g64(cur)), m.if(
        m.i32.eq(
          m.memory.grow(m.i32.wrap(m.select(m.i64.gt_u(m.i64.sub(g64(pages), g64(cur)), g64(cur)),
            m.i64.sub(g64(pages), g64(cur)), g64(cur)))),
          c32(-1),
        ),
        m.if(m.i32.eq(m.memory.grow(m.i32.wrap(m.i64.sub(g64(pages), g64(cur)))), c32(-1)), oog()),
      )),
      m.global.set(G_MSIZE, m.i64.shl(g64(nw), c64(5n))),
      m.return(m.i64.sub(g64(gas), g64(cost))),
    ], i64));
  }

  // shift_left(n): SCRATCH_OUT = word at SHIFT_AREA+32 << n, 0 <= n < 256 (SHIFT_AREA..+32 stays zero).
  {
    const n = 0, q8 = 1, r = 2;
    const body = [
      m.local.set(q8, m.i32.shl(m.i32.shr_u(g32(n), c32(6)), c32(3))),
      m.local.set(r, m.i64.extend_u(m.i32.and(g32(n), c32(63)))),
    ];
    for (let i = 0; i < 4; i++) {
      const src = () => m.i32.sub(c32(SHIFT_AREA + 32 + 8 * i), g32(q8));
      body.push(m.i64.store(8 * i, 8, c32(SCRATCH_OUT), m.i64.or(
        m.i64.shl(m.i64.load(0, 8, src()), g64(r)),
        m.select(m.i64.eqz(g64(r)), c64(0n), m.i64.shr_u(m.i64.load(0, 8, m.i32.sub(src(), c32(8))), m.i64.sub(c64(64n), g64(r)))),
      )));
    }
    m.addFunction("shift_left", i32, none, [i32, i64], m.block(null, body, none));
  }

  // shift_right(n, fill): SCRATCH_OUT = word at SHIFT_AREA+32 >> n with `fill` limbs shifted in from above.
  {
    const n = 0, fill = 1, q8 = 2, r = 3;
    const body = [];
    for (let i = 0; i < 4; i++) body.push(m.i64.store(64 + 8 * i, 8, c32(SHIFT_AREA), g64(fill)));
    body.push(m.local.set(q8, m.i32.shl(m.i32.shr_u(g32(n), c32(6)), c32(3))));
    body.push(m.local.set(r, m.i64.extend_u(m.i32.and(g32(n), c32(63)))));
    for (let i = 0; i < 4; i++) {
      const src = () => m.i32.add(c32(SHIFT_AREA + 32 + 8 * i), g32(q8));
      body.push(m.i64.store(8 * i, 8, c32(SCRATCH_OUT), m.i64.or(
        m.i64.shr_u(m.i64.load(0, 8, src()), g64(r)),
        m.select(m.i64.eqz(g64(r)), c64(0n), m.i64.shl(m.i64.load(8, 8, src()), m.i64.sub(c64(64n), g64(r)))),
      )));
    }
    m.addFunction("shift_right", types.createType([i32, i64]), none, [i32, i64], m.block(null, body, none));
  }
}
