/**
 * The contract between compiled modules and the JavaScript side: linear-memory
 * layout, the status codes `run` returns, halt codes, and the import names.
 * Words are 32 bytes as four little-endian i64 limbs (limb 0 least significant).
 */

/** Bumped whenever generated code or this layout changes; part of every cache key. */
export const COMPILER_VERSION = "evmwasm-c26";

/** [0, 4096): reserved for the u256 runtime's own scratch space. */
export const RUNTIME_SCRATCH = 0;
/** keccak256's digest cache (runtime/keccak.ts: KECCAK_CACHE_BYTES, 3,328 bytes), in the runtime's space. */
export const KECCAK_CACHE = RUNTIME_SCRATCH;
/** i64: gas left, exchanged with JavaScript around host calls and at entry/exit. */
export const GAS_ADDR = 4096;
/** i32: active EVM memory size in bytes, exchanged like gas. */
export const MSIZE_ADDR = 4104;
/** i32 pair: offset and length of RETURN/REVERT data in EVM memory. */
export const OUT_OFF_ADDR = 4112;
export const OUT_LEN_ADDR = 4116;
/** i32: calldata size in bytes, and 1 when the calldata is at CALLDATA_BASE (else it is read through the host). */
export const CDSIZE_ADDR = 4120;
export const CD_IN_MEMORY_ADDR = 4124;
/** i32: generation of the SLOAD cache; entries of other generations are empty. */
export const SLOAD_GEN_ADDR = 4128;
/** i32: bit k set when environment word k (ENV_OPS[k], src/forks/opcodes.ts) of this frame is at ENV_BASE + 32k; 0 at frame start. */
export const ENV_MASK_ADDR = 4132;
/** Words that stay the same for a whole frame, read once through the `env` import: ADDRESS, ORIGIN, ... */
export const ENV_BASE = 5120;
/**
 * The frame's SLOAD cache, direct-mapped: SLOAD_CACHE_ENTRIES entries of key (32 bytes), value (32),
 * generation (i32, padded to 8), after the stack. 1024 entries hold the working set of storage-heavy loops
 * (snailtracer reads some hundreds of slots over and over; 32 entries missed 89,000 times a call).
 */
export const SLOAD_CACHE = 65536;
export const SLOAD_CACHE_ENTRIES = 1024;
export const SLOAD_ENTRY = 72;
/** Scratch words for operands and results of out-of-line helpers (u256_mulmod_max writes a second result word). */
export const SCRATCH_A = 4160;
export const SCRATCH_B = 4192;
export const SCRATCH_C = 4224;
export const SCRATCH_OUT = 4256;
export const SCRATCH_OUT2 = 4288;
/** Padded area for dynamic shifts: 4 pad limbs, 4 value limbs, 4 pad limbs. */
export const SHIFT_AREA = 4352;
/** Calldata, followed by 32 zero bytes (so a word read at any offset below its size is zero-padded). */
export const CALLDATA_BASE = 8192;
export const CALLDATA_CAPACITY = 32768 - 32 - CALLDATA_BASE;
/** The EVM stack: STACK_LIMIT (1024) words; word i at STACK_BASE + 32 * i. Loads of slots below the block's entry use negative
 * immediates relative to sp, so STACK_BASE must be at least 1024 * 32. */
export const STACK_BASE = 32768;
/** EVM memory starts here (page aligned). */
export const MEM_BASE = 196608;
export const PAGE = 65536;
/** Memory of a fresh instance, in pages (header, stack, and one page of EVM memory). */
export const INITIAL_PAGES = 4;
export const MAX_PAGES = 65536;

/** What `run` returns. */
export const Status = { Stop: 0, Return: 1, Revert: 2, SelfDestruct: 3 } as const;

/** Codes passed to the `halt` import. */
export const Halt = {
  OutOfGas: 0,
  StackUnderflow: 1,
  StackOverflow: 2,
  InvalidJump: 3,
  InvalidOpcode: 4, // arg: the opcode
  Internal: 5, // a compiler bug: a block entered by a way the analysis did not see (arg: its pc)
} as const;

export const HALT_MESSAGES = ["out of gas", "stack underflow", "stack overflow", "invalid jump destination"];

/** Import module and field names. */
export const IMPORT_MODULE = "evm";
/** Import module of the u256 runtime's entry points (runtime_module.ts). */
export const RUNTIME_IMPORT_MODULE = "u256_runtime";
export const IMPORT_HALT = "halt"; // (code: i32, arg: i32) -> never
export const IMPORT_SEGMENT_FAIL = "segment_fail"; // (pc: i32, gas: f64, height: i32) -> never
export const IMPORT_HOST = "host"; // (op: i32, sp: i32, pc: i32) -> void
export const IMPORT_CALLDATALOAD = "calldataload"; // (offsetWordPtr: i32, outPtr: i32) -> void
/** Copies calldata[start, start + n) to EVM memory at dst, for calldata too large for its region. */
export const IMPORT_CALLDATACOPY = "calldatacopy"; // (dst: i32, start: i32, n: i32) -> void
export const IMPORT_TICK = "tick"; // () -> i32: jumps until the next call; throws past the execution's deadline
export const IMPORT_SLOAD = "sload"; // (keyPtr: i32, outPtr: i32) -> void; gas exchanged at GAS_ADDR
export const IMPORT_ENV = "env"; // (k: i32) -> void: writes environment word k at ENV_BASE + 32k, sets its mask bit
export const EXPORT_RUN = "run"; // () -> i32 status
/** The memory is created by JavaScript and imported by the contract module and the runtime module. */
export const IMPORT_MEMORY = "memory";
