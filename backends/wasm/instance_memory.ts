/**
 * Linear memories for compiled instances, each with the runtime module instantiated on it. An instance
 * dropped from its module's pool hands its memory back here, for the next instance of any module.
 * JavaScriptCore (Bun) spends from 0.2 ms to 20 ms creating a WebAssembly.Memory (more as the heap and the
 * stack grow): two thirds of Bun's time on the state tests went there.
 *
 * Only memories of instances that were reset (EVM memory zeroed, below the pooling size limit) come back;
 * everything else in the header is written before it is read, or tagged with a per-frame generation.
 */
import { runtimeModule } from "./runtime_module.ts";
import { IMPORT_MEMORY, IMPORT_MODULE, INITIAL_PAGES, MAX_PAGES } from "./layout.ts";

export interface InstanceMemory {
  memory: WebAssembly.Memory;
  /** The u256 runtime instantiated on `memory`. */
  runtime: WebAssembly.Exports;
}

/**
 * A recursion of one contract hands back as many memories as it was deep, and the next one wants them
 * again: on the state tests under Bun, 32 spares still left 640 memories to create, 128 left 192.
 */
const MAX_SPARE = 128;
/**
 * Spares a node keeps made in advance, while it is idle (src/exec/spare_memories.ts), so that the first compiled
 * run of a new contract does not make its memory: under Bun that took 1.6-19 ms of a call that then ran in 0.2.
 */
export const SPARE_STOCK = 4;
const spare: InstanceMemory[] = [];
let created = 0, reused = 0;
let onTaken: (() => void) | undefined;

function newMemory(): InstanceMemory {
  created++;
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES });
  const runtime = new WebAssembly.Instance(runtimeModule(), { [IMPORT_MODULE]: { [IMPORT_MEMORY]: memory } });
  return { memory, runtime: runtime.exports };
}

export function takeMemory(): InstanceMemory {
  onTaken?.();
  const m = spare.pop();
  if (m) {
    reused++;
    return m;
  }
  return newMemory();
}

/** Makes one memory for the spares when fewer than `stock` wait; false when there are enough. */
export function stockSpareMemory(stock = SPARE_STOCK): boolean {
  if (spare.length >= stock) return false;
  spare.push(newMemory());
  return true;
}

/** `listener` runs whenever an instance takes a memory (the spares may want topping up); undefined: none. */
export function onMemoryTaken(listener: (() => void) | undefined): void {
  onTaken = listener;
}

/** Takes back the memory of a reset instance that will not run again. */
export function giveBackMemory(m: InstanceMemory): void {
  if (spare.length < MAX_SPARE) spare.push(m);
}

/** Memories created and reused so far, and spares waiting now (for tests and reports). */
export function memoryStats(): { created: number; reused: number; spare: number } {
  return { created, reused, spare: spare.length };
}
