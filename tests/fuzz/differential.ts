/**
 * Differential fuzzing of the WebAssembly backend against the interpreter:
 * random programs, structured programs, and mutated benchmark contracts, each
 * run on both backends with the same calldata, gas and fork; output, gas used,
 * logs, failure kind and the post-state root must agree.
 */
import { readdirSync, readFileSync } from "node:fs";
import type { Backend } from "../../backends/backend.ts";
import { WasmBackend } from "../../backends/wasm/backend.ts";
import { Interpreter } from "../../backends/interpreter/interpreter.ts";
import { compileToWasm } from "../../backends/wasm/compiler.ts";
import { type CallResult, DEFAULT_TARGET, runCall } from "../../src/evm/run_call.ts";
import { Fork, type ForkId, forkName } from "../../src/forks/fork.ts";
import { bytesToHex, hexToBytes } from "../../src/primitives/hex.ts";
import { WorldState } from "../../src/state/world.ts";
import { Account } from "../../src/state/account.ts";

/**
 * The WebAssembly backend under test, compiling on this thread, with a list of the programs its compiler
 * rejected: those would run on the interpreter and agree vacuously, so they count as failures.
 */
export function wasmUnderTest(): { wasm: WasmBackend; rejected: string[] } {
  const rejected: string[] = [];
  const wasm = new WasmBackend({
    compile: (code, rules) => compileToWasm(code, rules).binary,
    fallback: new Interpreter(),
    onCompileError: (e, code) => rejected.push(`${(e as Error).message.split("\n")[0]} (code ${bytesToHex(code)})`),
  });
  return { wasm, rejected };
}

/** mulberry32: small, fast, and the same sequence everywhere for a seed. */
export class Rng {
  constructor(private s: number) {}
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

export interface FuzzCase {
  code: Uint8Array;
  input: Uint8Array;
  gas: bigint;
  fork: ForkId;
  /** A second contract that the code may call (at address 0xca11). */
  callee?: Uint8Array;
  kind: string;
}

const M = (1n << 256n) - 1n;
const INTERESTING: bigint[] = [
  0n, 1n, 2n, 3n, 7n, 8n, 31n, 32n, 33n, 63n, 64n, 127n, 128n, 255n, 256n, 257n, 0xffn, 0x100n, 0xffffn,
  (1n << 32n) - 1n, 1n << 32n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n, 1n << 64n, 1n << 128n, 1n << 192n,
  (1n << 255n) - 1n, 1n << 255n, M, M - 1n, 0xca11n,
];

function push(v: bigint): number[] {
  v &= M;
  if (v === 0n) return [0x60, 0];
  const bytes: number[] = [];
  for (let x = v; x > 0n; x >>= 8n) bytes.unshift(Number(x & 0xffn));
  return [0x5f + bytes.length, ...bytes];
}

const ALU = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
  0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x20];
const ENV = [0x30, 0x32, 0x33, 0x34, 0x35, 0x36, 0x38, 0x3a, 0x3d, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
  0x4a, 0x58, 0x59, 0x5a, 0x5f];
const MEM = [0x51, 0x52, 0x53, 0x37, 0x39, 0x3e, 0x5e];
const STATE = [0x54, 0x55, 0x5c, 0x5d, 0x31, 0x3b, 0x3f, 0x3c, 0x40, 0x49];

/** A program built from plausible pieces: pushes of interesting values, ALU, memory, state, jumps, calls. */
function structured(rng: Rng): Uint8Array {
  const out: number[] = [];
  const jumpdests: number[] = [];
  const pendingJumps: number[] = []; // positions of PUSH2 placeholders
  const n = 5 + rng.int(60);
  const smallValue = () => (rng.next() < 0.6 ? BigInt(rng.int(96)) : rng.pick(INTERESTING));
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    if (r < 0.3) out.push(...push(rng.next() < 0.5 ? smallValue() : rng.pick(INTERESTING)));
    else if (r < 0.5) out.push(rng.pick(ALU));
    else if (r < 0.58) out.push(0x80 + rng.int(rng.next() < 0.9 ? 4 : 16));
    else if (r < 0.64) out.push(0x90 + rng.int(rng.next() < 0.9 ? 4 : 16));
    else if (r < 0.68) out.push(0x50);
    else if (r < 0.74) out.push(...push(BigInt(rng.int(128))), rng.pick(MEM));
    else if (r < 0.78) out.push(rng.pick(ENV));
    else if (r < 0.82) out.push(rng.pick(STATE));
    else if (r < 0.86) {
      jumpdests.push(out.length);
      out.push(0x5b);
    } else if (r < 0.92) {
      // PUSH2 <a jumpdest, patched later> JUMP/JUMPI, sometimes a computed or invalid target
      if (rng.next() < 0.8) {
        pendingJumps.push(out.length);
        out.push(0x61, 0, 0);
      } else out.push(...push(BigInt(rng.int(out.length + 8))));
      out.push(rng.next() < 0.6 ? 0x57 : 0x56);
    } else if (r < 0.95) {
      // CALL family to the callee, a precompile or self, with small memory ranges
      const op = rng.pick([0xf1, 0xf2, 0xf4, 0xfa]);
      const args = [rng.int(64), rng.int(64), rng.int(64), rng.int(64)].map(BigInt); // outSize outOff inSize inOff
      for (const a of args) out.push(...push(a));
      if (op === 0xf1 || op === 0xf2) out.push(...push(BigInt(rng.int(3))));
      out.push(...push(rng.pick([0xca11n, 1n, 2n, 4n, BigInt(DEFAULT_TARGET)])));
      out.push(...push(rng.next() < 0.5 ? 0xffffn : BigInt(rng.int(100000))), 0x5a, 0x18, 0x16); // gas: small cap
      out.push(op);
    } else if (r < 0.97) {
      out.push(...push(BigInt(rng.int(40))), ...push(BigInt(rng.int(64))), 0xa0 + rng.int(3));
    } else out.push(rng.pick([0xf0, 0xf5, 0xff, 0xfe, 0x00, 0x0c, 0x21]));
  }
  // Usually end by returning some memory.
  if (rng.next() < 0.8) out.push(...push(BigInt(rng.int(64))), ...push(BigInt(rng.int(64))), rng.pick([0xf3, 0xf3, 0xfd]));
  for (const p of pendingJumps) {
    const t = jumpdests.length && rng.next() < 0.9 ? rng.pick(jumpdests) : rng.int(out.length);
    out[p + 1] = t >> 8;
    out[p + 2] = t & 0xff;
  }
  return new Uint8Array(out);
}

/** Raw random bytes, biased to defined opcodes. */
function randomBytes(rng: Rng): Uint8Array {
  const n = 1 + rng.int(80);
  const b = rng.bytes(n);
  for (let i = 0; i < n; i++) if (rng.next() < 0.5) b[i] = rng.pick([...ALU, ...ENV, ...MEM, 0x56, 0x57, 0x5b, 0x80, 0x90, 0x60, 0x61]);
  return b;
}

function mutate(rng: Rng, code: Uint8Array): Uint8Array {
  const c = code.slice();
  const k = 1 + rng.int(4);
  for (let i = 0; i < k && c.length; i++) {
    const p = rng.int(c.length);
    const r = rng.next();
    if (r < 0.5) c[p] = rng.int(256);
    else if (r < 0.8) c[p] ^= 1 << rng.int(8);
    else c[p] = rng.pick([0x56, 0x57, 0x5b, 0x00, 0xfe, 0x50, 0x80]);
  }
  return c;
}

let benchCodes: { name: string; code: Uint8Array; input: Uint8Array }[] | undefined;

/** Runtime code and calldata of the benchmark contracts (revmc fixtures), when the shared fixtures are present. */
export function benchmarkContracts(): { name: string; code: Uint8Array; input: Uint8Array }[] {
  if (benchCodes) return benchCodes;
  benchCodes = [];
  try {
    const dir = new URL("../../../shared/fixtures/bench/revmc/", import.meta.url).pathname;
    const index = JSON.parse(readFileSync(dir + "index.json", "utf8")) as { name: string; code_file: string; calldata_hex: string }[];
    const files = new Set(readdirSync(dir + "code"));
    for (const e of index) {
      if (!files.has(e.code_file.replace("code/", ""))) continue;
      benchCodes.push({
        name: e.name,
        code: hexToBytes(readFileSync(dir + e.code_file, "utf8").trim()),
        input: hexToBytes(e.calldata_hex),
      });
    }
  } catch {
    // no shared fixtures: structured and random programs only
  }
  return benchCodes;
}

const FORKS: ForkId[] = [Fork.Osaka, Fork.Osaka, Fork.Prague, Fork.Cancun, Fork.Shanghai, Fork.London, Fork.Istanbul,
  Fork.Byzantium, Fork.Homestead, Fork.Frontier];

export function generateCase(rng: Rng): FuzzCase {
  const fork = rng.pick(FORKS);
  const gas = BigInt(rng.pick([100, 1000, 5000, 21000, 50000, 100000, 300000, 1000000]) + rng.int(1000));
  const r = rng.next();
  const callee = rng.next() < 0.5 ? structured(rng) : undefined;
  const input = rng.next() < 0.5 ? rng.bytes(rng.int(70)) : new Uint8Array(0);
  if (r < 0.55) return { code: structured(rng), input, gas, fork, callee, kind: "structured" };
  if (r < 0.75) return { code: randomBytes(rng), input, gas, fork, callee, kind: "random" };
  const bench = benchmarkContracts();
  if (!bench.length) return { code: structured(rng), input, gas, fork, callee, kind: "structured" };
  const b = rng.pick(bench);
  const code = rng.next() < 0.3 ? b.code : mutate(rng, b.code);
  const inp = rng.next() < 0.7 ? b.input : mutate(rng, b.input);
  return { code, input: inp, gas: gas * 10n, fork: rng.next() < 0.7 ? Fork.Osaka : fork, callee, kind: `bench:${b.name}` };
}

export interface Outcome {
  success: boolean;
  reverted: boolean;
  output: string;
  gasUsed: string;
  error: string;
  logs: string;
  stateRoot: string;
}

export function runCase(backend: Backend, c: FuzzCase): Outcome {
  const world = new WorldState();
  if (c.callee) {
    const acc = new Account();
    acc.code = c.callee;
    acc.balance = 10n ** 18n;
    world.setAccountDirect(0xca11n, acc);
  }
  const r = runCall({ backend, world, code: c.code, input: c.input, gas: c.gas, fork: c.fork, value: 1n });
  return outcomeOf(r, world);
}

/** What the differential tests compare of a call: its result, logs and the world's state root after it. */
export function outcomeOf(r: CallResult, world: WorldState): Outcome {
  return {
    success: r.success,
    reverted: r.reverted,
    output: bytesToHex(r.output),
    gasUsed: r.gasUsed.toString(),
    error: r.error ?? "",
    logs: JSON.stringify(r.logs.map((l) => [l.address.toString(16), l.topics.map((t) => t.toString(16)), bytesToHex(l.data)])),
    stateRoot: bytesToHex(world.stateRoot()),
  };
}

/** Field-by-field differences between two outcomes (empty when they agree). */
export function compareOutcomes(a: Outcome, b: Outcome): string[] {
  const diffs: string[] = [];
  for (const k of Object.keys(a) as (keyof Outcome)[]) {
    if (a[k] !== b[k]) diffs.push(`${k}: interpreter ${String(a[k]).slice(0, 200)} / wasm ${String(b[k]).slice(0, 200)}`);
  }
  return diffs;
}

export function describeCase(c: FuzzCase): string {
  return JSON.stringify({
    kind: c.kind, fork: forkName(c.fork), gas: c.gas.toString(), code: bytesToHex(c.code), input: bytesToHex(c.input),
    callee: c.callee ? bytesToHex(c.callee) : undefined,
  });
}

export interface FuzzReport {
  seed: number;
  programs: number;
  divergences: { case: string; diffs: string[] }[];
}

/** Runs `count` programs from `seed`; stops after `maxDivergences`. */
export function fuzz(reference: Backend, subject: Backend, seed: number, count: number, maxDivergences = 5): FuzzReport {
  const rng = new Rng(seed);
  const divergences: FuzzReport["divergences"] = [];
  for (let i = 0; i < count && divergences.length < maxDivergences; i++) {
    const c = generateCase(rng);
    const a = runCase(reference, c);
    const b = runCase(subject, c);
    const diffs = compareOutcomes(a, b);
    if (diffs.length) divergences.push({ case: describeCase(c), diffs });
    // Again with just too little gas, so that it runs out at (or near) the exact point where the gas ends.
    else if (a.success && rng.next() < 0.3) {
      const used = BigInt(a.gasUsed);
      const tight = { ...c, gas: used - BigInt(1 + rng.int(rng.next() < 0.5 ? 3 : 200)) };
      if (tight.gas > 0n) {
        const d2 = compareOutcomes(runCase(reference, tight), runCase(subject, tight));
        if (d2.length) divergences.push({ case: describeCase(tight), diffs: d2 });
      }
    }
  }
  return { seed, programs: count, divergences };
}
