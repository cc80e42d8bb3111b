/**
 * The short load run: the node as `deno task start` runs it (the executable built from the sources), 16 clients
 * sending a mix of calls and automined transactions for 6 s (bench/mixed_load.ts has the 60 s, 32-client run
 * against anvil). Prints its figures.
 */
import assert from "node:assert/strict";
import { rssOf, runMixedLoad, startExecutable } from "../bench/mixed_load.ts";

Deno.test({
  name: "load: 16 clients, 6 s of mixed calls and transactions: no errors, no stalled second, every kind answered",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const server = await startExecutable();
    try {
      const r = await runMixedLoad(server.url, { seconds: 6, clients: 16, rss: () => rssOf(server.pid) });
      console.log(
        `load: ${r.requests} requests in ${r.seconds} s from ${r.clients} clients (${Math.round(r.requests / r.seconds)}/s), ` +
          `${r.errors} errors; per second ${r.perSecond.join(" ")}; first/last second ${r.firstRate}/${r.lastRate}; ` +
          `median ${r.medianMs} ms, p99 ${r.p99Ms} ms; RSS MB ${r.rssMb.join(" ")}`,
      );
      console.log(`load: by kind ${JSON.stringify(r.counts)}`);
      assert.equal(r.errors, 0, `errors: ${r.firstErrors.join("; ")}`);
      for (const kind of ["eth_call counter", "eth_call 20 slots", "eth_getBalance", "send transfer", "send counter inc"]) {
        assert.ok((r.counts[kind] ?? 0) > 0, `no ${kind} answered`);
      }
      assert.ok(r.perSecond.every((n) => n > 0), `a second without answers: ${r.perSecond.join(" ")}`);
    } finally {
      await server.stop();
    }
  },
});
