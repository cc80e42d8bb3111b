/** The dev chain's past states: reads at old blocks, the kept window, pruning, snapshots and proofs. */
import assert from "node:assert/strict";
import { Interpreter } from "../../backends/interpreter/interpreter.ts";
import { DevChain } from "../../src/chain/chain.ts";
import { StateUnavailableError } from "../../src/chain/errors.ts";
import { keccak256 } from "../../src/primitives/hash.ts";
import { bytesToHex } from "../../src/primitives/hex.ts";
import { rlpDecode } from "../../src/primitives/rlp.ts";
import { sendFromDevAccount } from "./helpers.ts";

const RECIPIENT = 0xabc0000000000000000000000000000000000001n;

function transfer(chain: DevChain, value: bigint): void {
  sendFromDevAccount(chain, { to: RECIPIENT, value });
}

Deno.test("past states: each kept block reads as it was; older ones are unavailable, genesis is kept", () => {
  const chain = new DevChain({ stateHistory: 20, now: () => 1_700_000_000n, backend: new Interpreter() });
  const balances: bigint[] = [];
  for (let i = 1n; i <= 60n; i++) {
    transfer(chain, i);
    chain.setStorageAt(RECIPIENT, i % 3n, i); // a cheat between blocks belongs to the state of the block before
    balances.push(chain.head.getBalance(RECIPIENT));
  }
  const head = chain.blockNumber;
  assert.equal(head, 60n);
  for (let n = head - 19n; n <= head; n++) {
    const s = chain.stateAfter(n);
    assert.equal(s.getBalance(RECIPIENT), balances[Number(n) - 1], `balance after block ${n}`);
    assert.equal(s.getStorage(RECIPIENT, n % 3n), n, `slot after block ${n}`);
  }
  assert.throws(() => chain.stateAfter(head - 20n), StateUnavailableError);
  assert.equal(chain.stateAfter(0n).getBalance(RECIPIENT), 0n);
  assert.equal(chain.stateAfter(0n).getBalance(chain.devAccounts[0].address), 10_000n * 10n ** 18n);
  assert.ok(chain.historyStats().sets <= 23, JSON.stringify(chain.historyStats()));
});

Deno.test("--prune-history: the genesis state goes too; --transaction-block-keeper: old blocks drop their transactions", () => {
  const chain = new DevChain({ pruneHistory: true, stateHistory: 5, transactionBlockKeeper: 3, backend: new Interpreter() });
  for (let i = 1n; i <= 12n; i++) transfer(chain, i);
  assert.throws(() => chain.stateAfter(0n), StateUnavailableError);
  assert.throws(() => chain.stateAfter(7n), StateUnavailableError);
  assert.equal(chain.stateAfter(8n).getBalance(RECIPIENT), 36n);
  assert.equal(chain.blockByNumber(9n)!.transactions.length, 0);
  const kept = chain.blockByNumber(10n)!.transactions;
  assert.equal(kept.length, 1);
  assert.ok(chain.transactionByHash(bytesToHex(kept[0].hash)));
  assert.equal(chain.historyStats().blockStates, 4); // and the head's
});

Deno.test("snapshots across blocks: revert restores state, blocks and reads at the blocks kept", () => {
  const chain = new DevChain({ backend: new Interpreter() });
  transfer(chain, 5n);
  const id = chain.snapshot();
  chain.setBalance(RECIPIENT, 1000n);
  for (let i = 0; i < 10; i++) transfer(chain, 1n);
  chain.setStorageAt(RECIPIENT, 9n, 9n);
  assert.equal(chain.head.getBalance(RECIPIENT), 1010n);
  assert.equal(chain.revert(id), true);
  assert.equal(chain.blockNumber, 1n);
  assert.equal(chain.head.getBalance(RECIPIENT), 5n);
  assert.equal(chain.head.getStorage(RECIPIENT, 9n), 0n);
  assert.equal(chain.stateAfter(0n).getBalance(RECIPIENT), 0n);
  transfer(chain, 7n);
  assert.equal(chain.stateAfter(1n).getBalance(RECIPIENT), 5n);
  assert.equal(chain.head.getBalance(RECIPIENT), 12n);
  assert.equal(chain.historyStats().marks, chain.historyStats().blockStates, "the snapshot's mark is released");
});

Deno.test("proofs at an old block prove that block's state root, after later blocks changed the account", () => {
  const chain = new DevChain({ backend: new Interpreter() });
  transfer(chain, 1n);
  chain.setStorageAt(RECIPIENT, 1n, 0x1234n);
  transfer(chain, 2n); // block 2 holds the slot
  const root2 = chain.blockByNumber(2n)!.header.stateRoot;
  for (let i = 0; i < 5; i++) {
    chain.setStorageAt(RECIPIENT, 1n, BigInt(i));
    transfer(chain, 3n);
  }
  const proof = chain.proof(2n, RECIPIENT, [1n]);
  assert.deepEqual(keccak256(proof.accountProof[0]), root2);
  const leaf = rlpDecode(proof.accountProof[proof.accountProof.length - 1]) as Uint8Array[];
  const account = rlpDecode(leaf[1]) as Uint8Array[];
  assert.deepEqual(account[2], proof.storageHash);
  assert.equal(proof.storageProof[0].value, 0x1234n);
  assert.equal(proof.balance, 3n);
  // The state a block's successor ran on includes the cheats made in between; its proof is the block's own.
  assert.equal(chain.stateAfter(2n).getStorage(RECIPIENT, 1n), 0n);
  assert.deepEqual(keccak256(proof.storageProof[0].proof[0]), proof.storageHash);
  const latest = chain.proof(chain.blockNumber, RECIPIENT, [1n]);
  assert.deepEqual(keccak256(latest.accountProof[0]), chain.latest.header.stateRoot);
  assert.equal(latest.storageProof[0].value, 4n);
});
