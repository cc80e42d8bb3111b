/**
 * One instance of a compiled module and the JavaScript side of its imports.
 * The `host` import runs instructions that reach state or other frames through
 * the same shared semantics as the interpreter (src/evm/host_ops.ts), on a
 * Frame kept in sync with the instance: gas before and after each call, and
 * EVM memory as a view of the instance's linear memory.
 */
import type { Host } from "../../src/evm/host.ts";
import { FAST_GAS, type Frame } from "../../src/evm/frame.ts";
import { CallKind, EvmHalt } from "../../src/evm/message.ts";
import {
  calldataWord, opBalance, opCall, opCreate, opDataCopy, opExtcodecopy, opExtcodehash, opExtcodesize, opLog, opMcopy,
  opSelfdestruct, opSload, opSstore, opTload, opTstore, outOfGas,
} from "../../src/evm/host_ops.ts";
import type { ForkRules } from "../../src/forks/rules.ts";
import { copyWords, EMPTY_BYTES as EMPTY } from "../../src/primitives/byte_slab.ts";
import { CHECK_EVERY, checkDeadline } from "../../src/evm/interrupt.ts";
import { ENV_OPS } from "../../src/forks/opcodes.ts";
import { diagnoseSegment } from "./analysis.ts";
import type { InstanceMemory } from "./instance_memory.ts";
import {
  SLOAD_GEN_ADDR, CALLDATA_BASE, CALLDATA_CAPACITY, CD_IN_MEMORY_ADDR, CDSIZE_ADDR, EXPORT_RUN, IMPORT_MEMORY, GAS_ADDR, Halt, HALT_MESSAGES, IMPORT_CALLDATACOPY, IMPORT_CALLDATALOAD, IMPORT_HALT, IMPORT_HOST, IMPORT_SLOAD, IMPORT_MODULE, RUNTIME_IMPORT_MODULE, ENV_BASE, ENV_MASK_ADDR, IMPORT_ENV,
  IMPORT_SEGMENT_FAIL, IMPORT_TICK, MEM_BASE, MSIZE_ADDR, OUT_LEN_ADDR, OUT_OFF_ADDR, PAGE, STACK_BASE, Status,
} from "./layout.ts";

const M64 = (1n << 64n) - 1n;
const CALLVALUE_ENV = ENV_OPS.indexOf(0x34);
const CALLVALUE_WORD = ENV_BASE + 32 * CALLVALUE_ENV;
const TWO32 = 4294967296;
/**
 * Words above 2^64 read by host instructions, by content (direct-mapped, shared by all instances): the limbs of
 * entry e at wordCacheKeys[8e..8e+8), its value at wordCacheValues[e]. An all-zero key matches no word that
 * reaches the cache (those are below 2^64).
 */
const WORD_CACHE_SHIFT = 24; // 2^(32 - 24) = 256 entries
const wordCacheKeys = new Uint32Array(8 << (32 - WORD_CACHE_SHIFT));
const wordCacheValues: bigint[] = new Array(1 << (32 - WORD_CACHE_SHIFT)).fill(0n);
/** Calldata up to this long is copied by a loop; longer, by TypedArray.set. */
const SHORT_CALLDATA = 512;
/** Instances whose memory grew past this are not kept for reuse. */
const MAX_POOLED_MEMORY = 16 << 20;

export type RunResult = { status: "success" | "revert"; output: Uint8Array };

export class CompiledInstance {
  private readonly memory: WebAssembly.Memory;
  private readonly runExport: () => number;
  private readonly msizeGlobal: WebAssembly.Global;
  /** Whether the last run returned (rather than halted by throwing). */
  private finished = true;
  private buffer!: ArrayBuffer;
  private dv!: DataView;
  private u32!: Uint32Array;
  /** The header (everything below EVM memory) as bytes. */
  private all!: Uint8Array;
  private readonly grower = (size: number) => this.grow(size);
  /** Byte address just above the operands of the host instruction being run. */
  private top = 0;
  private mem!: Uint8Array;
  private mem32!: Uint32Array;
  /** The buffer of the last calldata copied, as 32-bit words: calldata arrays are mostly views of a few buffers. */
  private inBuffer: ArrayBufferLike | undefined = undefined;
  private in32: Uint32Array = new Uint32Array(0);
  private memView!: DataView;
  private frame!: Frame;
  private evm!: Host;
  /** The last split of gas above 2^30 (gasToFrame): the high part, and it times 2^30 as a bigint. */
  private upper = 0;
  private upperGas = 0n;

  constructor(
    module: WebAssembly.Module,
    private readonly code: Uint8Array,
    private readonly rules: ForkRules,
    /** The memory this instance runs on, shared with other modules' instances (instance_memory.ts). */
    readonly memorySet: InstanceMemory,
  ) {
    const evmImports = {
      [IMPORT_HALT]: (code: number, arg: number) => this.halt(code, arg),
      [IMPORT_SEGMENT_FAIL]: (pc: number, gas: number, height: number) => diagnoseSegment(this.code, this.rules, pc, gas, height),
      [IMPORT_HOST]: (op: number, spb: number, pc: number) => this.host(op, spb, pc),
      [IMPORT_SLOAD]: (keyPtr: number, outPtr: number) => {
        this.refresh();
        this.gasToFrame();
        const v = opSload(this.evm, this.frame, this.word(keyPtr));
        this.setWord(outPtr, v);
        this.gasToMemory();
      },
      [IMPORT_ENV]: (k: number) => this.env(k),
      [IMPORT_TICK]: () => {
        checkDeadline();
        return CHECK_EVERY;
      },
      [IMPORT_CALLDATALOAD]: (offPtr: number, outPtr: number) => {
        this.refresh();
        this.setWord(outPtr, calldataWord(this.frame.message.input, this.word(offPtr)));
      },
      [IMPORT_CALLDATACOPY]: (dst: number, start: number, n: number) => {
        this.refresh();
        this.mem.set(this.frame.message.input.subarray(start, start + n), dst);
      },
    };
    this.memory = memorySet.memory;
    const imports: WebAssembly.Imports = {
      [IMPORT_MODULE]: { ...evmImports, [IMPORT_MEMORY]: this.memory },
      [RUNTIME_IMPORT_MODULE]: this.memorySet.runtime,
    };
    const instance = new WebAssembly.Instance(module, imports);
    this.runExport = instance.exports[EXPORT_RUN] as () => number;
    this.msizeGlobal = instance.exports.msize as WebAssembly.Global;
    this.refresh();
  }

  /** New views after the memory grew (growing detaches the old buffer: its views then have length 0). */
  private refresh(): void {
    if (this.u32 !== undefined && this.u32.length !== 0) return;
    this.renew();
  }

  private renew(): void {
    const b = this.memory.buffer as ArrayBuffer;
    if (b === this.buffer) return;
    this.buffer = b;
    this.dv = new DataView(b);
    this.u32 = new Uint32Array(b, 0, MEM_BASE / 4);
    this.all = new Uint8Array(b, 0, MEM_BASE);
    this.mem = new Uint8Array(b, MEM_BASE);
    this.mem32 = new Uint32Array(b, MEM_BASE);
    this.memView = new DataView(b, MEM_BASE);
    if (this.frame) {
      this.frame.memory = this.mem;
      this.frame.view = this.memView;
    }
  }

  /** Runs the frame's code; throws EvmHalt on an exceptional halt. The instance can be reused afterwards. */
  run(frame: Frame, evm: Host): RunResult {
    this.frame = frame;
    this.evm = evm;
    this.refresh();
    frame.memory = this.mem;
    frame.view = this.memView;
    frame.memoryGrower = this.grower;
    this.gasToMemory();
    const input = frame.message.input;
    if (input.length <= CALLDATA_CAPACITY) {
      const all = this.all;
      if ((input.byteOffset & 3) === 0 && input.length <= SHORT_CALLDATA) {
        // By 32-bit words from a view of its buffer (kept while calls use it): TypedArray.set into the
        // instance's memory cost about 0.06 µs a call here.
        if (input.buffer !== this.inBuffer || (input.byteOffset + input.length) >> 2 > this.in32.length) {
          this.inBuffer = input.buffer;
          this.in32 = new Uint32Array(input.buffer, 0, input.buffer.byteLength >> 2);
        }
        const src = this.in32, dst = this.u32, from = input.byteOffset >> 2, to = CALLDATA_BASE >> 2;
        const words = input.length >> 2;
        for (let w = 0; w < words; w++) dst[to + w] = src[from + w];
        for (let b = words << 2; b < input.length; b++) all[CALLDATA_BASE + b] = input[b];
      } else all.set(input, CALLDATA_BASE);
      // The 32 bytes after it read as zeros (CALLDATALOAD near the end): bytes up to a 4-byte boundary, then
      // 32-bit words (CALLDATA_BASE is aligned); a loop, as fill() costs about 0.15 µs here.
      let i = CALLDATA_BASE + input.length;
      for (; (i & 3) !== 0; i++) all[i] = 0;
      for (let w = i >> 2, end = w + 8, u32 = this.u32; w < end; w++) u32[w] = 0;
      this.u32[CD_IN_MEMORY_ADDR / 4] = 1;
    } else this.u32[CD_IN_MEMORY_ADDR / 4] = 0;
    this.u32[CDSIZE_ADDR / 4] = input.length;
    this.u32[SLOAD_GEN_ADDR / 4]++; // a new frame: the SLOAD cache starts empty
    // No environment word is fetched yet, but CALLVALUE (which Solidity reads first in every non-payable
    // function) is usually 0 and cheaper to write now than to fetch through a call to JavaScript.
    if (frame.message.value === 0n) {
      const u32 = this.u32;
      for (let i = CALLVALUE_WORD / 4, end = i + 8; i < end; i++) u32[i] = 0;
      u32[ENV_MASK_ADDR / 4] = 1 << CALLVALUE_ENV;
    } else this.u32[ENV_MASK_ADDR / 4] = 0;
    this.u32[MSIZE_ADDR / 4] = 0;
    this.u32[MSIZE_ADDR / 4 + 1] = 0;
    this.finished = false;
    const status = this.runExport();
    this.finished = true;
    this.refresh();
    this.gasToFrame();
    switch (status) {
      case Status.Return:
      case Status.Revert: {
        const len = this.u32[OUT_LEN_ADDR / 4];
        const off = this.u32[OUT_OFF_ADDR / 4];
        const output = len === 0 ? EMPTY : copyWords(this.mem, this.mem32, off, off + len);
        return { status: status === Status.Return ? "success" : "revert", output };
      }
      default:
        return { status: "success", output: EMPTY };
    }
  }

  /** Clears what a run left behind; false when the instance is not worth keeping. */
  reset(): boolean {
    const frame = this.frame;
    if (frame) frame.memoryGrower = undefined;
    this.frame = undefined as unknown as Frame;
    this.evm = undefined as unknown as Host;
    this.refresh();
    // A run that ended normally left the memory size at MSIZE_ADDR; after a halt only the global has it.
    const used = this.finished ? this.u32[MSIZE_ADDR / 4] : Number(this.msizeGlobal.value as bigint);
    if (this.mem.length > MAX_POOLED_MEMORY) return false;
    const end = Math.min(Math.max(used, frame ? frame.memorySize : 0), this.mem.length);
    // end is a multiple of 32. Short ranges by a loop: fill() costs about 0.15 µs before it writes a byte.
    if (end > 2048) this.mem.fill(0, 0, end);
    else for (let i = 0, words = end >> 2, m32 = this.mem32; i < words; i++) m32[i] = 0;
    return true;
  }

  private grow(size: number): Uint8Array {
    const need = MEM_BASE + size;
    const have = this.memory.buffer.byteLength;
    if (need > have) {
      const pages = Math.ceil((need - have) / PAGE);
      try {
        this.memory.grow(Math.max(pages, have / PAGE));
      } catch {
        try {
          this.memory.grow(pages);
        } catch {
          outOfGas();
        }
      }
    }
    this.refresh();
    return this.mem;
  }

  private halt(code: number, arg: number): never {
    if (code === Halt.InvalidOpcode) throw new EvmHalt(`invalid opcode 0x${arg.toString(16).padStart(2, "0")}`);
    // Not an EVM halt, so not charged as one: the call fails loudly rather than with a wrong result.
    if (code === Halt.Internal) {
      throw new Error(`wasm backend: compiled code entered the block at pc ${arg} by a way the compiler's analysis did not see`);
    }
    throw new EvmHalt(HALT_MESSAGES[code] ?? `halt ${code}`);
  }

  // ---- gas and memory size exchange

  private gasToMemory(): void {
    const f = this.frame;
    const i = GAS_ADDR / 4;
    if (f.gasReserve === 0n) {
      const g = f.gas;
      const hi = Math.floor(g / TWO32);
      this.u32[i] = g - hi * TWO32;
      this.u32[i + 1] = hi;
    } else if (f.gasReserve === this.upperGas && f.gas <= FAST_GAS) {
      // Left as gasToFrame split it (or spent from its low part): upper * 2^30 + gas, in exact doubles.
      const x = (this.upper % 4) * FAST_GAS + f.gas;
      const carry = x >= TWO32 ? 1 : 0;
      this.u32[i] = x - carry * TWO32;
      this.u32[i + 1] = Math.floor(this.upper / 4) + carry;
    } else {
      const t = f.gasLeft();
      this.u32[i] = Number(t & 0xffffffffn);
      this.u32[i + 1] = Number(t >> 32n);
    }
  }

  /**
   * The frame's gas from the instance's counter. Above 2^30 it is split at bit 30: the high part's bigint is
   * made only when that part changes, so a frame given more gas than that (Foundry's default gas limit is
   * 2^63 - 1) exchanges it with each host call without BigInt arithmetic.
   */
  private gasToFrame(): void {
    const i = GAS_ADDR / 4;
    const lo = this.u32[i], hi = this.u32[i + 1];
    const frame = this.frame;
    if (hi === 0 && lo <= FAST_GAS) {
      frame.gas = lo;
      frame.gasReserve = 0n;
      return;
    }
    const upper = hi * 4 + (lo >>> 30);
    if (upper !== this.upper) {
      this.upper = upper;
      this.upperGas = BigInt(upper) << 30n;
    }
    frame.gas = lo & (FAST_GAS - 1);
    frame.gasReserve = this.upperGas;
  }

  // ---- stack words in linear memory

  /**
   * The word at addr (in the header: stack, scratch, environment). Small values take no BigInt arithmetic; large
   * ones (storage slots of mappings, log topics, addresses) are looked up by content in the word cache first, as
   * assembling one from its limbs takes ten BigInt operations.
   */
  private word(addr: number): bigint {
    const dv = this.dv, u = this.u32, i = addr >> 2;
    if ((u[i + 2] | u[i + 3] | u[i + 4] | u[i + 5] | u[i + 6] | u[i + 7]) === 0) return dv.getBigUint64(addr, true);
    const e = (Math.imul(u[i] ^ u[i + 5], 0x9e3779b1) ^ u[i + 7]) >>> WORD_CACHE_SHIFT, k = 8 * e;
    const keys = wordCacheKeys;
    if (
      keys[k] === u[i] && keys[k + 1] === u[i + 1] && keys[k + 2] === u[i + 2] && keys[k + 3] === u[i + 3] &&
      keys[k + 4] === u[i + 4] && keys[k + 5] === u[i + 5] && keys[k + 6] === u[i + 6] && keys[k + 7] === u[i + 7]
    ) return wordCacheValues[e];
    const v = dv.getBigUint64(addr, true) | (dv.getBigUint64(addr + 8, true) << 64n) |
      (dv.getBigUint64(addr + 16, true) << 128n) | (dv.getBigUint64(addr + 24, true) << 192n);
    for (let j = 0; j < 8; j++) keys[k + j] = u[i + j];
    wordCacheValues[e] = v;
    return v;
  }

  private setWord(addr: number, v: bigint): void {
    const dv = this.dv;
    if (v <= M64) {
      dv.setBigUint64(addr, v, true);
      const u = this.u32, i = addr >> 2;
      u[i + 2] = u[i + 3] = u[i + 4] = u[i + 5] = u[i + 6] = u[i + 7] = 0;
      return;
    }
    dv.setBigUint64(addr, v & M64, true);
    dv.setBigUint64(addr + 8, (v >> 64n) & M64, true);
    dv.setBigUint64(addr + 16, (v >> 128n) & M64, true);
    dv.setBigUint64(addr + 24, v >> 192n, true);
  }

  /** Writes environment word k (ENV_OPS[k]) of this frame to its slot and marks it present. */
  private env(k: number): void {
    this.refresh();
    const evm = this.evm, msg = this.frame.message, block = evm.block;
    let v: bigint;
    switch (ENV_OPS[k]) {
      case 0x30: v = msg.address; break;
      case 0x32: v = evm.tx.origin; break;
      case 0x33: v = msg.caller; break;
      case 0x34: v = msg.value; break;
      case 0x3a: v = evm.tx.gasPrice; break;
      case 0x41: v = block.coinbase; break;
      case 0x42: v = block.timestamp; break;
      case 0x43: v = block.number; break;
      case 0x44: v = this.rules.prevRandao ? block.prevRandao : block.difficulty; break;
      case 0x45: v = block.gasLimit; break;
      case 0x46: v = block.chainId; break;
      case 0x48: v = block.baseFee; break;
      case 0x4a: v = block.blobBaseFee; break;
      default: throw new Error(`env: no environment word ${k}`);
    }
    this.setWord(ENV_BASE + 32 * k, v);
    this.u32[ENV_MASK_ADDR / 4] |= 1 << k;
  }

  /** Operand k (0: the top) of the host instruction being run. */
  private arg(k: number): bigint {
    return this.word(this.top - 32 * (k + 1));
  }

  /** Writes the single result of the host instruction being run, which popped `pops` words. */
  private result(pops: number, v: bigint): void {
    this.refresh();
    this.setWord(this.top - 32 * pops, v);
  }

  /** Runs one host instruction on the stack below byte height spb. */
  private host(op: number, spb: number, pc: number): void {
    this.refresh();
    const frame = this.frame, evm = this.evm, msg = frame.message;
    this.gasToFrame();
    frame.memorySize = this.u32[MSIZE_ADDR / 4];
    this.top = STACK_BASE + spb;
    switch (op) {
      case 0x31: this.result(1, opBalance(evm, frame, this.arg(0))); break;
      case 0x35: this.result(1, calldataWord(msg.input, this.arg(0))); break;
      case 0x36: this.result(0, BigInt(msg.input.length)); break;
      case 0x37: case 0x39: case 0x3e: { // CALLDATACOPY, CODECOPY, RETURNDATACOPY
        opDataCopy(frame, op, this.arg(0), this.arg(1), this.arg(2));
        break;
      }
      case 0x3b: this.result(1, opExtcodesize(evm, frame, this.arg(0))); break;
      case 0x3c: opExtcodecopy(evm, frame, this.arg(0), this.arg(1), this.arg(2), this.arg(3)); break;
      case 0x3d: this.result(0, BigInt(frame.returnData.length)); break;
      case 0x3f: this.result(1, opExtcodehash(evm, frame, this.arg(0))); break;
      case 0x40: this.result(1, evm.blockHash(this.arg(0))); break;
      case 0x47: this.result(0, evm.world.getBalance(msg.address)); break;
      case 0x49: {
        const i = this.arg(0);
        const hashes = evm.tx.blobHashes;
        this.result(1, i < BigInt(hashes.length) ? hashes[Number(i)] : 0n);
        break;
      }
      case 0x54: this.result(1, opSload(evm, frame, this.arg(0))); break;
      case 0x55: opSstore(evm, frame, this.arg(0), this.arg(1)); break;
      case 0x5c: this.result(1, opTload(evm, frame, this.arg(0))); break;
      case 0x5d: opTstore(evm, frame, this.arg(0), this.arg(1)); break;
      case 0x5e: opMcopy(frame, this.arg(0), this.arg(1), this.arg(2)); break;
      case 0xa0: case 0xa1: case 0xa2: case 0xa3: case 0xa4: {
        const topics: bigint[] = [];
        if (evm.keepLogs) for (let i = 0; i < op - 0xa0; i++) topics.push(this.arg(2 + i));
        opLog(evm, frame, this.arg(0), this.arg(1), topics);
        break;
      }
      case 0xf0: case 0xf5: { // CREATE, CREATE2
        const isCreate2 = op === 0xf5;
        const v = opCreate(evm, frame, isCreate2 ? CallKind.Create2 : CallKind.Create, this.arg(0), this.arg(1), this.arg(2),
          isCreate2 ? this.arg(3) : 0n);
        this.result(isCreate2 ? 4 : 3, v);
        break;
      }
      case 0xf1: case 0xf2: case 0xf4: case 0xfa: {
        const hasValue = op === 0xf1 || op === 0xf2;
        const a = hasValue
          ? { gas: this.arg(0), target: this.arg(1), value: this.arg(2), inOffset: this.arg(3), inSize: this.arg(4), outOffset: this.arg(5), outSize: this.arg(6) }
          : { gas: this.arg(0), target: this.arg(1), value: 0n, inOffset: this.arg(2), inSize: this.arg(3), outOffset: this.arg(4), outSize: this.arg(5) };
        const kind = op === 0xf1 ? CallKind.Call : op === 0xf2 ? CallKind.CallCode : op === 0xf4 ? CallKind.DelegateCall : CallKind.StaticCall;
        this.result(hasValue ? 7 : 6, opCall(evm, frame, kind, a));
        break;
      }
      case 0xff: opSelfdestruct(evm, frame, this.arg(0)); break;
      default:
        throw new Error(`compiled code: unexpected host opcode 0x${op.toString(16)} at pc ${pc}`);
    }
    this.refresh();
    this.gasToMemory();
    this.u32[MSIZE_ADDR / 4] = frame.memorySize;
    this.u32[MSIZE_ADDR / 4 + 1] = 0;
  }
}

