/**
 * The one place that knows the runtime: starts an HTTP server for a fetch
 * handler with Deno.serve or Bun.serve, whichever runs us.
 */
export interface ServeOptions {
  hostname?: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface RunningServer {
  hostname: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

type FetchHandler = (request: Request) => Response | Promise<Response>;

interface DenoLike {
  serve(
    options: { hostname?: string; port?: number; onListen?: (addr: { hostname: string; port: number }) => void },
    handler: FetchHandler,
  ): { addr: { hostname: string; port: number }; shutdown(): Promise<void>; finished: Promise<void> };
}

interface BunLike {
  serve(
    options: { hostname?: string; port?: number; fetch: FetchHandler },
  ): { hostname: string; port: number; stop(force?: boolean): Promise<void> | void };
}

export class UnsupportedRuntimeError extends Error {
  override name = "UnsupportedRuntimeError";
}

function format(hostname: string, port: number): string {
  return `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
}

export function serve(fetch: FetchHandler, options: ServeOptions = {}): Promise<RunningServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const port = options.port ?? 8545;
  const g = globalThis as { Deno?: DenoLike; Bun?: BunLike };
  if (g.Bun) {
    const server = g.Bun.serve({ hostname, port, fetch });
    return Promise.resolve({
      hostname,
      port: server.port,
      url: format(hostname, server.port),
      close: async () => {
        await server.stop(true);
      },
    });
  }
  if (g.Deno) {
    return new Promise((resolve, reject) => {
      try {
        const server = g.Deno!.serve({
          hostname,
          port,
          onListen: (addr) => {
            resolve({
              hostname,
              port: addr.port,
              url: format(hostname, addr.port),
              close: async () => {
                await server.shutdown();
                await server.finished;
              },
            });
          },
        }, fetch);
      } catch (e) {
        reject(e);
      }
    });
  }
  return Promise.reject(new UnsupportedRuntimeError("evmwasm serves HTTP on Deno or Bun; run it with `deno` or `bun`"));
}
