/** Old blocks kept as bytes: they read exactly as before, by number and hash; any block's fields survive. */
import assert from "node:assert/strict";
import { Interpreter } from "../../backends/interpreter/interpreter.ts";
import type { Block } from "../../src/chain/block.ts";
import { ArchivedBlock, BlockArchive } from "../../src/chain/block_archive.ts";
import { encodeBlock } from "../../src/chain/block_codec.ts";
import { prevRandaoFor } from "../../src/chain/block_builder.ts";
import { DevChain } from "../../src/chain/chain.ts";
import { type BlockHeader, EMPTY_OMMERS_HASH, EMPTY_REQUESTS_HASH, headerHash } from "../../src/chain/header.ts";
import { HashIndex } from "../../src/chain/hash_index.ts";
import { queryLogs } from "../../src/chain/logs.ts";
import { formatBlock, formatReceipt } from "../../src/rpc/format.ts";
import { bytesToHex } from "../../src/primitives/hex.ts";
import { EMPTY_TRIE_ROOT } from "../../src/state/trie.ts";
import { TxType } from "../../src/tx/transaction.ts";
import { sendFromDevAccount } from "./helpers.ts";

const json = (x: unknown) => JSON.stringify(x, (_, v) => (typeof v === "bigint" ? `${v}n` : v));

function transfer(chain: DevChain, to: bigint | undefined, data?: Uint8Array, gasLimit?: bigint): void {
  sendFromDevAccount(chain, { to, data, gasLimit });
}

Deno.test("archived blocks: read by number and hash exactly as before, their transactions and receipts too", () => {
  const chain = new DevChain({ now: () => 1_700_000_000n, backend: new Interpreter() });
  for (let i = 1n; i <= 4n; i++) transfer(chain, 0xabc0n + i);
  // A creation whose init code logs (LOG1) and returns one byte of code; a call that reverts; an impersonated send.
  const init = [0x60, 0x2a, 0x60, 0, 0x52, 0x61, 0x12, 0x34, 0x60, 0x20, 0x60, 0, 0xa1, 0x60, 0, 0x60, 0, 0x53];
  transfer(chain, undefined, new Uint8Array([...init, 0x60, 1, 0x60, 0, 0xf3]), 100_000n);
  chain.setCode(0xdeadn, new Uint8Array([0x60, 0, 0x60, 0, 0xfd]));
  transfer(chain, 0xdeadn, new Uint8Array([1, 2]), 50_000n);
  chain.impersonate(0xfeedn);
  chain.setBalance(0xfeedn, 10n ** 18n);
  chain.sendUnsigned({
    type: TxType.Legacy,
    chainId: chain.chainId,
    nonce: 0n,
    gasPrice: 10n ** 10n,
    gasLimit: 21000n,
    to: 1n,
    value: 5n,
    data: new Uint8Array(),
    accessList: [],
  }, 0xfeedn);
  chain.setCoinbase(0x1234n);
  chain.mine(1n);
  const logs = () =>
    json(
      queryLogs(chain, { fromBlock: 0n, toBlock: 8n, topics: [] }).map((x) => [
        x.log,
        x.logIndex,
        bytesToHex(x.tx.hash),
        x.tx.index,
        x.tx.blockNumber,
        bytesToHex(x.tx.blockHash),
      ]),
    );
  const logsBefore = logs();
  const before = new Map<bigint, string>();
  const rlp = new Map<bigint, string>();
  assert.equal(chain.blockByNumber(5n)!.transactions[0].receipt.logs.length, 1);
  assert.equal(chain.blockByNumber(6n)!.transactions[0].receipt.status, false);
  for (let n = 0n; n <= 8n; n++) {
    const b = chain.blockByNumber(n)!;
    before.set(n, json([formatBlock(b, true, true), b.transactions.map((t) => formatReceipt(t, true))]));
    rlp.set(n, bytesToHex(encodeBlock(b)));
  }
  chain.mine(300n);
  assert.ok(!(chain.blockByNumber(0n) instanceof ArchivedBlock), "the first block stays as it is");
  for (let n = 1n; n <= 8n; n++) {
    const b = chain.blockByNumber(n)!;
    assert.ok(b instanceof ArchivedBlock, `block ${n} archived`);
    assert.equal(b.transactionsInRecord, b.transactions.length > 0, `block ${n}'s transactions in its record`);
    assert.equal(json([formatBlock(b, true, true), b.transactions.map((t) => formatReceipt(t, true))]), before.get(n));
    assert.equal(bytesToHex(encodeBlock(b)), rlp.get(n));
    assert.equal(bytesToHex(headerHash(b.header)), bytesToHex(b.hash));
    assert.equal(chain.blockByHash(b.hash), b);
    assert.equal(chain.blockByHash(bytesToHex(b.hash)), b);
    for (const t of b.transactions) assert.equal(chain.transactionByHash(bytesToHex(t.hash))?.mined, t);
    const entries = b.transactionEntries();
    assert.equal(entries.length, b.transactions.length);
    entries.forEach((e, i) => assert.equal(bytesToHex(e.hash), bytesToHex(b.transactions[i].hash)));
  }
  assert.ok(!(chain.blockByNumber(chain.blockNumber - 10n) instanceof ArchivedBlock), "recent blocks stay objects");
  assert.equal(logs(), logsBefore);
  assert.equal(queryLogs(chain, { fromBlock: 0n, toBlock: 8n, topics: [] }).length, 1);
  assert.equal(queryLogs(chain, { fromBlock: 0n, toBlock: 8n, topics: [[0x1234n]] }).length, 1);
  assert.equal(queryLogs(chain, { fromBlock: 0n, toBlock: 8n, topics: [[0x1235n]] }).length, 0);
  assert.deepEqual([1n, 5n].map((n) => (chain.blockByNumber(n) as ArchivedBlock).mayHaveLogs), [false, true]);
  assert.equal(chain.blockByHash("0x12"), undefined);
  assert.equal(chain.blockByHash("0x" + "zz".repeat(32)), undefined);

  // Back to block 3: the blocks after it go, archived or not; the chain goes on from there.
  const gone = chain.blockByNumber(5n)!;
  chain.rollbackTo(3n);
  assert.equal(chain.blockByHash(gone.hash), undefined);
  assert.equal(chain.transactionByHash(bytesToHex(gone.transactions[0].hash)), undefined);
  transfer(chain, 0xdef0n);
  const b4 = chain.blockByNumber(4n)!;
  assert.equal(bytesToHex(b4.header.parentHash), bytesToHex(chain.blockByNumber(3n)!.hash));
  assert.equal(chain.blockByHash(b4.hash), b4);
});

Deno.test("archived blocks: --transaction-block-keeper drops transactions from archived blocks as from others", () => {
  const chain = new DevChain({ transactionBlockKeeper: 300, backend: new Interpreter() });
  transfer(chain, 0xabcn);
  const hash = bytesToHex(chain.blockByNumber(1n)!.transactions[0].hash);
  chain.mine(290n);
  assert.ok(chain.blockByNumber(1n) instanceof ArchivedBlock);
  assert.equal((chain.blockByNumber(1n) as ArchivedBlock).transactionsInRecord, false);
  assert.ok(chain.transactionByHash(hash));
  chain.mine(20n);
  assert.equal(chain.blockByNumber(1n)!.transactions.length, 0);
  assert.equal(chain.transactionByHash(hash), undefined);
});

function header(over: Partial<BlockHeader> = {}): BlockHeader {
  return {
    parentHash: new Uint8Array(32).fill(1),
    ommersHash: EMPTY_OMMERS_HASH,
    coinbase: 0xc0ffeen,
    stateRoot: new Uint8Array(32).fill(2),
    transactionsRoot: EMPTY_TRIE_ROOT,
    receiptsRoot: EMPTY_TRIE_ROOT,
    logsBloom: new Uint8Array(256),
    difficulty: 0n,
    number: 9n,
    gasLimit: 30_000_000n,
    gasUsed: 0n,
    timestamp: 1_700_000_000n,
    extraData: new Uint8Array(0),
    mixHash: new Uint8Array(32),
    nonce: new Uint8Array(8),
    ...over,
  };
}

Deno.test("block archive: every field of any block survives (ommers, withdrawals, requests, proof of work)", () => {
  const archive = new BlockArchive();
  const parent: Block = {
    header: header({ number: 8n }),
    hash: new Uint8Array(32).fill(7),
    transactions: [],
    size: 500,
  };
  const bloom = new Uint8Array(256);
  bloom[17] = 0x40;
  const blocks: Block[] = [
    // Proof of work: difficulty, nonce, extra data, ommers, total difficulty; a parent that is not the one given.
    {
      header: header({
        difficulty: 131_072n,
        nonce: new Uint8Array(8).fill(9),
        extraData: new Uint8Array([1, 2, 3]),
        logsBloom: bloom,
      }),
      hash: new Uint8Array(32).fill(3),
      transactions: [],
      size: 1234,
      ommers: [header({ number: 7n, coinbase: 5n })],
      totalDifficulty: 10n ** 20n,
    },
    // Prague: base fee, withdrawals, blob gas, beacon root, requests; the parent given and the randomness from it.
    {
      header: header({
        parentHash: parent.hash,
        mixHash: prevRandaoFor(parent.hash, 9n),
        baseFeePerGas: 7n,
        withdrawalsRoot: new Uint8Array(32).fill(4),
        blobGasUsed: 131_072n,
        excessBlobGas: 0n,
        parentBeaconBlockRoot: new Uint8Array(32),
        requestsHash: EMPTY_REQUESTS_HASH,
      }),
      hash: new Uint8Array(32).fill(5),
      transactions: [],
      size: 700,
      withdrawals: [{ index: 1n, validatorIndex: 2n, address: 0xabcn, amount: 10n ** 9n }],
      requests: [new Uint8Array([0, 1, 2]), new Uint8Array([1])],
      totalDifficulty: 0n,
    },
  ];
  for (const b of blocks) {
    const kept = archive.add(b, parent).block;
    const fields = (x: Block) =>
      json({
        ...x.header,
        hash: x.hash,
        size: x.size,
        ommers: x.ommers,
        withdrawals: x.withdrawals,
        requests: x.requests,
        td: x.totalDifficulty,
      });
    assert.equal(fields(kept), fields(b));
    for (const k of Object.keys(b.header)) assert.ok(k in kept.header, k);
    assert.deepEqual(Object.keys(kept.header).sort(), Object.keys(b.header).sort());
  }
});

Deno.test("hash index: items sharing a hash prefix are told apart; replace and delete", () => {
  const index = new HashIndex<{ hash: Uint8Array; v: number }>((x) => x.hash);
  const h = (last: number) => Object.assign(new Uint8Array(32), { [31]: last });
  const [a, b, c] = [{ hash: h(1), v: 1 }, { hash: h(2), v: 2 }, { hash: h(3), v: 3 }];
  index.set(a), index.set(b), index.set(c);
  assert.equal(index.size, 3);
  assert.equal(index.get(h(2)), b);
  assert.equal(index.getHex(bytesToHex(h(3))), c);
  assert.equal(index.get(h(4)), undefined);
  const b2 = { hash: h(2), v: 22 };
  index.set(b2);
  assert.equal(index.size, 3);
  assert.equal(index.get(h(2)), b2);
  assert.equal(index.delete(h(1)), true);
  assert.equal(index.delete(h(1)), false);
  assert.equal(index.get(h(1)), undefined);
  assert.equal(index.get(h(3)), c);
  assert.equal(index.size, 2);
  assert.equal(index.getHex(42), undefined);
});
