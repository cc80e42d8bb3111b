import assert from "node:assert/strict";

const assertEquals = (actual: unknown, expected: unknown) => assert.deepEqual(actual, expected);
import { BigIntSet } from "../src/state/bigint_set.ts";
import { Account } from "../src/state/account.ts";
import { WorldState } from "../src/state/world.ts";

const addr = (i: number) => 0xbe7c43a580000000000000000000000000000000n + BigInt(i);

Deno.test("BigIntSet: add, has, delete and clear, small and past the switch to a Set", () => {
  for (const n of [3, 16, 17, 40]) {
    const s = new BigIntSet();
    for (let i = 0; i < n; i++) assertEquals(s.add(addr(i)), true);
    for (let i = 0; i < n; i++) assertEquals(s.add(addr(i)), false);
    assertEquals(s.size, n);
    assertEquals([...s], Array.from({ length: n }, (_, i) => addr(i)));
    // Equal values that are different BigInt objects are the same member.
    assertEquals(s.has(BigInt(addr(1).toString())), true);
    assertEquals(s.has(addr(n)), false);
    assertEquals(s.delete(addr(1)), true);
    assertEquals(s.delete(addr(1)), false);
    assertEquals(s.has(addr(1)), false);
    assertEquals(s.size, n - 1);
    assertEquals([...s][0], addr(0));
    assertEquals([...s][1], addr(2)); // insertion order kept
    s.clear();
    assertEquals(s.size, 0);
    assertEquals([...s], []);
    for (let i = 0; i < n; i++) assertEquals(s.has(addr(i)), false);
    assertEquals(s.add(addr(5)), true);
    assertEquals([...s], [addr(5)]);
  }
});

Deno.test("WorldState: warm and touched sets revert with the journal; prewarmed addresses stay for the transaction", () => {
  const w = new WorldState();
  w.setAlwaysWarm(new Set([1n, 2n, 9n]));
  w.prewarmAddress(addr(0));
  const mark = w.checkpoint();
  assertEquals(w.warmAddress(addr(1)), false);
  assertEquals(w.warmAddress(addr(1)), true);
  assertEquals(w.warmAddress(9n), true); // always warm
  assertEquals(w.warmAddress(5n), false); // below the largest always-warm address, but not one of them
  w.touch(addr(2));
  w.revertTo(mark);
  assertEquals(w.isWarmAddress(addr(0)), true);
  assertEquals(w.isWarmAddress(addr(1)), false);
  assertEquals(w.isWarmAddress(5n), false);
  assertEquals(w.isWarmAddress(2n), true);
  assertEquals([...w.touched], []);
  w.finishTransaction();
  assertEquals(w.isWarmAddress(addr(0)), false);
});

Deno.test("WorldState: worlds handed different always-warm sets in turn each see their own set's members", () => {
  const small = new Set([1n, 2n, 9n]), large = new Set([1n, 2n, 9n, 20n]);
  for (const [first, second] of [[small, large], [large, small]]) {
    const a = new WorldState(), b = new WorldState();
    a.setAlwaysWarm(first);
    b.setAlwaysWarm(second);
    assertEquals(a.isWarmAddress(20n), first.has(20n));
    assertEquals(b.isWarmAddress(20n), second.has(20n));
    assertEquals(b.warmAddress(9n), true);
  }
});

Deno.test("WorldState: the last-account memo follows every change to the accounts", () => {
  const w = new WorldState();
  const a = addr(7);
  assertEquals(w.getAccount(a), undefined);
  w.setAccountDirect(a, new Account(1n, 5n));
  assertEquals(w.getBalance(a), 5n);
  const mark = w.checkpoint();
  w.deleteAccount(a);
  assertEquals(w.getAccount(a), undefined);
  w.revertTo(mark);
  assertEquals(w.getBalance(a), 5n);
  const b = addr(8);
  assertEquals(w.exists(b), false);
  w.getOrCreate(b);
  assertEquals(w.exists(b), true);
  w.revertTo(mark);
  assertEquals(w.exists(b), false);
  const acc = w.resetAccount(a, 9n);
  assertEquals(w.getAccount(a), acc);
  assertEquals(w.getBalance(a), 9n);
});
