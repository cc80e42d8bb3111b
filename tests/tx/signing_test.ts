/** The native-assisted signer gives the JavaScript signer's signatures (RFC 6979, low s), and recovers to the key. */
import assert from "node:assert/strict";
import { hasNativeSecp256k1, privateKeyToAddress, recoverAddress, signHash, signPortable } from "../../src/primitives/signature.ts";
import { keccak256 } from "../../src/primitives/hash.ts";

Deno.test("signHash equals the portable signer on 500 keys and hashes, edge values included", () => {
  const keys: Uint8Array[] = [new Uint8Array(32).fill(0).map((_, i) => (i === 31 ? 1 : 0)), new Uint8Array(32).fill(0xff)];
  keys[1].set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x40]); // n - 1
  for (let i = 0; i < 498; i++) keys.push(keccak256(new Uint8Array([i & 0xff, i >> 8, 1])));
  const hashes = [new Uint8Array(32), new Uint8Array(32).fill(0xff)];
  let lowS = 0, parity = 0;
  for (let i = 0; i < keys.length; i++) {
    const hash = i < hashes.length ? hashes[i] : keccak256(new Uint8Array([i & 0xff, i >> 8, 2]));
    const ours = signHash(hash, keys[i]);
    assert.deepEqual(ours, signPortable(hash, keys[i]), `key ${i}`);
    assert.equal(recoverAddress(hash, ours.r, ours.s, ours.yParity), privateKeyToAddress(keys[i]));
    if (ours.s <= (2n ** 256n) / 4n) lowS++;
    parity += ours.yParity;
  }
  assert.ok(lowS > 0 && parity > 100 && parity < 400, "both recovery bits seen");
});

Deno.test({
  name: "signHash is faster than the portable signer where the platform has the curve",
  ignore: !hasNativeSecp256k1(),
  fn: () => {
    const key = keccak256(new Uint8Array([7]));
    const time = (sign: typeof signHash) => {
      const t = performance.now();
      for (let i = 0; i < 200; i++) sign(keccak256(new Uint8Array([i, 3])), key);
      return performance.now() - t;
    };
    time(signHash), time(signPortable); // warm-up
    const native = time(signHash), portable = time(signPortable);
    assert.ok(native < portable, `native-assisted ${native.toFixed(0)} ms, portable ${portable.toFixed(0)} ms for 200`);
    console.log(`200 signatures: native-assisted ${native.toFixed(0)} ms, portable ${portable.toFixed(0)} ms`);
  },
});
