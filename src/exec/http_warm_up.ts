/**
 * The engine optimises the code every HTTP request runs (the runtime's server glue, the app, the JSON-RPC handler)
 * only after it has run a few thousand times: a fresh node answered eth_chainId in 0.12-0.19 ms where, after
 * 3,000 requests, it took 0.07-0.09 ms (anvil 0.06-0.09 ms, fresh or not). Synthetic calls through the handler
 * alone (src/exec/warm_up.ts) barely moved it. While the node is idle after start-up, `warmUpHttpPath` sends cheap
 * requests through a private server running the same code (an unlogged handler on a port of its own), so that
 * users' first requests find it optimised. The node's log and idle clock do not see them, and the private server
 * answers only requests that carry a token of this process, so that for the second or so it listens it gives no
 * one else a way in.
 */
import { createRpcApp } from "../rpc/app.ts";
import type { JsonRpcHandler } from "../rpc/handler.ts";
import { serve } from "../server/serve.ts";
import { untilIdle, WARM_UP_ADDRESS } from "./warm_up.ts";

export interface HttpWarmUpOptions {
  /** Requests in all (default 3,000). */
  requests?: number;
  /** Stops when this returns true (the node is closing). */
  stopped?: () => boolean;
  /** How long (ms) since the node last answered a user: requests go out only while it has been idle 100 ms. */
  idleMs?: () => number;
}

const TOKEN_HEADER = "x-evmwasm-warm-up";

/** Methods that read nothing a fork would fetch. */
const BODIES: string[] = [
  ["eth_chainId", []],
  ["eth_blockNumber", []],
  ["net_version", []],
  ["eth_getBlockByNumber", ["latest", false]],
  ["eth_call", [{ from: WARM_UP_ADDRESS, to: WARM_UP_ADDRESS, data: "0x" }, "latest", {
    [WARM_UP_ADDRESS]: { balance: "0x0", nonce: "0x0", code: "0x" },
  }]],
].map(([method, params], id) => JSON.stringify({ jsonrpc: "2.0", id, method, params }));

/** A server on a free loopback port with the node's HTTP app over `handler`, answering only requests with `token`. */
export async function privateServer(
  handler: JsonRpcHandler,
): Promise<{ url: string; headers: Record<string, string>; close(): Promise<void> }> {
  const app = createRpcApp(handler);
  const token = crypto.randomUUID();
  const server = await serve(
    (request) => request.headers.get(TOKEN_HEADER) === token ? app.fetch(request) : new Response(null, { status: 403 }),
    { hostname: "127.0.0.1", port: 0 },
  );
  return {
    url: server.url,
    headers: { "content-type": "application/json", [TOKEN_HEADER]: token },
    close: () => server.close(),
  };
}

/** Returns how many requests were answered (all unless stopped). */
export async function warmUpHttpPath(handler: JsonRpcHandler, options: HttpWarmUpOptions = {}): Promise<number> {
  const { requests = 3000, stopped = () => false, idleMs = () => Infinity } = options;
  const server = await privateServer(handler);
  let answered = 0;
  try {
    for (let i = 0; i < requests; i++) {
      if (!(await untilIdle(idleMs, stopped))) break;
      const response = await fetch(server.url, {
        method: "POST",
        headers: server.headers,
        body: BODIES[i % BODIES.length],
      });
      const text = await response.text();
      // An answer that is not a result: something is wrong with the node; its users will see it.
      if (!text.includes('"result"')) break;
      answered++;
    }
  } finally {
    await server.close();
  }
  return answered;
}
