import assert from "node:assert/strict";
import { Account } from "../../src/state/account.ts";
import { StateHistory, type StateMark } from "../../src/state/history.ts";
import { scratchState } from "../../src/state/overlay.ts";
import { type StateSource, WorldState } from "../../src/state/world.ts";
import { bytesToHex } from "../../src/primitives/hex.ts";
import { ProofTrie, proveInTrie } from "../../src/state/proof.ts";
import { StateRootTracker } from "../../src/chain/state_root.ts";
import { keccak256 } from "../../src/primitives/hash.ts";
import { bigIntToBytes, bigIntToMinimalBytes } from "../../src/primitives/hex.ts";
import { rlpEncode } from "../../src/primitives/rlp.ts";
import { EMPTY_TRIE_ROOT } from "../../src/state/trie.ts";

const ADDRESSES = 12;
const SLOTS = 24;

function rng(seed: number) {
  return (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
}

/** Every account and non-zero slot a state reads, for addresses 1..ADDRESSES and slots 0..SLOTS. */
function dump(world: WorldState, listAccounts: boolean): string {
  const out: string[] = [];
  if (listAccounts) {
    // In memory, a state (past or present) lists every account it holds.
    const listed = [...world.everyAccount()].map(([a]) => a).sort((a, b) => (a < b ? -1 : 1));
    out.push(`accounts ${listed.join(",")}`);
  }
  for (let a = 1n; a <= BigInt(ADDRESSES); a++) {
    const acc = world.getAccount(a);
    if (!acc) continue;
    const slots: string[] = [];
    for (let s = 0n; s < BigInt(SLOTS); s++) {
      const v = world.getStorage(a, s);
      if (v !== 0n) slots.push(`${s}=${v}`);
    }
    out.push(`${a}: n${acc.nonce} b${acc.balance} c${bytesToHex(acc.code)} [${slots.join(",")}]`);
  }
  return out.join("\n");
}

/** One random change to the head, through the calls transactions and cheats make. */
function randomChange(world: WorldState, rand: (n: number) => number): void {
  const address = BigInt(rand(ADDRESSES) + 1);
  const slot = BigInt(rand(SLOTS));
  switch (rand(10)) {
    case 0:
      world.setBalance(address, BigInt(rand(1000)));
      break;
    case 1:
      world.setNonce(address, BigInt(rand(5)));
      break;
    case 2:
      world.setCode(address, rand(2) ? new Uint8Array([rand(256), 1]) : new Uint8Array());
      break;
    case 3:
      world.clearStorage(address);
      break;
    case 4:
      world.deleteAccount(address);
      break;
    case 5:
      world.setAccountDirect(address, new Account(1n, BigInt(rand(9)), new Uint8Array(), new Map([[slot, 7n]])));
      break;
    case 6:
      world.updateAccount(address, { balance: BigInt(rand(50)) });
      break;
    case 7:
      world.setStorageDirect(address, slot, BigInt(rand(4)));
      break;
    default:
      world.setStorage(address, slot, BigInt(rand(4)));
  }
}

function checkHistory(source: StateSource | undefined, seed: number): void {
  const rand = rng(seed);
  const head = new WorldState(source);
  const history = new StateHistory(head);
  const marks: { mark: StateMark; expected: string }[] = [];
  for (let step = 0; step < 400; step++) {
    const before = head.checkpoint();
    const n = rand(6);
    for (let i = 0; i < n; i++) randomChange(head, rand);
    if (rand(4) === 0) head.revertTo(before); // a reverted transaction
    head.finishTransaction();
    const what = rand(10);
    if (what < 4) {
      marks.push({ mark: history.mark(), expected: dump(head, !source) });
    } else if (what < 6 && marks.length > 0) {
      // Release a random mark: the others still read as they did.
      const [m] = marks.splice(rand(marks.length), 1);
      history.release(m.mark);
    } else if (what === 6 && marks.length > 0) {
      const i = rand(marks.length);
      history.undoTo(marks[i].mark);
      assert.equal(dump(head, !source), marks[i].expected, `seed ${seed} step ${step}: head after undo`);
      // Later marks are gone, but for those at the same point (nothing changed in between).
      for (const m of marks.splice(i + 1)) {
        if (history.isLive(m.mark)) {
          assert.equal(m.expected, marks[i].expected);
          marks.push(m);
        }
      }
    }
    if (step % 7 === 0) {
      for (const m of marks) {
        assert.equal(dump(history.stateAt(m.mark), !source), m.expected, `seed ${seed} step ${step}: state at a mark`);
      }
    }
  }
  for (const m of marks) assert.equal(dump(history.stateAt(m.mark), !source), m.expected);
  for (const m of marks) history.release(m.mark);
  const st = history.stats();
  assert.equal(st.marks, 0);
  assert.equal(st.sets, 1, "with no marks only the open set is left");
}

/** A fork-like source: accounts 1..ADDRESSES exist upstream with a few slots. */
class FakeSource implements StateSource {
  loadAccount(address: bigint): Account | undefined {
    if (address % 3n === 0n) return undefined;
    const acc = new Account(0n, address * 100n);
    acc.storageComplete = false;
    return acc;
  }
  loadStorage(address: bigint, slot: bigint): bigint {
    return address % 3n === 0n ? 0n : (slot % 5n === 0n ? address * 1000n + slot : 0n);
  }
}

Deno.test("state history: reads at marks, undo and release agree with full copies (in memory)", () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) checkHistory(undefined, seed);
});

Deno.test("state history: the same over a state source (fork mode), slots not loaded read from it", () => {
  for (const seed of [11, 12, 13, 14]) checkHistory(new FakeSource(), seed);
});

Deno.test("state history: memory stays with the distinct keys changed, not the number of marks", () => {
  const head = new WorldState();
  const history = new StateHistory(head);
  const genesis = history.mark();
  const recent: StateMark[] = [];
  for (let block = 0; block < 5000; block++) {
    head.setBalance(1n, BigInt(block));
    head.setStorage(2n, BigInt(block % 10), BigInt(block));
    head.finishTransaction();
    recent.push(history.mark());
    if (recent.length > 16) history.release(recent.shift()!);
  }
  const st = history.stats();
  assert.ok(st.sets <= 18, `sets held: ${st.sets}`);
  assert.ok(st.accounts <= 2 * 18 && st.slots <= 10 * 18, JSON.stringify(st));
  assert.equal(history.stateAt(genesis).getBalance(1n), 0n);
  assert.equal(history.stateAt(recent[0]).getBalance(1n), 4984n);
});

Deno.test("copy-on-write reads: a call's scratch state reads the slots it asks for, and writes stay in it", () => {
  const base = new WorldState();
  const big = new Map<bigint, bigint>();
  for (let i = 0n; i < 100_000n; i++) big.set(i, i + 1n);
  base.setAccountDirect(5n, new Account(0n, 1n, new Uint8Array([0]), big));
  const { world } = scratchState(base);
  const t = performance.now();
  for (let i = 0; i < 1000; i++) {
    const { world: w } = scratchState(base);
    w.getStorage(5n, 7n);
  }
  const perCall = (performance.now() - t) / 1000;
  assert.ok(perCall < 0.5, `a scratch read of one slot of a 100,000-slot contract took ${perCall} ms`);
  assert.equal(world.getStorage(5n, 99n), 100n);
  world.setStorage(5n, 99n, 0n);
  world.clearStorage(5n);
  assert.equal(world.getStorage(5n, 3n), 0n);
  assert.equal(base.getStorage(5n, 99n), 100n);
  assert.equal(base.getStorage(5n, 3n), 4n);
});

Deno.test("proofs from the incremental trie equal the reference proof trie's", () => {
  const rand = rng(77);
  const world = new WorldState();
  const history = new StateHistory(world);
  for (let i = 0; i < 300; i++) randomChange(world, rand);
  for (let a = 1n; a <= 40n; a++) world.setBalance(a * 0x1000n, a);
  world.finishTransaction();
  const tracker = new StateRootTracker();
  const trie = tracker.update(world, history.takeDirty());
  const accounts: [Uint8Array, Uint8Array][] = [];
  for (const [a, acc] of world.entries()) {
    accounts.push([
      keccak256(bigIntToBytes(a, 20)),
      rlpEncode([bigIntToMinimalBytes(acc.nonce), bigIntToMinimalBytes(acc.balance), world.storageRoot(acc), acc.codeHash]),
    ]);
  }
  const reference = new ProofTrie(accounts);
  for (let a = 0n; a <= BigInt(ADDRESSES) + 2n; a++) {
    const slots = [0n, 1n, 2n, 3n, 50n];
    const got = proveInTrie(trie, a, slots);
    for (const p of got.storageProof) assert.equal(p.value, world.getAccount(a) ? world.getStorage(a, p.key) : 0n);
    assert.equal(got.balance, world.getBalance(a));
    assert.deepEqual(got.accountProof.map(bytesToHex), reference.prove(keccak256(bigIntToBytes(a, 20))).map(bytesToHex));
    const acc = world.getAccount(a);
    const storage: [Uint8Array, Uint8Array][] = [];
    for (const [s, v] of acc?.storage ?? []) {
      if (v !== 0n) storage.push([keccak256(bigIntToBytes(s)), rlpEncode(bigIntToMinimalBytes(v))]);
    }
    const storageTrie = new ProofTrie(storage);
    assert.deepEqual(bytesToHex(got.storageHash), bytesToHex(acc ? storageTrie.root() : EMPTY_TRIE_ROOT));
    for (const p of got.storageProof) {
      assert.deepEqual(p.proof.map(bytesToHex), (acc ? storageTrie.prove(keccak256(bigIntToBytes(p.key))) : []).map(bytesToHex));
    }
  }
});
