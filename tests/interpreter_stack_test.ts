/**
 * The interpreter's stack bounds agree with the opcode table (src/forks/opcodes.ts): each opcode underflows,
 * overflows and moves the stack exactly as the table says, and a stack error fails at its instruction in a
 * struct-log trace, after the same steps and gas as the instructions before it.
 */
import assert from "node:assert/strict";
import { Interpreter } from "../backends/interpreter/interpreter.ts";
import { runCall } from "../src/evm/run_call.ts";
import { Fork } from "../src/forks/fork.ts";
import {
  isTerminator,
  Op,
  OPCODE_NAMES,
  STACK_IN,
  STACK_LIMIT,
  STACK_OUT,
  staticGasTable,
} from "../src/forks/opcodes.ts";
import { WorldState } from "../src/state/world.ts";
import { StructLogger } from "../src/trace/struct_logger.ts";

const backend = new Interpreter();
const OSAKA_GAS = staticGasTable(Fork.Osaka);
const DEFINED = [...Array(256).keys()].filter((op) => OSAKA_GAS[op] >= 0);

/** `words` PUSH1 0s, then `tail`. */
function withWords(words: number, tail: number[]): Uint8Array {
  const code: number[] = [];
  for (let i = 0; i < words; i++) code.push(Op.PUSH1, 0);
  return new Uint8Array([...code, ...tail]);
}

function trace(code: Uint8Array, gas = 10_000_000n) {
  const world = new WorldState();
  const logger = new StructLogger(world);
  const r = runCall({ backend, world, code, gas, tracer: logger });
  return { r, logs: logger.logs };
}

Deno.test("every opcode underflows exactly below the table's inputs", () => {
  for (const op of DEFINED) {
    if (op === Op.INVALID) continue;
    const imm = op >= Op.PUSH1 && op <= Op.PUSH32 ? new Array(op - Op.PUSH0).fill(0) : [];
    const need = STACK_IN[op];
    if (need > 0) {
      const r = runCall({ backend, code: withWords(need - 1, [op, ...imm]) });
      assert.equal(r.error, "stack underflow", `${OPCODE_NAMES[op]} with ${need - 1} words`);
    }
    const r = runCall({ backend, code: withWords(need, [op, ...imm]) });
    assert.notEqual(r.error, "stack underflow", `${OPCODE_NAMES[op]} with ${need} words`);
  }
});

Deno.test("every opcode overflows exactly when the table says it grows a full stack", () => {
  for (const op of DEFINED) {
    if (op === Op.INVALID) continue;
    const imm = op >= Op.PUSH1 && op <= Op.PUSH32 ? new Array(op - Op.PUSH0).fill(0) : [];
    const full = runCall({ backend, code: withWords(STACK_LIMIT, [op, ...imm]) });
    const grows = STACK_OUT[op] > STACK_IN[op];
    if (grows) assert.equal(full.error, "stack overflow", OPCODE_NAMES[op]);
    else assert.notEqual(full.error, "stack overflow", OPCODE_NAMES[op]);
    const room = runCall({ backend, code: withWords(STACK_LIMIT - 1, [op, ...imm]) });
    assert.notEqual(room.error, "stack overflow", `${OPCODE_NAMES[op]} with one word free`);
  }
});

Deno.test("every opcode leaves the stack height the table says", () => {
  for (const op of DEFINED) {
    if (isTerminator(op) || op === Op.INVALID) continue;
    const imm = op >= Op.PUSH1 && op <= Op.PUSH32 ? new Array(op - Op.PUSH0).fill(0) : [];
    const before = STACK_IN[op] + 1;
    const { r, logs } = trace(withWords(before, [op, ...imm, Op.STOP]));
    assert.ok(r.success, `${OPCODE_NAMES[op]}: ${r.error}`);
    const last = logs[logs.length - 1];
    assert.equal(last.op, "STOP");
    assert.equal(last.stack!.length, before - STACK_IN[op] + STACK_OUT[op], OPCODE_NAMES[op]);
  }
});

Deno.test("a stack underflow in the middle of a run fails at that instruction in the struct log", () => {
  // JUMPDEST PUSH1 1 ADD ADD STOP: the first ADD works on nothing but [1]; reached by a jump, too.
  for (
    const code of [[Op.PUSH1, 2, Op.PUSH1, 1, Op.ADD, Op.ADD, Op.STOP], [
      Op.PUSH1,
      4,
      Op.JUMP,
      Op.INVALID,
      Op.JUMPDEST,
      Op.PUSH1,
      2,
      Op.PUSH1,
      1,
      Op.ADD,
      Op.ADD,
      Op.STOP,
    ]]
  ) {
    const { r, logs } = trace(new Uint8Array(code), 100_000n);
    assert.equal(r.error, "stack underflow");
    assert.equal(r.gasUsed, 100_000n);
    const last = logs[logs.length - 1];
    assert.deepEqual([last.op, last.error, last.stack!.length], ["ADD", "stack underflow", 1]);
    assert.deepEqual(logs.slice(-3).map((l) => l.op), ["PUSH1", "ADD", "ADD"]);
  }
});

Deno.test("a stack overflow in the middle of a run fails at that instruction in the struct log", () => {
  // 1,023 words, then JUMPDEST PC PC STOP: the second PC overflows.
  const code = withWords(STACK_LIMIT - 1, [Op.JUMPDEST, Op.PC, Op.PC, Op.STOP]);
  const { r, logs } = trace(code);
  assert.equal(r.error, "stack overflow");
  const last = logs[logs.length - 1];
  assert.deepEqual([last.op, last.pc, last.error, last.stack!.length], ["PC", code.length - 2, "stack overflow", 1024]);
  assert.equal(logs.length, STACK_LIMIT - 1 + 3);
});

Deno.test("out of gas before a stack error at the same instruction wins, as per instruction", () => {
  // PUSH1 1 ADD with gas for the PUSH1 only: out of gas at ADD's static gas, before its underflow.
  const { r, logs } = trace(new Uint8Array([Op.PUSH1, 1, Op.ADD]), 4n);
  assert.equal(r.error, "out of gas");
  assert.equal(logs[logs.length - 1].op, "ADD");
  const enough = trace(new Uint8Array([Op.PUSH1, 1, Op.ADD]), 6n);
  assert.equal(enough.r.error, "stack underflow");
});

Deno.test("a run entered by a jump with too few words fails at the exact instruction", () => {
  // Loop: the run at the JUMPDEST pops one word each time round; it fails once the stack is empty.
  // PUSH1 0 PUSH1 0 PUSH1 0 JUMPDEST POP PUSH1 1 PUSH1 6 JUMPI
  const code = new Uint8Array([
    Op.PUSH1,
    0,
    Op.PUSH1,
    0,
    Op.PUSH1,
    0,
    Op.JUMPDEST,
    Op.POP,
    Op.PUSH1,
    1,
    Op.PUSH1,
    6,
    Op.JUMPI,
  ]);
  const { r, logs } = trace(code);
  assert.equal(r.error, "stack underflow");
  const last = logs[logs.length - 1];
  assert.deepEqual([last.op, last.pc, last.stack!.length], ["POP", 7, 0]);
  assert.equal(logs.filter((l) => l.op === "POP").length, 4);
});
