/**
 * How large a trace may grow: a trace that passes a limit ends with an error
 * naming it (and what filled it), and what it had recorded is dropped. The
 * bytes are those of the trace's JSON, counted as it is recorded.
 */
import { LimitExceededError } from "../chain/errors.ts";

export interface TraceLimits {
  /** Struct-log entries (executed instructions) at most. */
  maxSteps: number;
  /** Bytes of the trace's JSON at most: stack, memory, storage and return data copies, call inputs and outputs. */
  maxBytes: number;
}

export const DEFAULT_TRACE_LIMITS: TraceLimits = { maxSteps: 2_000_000, maxBytes: 128 * 1024 * 1024 };

export class TraceLimitError extends LimitExceededError {
  override name = "TraceLimitError";
}

/** Counts a trace's bytes by kind against the limits. */
export class TraceBudget {
  bytes = 0;
  readonly parts: Record<string, number> = {};

  constructor(readonly limits: TraceLimits) {}

  add(kind: string, bytes: number): void {
    this.bytes += bytes;
    this.parts[kind] = (this.parts[kind] ?? 0) + bytes;
    if (this.bytes > this.limits.maxBytes) {
      const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
      const filled = Object.entries(this.parts).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${mib(v)}`);
      throw new TraceLimitError(
        `trace too large: more than ${this.limits.maxBytes} bytes (--trace-max-bytes; ${filled.join(", ")}); ` +
          `trace with fewer fields (disableStack, disableStorage, no enableMemory or enableReturnData) or a limit`,
      );
    }
  }

  step(count: number): void {
    if (count > this.limits.maxSteps) {
      throw new TraceLimitError(
        `trace too large: more than ${this.limits.maxSteps} steps (--trace-max-steps); ` +
          `trace with a "limit" to keep the first steps only`,
      );
    }
  }
}
