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
  /** Looks at every request first, WebSocket upgrades included: a Response refuses it. */
  accept?: (request: Request) => Response | undefined;
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
  const accept = options.accept ?? (() => undefined);
  const g = globalThis as { Deno?: DenoLike; Bun?: BunLike };
  if (g.Bun) {
    const sockets = new Set<BunSocket>();
    const server = g.Bun.serve({
      hostname,
      port,
      fetch: (request, server) => {
        const refused = accept(request);
        if (refused) return refused;
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
      const refused = accept(request);
      if (refused) return refused;
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

export interface RunningIpc {
  path: string;
  close(): Promise<void>;
}

interface DenoUnixConn {
  readable: ReadableStream<Uint8Array>;
  write(data: Uint8Array): Promise<number>;
  close(): void;
}

interface DenoUnixListener extends AsyncIterable<DenoUnixConn> {
  close(): void;
}

interface BunUnixSocket {
  data: { session?: SocketSession; splitter?: { push(text: string): string[] } };
  write(data: string): number;
  end(): void;
}

/**
 * JSON-RPC on a Unix socket (anvil's --ipc): each connection a session, as WebSocket connections are. The
 * stream is split into JSON values by `split`; each answer is written followed by a newline.
 */
export async function serveIpc(
  path: string,
  handler: SocketHandler,
  splitter: () => { push(text: string): string[] },
): Promise<RunningIpc> {
  const { existsSync, lstatSync, rmSync } = await import("node:fs");
  // A socket file left by an earlier run would stop the listen; anything else at the path is not ours to remove.
  if (existsSync(path) && lstatSync(path).isSocket()) rmSync(path);
  const g = globalThis as {
    Deno?: { listen(o: { transport: "unix"; path: string }): DenoUnixListener };
    Bun?: {
      listen(o: {
        unix: string;
        socket: {
          open(s: BunUnixSocket): void;
          data(s: BunUnixSocket, chunk: Uint8Array): void;
          close(s: BunUnixSocket): void;
        };
      }): { stop(closeActive?: boolean): void };
    };
  };
  const encoder = new TextEncoder();
  if (g.Bun) {
    const sockets = new Set<BunUnixSocket>();
    const listener = g.Bun.listen({
      unix: path,
      socket: {
        open(s) {
          sockets.add(s);
          s.data = { splitter: splitter() };
          s.data.session = handler({ send: (text) => void s.write(text + "\n"), close: () => s.end() });
        },
        data(s, chunk) {
          let values: string[];
          try {
            values = s.data.splitter!.push(decoder.decode(chunk, { stream: true }));
          } catch {
            s.end();
            return;
          }
          for (const v of values) s.data.session?.message(v);
        },
        close(s) {
          sockets.delete(s);
          s.data.session?.closed();
        },
      },
    });
    return {
      path,
      close: () => {
        for (const s of sockets) s.end();
        listener.stop(true);
        rmSync(path, { force: true });
        return Promise.resolve();
      },
    };
  }
  if (g.Deno) {
    const listener = g.Deno.listen({ transport: "unix", path });
    const conns = new Set<DenoUnixConn>();
    const serveConn = async (conn: DenoUnixConn) => {
      conns.add(conn);
      let open = true;
      let writing = Promise.resolve();
      const session = handler({
        send: (text) => {
          if (!open) return;
          writing = writing.then(() => conn.write(encoder.encode(text + "\n"))).then(() => {}, () => {
            open = false;
          });
        },
        close: () => {
          open = false;
          conn.close();
        },
      });
      const split = splitter();
      const textDecoder = new TextDecoder();
      try {
        for await (const chunk of conn.readable) {
          for (const v of split.push(textDecoder.decode(chunk, { stream: true }))) session.message(v);
        }
      } catch { /* the peer went away or sent a value that never ends */ }
      open = false;
      conns.delete(conn);
      session.closed();
      try {
        conn.close();
      } catch { /* already closed */ }
    };
    (async () => {
      try {
        for await (const conn of listener) void serveConn(conn);
      } catch { /* the listener was closed */ }
    })();
    return {
      path,
      close: () => {
        listener.close();
        for (const c of conns) {
          try {
            c.close();
          } catch { /* already closed */ }
        }
        rmSync(path, { force: true });
        return Promise.resolve();
      },
    };
  }
  throw new UnsupportedRuntimeError("evmwasm serves IPC on Deno or Bun; run it with `deno` or `bun`");
}
