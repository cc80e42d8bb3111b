// The WebAssembly backend against the interpreter: instruction semantics, gas, failures, bad input,
// the disk cache, the compiler thread, and the fallback to the interpreter.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Interpreter } from "../backends/interpreter/interpreter.ts";
import { WasmBackend } from "../backends/wasm/backend.ts";
import { compileToWasm } from "../backends/wasm/compiler.ts";
import { DiskCache } from "../backends/wasm/disk_cache.ts";
import { CompileService } from "../backends/wasm/compile_service.ts";
import { TieredBackend } from "../backends/tiered.ts";
import { INSTANCES_PER_MEMORY, memoryStats } from "../backends/wasm/instance_memory.ts";
import { runCall } from "../src/evm/run_call.ts";
import { WorldState } from "../src/state/world.ts";
import { restartable } from "../src/evm/interrupt.ts";
import { Fork, type ForkId } from "../src/forks/fork.ts";
import { rulesFor } from "../src/forks/rules.ts";
import { bytesToHex, hexToBytes } from "../src/primitives/hex.ts";
import { compareOutcomes, runCase } from "./fuzz/differential.ts";

const interpreter = new Interpreter();
const compile = (code: Uint8Array, rules: ReturnType<typeof rulesFor>) => compileToWasm(code, rules).binary;
const wasm = new WasmBackend({ compile, fallback: interpreter });
const M = (1n << 256n) - 1n;

function same(codeHex: string, opts: { input?: string; gas?: bigint; fork?: ForkId } = {}) {
  const c = { code: hexToBytes(codeHex), input: hexToBytes(opts.input ?? "0x"), gas: opts.gas ?? 1_000_000n, fork: opts.fork ?? Fork.Osaka, kind: "test" };
  const a = runCase(interpreter, c), b = runCase(wasm, c);
  assert.deepEqual(compareOutcomes(a, b), [], `code ${codeHex}`);
  return b;
}

function push32(v: bigint): string {
  return "7f" + (v & M).toString(16).padStart(64, "0");
}

const FEW = [0n, 1n, 255n, 256n, 1n << 255n, M];
// 2^63 - 1, 2^63 and -2^63 (sign-extended) are the edges of the inline 64-bit division.
const EDGE = [0n, 1n, 2n, 31n, 32n, 255n, 256n, (1n << 63n) - 1n, 1n << 63n, M - (1n << 63n) + 1n, (1n << 64n) - 1n,
  1n << 64n, 1n << 128n, (1n << 255n) - 1n, 1n << 255n, M - 1n, M];

Deno.test("wasm: every binary ALU opcode on edge operands equals the interpreter (constant and computed)", () => {
  const ops = ["01", "02", "03", "04", "05", "06", "07", "0a", "0b", "10", "11", "12", "13", "14", "16", "17", "18", "1a", "1b", "1c", "1d"];
  for (const op of ops) {
    for (const a of EDGE) {
      for (const b of EDGE) {
        // Constants are folded at compile time (a sample: each is its own module); through CALLDATALOAD
        // the same operation runs in WebAssembly.
        if (FEW.includes(a) && FEW.includes(b)) same(push32(b) + push32(a) + op + "60005260206000f3");
        const input = "0x" + a.toString(16).padStart(64, "0") + b.toString(16).padStart(64, "0");
        same("602035600035" + op + "60005260206000f3", { input });
      }
    }
  }
});

Deno.test("wasm: DIV, SDIV, MOD and SMOD by constant powers of two (lowered as shifts and masks)", () => {
  for (const op of ["04", "05", "06", "07"]) {
    for (const k of [1n, 5n, 63n, 64n, 65n, 128n, 200n, 255n]) {
      for (const a of EDGE) {
        const input = "0x" + a.toString(16).padStart(64, "0");
        same(push32(1n << k) + "600035" + op + "60005260206000f3", { input });
      }
    }
  }
});

Deno.test("wasm: MUL by constants (folded; by 0; by powers of two, lowered as shifts), either operand", () => {
  for (const k of [0n, 1n, 5n, 63n, 64n, 65n, 128n, 200n, 255n]) {
    for (const a of EDGE) {
      const input = "0x" + a.toString(16).padStart(64, "0");
      same(push32(1n << k) + "600035" + "02" + "60005260206000f3", { input });
      same("600035" + push32(1n << k) + "02" + "60005260206000f3", { input });
      const out = same(push32(1n << k) + push32(a) + "02" + "60005260206000f3", { input: "0x" });
      assert.equal(BigInt(out.output), (a << k) & M);
    }
  }
  for (const a of EDGE) same("5f600035" + "02" + "60005260206000f3", { input: "0x" + a.toString(16).padStart(64, "0") });
});

Deno.test("wasm: unary and ternary opcodes", () => {
  for (const a of EDGE) {
    const input = "0x" + a.toString(16).padStart(64, "0");
    for (const op of ["15", "19", "1e"]) same("600035" + op + "60005260206000f3", { input });
    for (const b of [0n, 3n, M, 1n << 200n]) {
      for (const op of ["08", "09"]) same(push32(b) + push32(7n) + "600035" + op + "60005260206000f3", { input });
    }
  }
});

Deno.test("wasm: mulDiv's MULMOD by 2^256 - 1 and the MUL of the same operands after it", () => {
  // x = calldata[0], y = calldata[32]; mulmod(y, x, not(0)), then mul(x, y) (the product kept from the
  // MULMOD), mul(x, x) (other operands: not the kept product), mul(x, y) again; the four words returned.
  const straight = "602035600035" + "5f19818309" + "828202" + "828002" + "848402" +
    "606052604052602052600052" + "60806000f3";
  // The same with a jump between the MULMOD and the MULs (a block edge: nothing is kept across it).
  const withJump = "602035600035" + "5f19818309" + "600f565b" + "828202" + "828002" + "848402" +
    "606052604052602052600052" + "60806000f3";
  for (const x of EDGE) {
    for (const y of [0n, 1n, 3n, (1n << 64n) - 1n, 1n << 128n, 1n << 255n, M - 1n, M, x]) {
      const input = "0x" + x.toString(16).padStart(64, "0") + y.toString(16).padStart(64, "0");
      const out = same(straight, { input });
      const words = [0, 1, 2, 3].map((i) => BigInt("0x" + out.output.slice(2 + 64 * i, 66 + 64 * i)));
      assert.deepEqual(words, [(x * y) % M, (x * y) & M, (x * x) & M, (x * y) & M]);
      same(withJump, { input });
    }
  }
});

Deno.test("wasm: large words read by host instructions (LOG topics) that differ in one 32-bit digit", () => {
  // The words a host call reads are looked up by content: words one digit apart must never be taken for each
  // other. For each digit k, 1024 times: LOG1 with topic base, then with topic base ^ (i << 32k).
  const base = 0x8f3a61d2c4b7e9051a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081n;
  let code = "0x";
  for (let k = 0; k < 8; k++) {
    const loop = (code.length - 2) / 2 + 3; // the JUMPDEST after PUSH2 1024
    const at = loop.toString(16).padStart(4, "0");
    code += "610400" + "5b" + push32(base) + "60006000a1" + "80" + "60" + (32 * k).toString(16).padStart(2, "0") + "1b" +
      push32(base) + "18" + "60006000a1" + "600190038061" + at + "57" + "50";
  }
  const r = same(code + "00", { gas: 30_000_000n });
  assert.equal(JSON.parse(r.logs).length, 8 * 1024 * 2);
});

Deno.test("wasm: memory, keccak, copies, gas", () => {
  same("6001600052602060002060005260206000f3"); // keccak of a word
  same("61ffff5160005260206000f3"); // MLOAD far away: expansion
  same("600051600152600160215360406000f3"); // MSTORE at unaligned offsets, MSTORE8
  same("5a60005260206000f3"); // GAS sees exactly the gas left
  same("59600052602060005259"); // MSIZE
  same("6020600060003760206000f3", { input: "0x" + "ab".repeat(40) }); // CALLDATACOPY
  for (const off of ["00", "0f", "1f", "20", "28", "ff"]) {
    same(`60${off}3560005260206000f3`, { input: "0x" + "ab".repeat(40) });
  }
  // Calldata larger than its region in linear memory: read through the host.
  same("61752f3560005260206000f33660005260206000f3", { input: "0x" + "cd".repeat(30000) });
  same("61752f35600052366020526040" + "6000f3", { input: "0x" + "cd".repeat(30000) });
  same("7f" + "ff".repeat(32) + "5100"); // MLOAD offset >= 2^32: out of gas
  same("60ff6000526001601f600037600160006000f3"); // overlapping copies
  same("6000600020600052602060006000f0"); // CREATE with empty init code
  // An MLOAD whose word is popped is not read, but it still expands memory and charges for it.
  same("6000356000515061ffff515059" + "60005260206000f3", { input: "0x" + "ab".repeat(32) }); // then MSIZE
  same("6000355150", { input: "0x" + "00".repeat(28) + "00ffffff" }); // 16 MiB: out of gas on expansion
  same("6000355150", { input: "0x" + "00".repeat(27) + "0100000000" }); // offset >= 2^32
  for (const gas of [100n, 112n, 113n, 120n]) same("61ffff5150610100515059", { gas }); // out of gas at either expansion or after
  // KECCAK256 of a constant range: its checks and costs are folded at compile time.
  for (let gas = 40n; gas <= 62n; gas++) same("604060002060005260206000f3", { gas });
  same("60016401000000002000"); // offset >= 2^32
  same("64010000000060002000"); // length >= 2^32
  same("6000640100000000200000"); // length 0 at an offset >= 2^32: no expansion, no failure
});

Deno.test("wasm: gas above 2^30 handed to and from host instructions, at the edges of its split", () => {
  // SSTORE, SLOAD, LOG0, BALANCE and a CALL with all the gas, each followed by GAS stored to memory; returned.
  const code = "6001600055" + "5a600052" + "6000545060006000a0" + "5a602052" + "61123431" + "50" + "5a604052" +
    "600060006000600060006004" + "5a" + "f150" + "5a606052" + "60806000f3";
  for (const base of [1n << 30n, 1n << 32n, 1n << 34n, 1n << 52n, 1n << 53n, 1n << 62n]) {
    for (const d of [-3000n, -1n, 0n, 1n, 2899n, 22200n, 25000n]) same(code, { gas: base + d });
  }
  same(code, { gas: (1n << 63n) - 1n });
});

Deno.test("wasm: expansion to memory known to be active (after the entry block's stores, earlier in a function)", () => {
  const ret = "59600052" + "60206000f3"; // MSIZE, returned
  const cases = [
    // The entry block stores the free memory pointer (active: 0x60); the block jumped to loads it and writes
    // the scratch word (known), then loads at 0x60 (expands).
    "6080604052600856" + "5b" + "604051" + "600052" + "606051" + "50" + ret,
    // No memory access in the entry block: the block jumped to pays for its first access.
    "600456" + "5b" + "606051" + "50" + "604051" + "50" + ret,
    // Within a function: the second load is below the first one's end.
    "610100515060805150" + ret,
    // Stores of one byte and of a word at the same constant offset.
    "60ff60405360ff604052" + ret,
  ];
  for (const code of cases) {
    same(code);
    for (let gas = 0n; gas <= 80n; gas++) same(code, { gas });
  }
});

Deno.test("wasm: CALLDATACOPY, CODECOPY and MCOPY (copied in WebAssembly) at the edges of source and memory", () => {
  const data = "0x" + Array.from({ length: 70 }, (_, i) => ((i * 29 + 7) & 0xff).toString(16).padStart(2, "0")).join("");
  // Memory holds a pattern first, so that MCOPY moves something and a copy's zero padding shows.
  const pattern = push32(0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20n) + "6000" + "52" +
    push32(M - 12345n) + "6020" + "52";
  const words = (...xs: bigint[]) => xs.map((x) => (x & M).toString(16).padStart(64, "0")).join("");
  const offsets = [0n, 3n, 31n, 64n, 69n, 70n, 71n, 1000n, 1n << 32n, 1n << 64n, M];
  const sizes = [0n, 1n, 5n, 32n, 33n, 70n];
  for (const op of ["37", "39", "5e"]) {
    // Operands from calldata: one module runs every case.
    const dynamic = pattern + "604035" + "602035" + "600035" + op + "60806000f3";
    for (const dst of [0n, 1n, 31n, 0x40n, 1n << 32n]) {
      for (const src of offsets) {
        for (const size of sizes) {
          same(dynamic, { input: "0x" + words(dst, src, size) + data.slice(2) });
          // Constants: a sample (each is a module of its own).
          if (dst === 1n && size !== 5n) same(pattern + push32(size) + push32(src) + push32(dst) + op + "60806000f3", { input: data });
        }
      }
    }
    // Gas around the copy's own cost and the expansion's.
    for (let gas = 60n; gas <= 140n; gas += 3n) same("604060036020" + op + "00", { gas });
  }
  // Calldata larger than its region in linear memory: copied through the host.
  const big = "0x" + "cd".repeat(29990) + "0102030405060708090a";
  for (const src of [0n, 29980n, 29995n, 30000n, 30001n, M]) {
    same("604035" + "602035" + "600035" + "37" + "60806000f3", { input: big.replace(/^0x.{192}/, "0x" + words(0x10n, src, 0x60n)) });
  }
});

Deno.test("wasm: calldata from views at every offset of shared buffers, of every short length, and after a resize", () => {
  // Returns the whole calldata (CALLDATACOPY) and the words at 0 and at size - 3 (CALLDATALOAD past the end).
  const code = hexToBytes("0x366000600037" + "600035" + "600336" + "03" + "35" + "36" + "52" + "36602001" + "52" + "60403601" + "6000" + "f3");
  const shared = new Uint8Array(256).map((_, i) => (i * 37 + 11) & 0xff);
  const resizable = new ArrayBuffer(64, { maxByteLength: 512 });
  const grown = new Uint8Array(resizable);
  grown.set(shared.subarray(0, 64));
  const inputs: Uint8Array[] = [];
  for (let off = 0; off < 8; off++) {
    for (let len = 0; len <= 70; len += off % 2 ? 3 : 1) inputs.push(shared.subarray(off, off + len));
  }
  const cases: (() => Uint8Array)[] = inputs.map((x) => () => x);
  // A view of a buffer that grows between two calls: its words past the old end are copied too.
  cases.push(() => new Uint8Array(resizable, 4, 40));
  cases.push(() => {
    resizable.resize(256);
    new Uint8Array(resizable).set(shared.subarray(0, 256));
    return new Uint8Array(resizable, 8, 120);
  });
  for (const make of cases) {
    const input = make();
    const results = [interpreter, wasm].map((backend) =>
      runCall({ backend, code, input, gas: 1_000_000n, fork: Fork.Osaka })
    );
    assert.equal(bytesToHex(results[1].output), bytesToHex(results[0].output), `input at ${input.byteOffset}, ${input.length} bytes`);
    assert.ok(results[0].success && results[0].output.length === input.length + 64);
  }
});

Deno.test("wasm: failures give the interpreter's result, gas and error", () => {
  same("01"); // stack underflow
  same("6001600101", { gas: 5n }); // out of gas at the second instruction
  same("600456605b"); // jump into PUSH data
  same("6003565b"); // valid jump
  same("6000356003575b00", { input: "0x01" }); // JUMPI, dynamic condition
  same("fe"); // INVALID
  same("5c", { fork: Fork.Shanghai }); // TLOAD before Cancun is undefined
  same("61ff"); // truncated PUSH at the end of code
  same("5b600056", { gas: 10_000n }); // infinite loop runs out of gas
  same("60015a"); // GAS after PUSH
  same("6000" + "80".repeat(1030)); // stack overflow through DUP1
  same("6000600055", { fork: Fork.Istanbul, gas: 2300n }); // SSTORE sentry
  same("600160005560006000fd"); // SSTORE then REVERT
  same("6000600060006000600060ca115af100"); // CALL to an empty account
});

Deno.test("wasm: the per-frame SLOAD cache sees writes made by this frame and inside calls", () => {
  const callee = hexToBytes("604260075500"); // SSTORE(7, 0x42)
  const run = (code: string, fork: ForkId = Fork.Osaka) => {
    const c = { code: hexToBytes(code), input: new Uint8Array(0), gas: 1_000_000n, fork, callee, kind: "test" };
    const a = runCase(interpreter, c), b = runCase(wasm, c);
    assert.deepEqual(compareOutcomes(a, b), [], code);
    return b;
  };
  // SLOAD 7, DELEGATECALL the callee (it writes slot 7 of this account), SLOAD 7 again and return it.
  const viaCall = run("6007545060006000600060006000" + "61ca115af450" + "60075460005260206000f3");
  assert.equal(BigInt(viaCall.output), 0x42n);
  // SLOAD, SSTORE, SLOAD of the same slot; and of two keys that share a cache entry (0 and 32).
  run("6001545060056001556001546000526000545060206000f3");
  run("60005450602054506007600055600054602054016000526001602055602054600052" + "60206000f3", Fork.Istanbul);
  run("600054506007600055600054600052" + "60206000f3", Fork.Frontier);
});

Deno.test("wasm: empty code and code over the size limit", () => {
  same("");
  same("00".repeat(24577) + "");
  same("6001".repeat(13000) + "00");
  // Longer than one br_table may be (65520 targets): the jump table is split in two levels.
  // Filler without block boundaries (PUSH32 0 POP, 34 bytes), then JUMPDESTs up to the exact length.
  const fill = (bytes: number) => ("7f" + "00".repeat(32) + "50").repeat(Math.floor(bytes / 34)) + "5b".repeat(bytes % 34);
  const big = (head: string, at: number, tail: string) =>
    head + fill(at - head.length / 2) + tail + fill(70010 - at - tail.length / 2);
  const ret = (v: string) => `5b60${v}60005260206000f3`;
  const dyn = big("60003556", 69000, ret("2c"));
  for (const target of [69000, 69001, 4, 70009, 40000]) {
    same(dyn, { input: "0x" + target.toString(16).padStart(64, "0"), fork: Fork.Frontier, gas: 10_000_000n });
  }
  same(big("6201116656", 69990, ret("2a")), { fork: Fork.Frontier, gas: 10_000_000n });
});

Deno.test("wasm: a module that fails to compile runs on the interpreter and is logged once", () => {
  let logged = 0;
  const broken = new WasmBackend({ compile: () => { throw new Error("boom"); }, fallback: interpreter, onCompileError: () => logged++ });
  for (let i = 0; i < 3; i++) {
    const r = runCall({ backend: broken, code: hexToBytes("600160020160005260206000f3") });
    assert.ok(r.success);
    assert.equal(BigInt(bytesToHex(r.output)), 3n);
  }
  assert.equal(logged, 1);
});

Deno.test("wasm: frames nested deeper than maxLiveInstances run on the interpreter, with the same result", () => {
  // f(d) = d == 0 ? 0 : CALL(self, d - 1) + 1
  const code = hexToBytes(
    "6000358015602b57600190036000526020600060206000600030" + "5af150" + "600051600101600052" + "60206000f3" +
      "5b6000600052" + "60206000f3",
  );
  const input = hexToBytes("0x" + (40).toString(16).padStart(64, "0"));
  const limited = new WasmBackend({ compile, fallback: interpreter, maxLiveInstances: 5 });
  const a = runCall({ backend: interpreter, code, input, gas: 10_000_000n });
  const b = runCall({ backend: limited, code, input, gas: 10_000_000n });
  assert.equal(BigInt(bytesToHex(a.output)), 40n);
  assert.deepEqual([bytesToHex(b.output), b.gasUsed], [bytesToHex(a.output), a.gasUsed]);
  assert.equal(limited.interpretedTooDeep, 36);
  // And nothing is left held: the next call starts compiled again.
  runCall({ backend: limited, code, input: new Uint8Array(32), gas: 100_000n });
  assert.equal(limited.interpretedTooDeep, 36);
});

Deno.test("wasm: an instance on a memory handed back by another module's instance starts clean", () => {
  // f(d): MSTORE(0x100, d + 0xdead), SSTORE(d, 1), SLOAD(d); d == 0 ? stop : CALL(self, d - 1)
  const dirty = hexToBytes(
    "600035" + "8061dead01610100" + "52" + "60018155805450" + "8015602e57" + "60019003600052" +
      "6020600060206000600030" + "5af150" + "00" + "5b00",
  );
  // MSIZE, MLOAD(0x100), SLOAD(0), SLOAD(3), returned as four words
  const reader = hexToBytes("59600052610100516020526000546040526003546060526080" + "6000f3");
  const input = hexToBytes("0x" + (20).toString(16).padStart(64, "0"));
  const backend = new WasmBackend({ compile, fallback: interpreter });
  const a = runCall({ backend: interpreter, code: dirty, input, gas: 10_000_000n });
  const b = runCall({ backend, code: dirty, input, gas: 10_000_000n });
  assert.ok(a.success && b.success);
  assert.equal(b.gasUsed, a.gasUsed);
  const before = memoryStats();
  assert.ok(before.spare > 0, "the recursion handed memories back");
  const r = runCall({ backend, code: reader, gas: 1_000_000n });
  assert.equal(memoryStats().reused, before.reused + 1, "the reader's instance took a spare memory");
  assert.equal(bytesToHex(r.output), "0x" + "00".repeat(128));
});

Deno.test("wasm: contracts share the memories, as many as frames were nested at once; each keeps its instances", () => {
  // PUSH1 k, PUSH1 0, MSTORE, MSIZE, PUSH1 32, MSTORE, PUSH1 64, PUSH1 0, RETURN: its k and the memory size it saw
  const contract = (k: number) => hexToBytes(`60${k.toString(16).padStart(2, "0")}600052596020526040` + "6000f3");
  const backend = new WasmBackend({ compile, fallback: interpreter });
  const expected = (k: number) => "0x" + k.toString(16).padStart(64, "0") + (32).toString(16).padStart(64, "0");
  assert.equal(bytesToHex(runCall({ backend, code: contract(0) }).output), expected(0));
  const before = memoryStats();
  // More contracts than a memory keeps instances of, then the first ones again (made anew on the memory).
  for (let round = 0; round < 2; round++) {
    for (let k = 1; k <= INSTANCES_PER_MEMORY + 6; k++) {
      assert.equal(bytesToHex(runCall({ backend, code: contract(k) }).output), expected(k));
    }
  }
  assert.equal(memoryStats().created, before.created, "one frame at a time: no memory made");
  assert.equal(memoryStats().spare, before.spare);
});

Deno.test("wasm: the disk cache is used, and garbage in its folder is detected and replaced", () => {
  const dir = mkdtempSync(join(tmpdir(), "evmwasm-cache-"));
  const code = hexToBytes("600160020160005260206000f3");
  const rules = rulesFor(Fork.Osaka);
  let compiles = 0;
  const make = () => new WasmBackend({ compile: (c, r) => (compiles++, compile(c, r)), fallback: interpreter, disk: new DiskCache(dir, 0) });
  assert.ok(runCall({ backend: make(), code }).success);
  assert.equal(compiles, 1);
  const b2 = make();
  assert.ok(runCall({ backend: b2, code }).success);
  assert.equal(compiles, 1);
  assert.equal(b2.diskHits, 1);
  // Damage every file in the cache: truncated, foreign, and a valid header over a non-module.
  const disk = new DiskCache(dir, 0);
  const file = join(dir, readdirSync(dir)[0]);
  for (const garbage of [new Uint8Array([1, 2, 3]), new TextEncoder().encode("not a cache file at all".repeat(10))]) {
    writeFileSync(file, garbage);
    assert.equal(disk.get(disk.key(code, rules)), undefined);
    const b = make();
    assert.ok(runCall({ backend: b, code }).success);
    assert.equal(b.diskHits, 0);
  }
  writeFileSync(join(dir, "unrelated.txt"), "x");
  assert.ok(runCall({ backend: make(), code }).success);
});

Deno.test({
  name: "wasm: the compiler thread compiles synchronously and in the background; auto tiers up",
  sanitizeOps: false,
  sanitizeResources: false,
  fn() {
    const service = new CompileService();
    try {
      const rules = rulesFor(Fork.Osaka);
      const code = hexToBytes("600035600101600052602060006000f3");
      const binary = service.compileSync(code, rules);
      assert.ok(WebAssembly.validate(binary as BufferSource));
      const wasmB = new WasmBackend({ compile: (c, r) => service.compileSync(c, r), fallback: interpreter });
      const auto = new TieredBackend(interpreter, wasmB, service, 0); // threshold 0: compile after the first frame
      const loop = hexToBytes("60005b8060010190806103e810600257"); // a loop of 1000 rounds
      const first = runCall({ backend: auto, code: loop, gas: 10_000_000n });
      const deadline = Date.now() + 60_000;
      while (auto.tieredUp === 0 && Date.now() < deadline) {
        runCall({ backend: auto, code: loop, gas: 10_000_000n });
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
      assert.equal(auto.tieredUp, 1);
      const last = runCall({ backend: auto, code: loop, gas: 10_000_000n });
      assert.equal(last.gasUsed, first.gasUsed);
    } finally {
      service.terminate();
    }
  },
});

Deno.test({
  name: "auto: code run once is neither hashed nor looked up; a second frame has the compiler thread read it from disk",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const service = new CompileService();
    try {
      const rules = rulesFor(Fork.Osaka);
      const dir = mkdtempSync(join(tmpdir(), "evmwasm-auto-"));
      const code = hexToBytes("60003560010160005260206000f3"); // returns its first word + 1
      // In the disk cache under this code's key, a module of other code (input + 2): which one runs shows
      // whether the module came from the disk.
      const disk = new DiskCache(dir, 0);
      disk.put(disk.key(code, rules), service.compileSync(hexToBytes("60003560020160005260206000f3"), rules));
      service.useDiskCache(dir);
      const requested: Uint8Array[] = [];
      const compileInBackground = service.compileInBackground.bind(service);
      service.compileInBackground = (c, r, level) => (requested.push(c), compileInBackground(c, r, level));
      const wasmB = new WasmBackend({ compile: (c, r) => service.compileSync(c, r), fallback: interpreter });
      // No time threshold (a first frame in a cold process can take a millisecond): the second frame decides.
      const auto = new TieredBackend(interpreter, wasmB, service, Infinity);
      const call = () => runCall({ backend: auto, code, input: hexToBytes("0x01"), gas: 100_000n });
      assert.equal(call().output.at(-1), 1);
      assert.equal(requested.length, 0, "the first frame asks for nothing");
      assert.equal(call().output.at(-1), 1);
      assert.equal(requested.length, 1, "the second frame asks the compiler thread");
      await service.compileAsync(hexToBytes("0x00"), rules); // answered after the request before it
      assert.equal(call().output.at(-1), 2, "the third frame runs the module from the disk");
      assert.equal(auto.tieredUp, 1);
    } finally {
      service.terminate();
    }
  },
});

/**
 * The auto backend (compiling from a code's second frame) with its background compilations stubbed: each is
 * recorded and polls `poll` with the module of `code` (which returns its first calldata word + 1).
 */
function stubbedAuto(service: CompileService, poll: (module: WebAssembly.Module) => WebAssembly.Module | undefined) {
  const rules = rulesFor(Fork.Osaka);
  const code = hexToBytes("60003560010160005260206000f3");
  const module = new WebAssembly.Module(service.compileSync(code, rules) as BufferSource);
  const requested: Uint8Array[] = [];
  service.compileInBackground = (c) => (requested.push(c), { poll: () => poll(module) });
  const wasmB = new WasmBackend({ compile: (c, r) => service.compileSync(c, r), fallback: interpreter });
  const auto = new TieredBackend(interpreter, wasmB, service, Infinity);
  const run = (c: Uint8Array) => runCall({ backend: auto, code: c, input: hexToBytes("0x01"), gas: 100_000n });
  return { code, rules, requested, wasmB, auto, run };
}

Deno.test({
  name: "auto: the same bytes in another array share one compilation, also after the first array is run no more",
  sanitizeOps: false,
  sanitizeResources: false,
  fn() {
    const service = new CompileService();
    try {
      let ready = false;
      const { code, rules, requested, wasmB, auto, run } = stubbedAuto(service, (module) => ready ? module : undefined);
      // The code deployed three times (as a test suite does), each array run twice: hot, compiling.
      const arrays = [code.slice(), code.slice(), code.slice()];
      for (const a of arrays.slice(0, 2)) for (let i = 0; i < 2; i++) assert.equal(run(a).output.at(-1), 1);
      assert.equal(requested.length, 1, "one compilation for the bytes");
      ready = true; // the module lands; the first two arrays are not run again
      assert.equal(run(arrays[2]).output.at(-1), 1);
      assert.equal(run(arrays[2]).output.at(-1), 1);
      assert.equal(requested.length, 1);
      assert.equal(run(arrays[2]).output.at(-1), 1);
      const entry = wasmB.cache.peek(arrays[2], rules);
      assert.ok(entry !== undefined && entry !== "failed", "the third array runs the module");
      assert.equal(auto.tieredUp, 1);
    } finally {
      service.terminate();
    }
  },
});

Deno.test({
  name: "auto: a new array of bytes compiled under another array runs the module from its first frame",
  sanitizeOps: false,
  sanitizeResources: false,
  fn() {
    const service = new CompileService();
    try {
      const { code, rules, requested, wasmB, run } = stubbedAuto(service, (module) => module);
      const first = code.slice();
      for (let i = 0; i < 3; i++) assert.equal(run(first).output.at(-1), 1); // hot, then installed
      const entry = wasmB.cache.peek(first, rules);
      assert.ok(entry !== undefined && entry !== "failed");
      const runs = entry.runs;
      const again = code.slice(); // the contract deployed again
      assert.equal(run(again).output.at(-1), 1);
      // (assert.ok: a failing assert.equal would print the entry, instances and memories included)
      assert.ok(wasmB.cache.peek(again, rules) === entry, "the new array's first frame ran the module");
      assert.equal(entry.runs, runs + 1);
      // Other bytes of the same length: interpreted, and not taken for the compiled code.
      const other = hexToBytes("60003560020160005260206000f3");
      assert.equal(run(other).output.at(-1), 2);
      assert.ok(wasmB.cache.peek(other, rules) === undefined, "the other bytes were interpreted");
      assert.equal(requested.length, 1);
    } finally {
      service.terminate();
    }
  },
});

Deno.test({
  name: "auto: a module ready during the execution that made its code hot is used from the next execution",
  sanitizeOps: false,
  sanitizeResources: false,
  fn() {
    const service = new CompileService();
    try {
      const rules = rulesFor(Fork.Osaka);
      const callee = hexToBytes("600035600101600052602060006000f3");
      // Calls the callee three times: its second frame makes it hot, and its module is ready at once.
      const caller = hexToBytes("6000600060006000600060bb5af150".repeat(3) + "00");
      const module = new WebAssembly.Module(service.compileSync(callee, rules) as BufferSource);
      service.compileInBackground = () => ({ poll: () => module });
      const wasmB = new WasmBackend({ compile: (c, r) => service.compileSync(c, r), fallback: interpreter });
      const auto = new TieredBackend(interpreter, wasmB, service, Infinity);
      const world = new WorldState();
      world.setCode(0xbbn, callee);
      const call = () => runCall({ backend: auto, world, code: caller, gas: 1_000_000n });
      assert.ok(call().success);
      assert.equal(wasmB.cache.peek(callee, rules), undefined, "its third frame was interpreted");
      assert.ok(call().success);
      const entry = wasmB.cache.peek(callee, rules);
      assert.ok(entry !== undefined && entry !== "failed");
      assert.equal(entry.runs, 3, "the next execution runs it compiled from its first frame");
    } finally {
      service.terminate();
    }
  },
});

Deno.test({
  name: "auto: a first frame that runs long has its code compiling before it ends",
  sanitizeOps: false,
  sanitizeResources: false,
  fn() {
    const service = new CompileService();
    try {
      const requested: number[] = [];
      const compileInBackground = service.compileInBackground.bind(service);
      service.compileInBackground = (code, rules, level) => {
        requested.push(performance.now());
        return compileInBackground(code, rules, level);
      };
      const auto = new TieredBackend(interpreter, new WasmBackend({ compile: (c, r) => service.compileSync(c, r), fallback: interpreter }), service);
      // Counts down from the calldata word: 200,000 rounds, tens of milliseconds interpreted.
      const loop = hexToBytes("0x600035805b600190038060045750600052602060" + "00f3");
      const input = hexToBytes("0x" + (200_000).toString(16).padStart(64, "0"));
      const r = runCall({ backend: auto, code: loop, input, gas: 100_000_000n });
      const ended = performance.now();
      assert.equal(r.success, true);
      assert.equal(requested.length, 1);
      assert.ok(ended - requested[0] > 5, `compile asked ${(ended - requested[0]).toFixed(1)} ms before the frame ended`);
    } finally {
      service.terminate();
    }
  },
});

Deno.test({
  name: "auto: a restartable execution starts over compiled when its long first frame's module is ready",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const service = new CompileService();
    try {
      await service.compileAsync(hexToBytes("0x00"), rulesFor(Fork.Osaka)); // the compiler thread is up
      const auto = new TieredBackend(interpreter, new WasmBackend({ compile: (c, r) => service.compileSync(c, r), fallback: interpreter }), service);
      // Counts down from the calldata word: 3,000,000 rounds, hundreds of milliseconds interpreted.
      const loop = hexToBytes("0x600035805b600190038060045750600052602060" + "00f3");
      const input = hexToBytes("0x" + (3_000_000).toString(16).padStart(64, "0"));
      const expected = runCall({ backend: interpreter, code: loop, input, gas: 1_000_000_000n });
      // Not restartable: the frame interprets to its end.
      const plain = runCall({ backend: auto, code: loop, input, gas: 1_000_000_000n });
      assert.equal(auto.restarts, 0);
      assert.deepEqual([plain.success, plain.gasUsed, plain.output], [expected.success, expected.gasUsed, expected.output]);
      const other = hexToBytes("0x600035805b600190038060045750600052602060" + "00f300"); // the same loop, another code
      const runs: number[] = [];
      const r = restartable(() => {
        runs.push(performance.now());
        return runCall({ backend: auto, code: other, input, gas: 1_000_000_000n });
      });
      assert.equal(auto.restarts, 1, "started over once");
      assert.equal(runs.length, 2);
      assert.deepEqual([r.success, r.gasUsed, r.output], [expected.success, expected.gasUsed, expected.output]);
    } finally {
      service.terminate();
    }
  },
});

