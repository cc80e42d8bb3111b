/**
 * One call frame's machine state: gas, memory, return data. Backends keep
 * the stack and pc themselves; shared host operations use this object.
 */
import { MAX_SAFE_GAS, memoryCost } from "./gas.ts";
import { EvmHalt, type Message } from "./message.ts";
import { copyBytes, EMPTY_BYTES as EMPTY } from "../primitives/byte_slab.ts";

/**
 * Gas kept in the double `gas`; the rest waits in `gasReserve`. Small enough
 * that the hot counter stays a small integer for the engine (no boxed doubles,
 * no deoptimisation when a frame is given more than 2^31 gas).
 */
export const FAST_GAS = 2 ** 30;
const FAST_GAS_BIG = BigInt(FAST_GAS);

/** Largest memory offset + size we accept; beyond it any gas budget runs out first in practice. */
export const MAX_MEMORY_END = 2 ** 32;
/** The halt of a frame whose memory would pass --memory-limit (revm's MemoryLimitOOG). */
export const MEMORY_LIMIT_EXCEEDED = "memory limit exceeded";
/** One shared view of the empty memory: a frame that never touches memory allocates none. */
const NO_VIEW = new DataView(EMPTY.buffer);

export class Frame {
  /** Gas as a number for speed; amounts above FAST_GAS wait in gasReserve. */
  gas: number;
  gasReserve: bigint;
  /** Frames start without a memory buffer (the shared empty array); most small calls never touch memory. */
  memory: Uint8Array = EMPTY;
  /** A view over `memory`, replaced whenever memory is reallocated. */
  view: DataView = NO_VIEW;
  /** Active memory size in bytes (a multiple of 32). */
  memorySize = 0;
  /** Most memory this frame may grow to: what --memory-limit leaves after the frames below it. */
  memoryLimit = MAX_MEMORY_END;
  returnData: Uint8Array = EMPTY;
  /**
   * Set by a backend whose memory lives elsewhere (a WebAssembly instance's
   * linear memory): gives a view of at least `size` bytes holding the old contents.
   */
  memoryGrower: ((size: number) => Uint8Array) | undefined = undefined;

  constructor(readonly message: Message) {
    this.gas = 0;
    this.gasReserve = 0n;
    this.setGasLeft(message.gas);
  }

  gasLeft(): bigint {
    // `| 0` tells the engine the value is a small integer: BigInt() of a double calls into its runtime.
    const g = this.gas <= FAST_GAS ? BigInt(this.gas | 0) : BigInt(this.gas);
    return this.gasReserve === 0n ? g : g + this.gasReserve;
  }

  /** Charges `cost`; false (and nothing charged) when there is not enough. */
  useGas(cost: number): boolean {
    if (this.gas >= cost) {
      this.gas -= cost;
      return true;
    }
    if (!this.refill(cost)) return false;
    this.gas -= cost;
    return true;
  }

  /**
   * Moves gas from the reserve so that `gas >= need` (topping up to FAST_GAS
   * when that is more); false when even the reserve cannot cover it.
   */
  refill(need: number): boolean {
    if (this.gasReserve === 0n || !Number.isFinite(need) || need > MAX_SAFE_GAS) return false;
    if (BigInt(this.gas) + this.gasReserve < BigInt(Math.ceil(need))) return false;
    const want = BigInt(Math.max(Math.ceil(need), FAST_GAS) - this.gas);
    const take = this.gasReserve < want ? this.gasReserve : want;
    this.gas += Number(take);
    this.gasReserve -= take;
    return true;
  }

  /** Charges a bigint amount (call gas handed to a child). Caller ensures it is affordable. */
  useGasBig(cost: bigint): void {
    const total = this.gasLeft() - cost;
    this.setGasLeft(total);
  }

  setGasLeft(total: bigint): void {
    if (total <= FAST_GAS_BIG) {
      this.gas = Number(total);
      this.gasReserve = 0n;
    } else {
      this.gas = FAST_GAS;
      this.gasReserve = total - FAST_GAS_BIG;
    }
  }

  returnGas(amount: bigint): void {
    if (amount === 0n) return;
    this.setGasLeft(this.gasLeft() + amount);
  }

  /**
   * Charges expansion to cover [offset, offset + size) and grows memory.
   * size 0 never expands. Returns false on out of gas.
   */
  expandMemory(offset: number, size: number): boolean {
    if (size === 0) return true;
    const end = offset + size;
    if (end <= this.memorySize) return true;
    if (end > MAX_MEMORY_END) return false;
    const newSize = Math.ceil(end / 32) * 32;
    if (newSize > this.memoryLimit) throw new EvmHalt(MEMORY_LIMIT_EXCEEDED);
    const cost = memoryCost(newSize / 32) - memoryCost(this.memorySize / 32);
    if (!this.useGas(cost)) return false;
    if (newSize > this.memory.length) this.reserve(newSize);
    this.memorySize = newSize;
    return true;
  }

  /** Cost of expanding to cover both ranges, without charging (CALL prices memory with its other costs). */
  memoryExpansionCost(...ranges: [number, number][]): number {
    let end = this.memorySize;
    for (const [off, size] of ranges) if (size !== 0) end = Math.max(end, off + size);
    if (end <= this.memorySize) return 0;
    if (end > MAX_MEMORY_END) return Infinity;
    const newWords = Math.ceil(end / 32);
    if (newWords * 32 > this.memoryLimit) throw new EvmHalt(MEMORY_LIMIT_EXCEEDED);
    return memoryCost(newWords) - memoryCost(this.memorySize / 32);
  }

  /** Grows memory with no charge (after memoryExpansionCost was paid). */
  growMemory(...ranges: [number, number][]): void {
    let end = this.memorySize;
    for (const [off, size] of ranges) if (size !== 0) end = Math.max(end, off + size);
    if (end <= this.memorySize) return;
    const newSize = Math.ceil(end / 32) * 32;
    if (newSize > this.memory.length) this.reserve(newSize);
    this.memorySize = newSize;
  }

  /** Capacity for `newSize` bytes, keeping the active contents. */
  private reserve(newSize: number): void {
    if (this.memoryGrower) {
      this.memory = this.memoryGrower(newSize);
      this.view = new DataView(this.memory.buffer, this.memory.byteOffset, this.memory.byteLength);
      return;
    }
    let cap = Math.max(this.memory.length * 2, 1024);
    while (cap < newSize) cap *= 2;
    const grown = new Uint8Array(cap);
    grown.set(this.memory.subarray(0, this.memorySize));
    this.memory = grown;
    this.view = new DataView(grown.buffer);
  }

  readMemory(offset: number, size: number): Uint8Array {
    if (size === 0) return EMPTY;
    return copyBytes(this.memory, offset, offset + size);
  }
}
