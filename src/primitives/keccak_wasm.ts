/**
 * Keccak-256 in WebAssembly (about ten times faster than the JavaScript
 * implementation on short inputs). The module hashes bytes at an input
 * offset of its memory and writes the digest as a 256-bit word in four
 * little-endian 64-bit limbs.
 */
import { KECCAK_WASM_BASE64 } from "./keccak_wasm_binary.ts";
import { base64ToBytes } from "./hex.ts";

const OUT = 0;
const IN = 64;
const PAGE = 65536;

interface KeccakModule {
  hash: (ptr: number, len: number, out: number) => void;
  memory: WebAssembly.Memory;
  bytes: Uint8Array;
  view: DataView;
}

let instance: KeccakModule | undefined;

// Compiled off the main thread from when this module loads (compiled synchronously at the first hash, a start's
// genesis, it took about 3 ms of every start under Bun). A first hash before the compile has landed compiles it
// itself.
const binary = base64ToBytes(KECCAK_WASM_BASE64);
let compiled: WebAssembly.Module | undefined;

/**
 * Settles once the background compile has landed (or failed, leaving the first hash to compile): the result
 * arrives through the event loop, so a caller about to hash for the first time awaits this first.
 */
export const keccakCompiled: Promise<void> = WebAssembly.compile(binary).then((m) => void (compiled ??= m), () => {});

function load(): KeccakModule {
  const inst = new WebAssembly.Instance(compiled ?? new WebAssembly.Module(binary), {});
  const memory = inst.exports.memory as WebAssembly.Memory;
  return {
    hash: inst.exports.keccak256 as (ptr: number, len: number, out: number) => void,
    memory,
    bytes: new Uint8Array(memory.buffer),
    view: new DataView(memory.buffer),
  };
}

function prepared(data: Uint8Array): KeccakModule {
  const k = (instance ??= load());
  const need = IN + data.length;
  if (need > k.bytes.length) {
    k.memory.grow(Math.ceil((need - k.bytes.length) / PAGE));
    k.bytes = new Uint8Array(k.memory.buffer);
    k.view = new DataView(k.memory.buffer);
  }
  k.bytes.set(data, IN);
  k.hash(IN, data.length, OUT);
  return k;
}

/** keccak256(data) as 32 bytes. */
export function keccak256Wasm(data: Uint8Array): Uint8Array {
  const { view } = prepared(data);
  const out = new Uint8Array(32);
  const o = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) o.setBigUint64(8 * i, view.getBigUint64(OUT + 8 * (3 - i), true));
  return out;
}

/** keccak256(data) read as a big-endian 256-bit number (what KECCAK256 pushes). */
export function keccak256WordWasm(data: Uint8Array): bigint {
  const { view } = prepared(data);
  return (view.getBigUint64(OUT + 24, true) << 192n) | (view.getBigUint64(OUT + 16, true) << 128n) |
    (view.getBigUint64(OUT + 8, true) << 64n) | view.getBigUint64(OUT, true);
}
