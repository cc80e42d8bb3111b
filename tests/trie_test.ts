import assert from "node:assert/strict";
import { EMPTY_TRIE_ROOT, trieRoot } from "../src/state/trie.ts";
import { bytesToBigInt, bytesToHex } from "../src/primitives/hex.ts";
import { keccak_256 as keccak256Js } from "@noble/hashes/sha3.js";
import { EMPTY_CODE_HASH, keccak256, keccak256Word } from "../src/primitives/hash.ts";
import { EMPTY_OMMERS_HASH } from "../src/chain/header.ts";
import { rlpEncode } from "../src/primitives/rlp.ts";
import {
  keyNibbles,
  leafValue,
  trieDelete,
  trieGet,
  type TrieNode,
  trieNodeRoot,
  trieSet,
} from "../src/state/incremental_trie.ts";

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("empty trie root", () => {
  assert.equal(bytesToHex(EMPTY_TRIE_ROOT), "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
  assert.deepEqual(trieRoot([]), EMPTY_TRIE_ROOT);
});

Deno.test("the written-out empty hashes are the hashes they name", () => {
  assert.deepEqual(EMPTY_CODE_HASH, keccak256(new Uint8Array(0)));
  assert.deepEqual(EMPTY_TRIE_ROOT, keccak256(rlpEncode(new Uint8Array(0))));
  assert.deepEqual(EMPTY_OMMERS_HASH, keccak256(rlpEncode([])));
});

Deno.test("known roots from the Ethereum trie tests", () => {
  assert.equal(
    bytesToHex(trieRoot([[enc("doe"), enc("reindeer")], [enc("dog"), enc("puppy")], [enc("dogglesworth"), enc("cat")]])),
    "0x8aad789dff2f538bca5d8ea56e8abe10f4c7ba3a5dea95fea4cd6e7c3a1168d3",
  );
  // "puppy" case: do, dog, doge, horse
  assert.equal(
    bytesToHex(trieRoot([[enc("do"), enc("verb")], [enc("dog"), enc("puppy")], [enc("doge"), enc("coin")], [enc("horse"), enc("stallion")]])),
    "0x5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84",
  );
});

Deno.test("order of insertion does not matter; empty values are absent", () => {
  const a = trieRoot([[enc("a"), enc("1")], [enc("b"), enc("2")], [enc("c"), new Uint8Array()]]);
  const b = trieRoot([[enc("b"), enc("2")], [enc("a"), enc("1")]]);
  assert.deepEqual(a, b);
});


Deno.test("the WebAssembly keccak256 agrees with the JavaScript one on every block boundary", () => {
  for (const n of [0, 1, 31, 32, 33, 64, 135, 136, 137, 271, 272, 273, 1000, 70_000]) {
    const d = new Uint8Array(n).map((_, i) => (i * 31 + n) & 255);
    assert.deepEqual(keccak256(d), keccak256Js(d), `length ${n}`);
    assert.equal(keccak256Word(d), bytesToBigInt(keccak256Js(d)), `word, length ${n}`);
  }
});

Deno.test("the incremental trie's roots and values equal the reference's through random sets and deletes", () => {
  // Keys (of one length, as the trie's are) that differ in their last bytes share long prefixes, and short
  // values make nodes small enough to be embedded in their parents.
  let seed = 7;
  const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % n;
  const live = new Map<string, [Uint8Array, Uint8Array]>();
  let trie: TrieNode | undefined;
  for (let step = 0; step < 3000; step++) {
    const key = new Uint8Array(32);
    key[rand(3) === 0 ? 5 : 29] = rand(3) * 17;
    key[30] = rand(4) * 17;
    key[31] = rand(5) * 51;
    const hex = bytesToHex(key);
    if (rand(4) === 0) {
      live.delete(hex);
      trie = trieDelete(trie, keyNibbles(key));
    } else {
      const value = Uint8Array.from({ length: 1 + (rand(3) === 0 ? rand(60) : rand(3)) }, () => rand(256));
      live.set(hex, [key, value]);
      trie = trieSet(trie, keyNibbles(key), value, step);
    }
    if (step % 50 === 0 || step > 2950) {
      assert.equal(bytesToHex(trieNodeRoot(trie)), bytesToHex(trieRoot(live.values())), `step ${step}`);
      for (const [k, v] of live.values()) {
        const leaf = trieGet(trie, keyNibbles(k));
        assert.ok(leaf, `step ${step}: ${bytesToHex(k)} present`);
        assert.equal(bytesToHex(leafValue(leaf)), bytesToHex(v));
      }
    }
  }
  assert.ok(live.size > 30, `${live.size} keys at the end`);
});
