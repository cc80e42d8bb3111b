/**
 * A wall-clock deadline for the execution running on this thread. Code execution is synchronous, so both
 * backends look at the clock now and then (every few thousand loop iterations: the interpreter at JUMPDESTs,
 * compiled code on backward and dynamic jumps) and throw ExecutionInterrupted once the deadline has passed.
 * Only executions whose state is thrown away run under a deadline (calls, estimates, traces): an interrupted
 * block would leave the chain's state half-written.
 */
import { BaseError } from "../errors/base.ts";

/** Why an execution was stopped: its time slice on the thread that answers requests, or its time limit. */
export type InterruptReason = "slice" | "timeout";

export class ExecutionInterrupted extends BaseError {
  override name = "ExecutionInterrupted";
  constructor(readonly reason: InterruptReason, readonly limitMs: number) {
    super(
      reason === "timeout"
        ? `execution timed out: it ran past the limit of ${limitMs} ms a call (--call-timeout)`
        : `execution ran past its ${limitMs} ms slice`,
    );
  }
}

/** Loop iterations between looks at the clock (a look costs about as much as a few dozen iterations). */
export const CHECK_EVERY = 4096;

let deadline = Infinity;
let reason: InterruptReason = "timeout";
let limitMs = 0;

/** Frames until the next look at the clock when a frame starts (deep call chains run no long loop). */
const FRAMES_PER_CHECK = 64;
let frameTicks = FRAMES_PER_CHECK;

/** Counts a frame's start; every FRAMES_PER_CHECK frames, throws when the deadline has passed. */
export function frameStarted(): void {
  if (--frameTicks < 0) {
    frameTicks = FRAMES_PER_CHECK;
    checkDeadline();
  }
}

/**
 * Run with each look at the clock while set: the auto backend's way to start compiling code whose first
 * frame runs long, before that frame ends (a look comes every CHECK_EVERY loop iterations).
 */
let tickHook: (() => void) | undefined;

/** Sets the hook (undefined: none) and returns the one it replaces, for the caller to put back. */
export function setTickHook(hook: (() => void) | undefined): (() => void) | undefined {
  const previous = tickHook;
  tickHook = hook;
  return previous;
}

/** Called every CHECK_EVERY iterations; throws when the deadline has passed. */
export function checkDeadline(): void {
  tickHook?.();
  if (deadline !== Infinity && performance.now() > deadline) throw new ExecutionInterrupted(reason, limitMs);
}

/**
 * Runs `f` with a deadline `ms` from now (the earlier of it and one already set by a caller), restoring the
 * caller's afterwards. `limit`: the limit an error names, when the time left is only part of it.
 */
export function withDeadline<T>(ms: number, why: InterruptReason, f: () => T, limit = ms): T {
  const saved = { deadline, reason, limitMs };
  const mine = performance.now() + ms;
  if (mine < deadline) {
    deadline = mine;
    reason = why;
    limitMs = limit;
  }
  try {
    return f();
  } finally {
    ({ deadline, reason, limitMs } = saved);
  }
}

/** Runs `f` with no deadline (block building inside a call's scope, for instance). */
export function withoutDeadline<T>(f: () => T): T {
  const saved = { deadline, reason, limitMs };
  deadline = Infinity;
  try {
    return f();
  } finally {
    ({ deadline, reason, limitMs } = saved);
  }
}

/**
 * Thrown by the auto backend when the module of a frame that is still interpreting becomes ready: the
 * execution starts over and runs compiled from its first instruction (the work so far is lost, and a long
 * frame's compiled run is many times faster than its interpreted rest). Only executions whose state is thrown
 * away (as under a deadline) can start over: see `restartable`.
 */
export class RestartCompiled extends BaseError {
  override name = "RestartCompiled";
  constructor() {
    super("execution restarted to run compiled code");
  }
}

let restartsAllowed = 0;
let runStartedAt = 0;

/**
 * An execution starts over only once it has run this long (ms): a compiled run pays the engine's compilation
 * of each function it enters (tens of milliseconds for a contract's usual path), which only a longer
 * interpreted rest repays.
 */
export const RESTART_AFTER_MS = 40;

/** Whether the running execution may be started over now (inside `restartable`, restarts left, run long enough). */
export function canRestart(): boolean {
  return restartsAllowed > 0 && performance.now() - runStartedAt >= RESTART_AFTER_MS;
}

/** Restarts of one execution at most: each needs another of its codes' modules to become ready meanwhile. */
const MAX_RESTARTS = 3;

/** Runs `f`, again from the start each time it throws RestartCompiled (up to MAX_RESTARTS times). */
export function restartable<T>(f: () => T): T {
  for (let n = 0;; n++) {
    const allowed = n < MAX_RESTARTS;
    const outer = restartsAllowed, outerStart = runStartedAt;
    restartsAllowed = allowed ? outer + 1 : 0;
    runStartedAt = performance.now();
    try {
      return f();
    } catch (e) {
      if (allowed && e instanceof RestartCompiled) continue;
      throw e;
    } finally {
      restartsAllowed = outer;
      runStartedAt = outerStart;
    }
  }
}

