/** Mined blocks kept small: the same values, common ones shared, the rest of a block's bytes in one buffer. */
import assert from "node:assert/strict";
import { Interpreter } from "../../backends/interpreter/interpreter.ts";
import { DevChain } from "../../src/chain/chain.ts";
import { encodeReceipt } from "../../src/chain/receipt.ts";
import { headerHash } from "../../src/chain/header.ts";
import { keccak256 } from "../../src/primitives/hash.ts";
import { bytesToHex } from "../../src/primitives/hex.ts";
import { sendFromDevAccount } from "./helpers.ts";

function transfer(chain: DevChain, to: bigint): void {
  sendFromDevAccount(chain, { to });
}

Deno.test("compact blocks: hashes still match, common values shared, a block's own bytes in one buffer", () => {
  const chain = new DevChain({ now: () => 1_700_000_000n, backend: new Interpreter() });
  for (let i = 1n; i <= 5n; i++) transfer(chain, 0xabc0n + i);
  const [a, b] = [chain.blockByNumber(4n)!, chain.blockByNumber(5n)!];
  for (const block of [a, b]) {
    assert.equal(bytesToHex(headerHash(block.header)), bytesToHex(block.hash));
    const h = block.header;
    // One buffer for the block's own values: hash, roots, randomness, its transaction's hash and encoding.
    for (const x of [h.stateRoot, h.transactionsRoot, h.receiptsRoot, h.mixHash, block.transactions[0].hash]) {
      assert.equal(x.buffer, block.hash.buffer);
    }
    const t = block.transactions[0];
    assert.equal(bytesToHex(keccak256(t.encoded)), bytesToHex(t.hash));
    assert.equal(t.blockHash, block.hash);
    assert.equal(chain.transactionByHash(bytesToHex(t.hash))?.mined, t);
    assert.ok(encodeReceipt(t.receipt).length > 256);
  }
  assert.equal(b.header.parentHash, a.hash);
  // Values most blocks have: one copy.
  assert.equal(a.header.logsBloom, b.header.logsBloom);
  assert.equal(a.header.nonce, b.header.nonce);
  assert.equal(a.header.ommersHash, b.header.ommersHash);
  assert.equal(a.transactions[0].receipt.logsBloom, b.header.logsBloom);
  assert.ok(a.header.logsBloom.every((x) => x === 0));
});
