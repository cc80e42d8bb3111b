import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Interpreter } from "../../backends/interpreter/interpreter.ts";
import { type BlockchainTestCase, fixtureGenesis, runBlockchainFile } from "../../src/blocktest/runner.ts";
import { encodeBlock, splitChainFile } from "../../src/chain/block_codec.ts";
import { DevChain } from "../../src/chain/chain.ts";
import { GenesisError, loadGenesisFile, parseGethGenesis } from "../../src/chain/genesis.ts";
import { BlockImportError, importBlock, importChainFile } from "../../src/chain/import.ts";
import { bytesToHex, hexToBytes } from "../../src/primitives/hex.ts";
import { rlpDecode, rlpEncode, type RlpInput } from "../../src/primitives/rlp.ts";

/** The error `fn` throws, checked to be a `kind`. */
function thrown<T extends Error>(fn: () => unknown, kind: new (...a: never[]) => T): T {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof kind, `expected ${kind.name}, got ${e}`);
    return e as T;
  }
  throw new assert.AssertionError({ message: `expected ${kind.name} to be thrown` });
}

const SAMPLE = new URL("../fixtures/blockchain_tests/", import.meta.url).pathname;
const APIS = new URL("../../../shared/fixtures/execution-apis/tests/", import.meta.url).pathname;
const haveApis = existsSync(join(APIS, "chain.rlp"));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".json") ? [p] : [];
  });
}

Deno.test("blocktest: the sample of EEST blockchain tests passes (PoW rewards, EIP-2935, deposits, BPO transition)", () => {
  let n = 0;
  for (const f of files(SAMPLE)) {
    for (const r of runBlockchainFile(f, readFileSync(f, "utf8"), { backend: new Interpreter() })) {
      assert.ok(r.passed, `${r.test}: ${r.detail}`);
      n++;
    }
  }
  assert.ok(n >= 8, `only ${n} tests in the sample`);
});

/** A sample test's chain and its blocks' RLP. */
function sampleChain(file: string, index = 0) {
  const tests = JSON.parse(readFileSync(join(SAMPLE, file), "utf8"));
  const tc = Object.values<BlockchainTestCase>(tests)[index];
  const chain = new DevChain({ genesis: fixtureGenesis(tc), accounts: 0, backend: new Interpreter(), noMining: true });
  return { chain, blocks: tc.blocks.map((b: { rlp: string }) => hexToBytes(b.rlp)) as Uint8Array[], tc };
}

/** Re-encodes a block's RLP with header field `i` replaced. */
function withHeaderField(rlp: Uint8Array, i: number, value: Uint8Array): Uint8Array {
  const parts = rlpDecode(rlp) as RlpInput[];
  const header = [...(parts[0] as RlpInput[])];
  header[i] = value;
  return rlpEncode([header, ...parts.slice(1)]);
}

Deno.test("block import: a wrong state root is rejected naming the field and both roots; the chain stays", () => {
  const { chain, blocks } = sampleChain("frontier/examples/test_block_intermediate_state.json");
  importBlock(chain, blocks[0]);
  const head = chain.latest.hash;
  const bad = withHeaderField(blocks[1], 3, new Uint8Array(32).fill(0xab));
  const e = thrown(() => importBlock(chain, bad), BlockImportError);
  assert.equal(e.field, "stateRoot");
  assert.match(e.message, /^block 2: stateRoot is 0xabab[0-9a-f]+ in the header, 0x[0-9a-f]{64} computed$/);
  assert.equal(chain.blockNumber, 1n);
  assert.equal(bytesToHex(chain.latest.hash), bytesToHex(head));
  // The good block still imports on top.
  importBlock(chain, blocks[1]);
  assert.equal(chain.blockNumber, 2n);
});

Deno.test("block import: header checks against the parent (difficulty, gas limit, timestamp, extra data)", () => {
  const { chain, blocks } = sampleChain("frontier/examples/test_block_intermediate_state.json");
  const cases: [number, Uint8Array, string][] = [
    [7, hexToBytes("0x020000"), "difficulty"],
    [9, hexToBytes("0x7fffffffffff"), "gasLimit"],
    [11, new Uint8Array(0), "timestamp"],
    [12, new Uint8Array(33), "extraData"],
    [8, hexToBytes("0x05"), "number"],
  ];
  for (const [i, value, field] of cases) {
    const e = thrown(() => importBlock(chain, withHeaderField(blocks[0], i, value)), BlockImportError);
    assert.equal(e.field, field, e.message);
  }
  assert.equal(chain.blockNumber, 0n);
});

Deno.test("block import: garbage, an unknown parent and a truncated chain file are errors naming the problem", () => {
  const { chain, blocks } = sampleChain("frontier/examples/test_block_intermediate_state.json");
  assert.equal(thrown(() => importBlock(chain, hexToBytes("0xc3010203")), BlockImportError).field, "rlp");
  const orphan = withHeaderField(blocks[0], 0, new Uint8Array(32).fill(7));
  assert.match(thrown(() => importBlock(chain, orphan), BlockImportError).message, /not a known block/);
  const file = new Uint8Array([...blocks[0], ...blocks[1], ...blocks[2].subarray(0, 100)]);
  const e = thrown(() => importChainFile(chain, file), BlockImportError);
  assert.match(e.message, /truncated.*2 blocks imported before it/);
  assert.equal(chain.blockNumber, 2n);
  assert.equal(splitChainFile(new Uint8Array([0x01])).damage?.includes("does not start an RLP list"), true);
});

Deno.test("block import: a block mined on a genesis chain imports into a fresh chain with the same genesis", () => {
  const { chain, blocks } = sampleChain("prague/eip2935_historical_block_hashes_from_state/test_eip_2935.json");
  for (const b of blocks) importBlock(chain, b);
  const { chain: other } = sampleChain("prague/eip2935_historical_block_hashes_from_state/test_eip_2935.json");
  for (const b of blocks) importBlock(other, b);
  // An empty block mined by the node (system calls, requests, base fee) is one import accepts.
  const mined = chain.mineBlock(chain.latest.header.timestamp + 12n);
  const again = importBlock(other, encodeBlock(mined));
  assert.equal(bytesToHex(again.hash), bytesToHex(mined.hash));
  assert.equal(again.size, mined.size);
});

Deno.test("genesis: the execution-apis genesis hashes as geth's, and its chain imports block for block", {
  ignore: !haveApis,
}, () => {
  const chain = new DevChain({ genesis: loadGenesisFile(join(APIS, "genesis.json")), noMining: true, backend: new Interpreter() });
  assert.equal(bytesToHex(chain.blocks[0].hash), "0x44fd89d504659cd58f48f4796b77a7e7012cf296a2409afa2f6c3cb99b5b3d99");
  const r = importChainFile(chain, readFileSync(join(APIS, "chain.rlp")));
  const fcu = JSON.parse(readFileSync(join(APIS, "headfcu.json"), "utf8"));
  assert.equal(bytesToHex(chain.latest.hash), fcu.params[0].headBlockHash);
  assert.equal(r.known, 0);
  // Imported again: every block is known.
  assert.equal(importChainFile(chain, readFileSync(join(APIS, "chain.rlp"))).imported, 0);
  // Re-encoding each block gives back the file.
  const enc = chain.blocks.slice(1).map(encodeBlock);
  assert.equal(
    bytesToHex(new Uint8Array(enc.flatMap((b) => [...b]))),
    bytesToHex(readFileSync(join(APIS, "chain.rlp"))),
  );
});

Deno.test("genesis: a missing or malformed field is an error naming it", () => {
  const good = { config: { chainId: 1, londonBlock: 0 }, alloc: {}, gasLimit: "0x1c9c380", difficulty: "0x0" };
  parseGethGenesis(good);
  for (
    const [genesis, message] of [
      [{ ...good, gasLimit: undefined }, /missing field gasLimit/],
      [{ ...good, config: undefined }, /missing field config/],
      [{ ...good, config: { londonBlock: 0 } }, /missing field config.chainId/],
      [{ ...good, difficulty: "lots" }, /invalid difficulty/],
      [{ ...good, alloc: { "0x12": { balance: "1" } } }, /invalid alloc key/],
      [{ ...good, alloc: { ["0x" + "11".repeat(20)]: { balance: "0xzz" } } }, /invalid alloc\[0x1111.*\]\.balance/],
      [
        { ...good, config: { chainId: 1, cancunTime: 0, londonBlock: 0, blobSchedule: { cancun: { target: 3 } } } },
        /blobSchedule.cancun.max/,
      ],
      [{ ...good, config: { chainId: 1, londonBlock: "soon" } }, /config.londonBlock/],
    ] as const
  ) {
    assert.match(thrown(() => parseGethGenesis(genesis), GenesisError).message, message);
  }
  assert.match(thrown(() => loadGenesisFile("/nonexistent/genesis.json"), GenesisError).message, /cannot read/);
});
