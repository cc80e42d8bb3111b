/** The shared-buffer reply of a synchronous compile request: [state, status, length] then the bytes. */
const HEADER = 16;
const REPLY_CAPACITY = 64 << 20;

export const SyncReply = {
  create(): SharedArrayBuffer {
    return new SharedArrayBuffer(HEADER + REPLY_CAPACITY);
  },
  /** Worker side: writes the result and wakes the waiting thread. */
  write(buf: SharedArrayBuffer, binary: Uint8Array | undefined, error: string | undefined): void {
    const ctl = new Int32Array(buf, 0, 4);
    let bytes = binary;
    let status = 0;
    if (!bytes || bytes.length > buf.byteLength - HEADER) {
      status = 1;
      bytes = new TextEncoder().encode(error ?? `module of ${binary?.length} bytes is too large`).slice(0, 4096);
    }
    new Uint8Array(buf, HEADER, bytes.length).set(bytes);
    ctl[1] = status;
    ctl[2] = bytes.length;
    Atomics.store(ctl, 0, 1);
    Atomics.notify(ctl, 0);
  },
  /** Caller side: marks the buffer pending. */
  arm(buf: SharedArrayBuffer): void {
    Atomics.store(new Int32Array(buf, 0, 4), 0, 0);
  },
  /** Caller side: waits for the answer; returns the binary or throws the worker's error. */
  wait(buf: SharedArrayBuffer, timeoutMs: number): Uint8Array {
    const ctl = new Int32Array(buf, 0, 4);
    // A wake-up is no proof of an answer: the notify of the previous reply can arrive after this wait
    // began (the previous answer was already read without waiting). Only the state says it is there.
    const deadline = Date.now() + timeoutMs;
    while (Atomics.load(ctl, 0) === 0) {
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(ctl, 0, 0, left) === "timed-out") {
        if (Atomics.load(ctl, 0) !== 0) break;
        throw new Error(`compiler thread gave no answer in ${timeoutMs} ms`);
      }
    }
    return SyncReply.read(buf);
  },
  /** Caller side: the answer (after `wait`). */
  read(buf: SharedArrayBuffer): Uint8Array {
    const ctl = new Int32Array(buf, 0, 4);
    const bytes = new Uint8Array(buf, HEADER, ctl[2]).slice();
    if (ctl[1] !== 0) throw new Error(new TextDecoder().decode(bytes));
    return bytes;
  },
};
