/**
 * A call tree as text, in the layout forge and anvil's --print-traces use:
 *
 *   Traces:
 *     [22115] 0x5FbDB2315678afecb367f032d93F642f64180aa3::12345678{value: 5}()
 *       ├─ [2000] 0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512::fallback()
 *       │   └─ ← [Stop]
 *       └─ ← [Return] 0x2a
 *
 * Gas in brackets is the frame's gas used; calldata is not decoded (no ABIs here): a call shows its selector and
 * the rest of its input as hex, a creation the created address, a precompile its name.
 */
import { toChecksumAddress } from "../primitives/checksum.ts";
import { decodeRevertReason } from "../chain/revert_reason.ts";
import { haltName } from "../chain/halt_reason.ts";
import type { CallFrame } from "./call_tracer.ts";

const PRECOMPILE_NAMES: Record<number, string> = {
  1: "ecrecover",
  2: "sha256",
  3: "ripemd",
  4: "identity",
  5: "modexp",
  6: "ecadd",
  7: "ecmul",
  8: "ecpairing",
  9: "blake2f",
  10: "point_evaluation",
  11: "bls12_g1add",
  12: "bls12_g1msm",
  13: "bls12_g2add",
  14: "bls12_g2msm",
  15: "bls12_pairing",
  16: "bls12_map_fp_to_g1",
  17: "bls12_map_fp2_to_g2",
  256: "p256verify",
};

function describe(f: CallFrame): string {
  const to = f.to === undefined ? 0n : BigInt(f.to);
  const value = f.value !== undefined && BigInt(f.value) !== 0n ? `{value: ${BigInt(f.value)}}` : "";
  if (f.type === "CREATE" || f.type === "CREATE2") return `→ new <unknown>@${toChecksumAddress(to)}${value}`;
  const input = f.input.slice(2);
  const precompile = to <= 256n ? PRECOMPILE_NAMES[Number(to)] : undefined;
  if (precompile) return `PRECOMPILES::${precompile}(0x${input})`;
  const kind = f.type === "DELEGATECALL" ? "[delegatecall]" : f.type === "STATICCALL" ? "[staticcall]" : "";
  const call = input.length === 0
    ? "fallback()"
    : input.length < 8
    ? `fallback(0x${input})`
    : `${input.slice(0, 8)}(${input.length > 8 ? "0x" + input.slice(8) : ""})`;
  return `${toChecksumAddress(to)}::${call.replace("(", `${value}(`)}${kind ? " " + kind : ""}`;
}

function outcome(f: CallFrame): string {
  const output = f.output ?? "0x";
  if (f.error === "execution reverted") {
    const bytes = output.length > 2 ? Uint8Array.from(output.slice(2).match(/../g)!.map((h) => parseInt(h, 16))) : undefined;
    const reason = bytes ? decodeRevertReason(bytes) : undefined;
    return `[Revert] ${reason ?? (output === "0x" ? "" : output)}`.trimEnd();
  }
  if (f.error !== undefined) return `[${haltName(f.error)}]`;
  if (f.type === "CREATE" || f.type === "CREATE2") return `[Return] ${(output.length - 2) / 2} bytes of code`;
  return output === "0x" ? "[Stop]" : `[Return] ${output}`;
}

function render(f: CallFrame, indent: string, lines: string[]): void {
  for (const child of f.calls ?? []) {
    lines.push(`${indent}├─ [${BigInt(child.gasUsed)}] ${describe(child)}`);
    render(child, `${indent}│   `, lines);
  }
  lines.push(`${indent}└─ ← ${outcome(f)}`);
}

/** The trace's lines, a "Traces:" header first and an empty line last. */
export function traceLines(root: CallFrame): string[] {
  const lines = ["Traces:", `  [${BigInt(root.gasUsed)}] ${describe(root)}`];
  render(root, "    ", lines);
  lines.push("");
  return lines;
}
