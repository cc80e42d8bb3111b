/**
 * JSON-RPC client for the upstream node: requests issued in the same tick
 * go out as one batch (one round trip), identical in-flight requests share
 * one answer, at most `concurrency` HTTP requests run at once, and 429, 5xx,
 * network errors and timeouts are retried with exponential backoff, all within
 * one time budget per request: a hanging upstream costs `timeoutMs`, not a
 * timeout per attempt.
 */
import { UpstreamError } from "./errors.ts";

/** The default time budget of one upstream request, every retry included. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 20_000;

export interface UpstreamOptions {
  /** The time budget of one HTTP request, its retries and their backoff included. */
  timeoutMs?: number;
  /** Retries after the first attempt. */
  retries?: number;
  /** First backoff; doubles each retry. */
  backoffMs?: number;
  concurrency?: number;
  maxBatchSize?: number;
  /** Extra HTTP headers on every request (--fork-header "Name: value"). */
  headers?: Record<string, string>;
  /**
   * The compute units a second the upstream allows (--compute-units-per-second; Infinity: --no-rate-limit). A
   * rate-limited answer (HTTP 429) waits, on top of the backoff, for the units of the requests in flight (17
   * each, an average call's) to come back at this rate.
   */
  computeUnitsPerSecond?: number;
  fetch?: typeof fetch;
}

/** A request's average cost in compute units (Alchemy's table), as anvil's retry layer assumes. */
const COMPUTE_UNITS_PER_REQUEST = 17;

export interface UpstreamStats {
  /** JSON-RPC calls sent upstream (after de-duplication). */
  requests: number;
  /** HTTP requests (each carries one batch or one call). */
  batches: number;
  retries: number;
  deduplicated: number;
  errors: number;
}

interface Pending {
  method: string;
  params: unknown[];
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface RpcResponse {
  id?: unknown;
  result?: unknown;
  error?: { code?: number; message?: string; data?: unknown };
}

const RETRYABLE_STATUS = (s: number) => s === 429 || s >= 500;

/** Why a fetch failed to connect, in words, and whether trying again could help. */
export function connectionFailure(e: unknown, url: string): { reason: string; permanent: boolean } {
  const err = e as Error & { cause?: { message?: string } };
  const text = `${err?.message ?? e} ${err?.cause?.message ?? ""}`;
  let host = url;
  try {
    host = new URL(url).host;
  } catch { /* the URL was checked when the client was made */ }
  if (/connection refused|ECONNREFUSED/i.test(text)) return { reason: `connection refused by ${host}`, permanent: true };
  if (/dns error|ENOTFOUND|getaddrinfo|failed to lookup address|name or service not known/i.test(text)) {
    return { reason: `DNS lookup of ${host.replace(/:\d+$/, "")} failed`, permanent: true };
  }
  if (/TLS|certificate|handshake|InvalidContentType|EPROTO|SSL/i.test(text)) {
    const detail = /received corrupt message|InvalidContentType|EPROTO/.test(text)
      ? "the server does not speak TLS on this port"
      : text.trim().slice(0, 160);
    return { reason: `TLS handshake with ${host} failed (${detail})`, permanent: true };
  }
  return { reason: text.trim().slice(0, 200), permanent: false };
}

function checkedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("not http(s)");
  } catch {
    throw new UpstreamError(`invalid upstream URL ${JSON.stringify(url)}: expected http:// or https://`);
  }
  return url;
}

export class UpstreamClient {
  readonly stats: UpstreamStats = { requests: 0, batches: 0, retries: 0, deduplicated: 0, errors: 0 };
  private queue: Pending[] = [];
  private flushScheduled = false;
  private inFlight = new Map<string, Promise<unknown>>();
  private active = 0;
  private waiting: (() => void)[] = [];
  private nextId = 1;
  private batchUnsupported = false;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly concurrency: number;
  private readonly maxBatchSize: number;
  private readonly fetchFn: typeof fetch;
  private readonly headers: Record<string, string>;
  private readonly computeUnitsPerSecond: number;

  private _url: string;

  constructor(url: string, opts: UpstreamOptions = {}) {
    this._url = checkedUrl(url);
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
    this.retries = opts.retries ?? 4;
    this.backoffMs = opts.backoffMs ?? 200;
    this.concurrency = opts.concurrency ?? 8;
    this.maxBatchSize = opts.maxBatchSize ?? 100;
    this.fetchFn = opts.fetch ?? fetch;
    this.headers = { ...opts.headers, "content-type": "application/json" };
    this.computeUnitsPerSecond = opts.computeUnitsPerSecond ?? 330;
  }

  get url(): string {
    return this._url;
  }

  /** Sends later requests to another endpoint of the same chain (anvil_setRpcUrl). */
  setUrl(url: string): void {
    this._url = checkedUrl(url);
  }

  /** One call; batched with every other call made in the same tick. */
  request<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const key = method + JSON.stringify(params);
    const existing = this.inFlight.get(key);
    if (existing) {
      this.stats.deduplicated++;
      return existing as Promise<T>;
    }
    const p = new Promise<unknown>((resolve, reject) => {
      this.queue.push({ method, params, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(() => this.flush());
      }
    }).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p as Promise<T>;
  }

  private flush(): void {
    this.flushScheduled = false;
    const all = this.queue;
    this.queue = [];
    const size = this.batchUnsupported ? 1 : this.maxBatchSize;
    for (let i = 0; i < all.length; i += size) void this.sendBatch(all.slice(i, i + size));
  }

  private async acquire(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
  }

  private release(): void {
    this.active--;
    this.waiting.shift()?.();
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
    await this.acquire();
    try {
      this.stats.requests += batch.length;
      const bodies = batch.map((p) => ({ jsonrpc: "2.0", id: this.nextId++, method: p.method, params: p.params }));
      const single = bodies.length === 1 && this.batchUnsupported;
      const answer = await this.post(single ? bodies[0] : bodies);
      const responses: RpcResponse[] = Array.isArray(answer) ? answer : [answer as RpcResponse];
      if (!single && !Array.isArray(answer) && batch.length > 0) {
        // The upstream does not take batches: resend one by one from now on.
        if (!this.batchUnsupported) {
          this.batchUnsupported = true;
          for (const p of batch) this.queue.push(p);
          this.flushScheduled = true;
          queueMicrotask(() => this.flush());
          return;
        }
      }
      const byId = new Map(responses.map((r) => [r?.id, r]));
      batch.forEach((p, i) => {
        const r = byId.get(bodies[i].id);
        if (!r || typeof r !== "object") {
          this.stats.errors++;
          p.reject(new UpstreamError(`upstream gave no answer to ${p.method}`, undefined, { details: `upstream ${this.url}` }));
        } else if (r.error) {
          this.stats.errors++;
          p.reject(new UpstreamError(`upstream error on ${p.method}: ${r.error.message ?? "unknown error"}`, r.error.code, {
            rpcError: { code: r.error.code, message: r.error.message ?? "unknown error", data: r.error.data },
          }));
        } else if (!("result" in r)) {
          this.stats.errors++;
          p.reject(new UpstreamError(`upstream answered ${p.method} without a result`));
        } else {
          p.resolve(r.result);
        }
      });
    } catch (e) {
      this.stats.errors++;
      for (const p of batch) p.reject(e);
    } finally {
      this.release();
    }
  }

  /** POSTs a body, retrying what is worth retrying within the time budget; returns the parsed JSON. */
  private async post(body: unknown): Promise<unknown> {
    const started = Date.now();
    const deadline = started + this.timeoutMs;
    let lastError: UpstreamError | undefined;
    let rateLimited = false;
    let attempts = 0;
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (attempt > 0) {
        let wait = this.backoffMs * 2 ** (attempt - 1);
        if (rateLimited && Number.isFinite(this.computeUnitsPerSecond)) {
          wait += (this.active * COMPUTE_UNITS_PER_REQUEST * 1000) / this.computeUnitsPerSecond;
        }
        if (Date.now() + wait >= deadline) break;
        this.stats.retries++;
        await new Promise((r) => setTimeout(r, wait));
      }
      const left = deadline - Date.now();
      if (left <= 0) break;
      attempts++;
      this.stats.batches++;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), left);
      const timedOut = () => new UpstreamError(`upstream timed out after ${this.timeoutMs} ms`);
      let res: Response;
      try {
        res = await this.fetchFn(this.url, {
          method: "POST",
          headers: this.headers,
          body: JSON.stringify(body),
          signal: controller.signal,
        });
      } catch (e) {
        clearTimeout(timer);
        if (controller.signal.aborted) {
          lastError = timedOut();
          continue;
        }
        const why = connectionFailure(e, this.url);
        // A refused connection, a name that does not resolve or a failed TLS handshake will not heal in a retry.
        if (why.permanent) {
          throw new UpstreamError(`upstream unreachable: ${why.reason}`, undefined, {
            details: `upstream ${this.url}`,
            cause: e,
            transport: true,
          });
        }
        lastError = new UpstreamError(`upstream unreachable: ${why.reason}`, undefined, { cause: e });
        continue;
      }
      let text: string;
      try {
        text = await res.text();
      } catch (e) {
        clearTimeout(timer);
        lastError = controller.signal.aborted
          ? timedOut()
          : new UpstreamError(`upstream response broke off: ${(e as Error).message}`);
        continue;
      }
      clearTimeout(timer);
      if (!res.ok) {
        rateLimited = res.status === 429;
        lastError = new UpstreamError(`upstream answered HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ""}`, res.status);
        if (RETRYABLE_STATUS(res.status)) continue;
        break;
      }
      try {
        return JSON.parse(text);
      } catch {
        lastError = new UpstreamError(`upstream answered with invalid JSON: ${JSON.stringify(text.slice(0, 120))}`);
        continue;
      }
    }
    const spent = Date.now() - started;
    throw new UpstreamError(
      `${lastError?.shortMessage ?? "upstream timed out"} (after ${attempts} attempt${attempts === 1 ? "" : "s"} in ${spent} ms)`,
      lastError?.upstreamCode,
      { details: `upstream ${this.url}`, cause: lastError, transport: true },
    );
  }
}
