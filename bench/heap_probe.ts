/**
 * The live V8 heap of a Deno server process started with `--inspect=HOST:PORT`, read over the inspector's
 * WebSocket (Chrome DevTools protocol): a full collection first, then the heap's used and total size. The
 * resident size alone overstates what is held: V8 and the allocator return freed memory to the system late.
 */
export class HeapProbe {
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly ws: WebSocket) {
    ws.onmessage = (e) => {
      const msg = JSON.parse(String(e.data));
      const p = msg.id !== undefined ? this.pending.get(msg.id) : undefined;
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`inspector: ${msg.error.message}`));
      else p.resolve(msg.result);
    };
  }

  /** Connects to the inspector listening on `hostPort` (the value given to --inspect). */
  static async connect(hostPort: string): Promise<HeapProbe> {
    let url: string | undefined;
    for (let i = 0; i < 100 && !url; i++) {
      try {
        const list = await (await fetch(`http://${hostPort}/json/list`)).json();
        url = list[0]?.webSocketDebuggerUrl;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    if (!url) throw new Error(`no inspector at ${hostPort}`);
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`inspector WebSocket ${url} failed`));
    });
    return new HeapProbe(ws);
  }

  private send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Heap used and total after a full collection, MB. */
  async heapAfterGc(): Promise<{ usedMb: number; totalMb: number }> {
    await this.send("HeapProfiler.collectGarbage");
    const r = (await this.send("Runtime.getHeapUsage")) as { usedSize: number; totalSize: number };
    return { usedMb: r.usedSize / 2 ** 20, totalMb: r.totalSize / 2 ** 20 };
  }

  close(): void {
    this.ws.close();
  }
}
