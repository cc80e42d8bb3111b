/**
 * Background threads (the compiler thread) run at a lower scheduling priority than the thread that answers
 * requests, so that on a busy machine a request is not kept waiting while a contract compiles. Linux only
 * (a thread's nice value, set through its thread id); elsewhere, and where not permitted, nothing changes.
 */
import { readlinkSync } from "node:fs";
import os from "node:os";

/** The nice value of background threads: about a quarter of a core's share against a request's thread. */
export const BACKGROUND_NICE = 5;

export function lowerThisThreadPriority(nice = BACKGROUND_NICE): boolean {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    os.setPriority(tid, Math.max(os.getPriority(tid), nice));
    return true;
  } catch {
    return false;
  }
}
