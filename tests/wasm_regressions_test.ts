// Programs on which the WebAssembly backend once differed from the interpreter (found by review or by
// the differential fuzzer), and guards for the compiler's known hazards, kept so that they stay right.
// Each runs on both backends; everything must agree.
import assert from "node:assert/strict";
import { Interpreter } from "../backends/interpreter/interpreter.ts";
import { WasmBackend } from "../backends/wasm/backend.ts";
import { compileToWasm } from "../backends/wasm/compiler.ts";
import { Fork, parseFork } from "../src/forks/fork.ts";
import { hexToBytes } from "../src/primitives/hex.ts";
import { compareOutcomes, type FuzzCase, runCase } from "./fuzz/differential.ts";

/** Operand pairs for the MUL guard: around 2^32, 2^63 and 2^64, negative, and too wide for the inline product. */
const MUL_PAIRS: bigint[][] = [
  [2n ** 64n - 1n, 2n ** 64n - 1n], [2n ** 32n, 2n ** 32n], [2n ** 64n + 5n, 7n], [-5n, 7n], [-5n, -7n],
  [-(2n ** 63n), -(2n ** 63n)], [-(2n ** 63n), 2n ** 63n - 1n], [-1n, 2n ** 63n], [2n ** 63n, 2n ** 63n],
  [-1n, -1n], [-(2n ** 63n) - 1n, 3n], [2n ** 200n + 3n, 0xfedcba9876543210ffffn], [0n, -1n],
  [0xfedcba9876543210n, -0x123456789n], [2n ** 63n - 1n, -(2n ** 63n)], [-3n, 2n ** 64n - 1n],
  [1n, -(2n ** 64n)], [2n ** 128n, 2n ** 128n], [2n ** 200n + 3n, 7n], [-(2n ** 199n) - 12345n, -3n],
];
const hex16 = (n: number) => n.toString(16).padStart(4, "0");

/**
 * Eight products of calldata words 2k (a) and 2k+1 (b) into memory words 8k...: a * b; (a SAR 192) * b;
 * SIGNEXTEND(7, a) * b; (a AND 2^64 - 1) * b; SIGNEXTEND(0, a) * (b SAR 200); -5 * b; and two of values that
 * are not 64-bit: (a SAR 128) * b and SIGNEXTEND(8, a) * b.
 */
function mulGuardCode(k: number): string {
  const a = `61${hex16(64 * k)}35`, b = `61${hex16(64 * k + 32)}35`;
  const store = (j: number) => `61${hex16(32 * (8 * k + j))}52`;
  return [
    b + a + "02" + store(0),
    b + a + "60c01d" + "02" + store(1),
    b + a + "60070b" + "02" + store(2),
    b + a + "67ffffffffffffffff16" + "02" + store(3),
    b + "60c81d" + a + "60000b" + "02" + store(4),
    b + "7f" + BigInt.asUintN(256, -5n).toString(16) + "02" + store(5),
    b + a + "6080" + "1d" + "02" + store(6),
    b + a + "6008" + "0b" + "02" + store(7),
  ].join("");
}

/** As printed by the fuzzer: fork name, gas, code, input (and a callee at 0xca11). */
const CASES: { why: string; fork: string; gas: string; code: string; input: string; callee?: string }[] = [
  {
    why: "an inline byte swap's temporary was reused for an MLOAD result limb (found by the fuzzer, seed 1)",
    fork: "Osaka", gas: "100000",
    code: "0x7f0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20600052600051602052" + "60206020f3",
    input: "0x",
  },
  {
    why: "named blocks with an unreachable last child were typed unreachable and the code after them dropped",
    fork: "Osaka", gas: "100000", code: "0x60005b8060010190806103e810600257", input: "0x",
  },
  {
    why: "guard: a dynamic jump whose destination is read from a stack slot before the flush moves the base",
    fork: "Osaka", gas: "100000", code: "0x6008600435565b005b60015b00", input: "0x" + "00".repeat(35) + "0a",
  },
  {
    why: "guard: SWAP of two slots below the block's entry, both written back in the same flush",
    fork: "Osaka", gas: "100000", code: "0x600160026003600490915b9150600052602060006000f3", input: "0x",
  },
  {
    why: "guard: a constant kept on the virtual stack across a host call (BALANCE) is still in its slot after it",
    fork: "Osaka", gas: "100000", code: "0x602a6000315060005260206000f3", input: "0x",
  },
  {
    why: "guard: constants below a host call's operands (LOG0) keep their values, shifted by its pops",
    fork: "Osaka", gas: "100000", code: "0x60016002600360046005a00101600052602060" + "00f3", input: "0x",
  },
  {
    why: "guard: a jump destination pushed before a long block is cut (into two functions) and used after the cut",
    fork: "Osaka", gas: "100000", code: "0x610388" + "600150".repeat(300) + "56" + "5b602a60005260206000f3", input: "0x",
  },
  {
    why: "guard: the same across a cut and a host call",
    fork: "Osaka", gas: "100000",
    code: "0x61038c" + "600150".repeat(150) + "60003150" + "600150".repeat(150) + "56" + "5b602a60005260206000f3", input: "0x",
  },
  {
    why: "guard: return sites at constant stack addresses (proved heights) and a function entered at two heights",
    fork: "Osaka", gas: "100000",
    code: "0x6005600b603056000000005b60076014603056005b0160005260206000f3" + "00".repeat(18) + "5b9080019056",
    input: "0x",
  },
  {
    why: "a JUMPI that underflows: the blocks after it are never entered, have no functions, and nothing calls them",
    fork: "Osaka", gas: "100000", code: "0x61000657" + "6001" + "5b602a60005260206000f3", input: "0x",
  },
  {
    why: "a block no execution enters jumps to one whose only other way in is a jump (lowered on there): found by the fuzzer",
    fork: "Osaka", gas: "100000",
    // As the next case, with a JUMPDEST at 0x19 that nothing jumps to, jumping to the return site 0x0a.
    code: "0x6005600a601356" + "000000" + "5b60005260206000f3" + "5b9080019056" + "5b600a56", input: "0x",
  },
  {
    why: "a block that halts before its static jump (the analysis records no target) is lowered before the jump's target is lowered on in its one real source: found by the fuzzer",
    fork: "Osaka", gas: "100000",
    // 0x00: JUMPI to X (0x0d) if calldata is nonzero; else on into 0x08: POP POP (underflow) PUSH1 T JUMP.
    // X: JUMPDEST PUSH1 T JUMP; T (0x11): JUMPDEST, return 42 (lowered on in X's function).
    code: "0x6001600035600d5750506011565b6011565b602a60005260206000f3", input: "0x",
  },
  {
    why: "the same, the other way: X jumps to T",
    fork: "Osaka", gas: "100000",
    code: "0x6001600035600d5750506011565b6011565b602a60005260206000f3",
    input: "0x0000000000000000000000000000000000000000000000000000000000000001",
  },
  {
    why: "guard: an internal function called from one site, and the site it returns to, lowered on in the caller's function",
    fork: "Osaka", gas: "100000",
    // main: push 5, the return site 0x0a, jump to f at 0x13; f doubles the word under its return address and
    // returns; 0x0a stores it.
    code: "0x6005600a601356" + "000000" + "5b60005260206000f3" + "5b9080019056",
    input: "0x",
  },
  {
    why: "guard: a JUMPI not taken goes on into the next block in the same function, values still in locals",
    fork: "Osaka", gas: "100000", code: "0x6000358060010181601157600502601556" + "5b600702" + "5b01600052" + "60206000f3", input: "0x" + "0000000000000000000000000000000000000000000000000000000000000000",
  },
  {
    why: "guard: the same JUMPI taken, its branch storing the values the function keeps in locals",
    fork: "Osaka", gas: "100000", code: "0x6000358060010181601157600502601556" + "5b600702" + "5b01600052" + "60206000f3", input: "0x" + "0000000000000000000000000000000000000000000000000000000000000003",
  },
  {
    why: "guard: a JUMPI to a dynamic destination not taken, going on into the next block",
    fork: "Osaka", gas: "100000", code: "0x600035602035819057600302600052602060" + "00f3" + "5b600902600052602060" + "00f3", input: "0x" + "0000000000000000000000000000000000000000000000000000000000000000" + "0000000000000000000000000000000000000000000000000000000000000014",
  },
  {
    why: "guard: the same JUMPI taken, through the dispatch",
    fork: "Osaka", gas: "100000", code: "0x600035602035819057600302600052602060" + "00f3" + "5b600902600052602060" + "00f3", input: "0x" + "0000000000000000000000000000000000000000000000000000000000000005" + "0000000000000000000000000000000000000000000000000000000000000014",
  },
  {
    why: "guard: the same JUMPI taken to a pc that is not a JUMPDEST",
    fork: "Osaka", gas: "100000", code: "0x600035602035819057600302600052602060" + "00f3" + "5b600902600052602060" + "00f3", input: "0x" + "0000000000000000000000000000000000000000000000000000000000000005" + "0000000000000000000000000000000000000000000000000000000000000015",
  },
  {
    why: "guard: a dynamic jump through the two-level dispatch to the first of 200 JUMPDESTs",
    fork: "Osaka", gas: "100000", code: "0x600035" + "56" + "5b".repeat(200) + "602a60005260206000f3", input: "0x0000000000000000000000000000000000000000000000000000000000000004",
  },
  {
    why: "guard: a dynamic jump through the two-level dispatch to a JUMPDEST in a middle chunk",
    fork: "Osaka", gas: "100000", code: "0x600035" + "56" + "5b".repeat(200) + "602a60005260206000f3", input: "0x0000000000000000000000000000000000000000000000000000000000000096",
  },
  {
    why: "guard: a dynamic jump through the two-level dispatch to the last JUMPDEST",
    fork: "Osaka", gas: "100000", code: "0x600035" + "56" + "5b".repeat(200) + "602a60005260206000f3", input: "0x00000000000000000000000000000000000000000000000000000000000000cb",
  },
  {
    why: "guard: a dynamic jump through the two-level dispatch to a PUSH1 after the JUMPDESTs (invalid)",
    fork: "Osaka", gas: "100000", code: "0x600035" + "56" + "5b".repeat(200) + "602a60005260206000f3", input: "0x00000000000000000000000000000000000000000000000000000000000000cc",
  },
  {
    why: "guard: a dynamic jump through the two-level dispatch to a pc past the end (invalid)",
    fork: "Osaka", gas: "100000", code: "0x600035" + "56" + "5b".repeat(200) + "602a60005260206000f3", input: "0x0000000000000000000000000000000000000000000000000000000000001388",
  },
  {
    why: "guard: falls through a JUMPI into a run of JUMPDESTs (one sled function)",
    fork: "Osaka", gas: "100000", code: "0x6000358057" + "5b".repeat(6) + "602a60005260206000f3", input: "0x0000000000000000000000000000000000000000000000000000000000000000",
  },
  {
    why: "guard: enters a sled in its middle by a dynamic JUMPI",
    fork: "Osaka", gas: "100000", code: "0x6000358057" + "5b".repeat(6) + "602a60005260206000f3", input: "0x0000000000000000000000000000000000000000000000000000000000000008",
  },
  {
    why: "guard: runs out of gas inside a sled (entered by a dynamic jump)",
    fork: "Osaka", gas: "100", code: "0x600035" + "56" + "5b".repeat(200) + "602a60005260206000f3", input: "0x0000000000000000000000000000000000000000000000000000000000000004",
  },
  {
    why: "guard: static jumps into two adjacent JUMPDESTs of a run (a sled without dynamic jumps), in a loop",
    fork: "Osaka", gas: "100000", code: "0x6003600956" + "5b".repeat(8) + "60019003" + "80600a5700", input: "0x",
  },
  {
    why: "code that starts with a run of JUMPDESTs (a sled as the entry block) (found by the fuzzer)",
    fork: "Osaka", gas: "100000", code: "0x5b5b600035565b00", input: "0x",
  },
  {
    why: "guard: a later segment of a block needs more stack than the first (its bound check is kept): underflow",
    fork: "Osaka", gas: "100000", code: "0x600051505050" + "00", input: "0x",
  },
  {
    why: "guard: a host call pops the stack base down, then a later segment underflows",
    fork: "Osaka", gas: "100000", code: "0x60016000600037" + "6000" + "51" + "505050" + "00", input: "0x",
  },
  {
    why: "guard: a later segment pushes past 1024 items (its overflow check is kept)",
    fork: "Osaka", gas: "1000000", code: "0x" + "5f".repeat(1000) + "600051" + "5f".repeat(30) + "00", input: "0x",
  },
  {
    why: "guard: in a block entered with 4 items, a second bound check stricter than the first (underflow)",
    fork: "Osaka", gas: "100000", code: "0x5f5f5f5f" + "6008" + "56" + "00" + "5b" + "50" + "600051" + "5050505050" + "00",
    input: "0x",
  },
  {
    why: "guard: in a block entered with 1000 items, a second bound check stricter than the first (overflow)",
    fork: "Osaka", gas: "1000000", code: "0x" + "5f".repeat(1000) + "6103ec" + "56" + "5b" + "5f".repeat(10) + "600051" +
      "5f".repeat(20) + "00",
    input: "0x",
  },
  {
    why: "guard: segments after the first inside a self-loop, with the stack base moving each turn",
    fork: "Osaka", gas: "100000", code: "0x" + "5b" + "6000" + "51" + "6000" + "51" + "5f" + "5f" + "56", input: "0x",
  },
  {
    why: "guard: environment words (CALLER) fetched once per frame: the callee's frame sees its own, the caller's is kept",
    fork: "Osaka", gas: "200000",
    code: "0x33600052" + "60206020600060006000" + "61ca11" + "5af150" + "33604052" + "30606052" + "60806000f3",
    input: "0x", callee: "0x3360005230602052343360405260606000f3",
  },
  {
    why: "guard: every environment word on one fork before the merge (DIFFICULTY) and one after (PREVRANDAO)",
    fork: "London", gas: "100000", code: "0x303233343a414243444546486101605261014052610120526101005260e05260c05260a0526080526060526040526020526000526101806000f3", input: "0x",
  },
  {
    why: "guard: the same after the merge, with BLOBBASEFEE",
    fork: "Cancun", gas: "100000", code: "0x303233343a414243444546484a610180526101605261014052610120526101005260e05260c05260a0526080526060526040526020526000526101a06000f3", input: "0x",
  },
  {
    why: "guard: MUL's inline products: of operands known to be 64-bit (masked, SAR, SIGNEXTEND, constant) or not",
    fork: "Osaka", gas: "500000",
    code: "0x" + MUL_PAIRS.map((_, k) => mulGuardCode(k)).join("") + `61${hex16(32 * 8 * MUL_PAIRS.length)}6000f3`,
    input: "0x" + MUL_PAIRS.flat().map((v) => BigInt.asUintN(256, v).toString(16).padStart(64, "0")).join(""),
  },
];

const interpreter = new Interpreter();
// Code the compiler rejected would run on the interpreter and agree vacuously: make that an error.
const wasm = new WasmBackend({
  compile: (code, rules) => compileToWasm(code, rules).binary,
  fallback: interpreter,
  onCompileError: (e) => {
    throw e;
  },
});

for (const c of CASES) {
  Deno.test(`wasm regression: ${c.why}`, () => {
    const fc: FuzzCase = {
      fork: c.fork ? parseFork(c.fork) : Fork.Osaka, gas: BigInt(c.gas), code: hexToBytes(c.code), input: hexToBytes(c.input),
      callee: c.callee ? hexToBytes(c.callee) : undefined, kind: "regression",
    };
    assert.deepEqual(compareOutcomes(runCase(interpreter, fc), runCase(wasm, fc)), []);
  });
}
