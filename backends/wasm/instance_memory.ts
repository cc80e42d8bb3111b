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
const spare: InstanceMemory[] = [];
let created = 0, reused = 0;

export function takeMemory(): InstanceMemory {
  const m = spare.pop();
  if (m) {
    reused++;
    return m;
  }
  created++;
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES });
  const runtime = new WebAssembly.Instance(runtimeModule(), { [IMPORT_MODULE]: { [IMPORT_MEMORY]: memory } });
  return { memory, runtime: runtime.exports };
}

/** Takes back the memory of a reset instance that will not run again. */
export function giveBackMemory(m: InstanceMemory): void {
  if (spare.length < MAX_SPARE) spare.push(m);
}

/** Memories created and reused so far, and spares waiting now (for tests and reports). */
export function memoryStats(): { created: number; reused: number; spare: number } {
  return { created, reused, spare: spare.length };
}
