/**
 * A lean HTTP/1.1 client for the benchmarks: one keep-alive TCP connection, one request at a time, the request
 * written in one piece. fetch costs the client about 0.25 ms a request on the 2-core machine, more than a node
 * spends answering eth_chainId, and that cost would be the same for every node measured; this client costs a
 * few tens of microseconds, so the times measured are the nodes'.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class HttpConnection {
  private conn: Deno.TcpConn | undefined;
  private buf = new Uint8Array(1 << 16);
  /** Bytes of buf read from the socket and not yet consumed. */
  private start = 0;
  private end = 0;
  private readonly prefix: string;

  constructor(readonly url: string) {
    const u = new URL(url);
    this.prefix = `POST ${u.pathname}${u.search} HTTP/1.1\r\nhost: ${u.host}\r\ncontent-type: application/json\r\n`;
  }

  /** POSTs `body`; resolves to the response body (status codes other than 200 included). */
  async post(body: string): Promise<string> {
    for (let attempt = 0;; attempt++) {
      try {
        return await this.exchange(body);
      } catch (e) {
        this.close();
        // A kept-alive connection the server closed meanwhile: one fresh try.
        if (attempt > 0 || !(e instanceof ConnectionClosed)) throw e;
      }
    }
  }

  close(): void {
    try {
      this.conn?.close();
    } catch { /* already closed */ }
    this.conn = undefined;
    this.start = this.end = 0;
  }

  private async exchange(body: string): Promise<string> {
    if (!this.conn) {
      const u = new URL(this.url);
      this.conn = await Deno.connect({ hostname: u.hostname, port: Number(u.port) });
      this.conn.setNoDelay(true);
    }
    const payload = encoder.encode(body);
    const head = encoder.encode(`${this.prefix}content-length: ${payload.length}\r\n\r\n`);
    const req = new Uint8Array(head.length + payload.length);
    req.set(head);
    req.set(payload, head.length);
    for (let off = 0; off < req.length;) off += await this.conn.write(req.subarray(off));
    const headerEnd = await this.readUntilHeaders();
    const headers = decoder.decode(this.buf.subarray(this.start, headerEnd)).toLowerCase();
    this.start = headerEnd;
    const length = /\r\ncontent-length:\s*(\d+)/.exec(headers);
    if (length) return decoder.decode(await this.take(Number(length[1])));
    if (/\r\ntransfer-encoding:\s*chunked/.test(headers)) return decoder.decode(await this.chunked());
    throw new Error(`response without a length: ${headers.split("\r\n")[0]}`);
  }

  /** Reads until the end of the response headers; returns the index just past them. */
  private async readUntilHeaders(): Promise<number> {
    for (;;) {
      // Headers are short: scanning them again after each read costs less than tracking where it stopped.
      for (let i = this.start; i + 3 < this.end; i++) {
        if (this.buf[i] === 13 && this.buf[i + 1] === 10 && this.buf[i + 2] === 13 && this.buf[i + 3] === 10) {
          return i + 4;
        }
      }
      await this.fill();
    }
  }

  private async take(n: number): Promise<Uint8Array> {
    while (this.end - this.start < n) await this.fill();
    const out = this.buf.slice(this.start, this.start + n);
    this.start += n;
    return out;
  }

  private async line(): Promise<string> {
    for (;;) {
      for (let i = this.start; i + 1 < this.end; i++) {
        if (this.buf[i] === 13 && this.buf[i + 1] === 10) {
          const text = decoder.decode(this.buf.subarray(this.start, i));
          this.start = i + 2;
          return text;
        }
      }
      await this.fill();
    }
  }

  private async chunked(): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    for (;;) {
      const size = parseInt(await this.line(), 16);
      if (!(size >= 0)) throw new Error("bad chunk size");
      if (size === 0) {
        await this.line();
        break;
      }
      parts.push(await this.take(size));
      await this.line();
    }
    const all = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) all.set(p, o), o += p.length;
    return all;
  }

  /** Reads more from the socket (compacting or growing the buffer first). */
  private async fill(): Promise<void> {
    if (this.start > 0 && this.start === this.end) this.start = this.end = 0;
    if (this.end === this.buf.length) {
      const used = this.end - this.start;
      // Room at the front is reused; a buffer more than half full doubles.
      const next = used * 2 > this.buf.length ? new Uint8Array(this.buf.length * 2) : this.buf;
      next.set(this.buf.subarray(this.start, this.end));
      this.buf = next;
      this.start = 0;
      this.end = used;
    }
    const n = await this.conn!.read(this.buf.subarray(this.end));
    if (n === null) throw new ConnectionClosed();
    this.end += n;
  }
}

class ConnectionClosed extends Error {
  constructor() {
    super("the server closed the connection");
  }
}
