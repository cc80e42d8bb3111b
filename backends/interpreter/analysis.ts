/** Per-code analysis, done once per code object: jump destinations and PUSH immediates. */

export interface CodeAnalysis {
  /** 1 where a JUMPDEST opcode (not PUSH data) stands. */
  jumpdests: Uint8Array;
  /** The value of the PUSH at each pc (0n elsewhere). */
  pushValues: bigint[];
}

const cache = new WeakMap<Uint8Array, CodeAnalysis>();

export function analyse(code: Uint8Array): CodeAnalysis {
  let a = cache.get(code);
  if (!a) {
    a = compute(code);
    cache.set(code, a);
  }
  return a;
}

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, "0"));

function compute(code: Uint8Array): CodeAnalysis {
  const n = code.length;
  const jumpdests = new Uint8Array(n);
  const pushValues: bigint[] = new Array(n).fill(0n);
  for (let pc = 0; pc < n; pc++) {
    const op = code[pc];
    if (op === 0x5b) jumpdests[pc] = 1;
    else if (op >= 0x60 && op <= 0x7f) {
      const size = op - 0x5f;
      // Bytes past the end of code read as zero.
      if (size <= 6) {
        let v = 0;
        for (let i = 1; i <= size; i++) v = v * 256 + (pc + i < n ? code[pc + i] : 0);
        pushValues[pc] = BigInt(v);
      } else {
        let s = "0x";
        for (let i = 1; i <= size; i++) s += HEX[pc + i < n ? code[pc + i] : 0];
        pushValues[pc] = BigInt(s);
      }
      pc += size;
    }
  }
  return { jumpdests, pushValues };
}
