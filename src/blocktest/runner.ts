/**
 * Runs EEST `blockchain_test` fixtures through block import: the genesis is
 * built from `pre` and the genesis header and checked against the fixture's
 * hash and RLP, each block is imported (a block with `expectException` must
 * be rejected), and the head's hash and state are compared with
 * `lastblockhash` and `postState`.
 */
import type { Backend } from "../../backends/backend.ts";
import { DevChain } from "../chain/chain.ts";
import type { BlobSchedule } from "../chain/fees.ts";
import { ForkSchedule, parseBlobSchedule } from "../chain/fork_schedule.ts";
import { type GenesisSpec, parseAlloc } from "../chain/genesis.ts";
import { headerToRlp } from "../chain/header.ts";
import { BlockImportError, importBlock } from "../chain/import.ts";
import { bytesToHex, hexToBigInt, hexToBytes } from "../primitives/hex.ts";
import { rlpEncode } from "../primitives/rlp.ts";
import { expectedStateDiff } from "../state/expected_state.ts";

export interface FixtureBlock {
  rlp: string;
  expectException?: string;
}

export interface BlockchainTestCase {
  network: string;
  config?: { chainid?: string; blobSchedule?: Record<string, unknown> };
  genesisBlockHeader: Record<string, string>;
  genesisRLP?: string;
  pre: Record<string, unknown>;
  blocks: FixtureBlock[];
  postState?: Record<string, { nonce: string; balance: string; code: string; storage: Record<string, string> }>;
  postStateHash?: string;
  lastblockhash: string;
  sealEngine?: string;
}

export interface BlockTestResult {
  file: string;
  test: string;
  network: string;
  passed: boolean;
  detail?: string;
  ms: number;
}

export interface BlockTestOptions {
  backend: Backend;
  /** Only tests whose name contains this. */
  filter?: string;
}

/** The genesis a fixture describes: its network's schedule, `pre` and the genesis header's fields. */
export function fixtureGenesis(tc: BlockchainTestCase): GenesisSpec {
  const h = tc.genesisBlockHeader;
  const blobSchedules: Record<string, BlobSchedule> = {};
  for (const [fork, s] of Object.entries(tc.config?.blobSchedule ?? {})) {
    blobSchedules[fork] = parseBlobSchedule(s, `config.blobSchedule.${fork}`);
  }
  const opt = (k: string) => (h[k] === undefined ? undefined : hexToBigInt(h[k], k));
  return {
    chainId: tc.config?.chainid ? hexToBigInt(tc.config.chainid, "config.chainid") : 1n,
    schedule: ForkSchedule.fromNetwork(tc.network, blobSchedules),
    alloc: parseAlloc(tc.pre, "pre"),
    header: {
      parentHash: hexToBytes(h.parentHash, "parentHash"),
      coinbase: hexToBigInt(h.coinbase, "coinbase"),
      difficulty: hexToBigInt(h.difficulty, "difficulty"),
      number: hexToBigInt(h.number, "number"),
      gasLimit: hexToBigInt(h.gasLimit, "gasLimit"),
      gasUsed: hexToBigInt(h.gasUsed, "gasUsed"),
      timestamp: hexToBigInt(h.timestamp, "timestamp"),
      extraData: hexToBytes(h.extraData, "extraData"),
      mixHash: hexToBytes(h.mixHash, "mixHash"),
      nonce: hexToBytes(h.nonce, "nonce"),
      baseFeePerGas: opt("baseFeePerGas"),
      blobGasUsed: opt("blobGasUsed"),
      excessBlobGas: opt("excessBlobGas"),
      parentBeaconBlockRoot: h.parentBeaconBlockRoot === undefined ? undefined : hexToBytes(h.parentBeaconBlockRoot),
    },
  };
}

/** Runs every test of one fixture file. A malformed file or test is a failed result naming it. */
export function runBlockchainFile(file: string, text: string, opts: BlockTestOptions): BlockTestResult[] {
  let parsed: Record<string, BlockchainTestCase>;
  try {
    parsed = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new Error("not a JSON object of tests");
    }
  } catch (e) {
    return [{
      file,
      test: "(file)",
      network: "-",
      passed: false,
      detail: `malformed fixture: ${(e as Error).message}`,
      ms: 0,
    }];
  }
  const results: BlockTestResult[] = [];
  for (const [test, tc] of Object.entries(parsed)) {
    if (opts.filter && !test.includes(opts.filter)) continue;
    results.push(runTest(file, test, tc, opts));
  }
  return results;
}

function runTest(file: string, test: string, tc: BlockchainTestCase, opts: BlockTestOptions): BlockTestResult {
  const start = performance.now();
  const network = tc?.network ?? "-";
  const done = (passed: boolean, detail?: string): BlockTestResult => ({
    file,
    test,
    network,
    passed,
    detail,
    ms: performance.now() - start,
  });
  try {
    if (!tc || typeof tc !== "object" || !tc.genesisBlockHeader || !tc.pre || !Array.isArray(tc.blocks)) {
      return done(false, "malformed test: missing genesisBlockHeader, pre or blocks");
    }
    const chain = new DevChain({ genesis: fixtureGenesis(tc), accounts: 0, backend: opts.backend, noMining: true });
    try {
      const genesis = chain.blocks[0];
      const wantHash = tc.genesisBlockHeader.hash?.toLowerCase();
      if (wantHash && bytesToHex(genesis.hash) !== wantHash) {
        const root = bytesToHex(genesis.header.stateRoot);
        return done(
          false,
          `genesis hash ${
            bytesToHex(genesis.hash)
          } != ${wantHash} (state root ${root}, fixture's ${tc.genesisBlockHeader.stateRoot})`,
        );
      }
      if (tc.genesisRLP) {
        const body = [headerToRlp(genesis.header), [], []];
        if (genesis.header.withdrawalsRoot !== undefined) body.push([]);
        const rlp = bytesToHex(rlpEncode(body));
        if (rlp !== tc.genesisRLP.toLowerCase()) {
          return done(false, `genesis RLP ${rlp.slice(0, 40)}… differs from the fixture's`);
        }
      }
      for (const [i, b] of tc.blocks.entries()) {
        let error: unknown;
        try {
          importBlock(chain, hexToBytes(b.rlp, `blocks[${i}].rlp`));
        } catch (e) {
          if (!(e instanceof BlockImportError)) throw e;
          error = e;
        }
        if (b.expectException && !error) {
          return done(false, `block ${i}: expected ${b.expectException}, but it was imported`);
        }
        if (!b.expectException && error) return done(false, `block ${i}: ${(error as Error).message}`);
      }
      const diffs: string[] = [];
      const last = bytesToHex(chain.latest.hash);
      if (last !== tc.lastblockhash.toLowerCase()) diffs.push(`last block hash ${last} != ${tc.lastblockhash}`);
      if (tc.postState) diffs.push(...expectedStateDiff(chain.head, tc.postState));
      if (tc.postStateHash) {
        const root = bytesToHex(chain.stateRootOf(chain.head));
        if (root !== tc.postStateHash.toLowerCase()) diffs.push(`post-state root ${root} != ${tc.postStateHash}`);
      }
      return diffs.length ? done(false, diffs.slice(0, 12).join("; ")) : done(true);
    } finally {
      chain.close();
    }
  } catch (e) {
    return done(false, `error: ${(e as Error).stack ?? e}`);
  }
}
