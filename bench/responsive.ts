/**
 * A node busy with a long call: our node on Deno as `deno task start:deno` runs it (with `--gas-limit` high
 * enough for a call of seconds), one client sends an eth_call that counts down for seconds while another sends eth_chainId
 * every 20 ms, twice (the second like one that ran long before: sent to a worker at once). Prints how long the long call took and the eth_chainId latencies (median, p99, max) meanwhile;
 * then a runaway call under `--call-timeout 10000`, and how long it took to end.
 *
 *   npx -y deno run -A bench/responsive.ts [--rounds 400000000]
 *
 * The default rounds take about 2 s on compiled code (the default backend compiles the loop at its first call).
 */
import { HttpConnection } from "./http_client.ts";
import { startOurs } from "./mixed_load.ts";

const args = Deno.args;
const ROUNDS = Number(args[args.indexOf("--rounds") + 1] || 400_000_000);
// Counts down from the calldata word and returns it: JUMPDEST-loop with a SUB per round.
const COUNTDOWN = "0x600035805b600190038060045750600052602060" + "00f3";
const TARGET = "0x00000000000000000000000000000000000c0de1";
const LOOP = "0x00000000000000000000000000000000000100f5";
const word = (n: number) => "0x" + n.toString(16).padStart(64, "0");

const server = await startOurs(["--gas-limit", String(2n ** 62n), "--call-timeout", "10000"]);
try {
  const admin = new HttpConnection(server.url);
  const rpc = async (c: HttpConnection, method: string, params: unknown[]) => JSON.parse(await c.post(JSON.stringify({ jsonrpc: "2.0", id: 1, method, params })));
  await rpc(admin, "anvil_setCode", [TARGET, COUNTDOWN]);
  await rpc(admin, "anvil_setCode", [LOOP, "0x5b600056"]);
  const gas = "0x" + (2n ** 61n).toString(16);
  // The node starts its first execution worker a second after it starts listening.
  await new Promise((r) => setTimeout(r, 1500));
  for (const [name, call] of [
    ["long call (the first)", { to: TARGET, input: word(ROUNDS), gas }],
    ["long call again", { to: TARGET, input: word(ROUNDS - 1), gas }],
    ["runaway call (--call-timeout 10000)", { to: LOOP, gas }],
  ] as const) {
    const long = new HttpConnection(server.url);
    const t0 = performance.now();
    let done = false;
    const answer = rpc(long, "eth_call", [call, "latest"]).finally(() => (done = true));
    const latencies: number[] = [];
    let slowestAt = 0, slowest = 0;
    const probe = new HttpConnection(server.url);
    while (!done) {
      const t = performance.now();
      const r = await rpc(probe, "eth_chainId", []);
      if (r.result !== "0x7a69") throw new Error(JSON.stringify(r));
      const ms = performance.now() - t;
      latencies.push(ms);
      if (ms > slowest) [slowest, slowestAt] = [ms, t - t0];
      await new Promise((r) => setTimeout(r, 20));
    }
    const r = await answer;
    const took = performance.now() - t0;
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))].toFixed(1);
    console.log(
      `${name}: ${(took / 1000).toFixed(2)} s, answer ${JSON.stringify(r.result ?? r.error).slice(0, 90)}; ` +
        `eth_chainId ${latencies.length} times meanwhile: median ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms (${(slowestAt / 1000).toFixed(2)} s in)`,
    );
    long.close();
    probe.close();
  }
  admin.close();
} finally {
  await server.stop();
}
