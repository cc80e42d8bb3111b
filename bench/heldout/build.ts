/**
 * Rebuilds the held-out benchmark fixtures (bench/heldout/fixtures/*.json) from the Solidity in contracts/:
 * compiles them with the npm `solc` package, deploys and sets them up on anvil 1.7.1 (npm), takes each case's
 * pre-state from anvil_dumpState, records each call's output and gas used on anvil, and checks both against
 * our node on the interpreter (in process). Any disagreement stops the build.
 *
 *   npx -y deno run --v8-flags=--stack-size=4000 -A bench/heldout/build.ts [--check] [--only TEXT]
 *
 * --check: rebuild in memory and compare with the committed fixtures instead of writing them.
 * --only: the cases whose name contains TEXT.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import solc from "solc";
import { type Abi, decodeFunctionResult, encodeDeployData, encodeFunctionData, type Hex } from "viem";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { createNode, Interpreter } from "../../mod.ts";
import { freePort } from "../free_port.ts";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const REPO_ROOT = join(HERE, "../..");
const ANVIL_BIN = join(REPO_ROOT, "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
const OUT_DIR = join(HERE, "fixtures");
/** anvil's first dev account: deploys and sets up every contract. */
const DEPLOYER = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
/** The caller of every benchmark call (the benchmark's default sender). */
const SENDER = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b";
/** An account holding tokens in the token cases. */
const HOLDER = "0x00000000000000000000000000000000000b0b0b";

// ---------------------------------------------------------------- compile

interface Compiled {
  abi: Abi;
  bytecode: Hex;
  runtime: Hex;
}

function compileAll(): Record<string, Compiled> {
  const dir = join(HERE, "contracts");
  const sources: Record<string, { content: string }> = {};
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".sol")).sort()) {
    sources[f] = { content: readFileSync(join(dir, f), "utf8") };
  }
  const input = {
    language: "Solidity",
    sources,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors ?? []).filter((e: { severity: string }) => e.severity === "error");
  if (errors.length) throw new Error(errors.map((e: { formattedMessage: string }) => e.formattedMessage).join("\n"));
  const byName: Record<string, Compiled> = {};
  for (const file of Object.keys(out.contracts)) {
    for (const [name, c] of Object.entries(out.contracts[file]) as [string, any][]) {
      byName[name] = {
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        runtime: `0x${c.evm.deployedBytecode.object}`,
      };
    }
  }
  return byName;
}

// ---------------------------------------------------------------- anvil

type Rpc = (method: string, params: unknown[]) => Promise<any>;

async function startAnvil(): Promise<{ rpc: Rpc; stop: () => void }> {
  chmodSync(ANVIL_BIN, 0o755);
  const port = await freePort();
  const child: ChildProcess = spawn(ANVIL_BIN, ["--port", String(port)], { stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  let id = 0;
  const rpc: Rpc = async (method, params) => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
    });
    const r = await res.json();
    if (r.error) throw new Error(`anvil ${method}: ${r.error.message} ${JSON.stringify(r.error.data ?? "")}`);
    return r.result;
  };
  for (let i = 0;; i++) {
    try {
      await rpc("eth_chainId", []);
      break;
    } catch (e) {
      if (i > 200) {
        child.kill();
        throw e;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  return { rpc, stop: () => child.kill() };
}

// ---------------------------------------------------------------- cases

interface CallSpec {
  label: string;
  data: Hex;
  /** Checks the decoded output beyond agreement between the nodes (throws on a wrong answer). */
  check?: (output: Hex) => void;
}

interface CaseSpec {
  name: string;
  kind: "real-world" | "compute";
  contracts: string[];
  gasLimit: bigint;
  /** Deploys and sets up; returns the call target, the calls, and every account the calls touch. */
  setUp(d: Deployer): Promise<{ to: Hex; calls: CallSpec[]; accounts: Hex[] }>;
}

class Deployer {
  constructor(readonly rpc: Rpc, readonly compiled: Record<string, Compiled>) {}

  async send(to: Hex | undefined, data: Hex): Promise<any> {
    const hash = await this.rpc("eth_sendTransaction", [{ from: DEPLOYER, to, data, gas: "0x1c9c380" }]);
    let receipt = null;
    for (let i = 0; receipt === null && i < 500; i++) {
      receipt = await this.rpc("eth_getTransactionReceipt", [hash]);
      if (receipt === null) await new Promise((r) => setTimeout(r, 10));
    }
    if (receipt?.status !== "0x1") throw new Error(`set-up transaction ${hash} failed`);
    return receipt;
  }

  async deploy(name: string, args: unknown[] = []): Promise<Hex> {
    const c = this.compiled[name];
    const receipt = await this.send(undefined, encodeDeployData({ abi: c.abi, bytecode: c.bytecode, args }));
    return receipt.contractAddress;
  }

  call(name: string, fn: string, args: unknown[] = []): Hex {
    return encodeFunctionData({ abi: this.compiled[name].abi, functionName: fn, args });
  }

  async exec(to: Hex, name: string, fn: string, args: unknown[] = []): Promise<void> {
    await this.send(to, this.call(name, fn, args));
  }

  async read(to: Hex, name: string, fn: string, args: unknown[] = []): Promise<any> {
    const data = this.call(name, fn, args);
    const out = await this.rpc("eth_call", [{ to, data }, "latest"]);
    return decodeFunctionResult({ abi: this.compiled[name].abi, functionName: fn, data: out });
  }

  decode(name: string, fn: string, output: Hex): any {
    return decodeFunctionResult({ abi: this.compiled[name].abi, functionName: fn, data: output });
  }
}

function must(ok: boolean, what: string): void {
  if (!ok) throw new Error(`wrong answer: ${what}`);
}

/** Deterministic bytes for calldata: keccak-free, a simple generator. */
function bytesOf(n: number, seed: number): Hex {
  let s = seed >>> 0;
  let out = "0x";
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out += ((s >>> 16) & 0xff).toString(16).padStart(2, "0");
  }
  return out as Hex;
}

const E18 = 10n ** 18n;
const E6 = 10n ** 6n;

const CASES: CaseSpec[] = [
  {
    name: "nft_market",
    kind: "real-world",
    contracts: ["NftMarket"],
    gasLimit: 10_000_000n,
    async setUp(d) {
      const market = await d.deploy("NftMarket");
      const collection = "0x00000000000000000000000000000000c011ec70";
      await d.exec(market, "NftMarket", "seed", [collection, 40n]);
      const id = await d.read(market, "NftMarket", "ordersOfCollection", [collection, 7n]);
      return {
        to: market,
        accounts: [market],
        calls: [
          { label: "getOrder", data: d.call("NftMarket", "getOrder", [id]) },
          {
            label: "floorOf_12",
            data: d.call("NftMarket", "floorOf", [collection, 12n, 1_700_000_000n]),
            check: (o) => must(d.decode("NftMarket", "floorOf", o)[1] < 2n * E18, "floor price"),
          },
        ],
      };
    },
  },
  {
    name: "erc721_reads",
    kind: "real-world",
    contracts: ["Erc721Collection"],
    gasLimit: 10_000_000n,
    async setUp(d) {
      const nft = await d.deploy("Erc721Collection");
      await d.exec(nft, "Erc721Collection", "mint", [HOLDER, 60n]);
      return {
        to: nft,
        accounts: [nft],
        calls: [
          {
            label: "tokenURI",
            data: d.call("Erc721Collection", "tokenURI", [42n]),
            check: (o) => must(d.decode("Erc721Collection", "tokenURI", o).endsWith("/metadata/42.json"), "tokenURI"),
          },
          {
            label: "ownerOf",
            data: d.call("Erc721Collection", "ownerOf", [7n]),
            check: (o) => must(d.decode("Erc721Collection", "ownerOf", o).toLowerCase() === HOLDER, "ownerOf"),
          },
        ],
      };
    },
  },
  {
    name: "stable_swap",
    kind: "real-world",
    contracts: ["StableSwapPool"],
    gasLimit: 10_000_000n,
    async setUp(d) {
      const pool = await d.deploy("StableSwapPool", [2000n, 4_000_000n]);
      await d.exec(pool, "StableSwapPool", "setBalances", [[120_000_000n * E18, 95_000_000n * E6, 101_000_000n * E6]]);
      const sane = (dx: bigint, scale: bigint) => (o: Hex) => {
        const dy = d.decode("StableSwapPool", "get_dy", o) as bigint;
        must(dy > (dx * scale * 99n) / 100n && dy < dx * scale, `get_dy ${dy}`);
      };
      return {
        to: pool,
        accounts: [pool],
        calls: [
          {
            label: "get_dy_0_1",
            data: d.call("StableSwapPool", "get_dy", [0n, 1n, 1000n * E18]),
            check: sane(1000n, E6),
          },
          {
            label: "get_dy_1_2",
            data: d.call("StableSwapPool", "get_dy", [1n, 2n, 2_500_000n * E6]),
            check: sane(2_500_000n * E6, 1n),
          },
        ],
      };
    },
  },
  {
    name: "vault_proxy",
    kind: "real-world",
    contracts: ["Token", "Vault4626", "VaultProxy"],
    gasLimit: 10_000_000n,
    async setUp(d) {
      const token = await d.deploy("Token", ["Held-out USD", "hUSD", 18]);
      const impl = await d.deploy("Vault4626");
      const proxy = await d.deploy("VaultProxy", [impl, d.call("Vault4626", "initialize", [token])]);
      await d.exec(token, "Token", "mint", [DEPLOYER, 1_000_000n * E18]);
      await d.exec(token, "Token", "approve", [proxy, 2n ** 256n - 1n]);
      await d.exec(proxy, "Vault4626", "deposit", [500_000n * E18, HOLDER]);
      await d.exec(token, "Token", "mint", [proxy, 37_123n * E18]); // yield: a share is worth more than an asset
      return {
        to: proxy,
        accounts: [token, impl, proxy],
        calls: [
          {
            label: "previewDeposit",
            data: d.call("Vault4626", "previewDeposit", [1_000n * E18]),
            check: (o) => {
              const shares = d.decode("Vault4626", "previewDeposit", o) as bigint;
              // 10^3 virtual shares per asset unit (decimals offset 3), fewer after the yield
              must(shares < 1_000n * E18 * 1000n && shares > 1_000n * E18 * 900n, `shares ${shares}`);
            },
          },
          { label: "convertToShares", data: d.call("Vault4626", "convertToShares", [123_456_789n]) },
        ],
      };
    },
  },
  {
    name: "multicall_balances",
    kind: "real-world",
    contracts: ["Token", "Multicall"],
    gasLimit: 10_000_000n,
    async setUp(d) {
      const tokens: Hex[] = [];
      const names = [["Wrapped Ether", "WETH", 18], ["USD Coin", "USDC", 6], ["Tether", "USDT", 6], [
        "Dai",
        "DAI",
        18,
      ], ["Chainlink", "LINK", 18]] as const;
      for (const [i, [name, symbol, decimals]] of names.entries()) {
        const t = await d.deploy("Token", [name, symbol, decimals]);
        await d.exec(t, "Token", "mint", [HOLDER, BigInt(i + 1) * 1234n * 10n ** BigInt(decimals)]);
        await d.exec(t, "Token", "mint", [DEPLOYER, 10n ** 30n]);
        tokens.push(t);
      }
      const multicall = await d.deploy("Multicall");
      const balanceCalls = tokens.map((t) => ({ target: t, callData: d.call("Token", "balanceOf", [HOLDER]) }));
      const mixed = tokens.flatMap((t) => [
        { target: t, callData: d.call("Token", "balanceOf", [HOLDER]) },
        { target: t, callData: d.call("Token", "decimals") },
      ]);
      return {
        to: multicall,
        accounts: [...tokens, multicall],
        calls: [
          {
            label: "aggregate_5_balanceOf",
            data: d.call("Multicall", "aggregate", [balanceCalls]),
            check: (o) => must(d.decode("Multicall", "aggregate", o)[1].length === 5, "5 answers"),
          },
          { label: "tryAggregate_10", data: d.call("Multicall", "tryAggregate", [true, mixed]) },
        ],
      };
    },
  },
  {
    name: "svg_renderer",
    kind: "compute",
    contracts: ["SvgRenderer"],
    gasLimit: 100_000_000n,
    async setUp(d) {
      const r = await d.deploy("SvgRenderer");
      return {
        to: r,
        accounts: [r],
        calls: [{
          label: "tokenURI_64",
          data: d.call("SvgRenderer", "tokenURI", [7n, 64n]),
          check: (o) => {
            const uri = d.decode("SvgRenderer", "tokenURI", o) as string;
            const json = JSON.parse(atob(uri.slice("data:application/json;base64,".length)));
            const svg = atob(json.image.slice("data:image/svg+xml;base64,".length));
            must(svg.startsWith("<svg") && svg.endsWith("</svg>") && svg.split("<rect").length === 66, "svg");
          },
        }],
      };
    },
  },
  {
    name: "secp256k1_mul",
    kind: "compute",
    contracts: ["Secp256k1Mul"],
    gasLimit: 100_000_000n,
    async setUp(d) {
      const c = await d.deploy("Secp256k1Mul");
      const k = 0x8e3a1b7c2d4f6e5a9b0c1d2e3f405162738495a6b7c8d9eafb0c1d2e3f405162n;
      return {
        to: c,
        accounts: [c],
        calls: [
          { label: "derive_48", data: d.call("Secp256k1Mul", "derive", [k, 48n]) },
          {
            label: "mulG",
            data: d.call("Secp256k1Mul", "mulG", [k]),
            check: (o) => {
              const [x, y] = d.decode("Secp256k1Mul", "mulG", o) as [bigint, bigint];
              const p = secp256k1.Point.BASE.multiply(k).toAffine();
              must(p.x === x && p.y === y, "k*G differs from @noble/curves");
            },
          },
        ],
      };
    },
  },
  {
    name: "keccak_solidity",
    kind: "compute",
    contracts: ["KeccakSolidity"],
    gasLimit: 100_000_000n,
    async setUp(d) {
      const c = await d.deploy("KeccakSolidity");
      const check = (o: Hex) => {
        const [ours, native] = d.decode("KeccakSolidity", "hash", o);
        must(ours === native, "Solidity keccak differs from the opcode's");
      };
      return {
        to: c,
        accounts: [c],
        calls: [
          { label: "135B", data: d.call("KeccakSolidity", "hash", [bytesOf(135, 2)]), check },
          { label: "1KiB", data: d.call("KeccakSolidity", "hash", [bytesOf(1024, 1)]), check },
        ],
      };
    },
  },
  {
    name: "quicksort",
    kind: "compute",
    contracts: ["QuickSort"],
    gasLimit: 100_000_000n,
    async setUp(d) {
      const c = await d.deploy("QuickSort");
      return {
        to: c,
        accounts: [c],
        calls: [{ label: "500", data: d.call("QuickSort", "sortRandom", [0x5eedn, 500n]) }],
      };
    },
  },
  {
    name: "merkle_proofs",
    kind: "compute",
    contracts: ["MerkleProofs"],
    gasLimit: 100_000_000n,
    async setUp(d) {
      const c = await d.deploy("MerkleProofs");
      const n = 256n;
      return {
        to: c,
        accounts: [c],
        calls: [{
          label: `depth20_${n}`,
          data: d.call("MerkleProofs", "run", [`0x${"ab".repeat(32)}`, n]),
          check: (o) => must(d.decode("MerkleProofs", "run", o)[1] === n, "every proof verifies"),
        }],
      };
    },
  },
];

// ---------------------------------------------------------------- one call, as the benchmark sends it

function callGas(gas: bigint, data: Hex): bigint {
  let intrinsic = 21000n;
  for (let i = 2; i < data.length; i += 2) intrinsic += data.slice(i, i + 2) === "00" ? 4n : 16n;
  return gas + intrinsic;
}

const hex = (n: bigint) => `0x${n.toString(16)}`;

/** eth_call with the block fields the benchmark overrides (its defaults: number 1, time 1). */
function callParams(to: Hex, data: Hex, gas: bigint): unknown[] {
  const g = hex(callGas(gas, data));
  return [
    { from: SENDER, to, gas: g, value: "0x0", input: data },
    "latest",
    {},
    { number: "0x1", time: "0x1", gasLimit: g, coinbase: `0x${"0".repeat(40)}`, baseFee: "0x0" },
  ];
}

function simulateParams(to: Hex, data: Hex, gas: bigint, head: { number: bigint; timestamp: bigint }): unknown[] {
  const g = hex(callGas(gas, data));
  return [{
    blockStateCalls: [{
      blockOverrides: {
        number: hex(head.number + 1n),
        time: hex(head.timestamp + 1n),
        gasLimit: g,
        coinbase: `0x${"0".repeat(40)}`,
        baseFee: "0x0",
      },
      calls: [{ from: SENDER, to, gas: g, value: "0x0", input: data }],
    }],
  }, "latest"];
}

// ---------------------------------------------------------------- main

interface FixtureAccount {
  nonce: string;
  balance: string;
  code: string;
  storage: Record<string, string>;
}

async function preStateOf(rpc: Rpc, accounts: Hex[]): Promise<Record<string, FixtureAccount>> {
  const dump = JSON.parse(gunzipSync(Buffer.from((await rpc("anvil_dumpState", [])).slice(2), "hex")).toString());
  const byAddress = new Map(Object.entries(dump.accounts).map(([a, v]) => [a.toLowerCase(), v as any]));
  const pre: Record<string, FixtureAccount> = {};
  for (const a of accounts) {
    const acc = byAddress.get(a.toLowerCase());
    if (!acc) throw new Error(`${a} not in anvil's state dump`);
    const storage: Record<string, string> = {};
    for (const [k, v] of Object.entries(acc.storage ?? {}).sort(([a], [b]) => (BigInt(a) < BigInt(b) ? -1 : 1))) {
      if (BigInt(v as string) !== 0n) storage[hex(BigInt(k))] = hex(BigInt(v as string));
    }
    pre[a.toLowerCase()] = {
      nonce: hex(BigInt(acc.nonce)),
      balance: hex(BigInt(acc.balance)),
      code: acc.code,
      storage,
    };
  }
  return pre;
}

/** Our node on the interpreter, in process, given the pre-state through the anvil_set* methods. */
async function oursOnInterpreter(pre: Record<string, FixtureAccount>) {
  const node = createNode({ backend: new Interpreter() });
  for (const [a, acc] of Object.entries(pre)) {
    await node.request({ method: "anvil_setNonce", params: [a, acc.nonce] });
    await node.request({ method: "anvil_setBalance", params: [a, acc.balance] });
    await node.request({ method: "anvil_setCode", params: [a, acc.code] });
    for (const [k, v] of Object.entries(acc.storage)) {
      await node.request({ method: "anvil_setStorageAt", params: [a, hex32(k), hex32(v)] });
    }
  }
  return node;
}

const hex32 = (v: string) => `0x${BigInt(v).toString(16).padStart(64, "0")}`;

/** Gas used by the call in eth_simulateV1, in a block after both nodes' heads (simulated blocks go forward). */
async function simulatedGas(
  request: (m: string, p: unknown[]) => Promise<any>,
  head: { number: bigint; timestamp: bigint },
  to: Hex,
  data: Hex,
  gas: bigint,
) {
  const r = await request("eth_simulateV1", simulateParams(to, data, gas, head));
  const call = r[r.length - 1].calls[0]; // the last block: a node may add empty ones up to the number asked
  if (call.status !== "0x1") throw new Error(`eth_simulateV1: the call failed: ${JSON.stringify(call.error)}`);
  return call.gasUsed as string;
}

async function latestOf(...requests: ((m: string, p: unknown[]) => Promise<any>)[]) {
  const heads = await Promise.all(requests.map((r) => r("eth_getBlockByNumber", ["latest", false])));
  return {
    number: heads.reduce((m, h) => (BigInt(h.number) > m ? BigInt(h.number) : m), 0n),
    timestamp: heads.reduce((m, h) => (BigInt(h.timestamp) > m ? BigInt(h.timestamp) : m), 0n) + 1000n,
  };
}

async function main() {
  const checkOnly = process.argv.includes("--check");
  const onlyAt = process.argv.indexOf("--only");
  const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
  const compiled = compileAll();
  const anvil = await startAnvil();
  const fixtures: Record<string, string> = {};
  try {
    let base = await anvil.rpc("evm_snapshot", []);
    for (const spec of CASES.filter((c) => !only || c.name.includes(only))) {
      // Every case on the fresh chain (the same addresses whatever the order of cases).
      await anvil.rpc("evm_revert", [base]);
      base = await anvil.rpc("evm_snapshot", []);
      const d = new Deployer(anvil.rpc, compiled);
      const { to, calls, accounts } = await spec.setUp(d);
      const pre = await preStateOf(anvil.rpc, accounts);
      const ours = await oursOnInterpreter(pre);
      const oursRequest = (method: string, params: unknown[]) => ours.request({ method, params }) as Promise<any>;
      const expected: Record<string, { output: string; gasUsed: string }> = {};
      try {
        for (const [i, c] of calls.entries()) {
          const params = callParams(to, c.data, spec.gasLimit);
          const output = await anvil.rpc("eth_call", params) as Hex;
          const oursOutput = await oursRequest("eth_call", params);
          if (oursOutput !== output) {
            throw new Error(
              `${spec.name}/${c.label}: anvil answered ${output.slice(0, 200)}, ours ${oursOutput.slice(0, 200)}`,
            );
          }
          c.check?.(output);
          const head = await latestOf(anvil.rpc, oursRequest);
          const gasUsed = await simulatedGas(anvil.rpc, head, to, c.data, spec.gasLimit);
          const oursGas = await simulatedGas(oursRequest, head, to, c.data, spec.gasLimit);
          if (gasUsed !== oursGas) {
            throw new Error(`${spec.name}/${c.label}: gas used ${gasUsed} on anvil, ${oursGas} ours`);
          }
          expected[String(i)] = { output, gasUsed };
          console.error(`${spec.name}/${c.label}: gas used ${BigInt(gasUsed)}, ${(output.length - 2) / 2} bytes out`);
        }
      } finally {
        await ours.close();
      }
      const fixture = {
        [spec.name]: {
          _info: {
            kind: spec.kind,
            source: spec.contracts.map((n) => `contracts/${sourceFileOf(n)}:${n}`),
            compiler: `solc ${solc.version()}, optimizer on (200 runs), default EVM version`,
            labels: Object.fromEntries(calls.map((c, i) => [String(i), c.label])),
            expected,
          },
          pre,
          transaction: {
            to,
            sender: SENDER,
            data: calls.map((c) => c.data),
            gasLimit: [hex(spec.gasLimit)],
            value: ["0x0"],
          },
        },
      };
      fixtures[`${spec.name}.json`] = JSON.stringify(fixture, null, 1) + "\n";
    }
  } finally {
    anvil.stop();
  }
  if (checkOnly) {
    const stale = Object.entries(fixtures).filter(([f, text]) =>
      !existsSync(join(OUT_DIR, f)) || readFileSync(join(OUT_DIR, f), "utf8") !== text
    );
    if (stale.length) throw new Error(`fixtures differ from a rebuild: ${stale.map(([f]) => f).join(", ")}`);
    console.error(`${Object.keys(fixtures).length} fixtures match a rebuild`);
    return;
  }
  mkdirSync(OUT_DIR, { recursive: true });
  for (const [f, text] of Object.entries(fixtures)) writeFileSync(join(OUT_DIR, f), text);
  console.error(`wrote ${Object.keys(fixtures).length} fixtures to ${OUT_DIR}`);
}

function sourceFileOf(contract: string): string {
  const dir = join(HERE, "contracts");
  const f = readdirSync(dir).find((f) => readFileSync(join(dir, f), "utf8").includes(`contract ${contract} `));
  if (!f) throw new Error(`no source for ${contract}`);
  return f;
}

await main();
