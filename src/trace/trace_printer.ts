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
import { bytesToHex } from "../primitives/hex.ts";
import type { TraceNode } from "./call_tree.ts";

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

function describe(f: TraceNode): string {
  const value = f.value !== 0n && f.kind !== "DELEGATECALL" ? `{value: ${f.value}}` : "";
  if (f.kind === "CREATE" || f.kind === "CREATE2") return `→ new <unknown>@${toChecksumAddress(f.to)}${value}`;
  if (f.kind === "SELFDESTRUCT") return `${toChecksumAddress(f.from)}::selfdestruct(${toChecksumAddress(f.to)})`;
  const input = bytesToHex(f.input).slice(2);
  const precompile = f.to <= 256n ? PRECOMPILE_NAMES[Number(f.to)] : undefined;
  if (precompile) return `PRECOMPILES::${precompile}(0x${input})`;
  const kind = f.kind === "DELEGATECALL" ? " [delegatecall]" : f.kind === "STATICCALL" ? " [staticcall]" : "";
  const call = input.length === 0
    ? `fallback${value}()`
    : input.length < 8
    ? `fallback${value}(0x${input})`
    : `${input.slice(0, 8)}${value}(${input.length > 8 ? "0x" + input.slice(8) : ""})`;
  return `${toChecksumAddress(f.to)}::${call}${kind}`;
}

function outcome(f: TraceNode): string {
  if (f.status === "revert") {
    const reason = f.output.length > 0 ? decodeRevertReason(f.output) : undefined;
    return `[Revert] ${reason ?? (f.output.length > 0 ? bytesToHex(f.output) : "")}`.trimEnd();
  }
  if (f.status === "halt") return `[${haltName(f.error)}]`;
  if (f.kind === "CREATE" || f.kind === "CREATE2") return `[Return] ${f.output.length} bytes of code`;
  return f.output.length === 0 ? "[Stop]" : `[Return] ${bytesToHex(f.output)}`;
}

function render(f: TraceNode, indent: string, lines: string[]): void {
  for (const child of f.calls) {
    lines.push(`${indent}├─ [${child.gasUsed}] ${describe(child)}`);
    render(child, `${indent}│   `, lines);
  }
  lines.push(`${indent}└─ ← ${outcome(f)}`);
}

/** The trace's lines, a "Traces:" header first and an empty line last. */
export function traceLines(root: TraceNode): string[] {
  const lines = ["Traces:", `  [${root.gasUsed}] ${describe(root)}`];
  render(root, "    ", lines);
  lines.push("");
  return lines;
}
