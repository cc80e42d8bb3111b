/** Ommers of imported proof-of-work blocks, as the uncle methods answer them (geth's shapes). */
import assert from "node:assert/strict";
import { encodeBlock } from "../../src/chain/block_codec.ts";
import type { Block } from "../../src/chain/block.ts";
import { Interpreter } from "../../backends/interpreter/interpreter.ts";
import { DevChain } from "../../src/chain/chain.ts";
import { headerHash } from "../../src/chain/header.ts";
import { bytesToHex } from "../../src/primitives/hex.ts";
import { blockMethods } from "../../src/rpc/methods/blocks.ts";
import { Params } from "../../src/rpc/params.ts";
import type { RpcContext } from "../../src/rpc/context.ts";

Deno.test("uncle methods: counts and headers of a block's ommers; null past the last", () => {
  const dev = new DevChain({ hardfork: "homestead", accounts: 1, backend: new Interpreter() });
  const genesis = dev.latest;
  const ommer = { ...genesis.header, number: 1n, difficulty: 131072n, extraData: new Uint8Array([7]) };
  const block: Block = { ...genesis, ommers: [ommer] };
  const chain = { findBlock: () => block } as unknown as DevChain;
  const ctx = { chain } as RpcContext;
  const call = (m: string, params: unknown[]) => blockMethods[m](new Params(params), ctx);
  assert.equal(call("eth_getUncleCountByBlockNumber", ["0x0"]), "0x1");
  assert.equal(call("eth_getUncleCountByBlockHash", [bytesToHex(genesis.hash)]), "0x1");
  const u = call("eth_getUncleByBlockNumberAndIndex", ["0x0", "0x0"]) as Record<string, unknown>;
  assert.equal(u.hash, bytesToHex(headerHash(ommer)));
  assert.equal(u.number, "0x1");
  assert.equal(u.extraData, "0x07");
  assert.deepEqual(u.transactions, []);
  assert.deepEqual(u.uncles, []);
  const alone = encodeBlock({ header: ommer, hash: headerHash(ommer), transactions: [], ommers: [], size: 0 });
  assert.equal(u.size, "0x" + alone.length.toString(16));
  assert.equal(call("eth_getUncleByBlockHashAndIndex", [bytesToHex(genesis.hash), "0x1"]), null);
  dev.close();
});
