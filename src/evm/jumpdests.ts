/** The valid jump destinations of code: 1 where a JUMPDEST opcode stands that is not PUSH data. */
export function scanJumpdests(code: Uint8Array): Uint8Array {
  const n = code.length;
  const jumpdests = new Uint8Array(n);
  for (let pc = 0; pc < n; pc++) {
    const op = code[pc];
    if (op === 0x5b) jumpdests[pc] = 1;
    else if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f;
  }
  return jumpdests;
}
