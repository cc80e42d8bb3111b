/**
 * Per-code analysis, cached per code object and done lazily: the jump
 * destinations on the first jump, each PUSH immediate the first time it runs,
 * so a short call into a large contract pays only for what it executes.
 */
import { scanJumpdests } from "../../src/evm/jumpdests.ts";

export interface CodeAnalysis {
  /** 1 where a JUMPDEST opcode (not PUSH data) stands; computed on first use by jumpdestsOf. */
  jumpdests: Uint8Array | undefined;
  /** The value of each PUSH executed so far, by pc; allocated on the first PUSH. */
  pushValues: (bigint | undefined)[] | undefined;
}

const cache = new WeakMap<Uint8Array, CodeAnalysis>();

export function analyse(code: Uint8Array): CodeAnalysis {
  let a = cache.get(code);
  if (!a) {
    a = { jumpdests: undefined, pushValues: undefined };
    cache.set(code, a);
  }
  return a;
}

export function jumpdestsOf(code: Uint8Array, a: CodeAnalysis): Uint8Array {
  return a.jumpdests ??= scanJumpdests(code);
}

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, "0"));

/** The immediate of the PUSH at `pc` (bytes past the end of code read as zero), remembered. */
export function pushValueAt(code: Uint8Array, a: CodeAnalysis, pc: number): bigint {
  const n = code.length;
  const size = code[pc] - 0x5f;
  let v: bigint;
  if (size <= 6) {
    let x = 0;
    for (let i = 1; i <= size; i++) x = x * 256 + (pc + i < n ? code[pc + i] : 0);
    v = BigInt(x);
  } else {
    let s = "0x";
    for (let i = 1; i <= size; i++) s += HEX[pc + i < n ? code[pc + i] : 0];
    v = BigInt(s);
  }
  (a.pushValues ??= new Array(n))[pc] = v;
  return v;
}
