/**
 * The JSON-RPC 2.0 protocol over one request body: parsing, single requests,
 * batches, notifications, and error objects. Transport-free: the HTTP app
 * and the in-process API both call it.
 */
import { BaseError } from "../errors/base.ts";
import { type MethodTable, PendingResult, type RpcContext } from "./context.ts";
import {
  InvalidParamsError,
  InvalidRequestError,
  type JsonRpcErrorObject,
  MethodNotFoundError,
  ParseError,
  toErrorObject,
} from "./errors.ts";
import { Params } from "./params.ts";

export interface RpcLimits {
  /** Most requests in one batch. */
  maxBatchSize: number;
}

export const DEFAULT_LIMITS: RpcLimits = { maxBatchSize: 1000 };

type Id = string | number | null;

/**
 * JSON.parse recurses per nesting level; with a raised V8 stack limit a deep
 * enough body overflows the native stack and aborts the process, so bodies
 * are measured first.
 */
export const MAX_JSON_DEPTH = 512;

/** Deepest array/object nesting in `text` (strings skipped); stops counting past the limit. */
export function jsonNestingDepth(text: string): number {
  let depth = 0, max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: on to its closing quote (one not escaped by an odd run of backslashes), found natively.
      let end = text.indexOf('"', i + 1);
      while (end > 0 && escaped(text, end)) end = text.indexOf('"', end + 1);
      if (end < 0) return max;
      i = end;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) {
        max = depth;
        if (max > MAX_JSON_DEPTH * 10) return max;
      }
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return max;
}

/** Whether the character at `i` follows an odd number of backslashes. */
function escaped(text: string, i: number): boolean {
  let n = 0;
  while (text.charCodeAt(i - 1 - n) === 0x5c) n++;
  return n % 2 === 1;
}

export interface JsonRpcResponse {
  jsonrpc: "2.0";
  id: Id;
  result?: unknown;
  error?: JsonRpcErrorObject;
}

function errorResponse(id: Id, e: unknown): JsonRpcResponse {
  return { jsonrpc: "2.0", id, error: toErrorObject(e) };
}

/**
 * A request id: a string, null, or an integer number. anvil refuses fractions and numbers beyond 64 bits; a
 * number beyond 2^53 is refused too, as it would not come back as it was sent.
 */
function validId(v: unknown): v is Id {
  return v === null || typeof v === "string" || (typeof v === "number" && Number.isSafeInteger(v));
}

export class JsonRpcHandler {
  /** Wraps every method call (fork mode fetches missing state and retries through it). */
  around?: (method: string, params: unknown[], attempt: () => unknown) => Promise<unknown>;
  /** Told of each call of a known method, before it runs (the node's request log, --print-traces). */
  onRequest?: (method: string, params: unknown) => void;
  /** When a method was last called (performance.now()), shared with the handlers made by withMethods. */
  private activity = { lastCallAt: -Infinity };

  constructor(
    private readonly methods: MethodTable,
    private readonly ctx: RpcContext,
    private readonly limits: RpcLimits = DEFAULT_LIMITS,
    /** Told about errors that are the node's fault (internal errors), for the log. */
    private readonly onInternalError: (method: string, e: unknown) => void = () => {},
  ) {}

  /**
   * A handler that also answers `extra` (a connection's eth_subscribe and eth_unsubscribe) and shares everything
   * else with this one, the fork-mode wrapper included.
   */
  withMethods(extra: MethodTable): JsonRpcHandler {
    const child = new JsonRpcHandler({ ...this.methods, ...extra }, this.ctx, this.limits, this.onInternalError);
    Object.defineProperty(child, "around", { get: () => this.around });
    Object.defineProperty(child, "onRequest", { get: () => this.onRequest });
    child.activity = this.activity;
    return child;
  }

  /** Milliseconds since a method was last called here or on a handler made by withMethods. */
  idleMs(): number {
    return performance.now() - this.activity.lastCallAt;
  }

  /** The same handler without the request log or the activity clock: for the node's own requests (its warm-up). */
  unlogged(): JsonRpcHandler {
    const child = new JsonRpcHandler(this.methods, this.ctx, this.limits, this.onInternalError);
    Object.defineProperty(child, "around", { get: () => this.around });
    return child;
  }

  /** Handles one HTTP body; undefined when nothing is to be sent back (only notifications). */
  async handleBody(body: string): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined> {
    // A body of at most MAX_JSON_DEPTH characters cannot nest deeper: most requests skip the scan.
    const depth = body.length > MAX_JSON_DEPTH ? jsonNestingDepth(body) : 0;
    if (depth > MAX_JSON_DEPTH) {
      return errorResponse(
        null,
        new ParseError(`JSON nested ${depth > MAX_JSON_DEPTH * 10 ? "far " : ""}deeper than ${MAX_JSON_DEPTH} levels`),
      );
    }
    let message: unknown;
    try {
      message = JSON.parse(body);
    } catch (e) {
      return errorResponse(null, new ParseError(e instanceof Error ? e.message : "invalid JSON"));
    }
    if (Array.isArray(message)) {
      if (message.length === 0) return errorResponse(null, new InvalidRequestError("empty batch"));
      if (message.length > this.limits.maxBatchSize) {
        return errorResponse(
          null,
          new InvalidRequestError(
            `batch of ${message.length} requests exceeds the limit of ${this.limits.maxBatchSize}`,
          ),
        );
      }
      const responses: JsonRpcResponse[] = [];
      for (const m of message) {
        const r = await this.handleMessage(m);
        if (r) responses.push(r);
      }
      return responses.length > 0 ? responses : undefined;
    }
    return await this.handleMessage(message);
  }

  async handleMessage(m: unknown): Promise<JsonRpcResponse | undefined> {
    if (typeof m !== "object" || m === null || Array.isArray(m)) {
      return errorResponse(null, new InvalidRequestError("a request must be a JSON object"));
    }
    const req = m as Record<string, unknown>;
    const isNotification = !("id" in req);
    const id: Id = validId(req.id) ? req.id : null;
    if (!isNotification && !validId(req.id)) {
      return errorResponse(null, new InvalidRequestError("id must be a string, an integer of at most 2^53 or null"));
    }
    if (req.jsonrpc !== "2.0") return errorResponse(id, new InvalidRequestError('"jsonrpc" must be "2.0"'));
    if (typeof req.method !== "string") return errorResponse(id, new InvalidRequestError('"method" must be a string'));
    if (
      req.params !== undefined && !Array.isArray(req.params) && (typeof req.params !== "object" || req.params === null)
    ) {
      return errorResponse(id, new InvalidRequestError('"params" must be an array or an object'));
    }
    const outcome = await this.call(req.method, req.params);
    if (isNotification) return undefined;
    return "error" in outcome
      ? { jsonrpc: "2.0", id, error: outcome.error }
      : { jsonrpc: "2.0", id, result: outcome.result };
  }

  /** Runs one method; never throws. */
  async call(method: string, params: unknown): Promise<{ result: unknown } | { error: JsonRpcErrorObject }> {
    const handler = Object.hasOwn(this.methods, method) ? this.methods[method] : undefined;
    this.activity.lastCallAt = performance.now();
    if (!handler) return { error: toErrorObject(new MethodNotFoundError(method)) };
    this.onRequest?.(method, params);
    try {
      if (params !== undefined && !Array.isArray(params)) {
        throw new InvalidParamsError("params must be an array (positional parameters)");
      }
      const args = (params ?? []) as unknown[];
      const attempt = () => handler(new Params(args), this.ctx);
      let result = this.around ? await this.around(method, args, attempt) : await attempt();
      if (result instanceof PendingResult) result = await result.settle();
      return { result: result === undefined ? null : result };
    } catch (e) {
      const error = toErrorObject(e);
      if (!(e instanceof BaseError)) this.onInternalError(method, e);
      return { error };
    }
  }
}
