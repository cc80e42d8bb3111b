/**
 * The one place that knows the runtime: starts an HTTP server for a fetch handler with Deno.serve or Bun.serve,
 * whichever runs us, and upgrades WebSocket requests on the same port to sessions that know nothing of the
 * runtime (a peer to send text to, a session that receives text and is told when the socket closes).
 */
export interface ServeOptions {
  hostname?: string;
  /** 0 picks a free port. */
  port?: number;
  /** WebSocket connections on the same port; without it an upgrade request is answered as plain HTTP. */
  websocket?: SocketHandler;
}

export interface RunningServer {
  hostname: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** One connected socket, as a session sees it. */
export interface SocketPeer {
  /** Sends a text frame; does nothing once the socket is closed. */
  send(text: string): void;
  close(): void;
}

/** What a connection does with what it receives. */
export interface SocketSession {
  message(text: string): void;
  /** The socket closed (either side). */
  closed(): void;
}

export type SocketHandler = (peer: SocketPeer) => SocketSession;

type FetchHandler = (request: Request) => Response | Promise<Response>;

interface DenoSocket {
  readyState: number;
  send(data: string): void;
  close(): void;
  onopen: (() => void) | null;
  onmessage: ((e: { data: unknown }) => void) | null;
  onclose: (() => void) | null;
  onerror: (() => void) | null;
}

interface DenoLike {
  serve(
    options: { hostname?: string; port?: number; onListen?: (addr: { hostname: string; port: number }) => void },
    handler: FetchHandler,
  ): { addr: { hostname: string; port: number }; shutdown(): Promise<void>; finished: Promise<void> };
  upgradeWebSocket(request: Request): { socket: DenoSocket; response: Response };
}

interface BunSocket {
  data: { session?: SocketSession };
  send(data: string): void;
  close(): void;
}

interface BunServer {
  hostname: string;
  port: number;
  stop(force?: boolean): Promise<void> | void;
  upgrade(request: Request, options: { data: { session?: SocketSession } }): boolean;
}

interface BunLike {
  serve(options: {
    hostname?: string;
    port?: number;
    fetch: (request: Request, server: BunServer) => Response | Promise<Response> | undefined;
    websocket?: {
      open(ws: BunSocket): void;
      message(ws: BunSocket, message: string | Uint8Array): void;
      close(ws: BunSocket): void;
    };
  }): BunServer;
}

export class UnsupportedRuntimeError extends Error {
  override name = "UnsupportedRuntimeError";
}

function format(hostname: string, port: number): string {
  return `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
}

function isUpgrade(request: Request): boolean {
  return request.headers.get("upgrade")?.toLowerCase() === "websocket";
}

const OPEN = 1;
const decoder = new TextDecoder();

export function serve(fetch: FetchHandler, options: ServeOptions = {}): Promise<RunningServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const port = options.port ?? 8545;
  const websocket = options.websocket;
  const g = globalThis as { Deno?: DenoLike; Bun?: BunLike };
  if (g.Bun) {
    const sockets = new Set<BunSocket>();
    const server = g.Bun.serve({
      hostname,
      port,
      fetch: (request, server) => {
        if (websocket && isUpgrade(request)) {
          if (server.upgrade(request, { data: {} })) return undefined;
          return new Response("WebSocket upgrade failed", { status: 400 });
        }
        return fetch(request);
      },
      websocket: {
        open(ws) {
          sockets.add(ws);
          let open = true;
          ws.data.session = websocket!({
            send: (text) => {
              if (open && sockets.has(ws)) ws.send(text);
            },
            close: () => {
              open = false;
              ws.close();
            },
          });
        },
        message(ws, message) {
          ws.data.session?.message(typeof message === "string" ? message : decoder.decode(message));
        },
        close(ws) {
          sockets.delete(ws);
          ws.data.session?.closed();
        },
      },
    });
    return Promise.resolve({
      hostname,
      port: server.port,
      url: format(hostname, server.port),
      close: async () => {
        for (const ws of sockets) ws.close();
        await server.stop(true);
      },
    });
  }
  if (g.Deno) {
    const deno = g.Deno;
    const sockets = new Set<DenoSocket>();
    const handler: FetchHandler = (request) => {
      if (!websocket || !isUpgrade(request)) return fetch(request);
      const { socket, response } = deno.upgradeWebSocket(request);
      let session: SocketSession | undefined;
      socket.onopen = () => {
        sockets.add(socket);
        session = websocket({
          send: (text) => {
            if (socket.readyState === OPEN) socket.send(text);
          },
          close: () => socket.close(),
        });
      };
      socket.onmessage = (e) => {
        const data = e.data;
        session?.message(typeof data === "string" ? data : decoder.decode(data as ArrayBuffer));
      };
      socket.onclose = () => {
        sockets.delete(socket);
        session?.closed();
        session = undefined;
      };
      socket.onerror = () => {}; // a broken connection closes; onclose ends the session
      return response;
    };
    return new Promise((resolve, reject) => {
      try {
        const server = deno.serve({
          hostname,
          port,
          onListen: (addr) => {
            resolve({
              hostname,
              port: addr.port,
              url: format(hostname, addr.port),
              close: async () => {
                for (const s of sockets) s.close();
                await server.shutdown();
                await server.finished;
              },
            });
          },
        }, handler);
      } catch (e) {
        reject(e);
      }
    });
  }
  return Promise.reject(new UnsupportedRuntimeError("evmwasm serves HTTP on Deno or Bun; run it with `deno` or `bun`"));
}
