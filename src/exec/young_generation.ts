/**
 * The engine's young generation (where a request's short-lived objects go) is memory the operating system maps on
 * first touch. On a machine where that costs some microseconds a 4 KiB page, a node's first few hundred requests
 * pay it: each call that allocates into pages not touched yet (the semi-spaces, as they are first used and grown)
 * took 3-5x its later time, in runs of three calls or more (a storage-heavy call: 4 MB, about 1,000 page faults,
 * 15-20 ms against 4 ms). `touchYoungGeneration` allocates short-lived garbage while the node is idle after
 * start-up, enough to pass through both semi-spaces at their largest, so that users' requests find them mapped.
 */
import { untilIdle } from "./warm_up.ts";

export interface TouchOptions {
  /** Megabytes to allocate in all: a little over the young generation at its largest (both semi-spaces). */
  megabytes?: number;
  /**
   * Megabytes a turn of the event loop: a request that arrives meanwhile waits for the step (2 MB into unmapped
   * pages: about 10 ms on this machine; once mapped, well under one).
   */
  stepMegabytes?: number;
  stopped?: () => boolean;
  /** How long (ms) since the node last answered someone else (src/exec/warm_up.ts). */
  idleMs?: () => number;
}

/** Each allocation: an array of this many small integers (8 KiB), small enough for the young generation. */
const ELEMENTS = 1024;

/**
 * Returns the megabytes allocated (all unless stopped). Under Bun it does nothing: its engine has no semi-spaces
 * (objects stay where they are made, in blocks that a sweep frees for reuse), and returns unused memory to the
 * system on a timer of its own.
 */
export async function touchYoungGeneration(options: TouchOptions = {}): Promise<number> {
  if ("Bun" in globalThis) return 0;
  const { megabytes = 80, stepMegabytes = 2, stopped = () => false, idleMs = () => Infinity } = options;
  const perStep = Math.ceil((stepMegabytes * 1024 * 1024) / (ELEMENTS * 8));
  let done = 0;
  let sink = 0;
  while (done < megabytes) {
    if (!(await untilIdle(idleMs, stopped))) break;
    for (let i = 0; i < perStep; i++) {
      const a = new Array<number>(ELEMENTS).fill(i);
      sink ^= a[i % ELEMENTS];
    }
    done += stepMegabytes;
    await new Promise((r) => setTimeout(r, 0));
  }
  // The arrays' contents feed the result, so that the engine cannot leave their allocation out.
  return sink === -1 ? -done : done;
}
