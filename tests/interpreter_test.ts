import assert from "node:assert/strict";
import { Interpreter } from "../backends/interpreter/interpreter.ts";
import { analyse, pushValueAt } from "../backends/interpreter/analysis.ts";
import { runCall } from "../src/evm/run_call.ts";
import { Fork } from "../src/forks/fork.ts";
import { bytesToBigInt, bytesToHex, hexToBytes } from "../src/primitives/hex.ts";

const backend = new Interpreter();
const M = (1n << 256n) - 1n;

/** Runs `ops` (hex) followed by MSTORE(0) RETURN(0,32) and gives back the word. */
function evalWord(opsHex: string, fork = Fork.Osaka): bigint {
  const code = hexToBytes(opsHex + "60005260206000f3");
  const r = runCall({ backend, code, fork });
  assert.ok(r.success, `failed: ${r.error}`);
  return bytesToBigInt(r.output);
}

function push32(v: bigint): string {
  return "7f" + (v & M).toString(16).padStart(64, "0");
}

Deno.test("arithmetic wraps at 2^256", () => {
  assert.equal(evalWord(push32(1n) + push32(M) + "01"), 0n); // ADD
  assert.equal(evalWord(push32(1n) + push32(0n) + "03"), M); // SUB 0-1
  assert.equal(evalWord(push32(2n) + push32(M) + "02"), M - 1n); // MUL
});

Deno.test("signed division and modulo", () => {
  const neg = (x: bigint) => (-x) & M;
  assert.equal(evalWord(push32(neg(1n)) + push32(1n << 255n) + "05"), 1n << 255n); // SDIV(-2^255, -1) overflows
  assert.equal(evalWord(push32(3n) + push32(neg(7n)) + "07"), neg(1n)); // SMOD(-7, 3) = -1
  assert.equal(evalWord(push32(0n) + push32(5n) + "05"), 0n); // SDIV by 0
});

Deno.test("shifts, byte, signextend, clz", () => {
  assert.equal(evalWord(push32(1n << 255n) + push32(255n) + "1d"), M); // SAR of negative by 255
  assert.equal(evalWord(push32(1n) + push32(256n) + "1b"), 0n); // SHL by 256
  assert.equal(evalWord(push32(0xff00n) + push32(30n) + "1a"), 0xffn); // BYTE 30
  assert.equal(evalWord(push32(0x80n) + push32(0n) + "0b"), M - 0x7fn); // SIGNEXTEND byte 0
  assert.equal(evalWord(push32(1n) + "1e"), 255n); // CLZ(1)
  assert.equal(evalWord(push32(0n) + "1e"), 256n); // CLZ(0)
});

Deno.test("CLZ is an invalid opcode before Osaka", () => {
  const r = runCall({ backend, code: hexToBytes("60011e"), fork: Fork.Prague });
  assert.equal(r.success, false);
  assert.match(r.error!, /invalid opcode/);
});

Deno.test("EXP and its gas", () => {
  assert.equal(evalWord(push32(10n) + push32(3n) + "0a"), 59049n);
  const r = runCall({ backend, code: hexToBytes("61010060020a00"), fork: Fork.Osaka }); // 2**256
  assert.equal(r.gasUsed, 3n + 3n + 10n + 50n * 2n);
});

Deno.test("jump to a PUSH data byte fails; truncated PUSH reads zeros", () => {
  const r = runCall({ backend, code: hexToBytes("6003565b") }); // PUSH1 3 JUMP JUMPDEST: 3 is the JUMPDEST → ok
  assert.ok(r.success);
  const bad = runCall({ backend, code: hexToBytes("600456605b") }); // jumps into PUSH1's data
  assert.equal(bad.success, false);
  assert.match(bad.error!, /invalid jump/);
  const truncated = hexToBytes("61ff");
  assert.equal(pushValueAt(truncated, analyse(truncated), 0), 0xff00n); // PUSH2 with one byte left
  assert.ok(runCall({ backend, code: hexToBytes("61ff") }).success);
});

Deno.test("out of gas consumes all gas", () => {
  const r = runCall({ backend, code: hexToBytes("5b600056"), gas: 1000n }); // infinite loop
  assert.equal(r.success, false);
  assert.equal(r.gasUsed, 1000n);
  assert.match(r.error!, /out of gas/);
});

Deno.test("REVERT returns data and keeps the remaining gas", () => {
  const r = runCall({ backend, code: hexToBytes("60aa60005260206000fd"), gas: 100000n });
  assert.equal(r.reverted, true);
  assert.equal(bytesToHex(r.output), "0x" + "00".repeat(31) + "aa");
  assert.ok(r.gasUsed < 100n);
});

Deno.test("SSTORE's EIP-2200 sentry counts the gas waiting in the frame's reserve, and only gas left at or below it halts", async () => {
  const { Frame, FAST_GAS } = await import("../src/evm/frame.ts");
  const { Evm } = await import("../src/evm/evm.ts");
  const { opSstore } = await import("../src/evm/host_ops.ts");
  const { WorldState } = await import("../src/state/world.ts");
  const { rulesFor } = await import("../src/forks/rules.ts");
  const { defaultBlockEnv } = await import("../src/evm/run_call.ts");
  const { CallKind, EvmHalt } = await import("../src/evm/message.ts");
  const rules = rulesFor(Fork.Osaka);
  const evm = new Evm(new WorldState(), rules, defaultBlockEnv(), { origin: 1n, gasPrice: 0n, blobHashes: [] }, new Interpreter());
  const frameWith = (left: bigint, reserve: bigint) => {
    const msg = {
      kind: CallKind.Call, caller: 1n, address: 2n, codeAddress: 2n, value: 0n, transfersValue: false,
      input: new Uint8Array(0), gas: BigInt(FAST_GAS) + reserve, isStatic: false, depth: 0, code: new Uint8Array(0),
      disablePrecompiles: false,
    };
    const f = new Frame(msg);
    assert.ok(f.useGas(FAST_GAS - Number(left - reserve))); // the number part drops; the reserve stays
    assert.equal(f.gasLeft(), left);
    return f;
  };
  // A warm slot written with the value it holds costs 100 gas: only the sentry can halt these.
  evm.world.warmSlot(2n, 1n);
  const sentry = BigInt(rules.sstoreSentryGas);
  for (const [left, reserve] of [[sentry, 5n], [sentry, 0n], [200n, 7n]] as const) {
    assert.throws(() => opSstore(evm, frameWith(left, reserve), 1n, 0n), EvmHalt, `${left} gas left (reserve ${reserve})`);
  }
  for (const [left, reserve] of [[sentry + 1n, 5n], [sentry + 1n, 0n]] as const) {
    const f = frameWith(left, reserve);
    opSstore(evm, f, 1n, 0n);
    assert.equal(f.gasLeft(), left - 100n);
  }
});
