/**
 * Who may drive the node over HTTP and WebSocket. A request's Host header must
 * name the node as a loopback name (localhost, *.localhost), an IP address, or
 * a host allowed with --allow-host: a web page on evil.example that resolves
 * its name to 127.0.0.1 (DNS rebinding) sends `Host: evil.example` and is
 * refused, as geth's --http.vhosts refuses it. Browsers on other origins are
 * let in by CORS (`*` by default, as anvil; --allow-origin narrows it,
 * --no-cors drops the headers).
 */
import { ErrorCode } from "../rpc/errors.ts";

export interface AccessPolicy {
  /** Host names allowed besides loopback names and IP addresses; "*" allows any. */
  allowHosts: string[];
  /** Origins CORS lets in: "*" (any), a list, or none (CORS headers off). */
  allowOrigins: "*" | string[] | false;
}

export const DEFAULT_ACCESS: AccessPolicy = { allowHosts: [], allowOrigins: "*" };

/** The name in a Host header without its port ("[::1]:8545" is "::1"). */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    return end > 0 ? h.slice(1, end) : h;
  }
  const colon = h.indexOf(":");
  // One colon: host:port. More: a bare IPv6 address.
  return colon >= 0 && h.indexOf(":", colon + 1) < 0 ? h.slice(0, colon) : h;
}

function isIpAddress(name: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return name.split(".").every((p) => Number(p) <= 255);
  return name.includes(":") && /^[0-9a-f:.]+$/.test(name);
}

/** Whether a request with this Host header (null: none sent) may be answered. */
export function hostAllowed(host: string | null, policy: AccessPolicy): boolean {
  if (host === null || host === "") return true; // HTTP/1.0 without a Host: no name to rebind
  const name = hostName(host);
  if (name === "localhost" || name.endsWith(".localhost") || isIpAddress(name)) return true;
  return policy.allowHosts.some((h) => h === "*" || h.toLowerCase() === name);
}

/** The answer to a request whose Host is not allowed: 403 with a JSON-RPC error saying how to allow it. */
export function hostRefused(host: string): Response {
  const name = hostName(host).slice(0, 100);
  const message = `Host "${name}" is not allowed: the node answers requests addressed to localhost or an IP ` +
    `address (DNS rebinding protection); start it with --allow-host ${name} to allow this name`;
  return new Response(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: ErrorCode.InvalidRequest, message } }), {
    status: 403,
    headers: { "content-type": "application/json" },
  });
}

/** The last Host header allowed, and under which policy: a client sends the same one with every request. */
let lastAllowed: { host: string | null; policy: AccessPolicy } | undefined;

/** The request's refusal, or undefined when it may go on. */
export function checkAccess(request: Request, policy: AccessPolicy): Response | undefined {
  const host = request.headers.get("host");
  if (lastAllowed !== undefined && lastAllowed.host === host && lastAllowed.policy === policy) return undefined;
  if (!hostAllowed(host, policy)) return hostRefused(host!);
  lastAllowed = { host, policy };
  return undefined;
}

/** The Access-Control-Allow-Origin header for a request from `origin` (null: not a cross-origin request). */
export function allowOriginHeader(origin: string | null, policy: AccessPolicy): Record<string, string> {
  const allowed = policy.allowOrigins;
  if (allowed === false) return {};
  if (allowed === "*") return { "access-control-allow-origin": "*" };
  if (origin !== null && allowed.includes(origin)) return { "access-control-allow-origin": origin, vary: "Origin" };
  return { vary: "Origin" };
}
