/**
 * Block timestamps of the dev chain: wall-clock time plus an offset that
 * time travel moves, an optional exact next timestamp, and an optional fixed
 * interval between blocks (anvil's rules: never below the parent's).
 */
import { BaseError } from "../errors/base.ts";

export class TimestampError extends BaseError {
  override name = "TimestampError";
}

export interface ClockState {
  offset: bigint;
  lastTimestamp: bigint;
  nextTimestamp?: bigint;
  interval?: bigint;
}

export class BlockClock {
  private state: ClockState;

  constructor(startTimestamp: bigint, private readonly now: () => bigint = wallClockSeconds) {
    this.state = { offset: startTimestamp - now(), lastTimestamp: startTimestamp };
  }

  get offset(): bigint {
    return this.state.offset;
  }

  /** The timestamp the next block would get, without committing it. */
  peekNext(): { timestamp: bigint; exact: boolean } {
    const s = this.state;
    let timestamp: bigint;
    let exact = false;
    if (s.nextTimestamp !== undefined) {
      timestamp = s.nextTimestamp;
      exact = true;
    } else if (s.interval !== undefined) {
      timestamp = s.lastTimestamp + s.interval;
    } else {
      timestamp = this.now() + s.offset;
    }
    if (timestamp < s.lastTimestamp) timestamp = s.lastTimestamp + 1n;
    return { timestamp, exact };
  }

  /** Takes the next block's timestamp, consuming a one-shot exact timestamp. */
  takeNext(): bigint {
    const { timestamp, exact } = this.peekNext();
    if (exact) {
      this.state.offset = timestamp - this.now();
      this.state.nextTimestamp = undefined;
    }
    this.state.lastTimestamp = timestamp;
    return timestamp;
  }

  /** evm_increaseTime: returns the new total offset. */
  increase(seconds: bigint): bigint {
    this.state.offset += seconds;
    return this.state.offset;
  }

  setNext(timestamp: bigint): void {
    if (timestamp < this.state.lastTimestamp) {
      throw new TimestampError(
        `timestamp ${timestamp} is lower than the previous block's timestamp ${this.state.lastTimestamp}`,
      );
    }
    this.state.nextTimestamp = timestamp;
  }

  /** Moves the clock so that now reads `timestamp` (evm_setTime / anvil_setTime). */
  setTime(timestamp: bigint): void {
    this.state.offset = timestamp - this.now();
    this.state.lastTimestamp = timestamp;
    this.state.nextTimestamp = undefined;
  }

  /** A block with this timestamp joined the chain from outside: the clock continues from it. */
  observe(timestamp: bigint): void {
    if (timestamp <= this.state.lastTimestamp) return;
    this.state.lastTimestamp = timestamp;
    if (this.now() + this.state.offset < timestamp) this.state.offset = timestamp - this.now();
  }

  setInterval(seconds: bigint | undefined): void {
    this.state.interval = seconds;
  }

  save(): ClockState {
    return { ...this.state };
  }

  restore(saved: ClockState): void {
    this.state = { ...saved };
  }
}

export function wallClockSeconds(): bigint {
  return BigInt(Math.floor(Date.now() / 1000));
}
