/**
 * Linear memories for compiled instances, each with the runtime module instantiated on it, shared by the
 * instances of every module: a frame takes a free memory and runs the instance of its module on that memory
 * (made the first time, then kept on the memory), and gives the memory back when it ends. So a node holds as
 * many memories as compiled frames were ever nested at once, however many contracts it has run.
 *
 * Why not a memory per instance: JavaScriptCore (Bun) gives only the first eight memories of a process a fast
 * (signal-checked) address range; for every memory made after those it first collects garbage, synchronously
 * (1.6-19 ms in a call that then ran in 0.2), and then hands out a bounds-checked memory, on which compiled code
 * ran about 5% slower over a mix of contracts (blake2b 1.7x slower).
 *
 * A memory comes back only after its instance was reset (EVM memory zeroed, below the pooling size limit);
 * everything else in the header is written before it is read, or tagged with a per-frame generation.
 */
import type { CompiledInstance } from "./host_imports.ts";
import { runtimeModule } from "./runtime_module.ts";
import { IMPORT_MEMORY, IMPORT_MODULE, INITIAL_PAGES, MAX_PAGES } from "./layout.ts";

export interface InstanceMemory {
  memory: WebAssembly.Memory;
  /** The u256 runtime instantiated on `memory`. */
  runtime: WebAssembly.Exports;
  /** Instances on this memory by module (module_cache.ts ModuleEntry), least recently used first. */
  readonly instances: Map<object, CompiledInstance>;
  /** The module whose instance was used last (its entry is already the newest in `instances`). */
  newest: object | undefined;
}

/** Free memories kept at most (a deeper recursion than this makes and drops the rest). */
const MAX_SPARE = 128;
/** Instances kept on one memory; the least recently used goes first. */
export const INSTANCES_PER_MEMORY = 64;
/**
 * Free memories a node keeps made in advance, while it is idle (src/exec/spare_memories.ts), so that a frame
 * nested deeper than any before does not make its memory in a request's time.
 */
export const SPARE_STOCK = 4;
const spare: InstanceMemory[] = [];
let created = 0, reused = 0;
let onTaken: (() => void) | undefined;

function newMemory(): InstanceMemory {
  created++;
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES });
  const runtime = new WebAssembly.Instance(runtimeModule(), { [IMPORT_MODULE]: { [IMPORT_MEMORY]: memory } });
  return { memory, runtime: runtime.exports, instances: new Map(), newest: undefined };
}

/** A free memory, made now when none is; the listener hears when the free ones run out. */
export function takeMemory(): InstanceMemory {
  const m = spare.pop();
  if (spare.length === 0) onTaken?.();
  if (m) {
    reused++;
    return m;
  }
  return newMemory();
}

/** Makes one memory for the spares when fewer than `stock` are free; false when there are enough. */
export function stockSpareMemory(stock = SPARE_STOCK): boolean {
  if (spare.length >= stock) return false;
  spare.push(newMemory());
  return true;
}

/** `listener` runs whenever a take leaves no free memory (the spares may want topping up); undefined: none. */
export function onMemoryTaken(listener: (() => void) | undefined): void {
  onTaken = listener;
}

/** Takes back a memory whose instance was reset, with the instances kept on it. */
export function giveBackMemory(m: InstanceMemory): void {
  if (spare.length < MAX_SPARE) spare.push(m);
}

/** Memories created and reused so far, and free ones now (for tests and reports). */
export function memoryStats(): { created: number; reused: number; spare: number } {
  return { created, reused, spare: spare.length };
}
