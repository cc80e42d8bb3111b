/** Opcode numbers and names. Availability and gas are per fork, in rules.ts. */
export const Op = {
  STOP: 0x00, ADD: 0x01, MUL: 0x02, SUB: 0x03, DIV: 0x04, SDIV: 0x05, MOD: 0x06, SMOD: 0x07,
  ADDMOD: 0x08, MULMOD: 0x09, EXP: 0x0a, SIGNEXTEND: 0x0b,
  LT: 0x10, GT: 0x11, SLT: 0x12, SGT: 0x13, EQ: 0x14, ISZERO: 0x15, AND: 0x16, OR: 0x17,
  XOR: 0x18, NOT: 0x19, BYTE: 0x1a, SHL: 0x1b, SHR: 0x1c, SAR: 0x1d, CLZ: 0x1e,
  KECCAK256: 0x20,
  ADDRESS: 0x30, BALANCE: 0x31, ORIGIN: 0x32, CALLER: 0x33, CALLVALUE: 0x34, CALLDATALOAD: 0x35,
  CALLDATASIZE: 0x36, CALLDATACOPY: 0x37, CODESIZE: 0x38, CODECOPY: 0x39, GASPRICE: 0x3a,
  EXTCODESIZE: 0x3b, EXTCODECOPY: 0x3c, RETURNDATASIZE: 0x3d, RETURNDATACOPY: 0x3e, EXTCODEHASH: 0x3f,
  BLOCKHASH: 0x40, COINBASE: 0x41, TIMESTAMP: 0x42, NUMBER: 0x43, PREVRANDAO: 0x44, GASLIMIT: 0x45,
  CHAINID: 0x46, SELFBALANCE: 0x47, BASEFEE: 0x48, BLOBHASH: 0x49, BLOBBASEFEE: 0x4a,
  POP: 0x50, MLOAD: 0x51, MSTORE: 0x52, MSTORE8: 0x53, SLOAD: 0x54, SSTORE: 0x55, JUMP: 0x56,
  JUMPI: 0x57, PC: 0x58, MSIZE: 0x59, GAS: 0x5a, JUMPDEST: 0x5b, TLOAD: 0x5c, TSTORE: 0x5d,
  MCOPY: 0x5e, PUSH0: 0x5f, PUSH1: 0x60, PUSH32: 0x7f, DUP1: 0x80, DUP16: 0x8f, SWAP1: 0x90,
  SWAP16: 0x9f, LOG0: 0xa0, LOG4: 0xa4,
  CREATE: 0xf0, CALL: 0xf1, CALLCODE: 0xf2, RETURN: 0xf3, DELEGATECALL: 0xf4, CREATE2: 0xf5,
  STATICCALL: 0xfa, REVERT: 0xfd, INVALID: 0xfe, SELFDESTRUCT: 0xff,
} as const;

export const OPCODE_NAMES: string[] = (() => {
  const names = new Array<string>(256).fill("");
  for (const [name, code] of Object.entries(Op)) names[code] = name;
  for (let i = 1; i <= 32; i++) names[0x5f + i] = `PUSH${i}`;
  for (let i = 1; i <= 16; i++) {
    names[0x7f + i] = `DUP${i}`;
    names[0x8f + i] = `SWAP${i}`;
  }
  for (let i = 0; i <= 4; i++) names[0xa0 + i] = `LOG${i}`;
  for (let i = 0; i < 256; i++) if (!names[i]) names[i] = `0x${i.toString(16).padStart(2, "0")}`;
  return names;
})();

/** Opcodes that leave nothing of their own on the stack (stores, copies, jumps, logs, halts). */
const WRITES_NOTHING = new Set<number>([
  Op.STOP, Op.CALLDATACOPY, Op.CODECOPY, Op.EXTCODECOPY, Op.RETURNDATACOPY, Op.POP, Op.MSTORE, Op.MSTORE8,
  Op.SSTORE, Op.JUMP, Op.JUMPI, Op.JUMPDEST, Op.TSTORE, Op.MCOPY, Op.LOG0, Op.LOG0 + 1, Op.LOG0 + 2, Op.LOG0 + 3,
  Op.LOG4, Op.RETURN, Op.REVERT, Op.INVALID, Op.SELFDESTRUCT,
]);

/** How many stack words an opcode writes (Parity's vmTrace "push"): DUPn and SWAPn rewrite n+1, most write one. */
export function stackWrites(op: number): number {
  if (op >= Op.DUP1 && op <= Op.DUP16) return op - Op.DUP1 + 2;
  if (op >= Op.SWAP1 && op <= Op.SWAP16) return op - Op.SWAP1 + 2;
  return WRITES_NOTHING.has(op) || OPCODE_NAMES[op].startsWith("0x") ? 0 : 1;
}
