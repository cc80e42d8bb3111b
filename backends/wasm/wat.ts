/**
 * The text form of a compiled module through wabt, annotated with EVM pcs:
 * modules compiled with `annotate` start each block with
 * `drop (i32.const PC_MARK + pc)`, which gets a comment naming the pc and the
 * block's first instructions. The text assembles back (wabt, with the SIMD and
 * tail-call features) to the same module: tests/wasm_wat_roundtrip_test.ts.
 */
import { loadWabt } from "./wasm_tools.ts";
import { OPCODE_NAMES } from "../../src/forks/opcodes.ts";
import { PC_MARK } from "./compiler.ts";

function describe(code: Uint8Array, pc: number, count = 4): string {
  const parts: string[] = [];
  for (let i = 0; i < count && pc < code.length; i++) {
    const op = code[pc];
    let s = OPCODE_NAMES[op];
    if (op >= 0x60 && op <= 0x7f) {
      const n = op - 0x5f;
      s += " 0x" + Array.from(code.subarray(pc + 1, pc + 1 + n), (b) => b.toString(16).padStart(2, "0")).join("");
      pc += n;
    }
    parts.push(s);
    pc++;
  }
  return parts.join(" ");
}

export async function watWithPcs(binary: Uint8Array, code: Uint8Array): Promise<string> {
  const wabt = await loadWabt();
  const mod = wabt.readWasm(binary, { readDebugNames: true, simd: true, tail_call: true });
  try {
    const text = mod.toText({ foldExprs: false, inlineExport: true });
    // The block nest indents one step per block; cap it so that lines stay readable.
    const lines = text.split("\n").map((l) => l.replace(/^ {12,}/, "            "));
    for (let i = 0; i < lines.length - 1; i++) {
      const m = /^(\s*)i32\.const (\d+)\s*$/.exec(lines[i]);
      if (!m || !/^\s*drop\s*$/.test(lines[i + 1])) continue;
      const v = Number(m[2]);
      if (v < PC_MARK || v > PC_MARK + 0x1000000) continue;
      const pc = v - PC_MARK;
      lines[i] = `${m[1]};; ---- EVM pc ${pc} (0x${pc.toString(16)}): ${describe(code, pc)}\n${lines[i]}`;
    }
    return `;; evmwasm module for ${code.length} bytes of EVM code; each block starts at the marked pc\n` + lines.join("\n");
  } finally {
    mod.destroy();
  }
}
