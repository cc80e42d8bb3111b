/**
 * The one table of opcode facts (in the manner of evmone's instruction traits): for each opcode its stack
 * inputs and outputs, immediate size, whether it ends a straight-line run, whether it runs through the host,
 * and its static gas from the fork that introduced or repriced it; then the named constants of the dynamic gas
 * formulas (src/evm/gas.ts). Both backends, the compiler's analysis and the tracers read these.
 */
import { Fork, type ForkId, type ForkName } from "./fork.ts";

/** Opcode numbers by name. */
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

// ---- gas constants (Yellow Paper names)

export const GAS_ZERO = 0, GAS_BASE = 2, GAS_VERYLOW = 3, GAS_LOW = 5, GAS_MID = 8, GAS_HIGH = 10;
/** Gas of a warm account or slot access (EIP-2929), the static part of every access from Berlin on. */
export const WARM_STORAGE_READ_GAS = 100;
export const CREATE_GAS = 32000;
export const KECCAK256_GAS = 30;
export const LOG_GAS = 375;
export const LOG_TOPIC_GAS = 375;
/** Memory: MEMORY_WORD_GAS per word plus words² / MEMORY_QUADRATIC_DIVISOR, for the whole memory (C_mem). */
export const MEMORY_WORD_GAS = 3;
export const MEMORY_QUADRATIC_DIVISOR = 512;
/** Per 32-byte word copied by CALLDATACOPY, CODECOPY, EXTCODECOPY, RETURNDATACOPY and MCOPY. */
export const COPY_WORD_GAS = 3;
/** Per 32-byte word hashed by KECCAK256 and CREATE2. */
export const KECCAK256_WORD_GAS = 6;
/** Per byte of LOG data. */
export const LOG_DATA_GAS = 8;
// EXP's per-byte gas and initcode's per-word gas change between forks: ForkRules.expByteGas, initcodeWordGas.

/** Words the EVM stack holds. */
export const STACK_LIMIT = 1024;

// ---- the table

/** Ends a straight-line run: a halt (STOP, RETURN, REVERT, INVALID, SELFDESTRUCT) or a jump. */
const TERMINATES = 1;
/**
 * Runs on the host side (src/evm/host_ops.ts and the Host): reads or writes state, other frames or the
 * return data, or copies into memory.
 */
const HOST = 2;
/** Pushes a word of the frame's environment (its message, transaction or block) that is fixed for the frame. */
const ENV = 4;
/** May charge gas beyond its static gas (memory, words copied or hashed, cold access, ...) in some fork. */
const DYNAMIC_GAS = 8;

export interface OpcodeInfo {
  readonly name: string;
  /** Words popped and pushed (DUPn pops n and pushes n + 1; SWAPn pops and pushes n + 1). */
  readonly inputs: number;
  readonly outputs: number;
  /** Bytes of immediate data after the opcode (PUSHn: n). */
  readonly immediate: number;
  readonly terminates: boolean;
  readonly host: boolean;
  readonly env: boolean;
  readonly dynamicGas: boolean;
  /** Static gas from each fork that introduced or repriced the opcode, oldest first; undefined before the first. */
  readonly gas: readonly (readonly [ForkId, number])[];
}

/** The facts of each opcode; undefined where no fork defines one. */
export const OPCODES: readonly (OpcodeInfo | undefined)[] = (() => {
  const table: (OpcodeInfo | undefined)[] = new Array(256).fill(undefined);
  const def = (op: number, inputs: number, outputs: number, gas: Partial<Record<ForkName, number>>, flags = 0) => {
    const since: (readonly [ForkId, number])[] = [];
    for (const fork in gas) since.push([Fork[fork as ForkName], gas[fork as ForkName]!]);
    table[op] = {
      name: OPCODE_NAMES[op],
      inputs,
      outputs,
      immediate: op >= Op.PUSH1 && op <= Op.PUSH32 ? op - Op.PUSH0 : 0,
      terminates: (flags & TERMINATES) !== 0,
      host: (flags & HOST) !== 0,
      env: (flags & ENV) !== 0,
      dynamicGas: (flags & DYNAMIC_GAS) !== 0,
      gas: since,
    };
  };
  const WARM = WARM_STORAGE_READ_GAS;
  def(Op.STOP, 0, 0, { Frontier: GAS_ZERO }, TERMINATES);
  def(Op.ADD, 2, 1, { Frontier: GAS_VERYLOW });
  def(Op.MUL, 2, 1, { Frontier: GAS_LOW });
  def(Op.SUB, 2, 1, { Frontier: GAS_VERYLOW });
  def(Op.DIV, 2, 1, { Frontier: GAS_LOW });
  def(Op.SDIV, 2, 1, { Frontier: GAS_LOW });
  def(Op.MOD, 2, 1, { Frontier: GAS_LOW });
  def(Op.SMOD, 2, 1, { Frontier: GAS_LOW });
  def(Op.ADDMOD, 3, 1, { Frontier: GAS_MID });
  def(Op.MULMOD, 3, 1, { Frontier: GAS_MID });
  def(Op.EXP, 2, 1, { Frontier: GAS_HIGH }, DYNAMIC_GAS);
  def(Op.SIGNEXTEND, 2, 1, { Frontier: GAS_LOW });
  for (const op of [Op.LT, Op.GT, Op.SLT, Op.SGT, Op.EQ, Op.AND, Op.OR, Op.XOR, Op.BYTE]) {
    def(op, 2, 1, { Frontier: GAS_VERYLOW });
  }
  def(Op.ISZERO, 1, 1, { Frontier: GAS_VERYLOW });
  def(Op.NOT, 1, 1, { Frontier: GAS_VERYLOW });
  for (const op of [Op.SHL, Op.SHR, Op.SAR]) def(op, 2, 1, { Constantinople: GAS_VERYLOW });
  def(Op.CLZ, 1, 1, { Osaka: GAS_LOW });
  def(Op.KECCAK256, 2, 1, { Frontier: KECCAK256_GAS }, DYNAMIC_GAS);
  def(Op.ADDRESS, 0, 1, { Frontier: GAS_BASE }, ENV);
  def(Op.BALANCE, 1, 1, { Frontier: 20, TangerineWhistle: 400, Istanbul: 700, Berlin: WARM }, HOST | DYNAMIC_GAS);
  def(Op.ORIGIN, 0, 1, { Frontier: GAS_BASE }, ENV);
  def(Op.CALLER, 0, 1, { Frontier: GAS_BASE }, ENV);
  def(Op.CALLVALUE, 0, 1, { Frontier: GAS_BASE }, ENV);
  def(Op.CALLDATALOAD, 1, 1, { Frontier: GAS_VERYLOW });
  def(Op.CALLDATASIZE, 0, 1, { Frontier: GAS_BASE });
  def(Op.CALLDATACOPY, 3, 0, { Frontier: GAS_VERYLOW }, HOST | DYNAMIC_GAS);
  def(Op.CODESIZE, 0, 1, { Frontier: GAS_BASE });
  def(Op.CODECOPY, 3, 0, { Frontier: GAS_VERYLOW }, HOST | DYNAMIC_GAS);
  def(Op.GASPRICE, 0, 1, { Frontier: GAS_BASE }, ENV);
  def(Op.EXTCODESIZE, 1, 1, { Frontier: 20, TangerineWhistle: 700, Berlin: WARM }, HOST | DYNAMIC_GAS);
  def(Op.EXTCODECOPY, 4, 0, { Frontier: 20, TangerineWhistle: 700, Berlin: WARM }, HOST | DYNAMIC_GAS);
  def(Op.RETURNDATASIZE, 0, 1, { Byzantium: GAS_BASE }, HOST);
  def(Op.RETURNDATACOPY, 3, 0, { Byzantium: GAS_VERYLOW }, HOST | DYNAMIC_GAS);
  def(Op.EXTCODEHASH, 1, 1, { Constantinople: 400, Istanbul: 700, Berlin: WARM }, HOST | DYNAMIC_GAS);
  def(Op.BLOCKHASH, 1, 1, { Frontier: 20 }, HOST);
  for (const op of [Op.COINBASE, Op.TIMESTAMP, Op.NUMBER, Op.PREVRANDAO, Op.GASLIMIT]) {
    def(op, 0, 1, { Frontier: GAS_BASE }, ENV);
  }
  def(Op.CHAINID, 0, 1, { Istanbul: GAS_BASE }, ENV);
  def(Op.SELFBALANCE, 0, 1, { Istanbul: GAS_LOW }, HOST);
  def(Op.BASEFEE, 0, 1, { London: GAS_BASE }, ENV);
  def(Op.BLOBHASH, 1, 1, { Cancun: GAS_VERYLOW }, HOST);
  def(Op.BLOBBASEFEE, 0, 1, { Cancun: GAS_BASE }, ENV);
  def(Op.POP, 1, 0, { Frontier: GAS_BASE });
  def(Op.MLOAD, 1, 1, { Frontier: GAS_VERYLOW }, DYNAMIC_GAS);
  def(Op.MSTORE, 2, 0, { Frontier: GAS_VERYLOW }, DYNAMIC_GAS);
  def(Op.MSTORE8, 2, 0, { Frontier: GAS_VERYLOW }, DYNAMIC_GAS);
  def(Op.SLOAD, 1, 1, { Frontier: 50, TangerineWhistle: 200, Istanbul: 800, Berlin: WARM }, HOST | DYNAMIC_GAS);
  def(Op.SSTORE, 2, 0, { Frontier: GAS_ZERO }, HOST | DYNAMIC_GAS); // wholly dynamic
  def(Op.JUMP, 1, 0, { Frontier: GAS_MID }, TERMINATES);
  def(Op.JUMPI, 2, 0, { Frontier: GAS_HIGH }, TERMINATES);
  def(Op.PC, 0, 1, { Frontier: GAS_BASE });
  def(Op.MSIZE, 0, 1, { Frontier: GAS_BASE });
  def(Op.GAS, 0, 1, { Frontier: GAS_BASE });
  def(Op.JUMPDEST, 0, 0, { Frontier: 1 });
  def(Op.TLOAD, 1, 1, { Cancun: WARM }, HOST);
  def(Op.TSTORE, 2, 0, { Cancun: WARM }, HOST);
  def(Op.MCOPY, 3, 0, { Cancun: GAS_VERYLOW }, HOST | DYNAMIC_GAS);
  def(Op.PUSH0, 0, 1, { Shanghai: GAS_BASE });
  for (let op = Op.PUSH1; op <= Op.PUSH32; op++) def(op, 0, 1, { Frontier: GAS_VERYLOW });
  for (let n = 1; n <= 16; n++) {
    def(Op.DUP1 + n - 1, n, n + 1, { Frontier: GAS_VERYLOW });
    def(Op.SWAP1 + n - 1, n + 1, n + 1, { Frontier: GAS_VERYLOW });
  }
  for (let n = 0; n <= 4; n++) def(Op.LOG0 + n, n + 2, 0, { Frontier: LOG_GAS + n * LOG_TOPIC_GAS }, HOST | DYNAMIC_GAS);
  def(Op.CREATE, 3, 1, { Frontier: CREATE_GAS }, HOST | DYNAMIC_GAS);
  def(Op.CALL, 7, 1, { Frontier: 40, TangerineWhistle: 700, Berlin: WARM }, HOST | DYNAMIC_GAS);
  def(Op.CALLCODE, 7, 1, { Frontier: 40, TangerineWhistle: 700, Berlin: WARM }, HOST | DYNAMIC_GAS);
  def(Op.RETURN, 2, 0, { Frontier: GAS_ZERO }, TERMINATES | DYNAMIC_GAS);
  def(Op.DELEGATECALL, 6, 1, { Homestead: 40, TangerineWhistle: 700, Berlin: WARM }, HOST | DYNAMIC_GAS);
  def(Op.CREATE2, 4, 1, { Constantinople: CREATE_GAS }, HOST | DYNAMIC_GAS);
  def(Op.STATICCALL, 6, 1, { Byzantium: 700, Berlin: WARM }, HOST | DYNAMIC_GAS);
  def(Op.REVERT, 2, 0, { Byzantium: GAS_ZERO }, TERMINATES | DYNAMIC_GAS);
  def(Op.INVALID, 0, 0, { Frontier: GAS_ZERO }, TERMINATES);
  def(Op.SELFDESTRUCT, 1, 0, { Frontier: GAS_ZERO, TangerineWhistle: 5000 }, TERMINATES | HOST | DYNAMIC_GAS);
  return table;
})();

// Plain loops rather than Uint8Array.from/forEach/flatMap here and in staticGasTable: this runs at every start,
// and under Bun those built-ins cost more to get going than the whole table (about 10 ms of the binary's start).
function column(f: (info: OpcodeInfo) => number): Uint8Array {
  const c = new Uint8Array(256);
  for (let op = 0; op < 256; op++) {
    const info = OPCODES[op];
    if (info) c[op] = f(info);
  }
  return c;
}

/** Words each opcode pops and pushes (0 and 0 where no fork defines the opcode). */
export const STACK_IN = column((i) => i.inputs);
export const STACK_OUT = column((i) => i.outputs);
/** Bytes of immediate data after each opcode (PUSHn: n). */
export const IMMEDIATE_SIZE = column((i) => i.immediate);
const TERMINATOR = column((i) => (i.terminates ? 1 : 0));
const HOST_OP = column((i) => (i.host ? 1 : 0));
const DYNAMIC = column((i) => (i.dynamicGas ? 1 : 0));

export function isTerminator(op: number): boolean {
  return TERMINATOR[op] === 1;
}

export function runsOnHost(op: number): boolean {
  return HOST_OP[op] === 1;
}

export function hasDynamicGas(op: number): boolean {
  return DYNAMIC[op] === 1;
}

/** The environment words, by opcode. */
export const ENV_OPS: readonly number[] = (() => {
  const ops: number[] = [];
  for (let op = 0; op < 256; op++) if (OPCODES[op]?.env) ops.push(op);
  return ops;
})();

/** Static gas per opcode under a fork; -1 where the opcode does not exist in it. */
export function staticGasTable(fork: ForkId): Int32Array {
  const g = new Int32Array(256).fill(-1);
  for (let op = 0; op < 256; op++) {
    const gas = OPCODES[op]?.gas;
    if (gas) for (let i = 0; i < gas.length; i++) if (gas[i][0] <= fork) g[op] = gas[i][1];
  }
  return g;
}

/** How many stack words an opcode writes (Parity's vmTrace "push"): DUPn and SWAPn rewrite n+1, most write one. */
export function stackWrites(op: number): number {
  return STACK_OUT[op];
}
