/**
 * Keeps free memories for compiled frames (backends/wasm/instance_memory.ts) topped up while the node is idle,
 * so that a frame nested deeper than any before takes a memory made in advance instead of making one in the
 * request's time (under Bun up to 19 ms a memory on this machine, against 0.2 ms for such a call; under Deno well
 * under a millisecond).
 */
import { onMemoryTaken, stockSpareMemory } from "../../backends/wasm/instance_memory.ts";
import { untilIdle } from "./warm_up.ts";

export interface SpareMemoryOptions {
  stopped?: () => boolean;
  /** How long (ms) since the node last answered someone else (src/exec/warm_up.ts). */
  idleMs?: () => number;
}

/**
 * Tops the spares up now and whenever a take leaves none free, one memory a turn of the event loop and only
 * while the node is idle. Returns a function that stops it.
 */
export function keepSpareMemories(options: SpareMemoryOptions = {}): () => void {
  const { stopped = () => false, idleMs = () => Infinity } = options;
  let ended = false;
  let running = false;
  const giveUp = () => ended || stopped();
  const topUp = async () => {
    if (running || giveUp()) return;
    running = true;
    try {
      while (await untilIdle(idleMs, giveUp) && stockSpareMemory()) await new Promise((r) => setTimeout(r, 0));
    } finally {
      running = false;
    }
  };
  onMemoryTaken(() => void topUp());
  void topUp();
  return () => {
    ended = true;
    onMemoryTaken(undefined);
  };
}
