/**
 * Splits a byte stream of JSON values (JSON-RPC over IPC: one request or batch after another, with or without
 * newlines between them) into the text of each complete value. Whitespace between values is skipped; anything
 * else outside an object or array runs to the next whitespace and comes out as one (invalid) value, so that the
 * handler answers it with a parse error instead of the stream stalling.
 */
export class JsonStreamSplitter {
  private buffer = "";
  /** Where scanning resumes in `buffer`, and the scanner's state there. */
  private pos = 0;
  private start = -1;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scalar = false;

  /** Most text one value may take before the stream is declared broken (an unterminated value). */
  constructor(private readonly maxValueLength = 16 * 1024 * 1024) {}

  /** Adds received text; returns the values it completed. Throws when one value grows past the limit. */
  push(text: string): string[] {
    this.buffer += text;
    const out: string[] = [];
    const b = this.buffer;
    for (let i = this.pos; i < b.length; i++) {
      const c = b.charCodeAt(i);
      if (this.start < 0) {
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
        this.start = i;
        this.scalar = c !== 0x7b && c !== 0x5b;
        if (!this.scalar) this.depth = 1;
        continue;
      }
      if (this.scalar) {
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.emit(out, i);
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
      } else if (c === 0x22) {
        this.inString = true;
      } else if (c === 0x7b || c === 0x5b) {
        this.depth++;
      } else if (c === 0x7d || c === 0x5d) {
        if (--this.depth === 0) this.emit(out, i + 1);
      }
    }
    // Keep only the value in progress.
    if (this.start < 0) {
      this.buffer = "";
      this.pos = 0;
    } else {
      this.buffer = b.slice(this.start);
      this.pos = this.buffer.length;
      this.start = 0;
      if (this.buffer.length > this.maxValueLength) {
        throw new Error(`a JSON value longer than ${this.maxValueLength} bytes (or one that never ends)`);
      }
    }
    return out;
  }

  private emit(out: string[], end: number): void {
    out.push(this.buffer.slice(this.start, end));
    this.start = -1;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.scalar = false;
  }
}
