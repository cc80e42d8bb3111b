/**
 * Benchmark cases from the shared fixtures (`../shared/fixtures/bench`, or $EVMWASM_BENCH_FIXTURES):
 * ipsilon/evm-benchmarks YAML sources, revmc state-test-like fixtures, and evmone's legacy inputs.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { type ForkName, forkName, parseFork } from "../src/forks/fork.ts";
import { bigIntToHex, bytesToHex, hexAddress, hexToBytes, hexWord } from "../src/primitives/hex.ts";

export interface PreAccount {
  address: bigint;
  nonce: bigint;
  balance: bigint;
  code: Uint8Array;
  storage: Map<bigint, bigint>;
}

/** The block fields a fixture's `env` sets; the rest keep the runner's defaults. */
export interface BenchBlock {
  number?: bigint;
  timestamp?: bigint;
  gasLimit?: bigint;
  coinbase?: bigint;
  baseFee?: bigint;
}

export interface BenchCase {
  /** Contract name, then `/label` when the fixture gives the input a label. */
  name: string;
  /** Fixture set and folder, e.g. `evm-benchmarks/main`, `revmc`, `evmone/micro`. */
  group: string;
  /** The contract (fixture file name without extension). */
  contract: string;
  fork: ForkName;
  to: bigint;
  caller: bigint;
  /** Runtime bytecode at `to`. */
  code: Uint8Array;
  calldata: Uint8Array;
  gas: bigint;
  value: bigint;
  /** Every account the call needs, the target (with `code`) included. */
  pre: PreAccount[];
  block: BenchBlock;
  /** Output the fixture says the call returns (evmone `.inputs`, `_info.expected` of a state-test-like file). */
  expectedOutput?: Uint8Array;
  /** Gas used by the call as a transaction, intrinsic cost included (`_info.expected` of a state-test-like file). */
  expectedGasUsed?: bigint;
  /** The fixture's own classification (`_info.kind` of a state-test-like file), when it gives one. */
  kind?: "real-world" | "compute" | "micro";
  /** Other groups holding the same code and calldata (dropped as duplicates). */
  alsoIn: string[];
}

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * The case's pre-state as the anvil_set* JSON-RPC requests that make it on a node, in batches of 500 (ids from
 * `nextId`).
 */
export function preStateBatches(
  c: BenchCase,
  nextId: () => number,
): { jsonrpc: "2.0"; id: number; method: string; params: unknown[] }[][] {
  const calls: [string, unknown[]][] = [];
  for (const a of c.pre) {
    const at = hexAddress(a.address);
    calls.push(["anvil_setBalance", [at, bigIntToHex(a.balance)]], ["anvil_setNonce", [at, bigIntToHex(a.nonce)]]);
    if (a.code.length) calls.push(["anvil_setCode", [at, bytesToHex(a.code)]]);
    for (const [slot, value] of a.storage) calls.push(["anvil_setStorageAt", [at, hexWord(slot), hexWord(value)]]);
  }
  const batches = [];
  for (let i = 0; i < calls.length; i += 500) {
    batches.push(
      calls.slice(i, i + 500).map(([method, params]) => ({ jsonrpc: "2.0" as const, id: nextId(), method, params })),
    );
  }
  return batches;
}

export function fixturesDir(): string {
  return process.env.EVMWASM_BENCH_FIXTURES ?? join(REPO_ROOT, "../shared/fixtures/bench");
}

// The address and sender the evm-benchmarks fixtures are filled with; evmone's inputs reuse them.
const BENCH_TARGET = 0xbe7c43a580000000000000000000000000000001n;
const BENCH_SENDER = 0xa94f5374fce5edbc8e2a8697c15331677e6ebf0bn;
const DEFAULT_GAS = 1_000_000_000n;
const DEFAULT_FORK: ForkName = "Osaka";

/**
 * Hex with the fixtures' repetition syntax: `(N*HH)` (evm-benchmarks) or `(NxHH)` (evmone) is the
 * bytes HH repeated N times. Whitespace and a leading `0x` or `:raw` are ignored.
 */
export function expandHex(text: string, what: string): Uint8Array {
  const hex = text.replace(/\s+/g, "").replace(/^:raw/, "").replace(/^0x/i, "")
    .replace(/\((\d+)[x*]([0-9a-fA-F]*)\)/g, (_, count, unit) => unit.repeat(Number(count)));
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new Error(`${what}: not hex bytes: ${text.slice(0, 80)}`);
  return hexToBytes(hex);
}

function toBigInt(v: unknown): bigint {
  if (v === undefined || v === null || v === "") return 0n;
  return BigInt(v as string | number | bigint);
}

interface FixtureAccount {
  nonce?: unknown;
  balance?: unknown;
  code?: unknown;
  storage?: Record<string, unknown>;
}

/** One test of an evm-benchmarks YAML source (state-test filler layout). */
interface YamlTest {
  pre: Record<string, FixtureAccount>;
  env?: Record<string, unknown>;
  transaction: { to: string | bigint; sender?: string | bigint; data?: unknown; gasLimit?: unknown; value?: unknown };
}

function readPre(pre: Record<string, FixtureAccount>, what: string): PreAccount[] {
  return Object.entries(pre ?? {}).map(([address, acc]) => ({
    address: BigInt(address),
    nonce: toBigInt(acc.nonce),
    balance: toBigInt(acc.balance),
    code: expandHex(String(acc.code ?? ""), `${what} pre ${address} code`),
    storage: new Map(
      Object.entries(acc.storage ?? {}).map(([k, v]) => [BigInt(k), toBigInt(v)]),
    ),
  }));
}

function readEnv(env: Record<string, unknown> | undefined): BenchBlock {
  const block: BenchBlock = {};
  if (!env) return block;
  if (env.currentNumber !== undefined) block.number = toBigInt(env.currentNumber);
  if (env.currentTimestamp !== undefined) block.timestamp = toBigInt(env.currentTimestamp);
  if (env.currentGasLimit !== undefined) block.gasLimit = toBigInt(env.currentGasLimit);
  if (env.currentCoinbase !== undefined) block.coinbase = toBigInt(env.currentCoinbase);
  if (env.currentBaseFee !== undefined) block.baseFee = toBigInt(env.currentBaseFee);
  return block;
}

/** Puts `code` at `to` in the pre-state (adding the account when the fixture lists only others). */
function withTarget(pre: PreAccount[], to: bigint, code: Uint8Array): PreAccount[] {
  const target = pre.find((a) => a.address === to);
  if (target) target.code = code;
  else pre.push({ address: to, nonce: 1n, balance: 0n, code, storage: new Map() });
  return pre;
}

function firstOf(v: unknown): unknown {
  return Array.isArray(v) ? v[0] : v;
}

/** ipsilon/evm-benchmarks `src/<group>/*.yml`: one test per file, one case per `transaction.data` entry. */
function loadEvmBenchmarks(dir: string): BenchCase[] {
  const cases: BenchCase[] = [];
  const srcDir = join(dir, "src");
  if (!existsSync(srcDir)) return cases;
  for (const folder of listDirs(srcDir)) {
    for (const file of listFiles(join(srcDir, folder), ".yml")) {
      const doc = parseYaml(readFileSync(file, "utf8"), { intAsBigInt: true }) as Record<string, YamlTest>;
      for (const [contract, test] of Object.entries(doc)) {
        const what = `${file}: ${contract}`;
        const tx = test.transaction;
        const to = BigInt(tx.to);
        const pre = readPre(test.pre, what);
        const code = pre.find((a) => a.address === to)?.code;
        if (!code) throw new Error(`${what}: no code at transaction.to`);
        const data: unknown[] = Array.isArray(tx.data) ? tx.data : [tx.data ?? ""];
        data.forEach((entry, i) => {
          const text = String(typeof entry === "object" && entry !== null ? (entry as { data?: unknown }).data : entry)
            .trim();
          const labelled = /^:label\s+(\S+)\s*(.*)$/s.exec(text);
          const label = labelled ? labelled[1] : data.length > 1 ? String(i) : undefined;
          cases.push({
            name: label ? `${contract}/${label}` : contract,
            group: `evm-benchmarks/${folder}`,
            contract,
            fork: DEFAULT_FORK,
            to,
            caller: tx.sender ? BigInt(tx.sender) : BENCH_SENDER,
            code,
            calldata: expandHex(labelled ? labelled[2] : text, `${what} data ${i}`),
            gas: tx.gasLimit !== undefined ? toBigInt(firstOf(tx.gasLimit)) : DEFAULT_GAS,
            value: toBigInt(firstOf(tx.value)),
            pre,
            block: readEnv(test.env),
            alsoIn: [],
          });
        });
      }
    }
  }
  return cases;
}

interface RevmcIndexEntry {
  name: string;
  fixture_file: string;
  fixture_case: string;
  spec: string;
  code_file: string;
  to: string;
  sender: string;
  calldata_hex: string;
  gas_limit: string;
  value: string;
}

/** revmc `index.json`: bytecode in `code/`, pre-state and env in the `data/` fixture it names. */
function loadRevmc(dir: string): BenchCase[] {
  const indexFile = join(dir, "index.json");
  if (!existsSync(indexFile)) return [];
  const index = JSON.parse(readFileSync(indexFile, "utf8")) as RevmcIndexEntry[];
  return index.map((e) => {
    const what = `${indexFile}: ${e.name}`;
    const fixture = JSON.parse(readFileSync(join(dir, e.fixture_file), "utf8"))[e.fixture_case];
    if (!fixture) throw new Error(`${what}: case ${e.fixture_case} not in ${e.fixture_file}`);
    const to = BigInt(e.to);
    const code = expandHex(readFileSync(join(dir, e.code_file), "utf8"), `${what} code`);
    return {
      name: e.name,
      group: "revmc",
      contract: e.name,
      fork: forkName(parseFork(e.spec)),
      to,
      caller: BigInt(e.sender),
      code,
      calldata: expandHex(e.calldata_hex, `${what} calldata`),
      gas: BigInt(e.gas_limit),
      value: toBigInt(e.value),
      pre: withTarget(readPre(fixture.pre, what), to, code),
      block: readEnv(fixture.env),
      alsoIn: [],
    };
  });
}

/**
 * evmone `<group>/<name>.bin-runtime` with `<name>.inputs`: cases of three lines (name, calldata,
 * expected output) between blank lines; without `.inputs`, one case with empty calldata.
 */
function loadEvmone(dir: string): BenchCase[] {
  const cases: BenchCase[] = [];
  if (!existsSync(dir)) return cases;
  for (const folder of listDirs(dir)) {
    for (const file of listFiles(join(dir, folder), ".bin-runtime")) {
      const contract = basename(file, ".bin-runtime");
      const code = expandHex(readFileSync(file, "utf8"), file);
      const inputsFile = file.replace(/\.bin-runtime$/, ".inputs");
      const inputs = existsSync(inputsFile) ? readEvmoneInputs(inputsFile) : [{ label: undefined, calldata: "" }];
      for (const input of inputs) {
        cases.push({
          name: input.label ? `${contract}/${input.label}` : contract,
          group: `evmone/${folder}`,
          contract,
          fork: DEFAULT_FORK,
          to: BENCH_TARGET,
          caller: BENCH_SENDER,
          code,
          calldata: expandHex(input.calldata, `${inputsFile} ${input.label} calldata`),
          gas: DEFAULT_GAS,
          value: 0n,
          pre: [{ address: BENCH_TARGET, nonce: 0n, balance: 0n, code, storage: new Map() }],
          block: {},
          expectedOutput: input.expected !== undefined
            ? expandHex(input.expected, `${inputsFile} ${input.label} output`)
            : undefined,
          alsoIn: [],
        });
      }
    }
  }
  return cases;
}

function readEvmoneInputs(file: string): { label?: string; calldata: string; expected?: string }[] {
  const lines = readFileSync(file, "utf8").split(/\r?\n/);
  const inputs = [];
  // The calldata and output lines may be empty, so a case is the next three lines after a non-empty one.
  for (let i = 0; i < lines.length;) {
    if (lines[i].trim() === "") {
      i++;
      continue;
    }
    inputs.push({ label: lines[i].trim(), calldata: lines[i + 1] ?? "", expected: lines[i + 2] ?? "" });
    i += 3;
  }
  return inputs;
}

function listDirs(dir: string): string[] {
  return readdirSync(dir).filter((f) => statSync(join(dir, f)).isDirectory()).sort();
}

function listFiles(dir: string, ext: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(ext)).sort().map((f) => join(dir, f));
}

/**
 * All cases: evm-benchmarks, then revmc, then evmone. A case that repeats an earlier one (same call,
 * same pre-state) is dropped; the earlier one records its group and takes its expected output.
 */
export function loadBenchCases(root = fixturesDir()): BenchCase[] {
  if (!existsSync(root)) throw new Error(`benchmark fixtures not found at ${root} (set EVMWASM_BENCH_FIXTURES)`);
  const all = [
    ...loadEvmBenchmarks(join(root, "evm-benchmarks")),
    ...loadRevmc(join(root, "revmc")),
    ...loadEvmone(join(root, "evmone")),
  ];
  return dropRepeats(all);
}

/**
 * Cases from any folder of benchmark fixtures: a folder laid out as the shared one (evm-benchmarks/, revmc/,
 * evmone/), one of those folders on its own, or a folder of state-test-like JSON files (`{name: {env, pre,
 * transaction}}` with scalar or array transaction fields, as revmc's data/ and the filled evm-benchmarks).
 */
export function loadFixtureFolder(dir: string): BenchCase[] {
  if (!existsSync(dir)) throw new Error(`benchmark fixtures not found at ${dir}`);
  const sub = ["evm-benchmarks", "revmc", "evmone"].filter((f) => existsSync(join(dir, f)));
  if (sub.length > 0) return loadBenchCases(dir);
  const group = basename(dir);
  if (existsSync(join(dir, "index.json"))) return dropRepeats(loadRevmc(dir));
  if (existsSync(join(dir, "src"))) return dropRepeats(loadEvmBenchmarks(dir));
  if (listDirs(dir).some((f) => listFiles(join(dir, f), ".bin-runtime").length > 0)) {
    return dropRepeats(loadEvmone(dir));
  }
  return dropRepeats(walkFiles(dir, ".json").flatMap((f) => loadStateTestLike(f, group)));
}

function walkFiles(dir: string, ext: string): string[] {
  return readdirSync(dir).sort().flatMap((f) => {
    const path = join(dir, f);
    return statSync(path).isDirectory() ? walkFiles(path, ext) : f.endsWith(ext) ? [path] : [];
  });
}

interface StateTestLikeTx {
  to?: string;
  sender?: string;
  data?: string | string[];
  gasLimit?: string | string[];
  value?: string | string[];
}

/**
 * A state-test-like JSON file: one case per test and per `data` entry. Optional `_info` fields: `labels` (data
 * index to case label), `kind` ("real-world", "compute" or "micro"), `expected` (data index to `{output, gasUsed}`).
 */
function loadStateTestLike(file: string, group: string): BenchCase[] {
  const doc = JSON.parse(readFileSync(file, "utf8")) as Record<string, {
    env?: Record<string, unknown>;
    pre: Record<string, FixtureAccount>;
    transaction: StateTestLikeTx | StateTestLikeTx[];
    _info?: {
      labels?: Record<string, string>;
      kind?: string;
      expected?: Record<string, { output?: string; gasUsed?: string }>;
    };
  }>;
  const cases: BenchCase[] = [];
  for (const [contract, test] of Object.entries(doc)) {
    const what = `${file}: ${contract}`;
    const tx = Array.isArray(test.transaction) ? test.transaction[0] : test.transaction;
    if (!tx?.to) throw new Error(`${what}: no transaction.to (creations are not benchmark calls)`);
    const to = BigInt(tx.to);
    const pre = readPre(test.pre, what);
    const code = pre.find((a) => a.address === to)?.code;
    if (!code || code.length === 0) throw new Error(`${what}: no code at transaction.to`);
    const kind = test._info?.kind;
    if (kind !== undefined && kind !== "real-world" && kind !== "compute" && kind !== "micro") {
      throw new Error(`${what}: _info.kind is "${kind}", not real-world, compute or micro`);
    }
    const data = Array.isArray(tx.data) ? tx.data : [tx.data ?? ""];
    data.forEach((d, i) => {
      const label = test._info?.labels?.[String(i)] ?? (data.length > 1 ? String(i) : undefined);
      const expected = test._info?.expected?.[String(i)];
      cases.push({
        name: label ? `${contract}/${label}` : contract,
        group,
        contract,
        fork: DEFAULT_FORK,
        to,
        caller: tx.sender ? BigInt(tx.sender) : BENCH_SENDER,
        code,
        calldata: expandHex(d, `${what} data ${i}`),
        gas: tx.gasLimit !== undefined ? toBigInt(firstOf(tx.gasLimit)) : DEFAULT_GAS,
        value: toBigInt(firstOf(tx.value)),
        pre,
        block: readEnv(test.env),
        kind,
        expectedOutput: expected?.output !== undefined
          ? expandHex(expected.output, `${what} expected output ${i}`)
          : undefined,
        expectedGasUsed: expected?.gasUsed !== undefined ? toBigInt(expected.gasUsed) : undefined,
        alsoIn: [],
      });
    });
  }
  return cases;
}

/** Drops a case that repeats an earlier one (same call, same pre-state); the earlier one records its group. */
function dropRepeats(all: BenchCase[]): BenchCase[] {
  const byKey = new Map<string, BenchCase>();
  const cases: BenchCase[] = [];
  for (const c of all) {
    const key = callKey(c);
    const earlier = byKey.get(key);
    if (earlier) {
      earlier.alsoIn.push(c.group);
      earlier.expectedOutput ??= c.expectedOutput;
      continue;
    }
    byKey.set(key, c);
    cases.push(c);
  }
  return cases;
}

function callKey(c: BenchCase): string {
  const pre = c.pre.map((a) =>
    [a.address, a.nonce, a.balance, bytesToHex(a.code), [...a.storage].sort().join(",")].join("/")
  ).sort();
  return [c.fork, c.to, c.caller, c.value, c.gas, bytesToHex(c.calldata), JSON.stringify(c.block, String), ...pre]
    .join("|");
}
