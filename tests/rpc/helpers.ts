/**
 * Test helpers: our node on a free loopback port, anvil from npm on another,
 * a JSON-RPC client over fetch, and the compiled test contracts.
 */
import { chmodSync, existsSync } from "node:fs";
import { type Abi, decodeFunctionResult, encodeDeployData, encodeFunctionData, type Hex } from "viem";
import { createNode, type EvmwasmNode, type NodeOptions } from "../../src/node.ts";
import artifactsFile from "./contracts/artifacts.json" with { type: "json" };

export const DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" as const;
export const DEV0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266" as const;
export const DEV1 = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" as const;

export type ContractName = "Counter" | "Probe" | "Target" | "Token" | "Tracee";
export const artifacts = artifactsFile.artifacts as Record<ContractName, { abi: Abi; bytecode: Hex }>;

export function deployData(name: ContractName): Hex {
  return encodeDeployData({ abi: artifacts[name].abi, bytecode: artifacts[name].bytecode });
}

export function calldata(name: ContractName, functionName: string, args: unknown[] = []): Hex {
  return encodeFunctionData({ abi: artifacts[name].abi, functionName, args } as never);
}

export function decodeResult(name: ContractName, functionName: string, data: Hex): unknown {
  return decodeFunctionResult({ abi: artifacts[name].abi, functionName, data } as never);
}

export interface RpcResponse {
  jsonrpc: string;
  id: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export class RpcClient {
  private nextId = 1;
  constructor(readonly url: string) {}

  /** The full JSON-RPC response (result or error). */
  async raw(method: string, params: unknown[] = []): Promise<RpcResponse> {
    const res = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: this.nextId++, method, params }),
    });
    return await res.json();
  }

  /** The result; throws with the error's code and message. */
  async call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const r = await this.raw(method, params);
    if (r.error) throw Object.assign(new Error(`${method}: ${r.error.code} ${r.error.message}`), { rpc: r.error });
    return r.result as T;
  }

  async post(body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
    const res = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
    return { status: res.status, text: await res.text() };
  }

  async waitReady(timeoutMs = 20_000): Promise<void> {
    const start = Date.now();
    for (;;) {
      try {
        await this.call("eth_chainId");
        return;
      } catch (e) {
        if (Date.now() - start > timeoutMs) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Sends a transaction from a dev account and returns its receipt (automine). */
  async send(tx: Record<string, unknown>): Promise<Record<string, unknown>> {
    return await this.receipt(await this.call<string>("eth_sendTransaction", [tx]));
  }

  /** Waits for the receipt (anvil may answer a send before its block is stored). */
  async receipt(hash: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const start = Date.now();
    for (;;) {
      const receipt = await this.call<Record<string, unknown> | null>("eth_getTransactionReceipt", [hash]);
      if (receipt) return receipt;
      if (Date.now() - start > timeoutMs) throw new Error(`no receipt for ${hash}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async deploy(name: ContractName, from: string = DEV0): Promise<Hex> {
    const receipt = await this.send({ from, data: deployData(name) });
    if (receipt.status !== "0x1") throw new Error(`deploying ${name} failed`);
    return receipt.contractAddress as Hex;
  }
}

export interface RunningNode {
  node: EvmwasmNode;
  rpc: RpcClient;
  url: string;
  close(): Promise<void>;
}

/** Our node on a free loopback port. */
export async function startNode(options: NodeOptions = {}): Promise<RunningNode> {
  const node = createNode(options);
  const server = await node.listen({ hostname: "127.0.0.1", port: 0 });
  return { node, rpc: new RpcClient(server.url), url: server.url, close: () => node.close() };
}

export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

const ANVIL_BIN = new URL("../../node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil", import.meta.url).pathname;

export function anvilAvailable(): boolean {
  return Deno.build.os === "linux" && Deno.build.arch === "x86_64" && existsSync(ANVIL_BIN);
}

export interface RunningAnvil {
  rpc: RpcClient;
  url: string;
  close(): Promise<void>;
}

/** anvil (npm @foundry-rs/anvil-linux-amd64, a devDependency) on a free loopback port. */
export async function startAnvil(args: string[] = []): Promise<RunningAnvil> {
  chmodSync(ANVIL_BIN, 0o755);
  const port = freePort();
  const child = new Deno.Command(ANVIL_BIN, {
    args: ["--host", "127.0.0.1", "--port", String(port), "--silent", ...args],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const url = `http://127.0.0.1:${port}`;
  const rpc = new RpcClient(url);
  const close = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await child.stderr.cancel().catch(() => {});
    await child.status;
  };
  try {
    await rpc.waitReady();
  } catch (e) {
    await close();
    throw e;
  }
  return { rpc, url, close };
}

/**
 * `entry` (cli.ts, or scripts/start/start.ts as `deno task start:deno` runs it; serve is their default command) with
 * `args` on a free port, and `denoFlags` for Deno: its RPC client, what it printed on stdout and stderr, and a stop
 * that sends SIGINT and gives the exit code.
 */
export async function spawnServe(
  args: string[],
  denoFlags: string[] = [],
  entry = "cli.ts",
): Promise<{ rpc: RpcClient; out: () => string; err: () => string; stop(): Promise<number> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", ...denoFlags, entry, "--port", "0", ...args],
    cwd: new URL("../../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const text = { out: "", err: "" };
  const collect = async (stream: ReadableStream<Uint8Array>, into: "out" | "err") => {
    const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      text[into] += value;
    }
  };
  const pumps = Promise.all([collect(child.stdout, "out"), collect(child.stderr, "err")]);
  const stop = async () => {
    try {
      child.kill("SIGINT");
    } catch { /* gone */ }
    const status = await child.status;
    await pumps;
    return status.code;
  };
  const deadline = Date.now() + 30_000;
  while (!/Listening on 127\.0\.0\.1:(\d+)/.test(text.out)) {
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`no "Listening on" in: ${text.out}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const port = /Listening on 127\.0\.0\.1:(\d+)/.exec(text.out)![1];
  return { rpc: new RpcClient(`http://127.0.0.1:${port}`), out: () => text.out, err: () => text.err, stop };
}
