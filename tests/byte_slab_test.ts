import assert from "node:assert/strict";
import { allocBytes, copyBytes, copyWords } from "../src/primitives/byte_slab.ts";

Deno.test("byte slab: copyWords equals slice on aligned and unaligned ranges, short and long, never aliased", () => {
  const buffer = new ArrayBuffer(4096);
  const src = new Uint8Array(buffer, 64);
  const src32 = new Uint32Array(buffer, 64);
  for (let i = 0; i < src.length; i++) src[i] = (i * 7 + 3) & 0xff;
  for (const start of [0, 1, 2, 3, 4, 8, 96, 128]) {
    for (const n of [0, 1, 3, 4, 5, 31, 32, 33, 64, 100, 511, 512, 513, 2000]) {
      const end = start + n;
      const out = copyWords(src, src32, start, end);
      assert.deepEqual([...out], [...src.slice(start, end)], `start ${start}, ${n} bytes`);
      // A copy: later writes to the source do not show through, and the slab's next array is separate.
      if (n > 0) {
        const before = out[0];
        src[start] ^= 0xff;
        assert.equal(out[0], before);
        src[start] ^= 0xff;
        const next = allocBytes(8);
        next.fill(0xee);
        assert.deepEqual([...out], [...src.slice(start, end)]);
      }
    }
  }
  assert.deepEqual([...copyBytes(src, 5, 9)], [...src.slice(5, 9)]);
});
