/** An HTTP proxy in front of an upstream node that counts requests and can add latency (fork tests and benchmarks). */
export interface CountingProxy {
  url: string;
  /** HTTP requests (round trips, when sequential). */
  httpRequests: number;
  /** JSON-RPC calls inside them. */
  rpcCalls: number;
  methods: Record<string, number>;
  latencyMs: number;
  reset(): void;
  close(): Promise<void>;
}

export function startCountingProxy(upstream: string, latencyMs = 0): CountingProxy {
  const proxy: CountingProxy = {
    url: "",
    httpRequests: 0,
    rpcCalls: 0,
    methods: {},
    latencyMs,
    reset() {
      this.httpRequests = 0;
      this.rpcCalls = 0;
      this.methods = {};
    },
    close: async () => {},
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = await req.text();
    proxy.httpRequests++;
    try {
      const parsed = JSON.parse(body);
      for (const m of Array.isArray(parsed) ? parsed : [parsed]) {
        proxy.rpcCalls++;
        proxy.methods[m.method] = (proxy.methods[m.method] ?? 0) + 1;
      }
    } catch { /* forwarded as is */ }
    if (proxy.latencyMs) await new Promise((r) => setTimeout(r, proxy.latencyMs));
    const res = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body });
    return new Response(await res.text(), { status: res.status, headers: { "content-type": "application/json" } });
  });
  proxy.url = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
  proxy.close = () => server.shutdown();
  return proxy;
}

/** Runtime code that sums SLOAD(0..n-1), adds what a STATICCALL to `next` returns, and returns the sum. */
export function summingCode(n: number, next?: bigint): string {
  let code = "6000";
  for (let i = 0; i < n; i++) code += `60${i.toString(16).padStart(2, "0")}5401`;
  if (next !== undefined) code += "6020600060006000" + "73" + next.toString(16).padStart(40, "0") + "5afa50" + "60005101";
  return "0x" + code + "60005260206000f3";
}
