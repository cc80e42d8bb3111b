/** Who may drive the node: the Host header (DNS rebinding), CORS origins, and the warning beyond loopback. */
import assert from "node:assert/strict";
import { exposureWarning, parseServeArgs } from "../../src/cli/serve.ts";
import { createNode, type NodeOptions } from "../../src/node.ts";
import { DEV0, DEV1 } from "./helpers.ts";

/** One raw HTTP/1.1 request over TCP (fetch will not send another Host): the status and the response text. */
async function raw(port: number, request: string): Promise<{ status: number; text: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(request));
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
      const text = new TextDecoder().decode(chunks.reduce((a, b) => new Uint8Array([...a, ...b])));
      const head = text.indexOf("\r\n\r\n");
      const length = /content-length: (\d+)/i.exec(text);
      if (head >= 0 && (length ? text.length >= head + 4 + Number(length[1]) : /^HTTP\/1.1 101/.test(text))) break;
    }
    const text = new TextDecoder().decode(chunks.reduce((a, b) => new Uint8Array([...a, ...b]), new Uint8Array()));
    return { status: Number(text.slice(9, 12)), text };
  } finally {
    conn.close();
  }
}

const send = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "eth_sendTransaction",
  params: [{ from: DEV0, to: DEV1, value: "0x1" }],
});

function post(host: string, body: string, type = "text/plain", extra = ""): string {
  return `POST / HTTP/1.1\r\nHost: ${host}\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\n${extra}` +
    `Connection: close\r\n\r\n${body}`;
}

async function withNode(options: NodeOptions, fn: (port: number, node: ReturnType<typeof createNode>) => Promise<void>) {
  const node = createNode({ accounts: 2, ...options });
  const server = await node.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    await fn(server.port, node);
  } finally {
    await node.close();
  }
}

Deno.test("a request naming another host is refused (DNS rebinding); loopback names and IP addresses are answered", async () => {
  await withNode({}, async (port, node) => {
    const before = await node.getBalance(DEV1 as `0x${string}`);
    const evil = await raw(port, post("evil.example", send));
    assert.equal(evil.status, 403);
    assert.match(evil.text, /Host \\?"evil\.example\\?" is not allowed.*--allow-host evil\.example/);
    assert.equal(await node.getBalance(DEV1 as `0x${string}`), before, "the transaction was not sent");
    const upgrade = await raw(
      port,
      `GET / HTTP/1.1\r\nHost: evil.example:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    assert.equal(upgrade.status, 403, "a WebSocket from a page on another host is refused too");
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, "app.localhost", "192.168.7.7:8545"]) {
      const ok = await raw(port, post(host, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] })));
      assert.equal(ok.status, 200, host);
      assert.match(ok.text, /"result":"0x7a69"/);
    }
  });
  await withNode({ access: { allowHosts: ["evil.example"] } }, async (port) => {
    assert.equal((await raw(port, post("EVIL.example:80", send, "application/json"))).status, 200);
    assert.equal((await raw(port, post("other.example", send))).status, 403);
  });
  await withNode({ access: { allowHosts: ["*"] } }, async (port) => {
    assert.equal((await raw(port, post("anything.example", send))).status, 200);
  });
});

Deno.test("CORS: any origin by default, the listed ones with --allow-origin, none with --no-cors", async () => {
  const chainId = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
  const acao = (text: string) => /access-control-allow-origin: ([^\r\n]*)/i.exec(text)?.[1];
  await withNode({}, async (port) => {
    assert.equal(acao((await raw(port, post("localhost", chainId, "application/json", "Origin: http://x.example\r\n"))).text), "*");
  });
  await withNode({ access: { allowOrigins: ["https://app.example"] } }, async (port) => {
    const mine = await raw(port, post("localhost", chainId, "application/json", "Origin: https://app.example\r\n"));
    assert.equal(acao(mine.text), "https://app.example");
    const other = await raw(port, post("localhost", chainId, "application/json", "Origin: https://x.example\r\n"));
    assert.equal(other.status, 200);
    assert.equal(acao(other.text), undefined);
    const preflight = await raw(
      port,
      `OPTIONS / HTTP/1.1\r\nHost: localhost\r\nOrigin: https://app.example\r\nAccess-Control-Request-Method: POST\r\n` +
        `Connection: close\r\nContent-Length: 0\r\n\r\n`,
    );
    assert.equal(acao(preflight.text), "https://app.example");
  });
  await withNode({ access: { allowOrigins: false } }, async (port) => {
    assert.equal(acao((await raw(port, post("localhost", chainId, "application/json", "Origin: http://x.example\r\n"))).text), undefined);
  });
});

Deno.test("serve: --allow-host, --allow-origin, --no-cors; listening beyond loopback warns with the unlocked accounts", () => {
  const c = parseServeArgs(["--allow-host", "a.example,b.example", "--allow-host", "c.example", "--allow-origin", "https://x.example"]);
  assert.deepEqual(c.node.access, { allowHosts: ["a.example", "b.example", "c.example"], allowOrigins: ["https://x.example"] });
  assert.deepEqual(parseServeArgs([]).node.access, { allowHosts: [], allowOrigins: "*" });
  assert.equal(parseServeArgs(["--no-cors"]).node.access?.allowOrigins, false);
  const node = createNode({ accounts: 2 });
  try {
    const warning = exposureWarning("0.0.0.0", 8545, node);
    assert.match(warning ?? "", /listening on 0\.0\.0\.0:8545.*2 unlocked accounts/s);
    assert.match(warning ?? "", /0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266/);
    assert.equal(exposureWarning("127.0.0.1", 8545, node), undefined);
    assert.equal(exposureWarning("::1", 8545, node), undefined);
  } finally {
    void node.close();
  }
});
