/** The HTTP face of the JSON-RPC handler: a hono app on Web-standard Request/Response. */
import { Hono } from "hono";
import { cors } from "hono/cors";
import type { JsonRpcHandler } from "./handler.ts";
import { ErrorCode } from "./errors.ts";

/** anvil's default request body limit. */
export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface AppOptions {
  maxBodyBytes?: number;
}

function jsonError(status: number, code: number, message: string): Response {
  return new Response(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code, message } }), {
    status,
    headers: { "content-type": "application/json" },
  });
}

class BodyTooLargeError extends Error {}

/** Reads at most `limit` bytes of the body; throws BodyTooLargeError past it. */
async function readBody(req: Request, limit: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > limit) throw new BodyTooLargeError();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError();
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let o = 0;
  for (const c of chunks) {
    all.set(c, o);
    o += c.length;
  }
  return new TextDecoder().decode(all);
}

export function createRpcApp(handler: JsonRpcHandler, options: AppOptions = {}): Hono {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const app = new Hono();
  app.use("*", cors());
  app.get("/", (c) => c.text("evmwasm JSON-RPC node: POST JSON-RPC 2.0 requests to this URL\n"));
  app.post("/", async (c) => {
    let body: string;
    try {
      body = await readBody(c.req.raw, limit);
    } catch (e) {
      if (e instanceof BodyTooLargeError) {
        return jsonError(413, ErrorCode.InvalidRequest, `request body too large: the limit is ${limit} bytes`);
      }
      return jsonError(400, ErrorCode.ParseError, "Parse error: could not read the request body");
    }
    const response = await handler.handleBody(body);
    if (response === undefined) return c.body(null, 200);
    let text: string;
    try {
      text = JSON.stringify(response);
    } catch (e) {
      return jsonError(500, ErrorCode.InternalError, `Internal error: ${(e as Error).message}`);
    }
    return c.body(text, 200, { "content-type": "application/json" });
  });
  app.notFound(() => jsonError(404, ErrorCode.InvalidRequest, "not found: POST JSON-RPC requests to /"));
  app.onError((e) => jsonError(500, ErrorCode.InternalError, `Internal error: ${e.message}`));
  return app;
}
