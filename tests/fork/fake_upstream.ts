/** A scriptable JSON-RPC upstream on a free loopback port, for fork-bridge tests. */
/** "truncated": the right answer's first half, then the connection breaks off. */
export type Behaviour = "ok" | "429" | "500" | "garbage" | "hang" | "no-batch" | "truncated";

export interface FakeUpstream {
  url: string;
  /** HTTP requests received. */
  httpRequests: number;
  /** JSON-RPC calls received. */
  calls: { method: string; params: unknown[] }[];
  /** What the next HTTP requests get; shifted per request, then "ok". */
  script: Behaviour[];
  state: {
    balances: Map<string, bigint>;
    nonces: Map<string, bigint>;
    code: Map<string, string>;
    storage: Map<string, bigint>; // "addr:slot" (lowercase hex, slot as 0x-quantity)
  };
  accessList?: (call: Record<string, unknown>) => { address: string; storageKeys: string[] }[];
  latencyMs: number;
  close(): Promise<void>;
}

export function startFakeUpstream(): FakeUpstream {
  const controllers: AbortController[] = [];
  const up: FakeUpstream = {
    url: "",
    httpRequests: 0,
    calls: [],
    script: [],
    state: { balances: new Map(), nonces: new Map(), code: new Map(), storage: new Map() },
    latencyMs: 0,
    close: async () => {},
  };
  const answer = (call: { id: unknown; method: string; params: unknown[] }) => {
    up.calls.push({ method: call.method, params: call.params });
    const p = call.params as string[];
    const q = (v: bigint) => "0x" + v.toString(16);
    switch (call.method) {
      case "eth_chainId":
        return { jsonrpc: "2.0", id: call.id, result: "0x1" };
      case "eth_blockNumber":
        return { jsonrpc: "2.0", id: call.id, result: "0x64" };
      case "eth_getBalance":
        return { jsonrpc: "2.0", id: call.id, result: q(up.state.balances.get(p[0].toLowerCase()) ?? 0n) };
      case "eth_getTransactionCount":
        return { jsonrpc: "2.0", id: call.id, result: q(up.state.nonces.get(p[0].toLowerCase()) ?? 0n) };
      case "eth_getCode":
        return { jsonrpc: "2.0", id: call.id, result: up.state.code.get(p[0].toLowerCase()) ?? "0x" };
      case "eth_getStorageAt": {
        const v = up.state.storage.get(`${p[0].toLowerCase()}:${q(BigInt(p[1]))}`) ?? 0n;
        return { jsonrpc: "2.0", id: call.id, result: "0x" + v.toString(16).padStart(64, "0") };
      }
      case "eth_createAccessList":
        if (!up.accessList) return { jsonrpc: "2.0", id: call.id, error: { code: -32601, message: "method not found" } };
        return { jsonrpc: "2.0", id: call.id, result: { accessList: up.accessList(call.params[0] as Record<string, unknown>), gasUsed: "0x0" } };
      case "eth_getBlockByNumber":
        return {
          jsonrpc: "2.0",
          id: call.id,
          result: { number: p[0], hash: "0x" + "ab".repeat(32), timestamp: "0x6000", gasLimit: "0x1c9c380", baseFeePerGas: "0x7" },
        };
      default:
        return { jsonrpc: "2.0", id: call.id, error: { code: -32601, message: `method ${call.method} not found` } };
    }
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    up.httpRequests++;
    const behaviour = up.script.shift() ?? "ok";
    const body = await req.json();
    if (up.latencyMs) await new Promise((r) => setTimeout(r, up.latencyMs));
    if (behaviour === "429") return new Response("rate limited", { status: 429 });
    if (behaviour === "500") return new Response("boom", { status: 500 });
    if (behaviour === "garbage") return new Response("<html>not json", { status: 200 });
    if (behaviour === "hang") {
      const c = new AbortController();
      controllers.push(c);
      await new Promise((r) => c.signal.addEventListener("abort", r));
      return new Response("late");
    }
    if (Array.isArray(body) && behaviour === "no-batch") {
      return Response.json({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "batch not supported" } });
    }
    const answered = Array.isArray(body) ? body.map(answer) : answer(body);
    if (behaviour === "truncated") {
      // The length of the whole answer announced, half of it sent: the client sees the connection break off.
      const text = new TextEncoder().encode(JSON.stringify(answered));
      const half = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(text.subarray(0, text.length >> 1));
          c.close();
        },
      });
      return new Response(half, { headers: { "content-type": "application/json", "content-length": String(text.length) } });
    }
    return Response.json(answered);
  });
  up.url = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
  up.close = async () => {
    for (const c of controllers) c.abort();
    await server.shutdown();
  };
  return up;
}
