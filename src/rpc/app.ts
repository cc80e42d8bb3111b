/** The HTTP face of the JSON-RPC handler, on Web-standard Request/Response (hono for all but the POSTs). */
import type { JsonRpcHandler } from "./handler.ts";
import { ErrorCode } from "./errors.ts";
import { type AccessPolicy, allowOriginHeader, checkAccess, DEFAULT_ACCESS } from "../server/access.ts";
import { npmModule } from "../npm_packages.ts";

/** anvil's default request body limit. */
export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface AppOptions {
  maxBodyBytes?: number;
  /** Allowed Host names and CORS origins (default: loopback and IP hosts, any origin). */
  access?: AccessPolicy;
  /** Counts the JSON-RPC POSTs being answered (from the start of reading the body to the answer). */
  load?: RequestLoad;
}

/** JSON-RPC POSTs being answered now: more than one while clients wait on each other. */
export interface RequestLoad {
  inFlight: number;
}

function jsonError(status: number, code: number, message: string, cors: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code, message } }), {
    status,
    headers: { "content-type": "application/json", ...cors },
  });
}

class BodyTooLargeError extends Error {}

/** Reads at most `limit` bytes of the body; throws BodyTooLargeError past it. */
async function readBody(req: Request, limit: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > limit) throw new BodyTooLargeError();
  // A declared length within the limit is all the body there is (the server stops reading there).
  if (declared >= 0) return await req.text();
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

/** One JSON-RPC POST: the body read within the limit, handled, and the answer serialised. */
async function answerPost(
  req: Request,
  handler: JsonRpcHandler,
  limit: number,
  cors: Record<string, string>,
): Promise<Response> {
  let body: string;
  try {
    body = await readBody(req, limit);
  } catch (e) {
    if (e instanceof BodyTooLargeError) {
      return jsonError(413, ErrorCode.InvalidRequest, `request body too large: the limit is ${limit} bytes`, cors);
    }
    return jsonError(400, ErrorCode.ParseError, "Parse error: could not read the request body", cors);
  }
  const response = await handler.handleBody(body);
  if (response === undefined) return new Response(null, { status: 200, headers: cors });
  let text: string;
  try {
    text = JSON.stringify(response);
  } catch (e) {
    return jsonError(500, ErrorCode.InternalError, `Internal error: ${(e as Error).message}`, cors);
  }
  return new Response(text, { status: 200, headers: { "content-type": "application/json", ...cors } });
}

/** What CORS adds to a simple (non-preflight) response under the default policy (any origin). */
const ANY_ORIGIN = { "access-control-allow-origin": "*" };

/** Whether a request URL's path is "/" (a query string allowed), without building a URL object. */
function isRootPath(url: string): boolean {
  const slash = url.indexOf("/", url.indexOf("//") + 2);
  return slash < 0 || url.length === slash + 1 || url.charCodeAt(slash + 1) === 0x3f; // "?"
}

export interface RpcApp {
  fetch(request: Request): Response | Promise<Response>;
}

/**
 * JSON-RPC over HTTP: POST / goes straight to the handler (the path every request takes, kept short); every
 * other request (CORS preflight, GET, unknown paths) goes through the hono app.
 */
export function createRpcApp(handler: JsonRpcHandler, options: AppOptions = {}): RpcApp {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const load = options.load ?? { inFlight: 0 };
  const access = options.access ?? DEFAULT_ACCESS;
  const corsOf = access.allowOrigins === "*"
    ? () => ANY_ORIGIN
    : (req: Request) => allowOriginHeader(req.headers.get("origin"), access);
  // The hono app is loaded with the first request that needs it (loading and building it took a few ms of
  // every start, and most clients only POST).
  let app: Promise<RpcApp> | undefined;
  const otherRoutes = async (): Promise<RpcApp> => {
    const [{ Hono }, { cors }] = await Promise.all([
      npmModule<typeof import("hono")>("hono"),
      npmModule<typeof import("hono/cors")>("hono/cors"),
    ]);
    const app = new Hono();
    if (access.allowOrigins !== false) app.use("*", cors({ origin: access.allowOrigins }));
    app.get("/", (c) => c.text("evmwasm JSON-RPC node: POST JSON-RPC 2.0 requests to this URL\n"));
    app.post("/", (c) => answerPost(c.req.raw, handler, limit, corsOf(c.req.raw)));
    app.notFound(() => jsonError(404, ErrorCode.InvalidRequest, "not found: POST JSON-RPC requests to /"));
    app.onError((e) => jsonError(500, ErrorCode.InternalError, `Internal error: ${e.message}`));
    return app;
  };
  return {
    fetch(request: Request) {
      const refused = checkAccess(request, access);
      if (refused) return refused;
      if (request.method === "POST" && isRootPath(request.url)) {
        const cors = corsOf(request);
        load.inFlight++;
        return answerPost(request, handler, limit, cors).catch((e) =>
          jsonError(500, ErrorCode.InternalError, `Internal error: ${(e as Error).message}`, cors)
        ).finally(() => load.inFlight--);
      }
      return (app ??= otherRoutes()).then((a) => a.fetch(request));
    },
  };
}
