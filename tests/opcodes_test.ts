import assert from "node:assert/strict";
import {
  ENV_OPS, IMMEDIATE_SIZE, isTerminator, Op, OPCODE_NAMES, OPCODES, runsOnHost, STACK_IN, STACK_OUT, staticGasTable,
  stackWrites,
} from "../src/forks/opcodes.ts";
import { Fork, FORK_NAMES, type ForkId } from "../src/forks/fork.ts";
import { rulesFor } from "../src/forks/rules.ts";

Deno.test("opcode table: an opcode exists in a fork exactly when the table prices it there", () => {
  for (let id = 0; id < FORK_NAMES.length; id++) {
    const gas = rulesFor(id as ForkId).staticGas;
    for (let op = 0; op < 256; op++) {
      const info = OPCODES[op];
      const since = info?.gas[0]?.[0];
      assert.equal(gas[op] >= 0, since !== undefined && since <= id, `${OPCODE_NAMES[op]} in ${FORK_NAMES[id]}`);
    }
  }
});

Deno.test("opcode table: static gas across the repricings", () => {
  const at = (fork: ForkId, op: number) => staticGasTable(fork)[op];
  assert.deepEqual(
    [Fork.Frontier, Fork.TangerineWhistle, Fork.Istanbul, Fork.Berlin].map((f) => at(f, Op.SLOAD)),
    [50, 200, 800, 100],
  );
  assert.deepEqual([Fork.Frontier, Fork.TangerineWhistle, Fork.Berlin].map((f) => at(f, Op.CALL)), [40, 700, 100]);
  assert.equal(at(Fork.Frontier, Op.DELEGATECALL), -1);
  assert.equal(at(Fork.Homestead, Op.DELEGATECALL), 40);
  assert.equal(at(Fork.Shanghai, Op.PUSH0), 2);
  assert.equal(at(Fork.Paris, Op.PUSH0), -1);
  assert.equal(at(Fork.Osaka, Op.LOG0 + 4), 375 * 5);
  assert.equal(rulesFor(Fork.Istanbul).sloadGas, 800);
});

Deno.test("opcode table: stack arity, immediates, terminators, host operations", () => {
  assert.deepEqual([STACK_IN[Op.ADD], STACK_OUT[Op.ADD]], [2, 1]);
  assert.deepEqual([STACK_IN[Op.DUP1 + 15], STACK_OUT[Op.DUP1 + 15]], [16, 17]);
  assert.deepEqual([STACK_IN[Op.SWAP1], STACK_OUT[Op.SWAP1]], [2, 2]);
  assert.deepEqual([STACK_IN[Op.CALL], STACK_IN[Op.STATICCALL], STACK_IN[Op.LOG4]], [7, 6, 6]);
  assert.equal(stackWrites(Op.MSTORE), 0);
  assert.equal(stackWrites(Op.DUP1 + 2), 4);
  assert.equal(IMMEDIATE_SIZE[Op.PUSH32], 32);
  assert.equal(IMMEDIATE_SIZE[Op.PUSH0], 0);
  for (const op of [Op.STOP, Op.JUMP, Op.JUMPI, Op.RETURN, Op.REVERT, Op.INVALID, Op.SELFDESTRUCT]) {
    assert.ok(isTerminator(op), OPCODE_NAMES[op]);
  }
  assert.ok(!isTerminator(Op.JUMPDEST));
  assert.ok(runsOnHost(Op.SLOAD) && runsOnHost(Op.MCOPY) && !runsOnHost(Op.MLOAD) && !runsOnHost(Op.ADDRESS));
  assert.ok(ENV_OPS.includes(Op.CALLVALUE) && !ENV_OPS.includes(Op.CALLDATASIZE));
  assert.equal(OPCODES[0x0c], undefined);
});
