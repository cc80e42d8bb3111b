/**
 * Small byte arrays carved out of shared slabs. Deno keeps every ArrayBuffer
 * off the JavaScript heap: creating one costs about 0.8 µs, against 0.05 µs
 * for a view of an existing one, which is more than a whole simple call
 * spends in its code. Copies made on every call (return data, memory reads,
 * hex decoded from requests) are therefore views into an 8 KiB slab; a slab is
 * never reused, so the views start zeroed and nobody else writes into them. A
 * view kept (a log's data, a transaction's) keeps its whole slab alive.
 *
 * The views share their `.buffer` with others and start at a non-zero
 * `byteOffset`: code that wraps `.buffer` must use byteOffset and byteLength.
 */
/** The one empty array, shared: never written (it cannot be), and no allocation for the many empty results. */
export const EMPTY_BYTES = new Uint8Array(0);

const SLAB_BYTES = 8192;
/** Larger arrays get a buffer of their own (as Node's Buffer pool does above half its size). */
const MAX_CARVED = SLAB_BYTES / 2;

let slab = new Uint8Array(SLAB_BYTES);
/** The slab as 32-bit words, for copyWords. */
let slab32 = new Uint32Array(slab.buffer);
let used = 0;

/** A zeroed array of n bytes. */
export function allocBytes(n: number): Uint8Array {
  if (n > MAX_CARVED) return new Uint8Array(n);
  if (used + n > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    slab32 = new Uint32Array(slab.buffer);
    used = 0;
  }
  const out = slab.subarray(used, used + n);
  used += (n + 7) & ~7; // keeps every view 8-byte aligned
  return out;
}

/** copyWords copies up to this many bytes by a loop; a longer copy amortises TypedArray.set's fixed cost. */
const WORD_LOOP_BYTES = 512;

/**
 * copyBytes(src, start, end) for a src that also has a 32-bit view `src32` of the same bytes: a short copy
 * from a 4-aligned start goes by 32-bit words, with no second view of src (creating one costs about
 * 0.03 µs, as much as the rest of a 64-byte copy).
 */
export function copyWords(src: Uint8Array, src32: Uint32Array, start: number, end: number): Uint8Array {
  const n = end - start;
  if ((start & 3) !== 0 || n > WORD_LOOP_BYTES) return copyBytes(src, start, end);
  const out = allocBytes(n);
  const to = out.byteOffset >> 2, from = start >> 2, words = n >> 2;
  const dst = slab32;
  for (let i = 0; i < words; i++) dst[to + i] = src32[from + i];
  for (let i = words << 2; i < n; i++) out[i] = src[start + i];
  return out;
}

/** A copy of src[start, end) (like `src.slice(start, end)`; end must not pass src's end). */
export function copyBytes(src: Uint8Array, start: number, end: number): Uint8Array {
  const out = allocBytes(end - start);
  out.set(src.subarray(start, end));
  return out;
}
