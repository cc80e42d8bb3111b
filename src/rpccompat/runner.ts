/**
 * The execution-apis JSON-RPC test suite, run as hive's rpc-compat simulator
 * runs it: a node started on the suite's genesis with its chain imported,
 * told the forkchoice of headfcu.json, then every `.io` file in path order
 * against that one node over HTTP.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { Backend } from "../../backends/backend.ts";
import { loadGenesisFile } from "../chain/genesis.ts";
import { importChainFile } from "../chain/import.ts";
import { createNode } from "../node.ts";
import { type Json, jsonDiff, redactErrorMessages } from "./compare.ts";
import { parseIoFile } from "./io_file.ts";
import { validateResult } from "./schemas.ts";

export interface CompatResult {
  name: string;
  passed: boolean;
  detail?: string;
}

function ioFiles(dir: string, root = dir): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...ioFiles(p, root));
    else if (name.endsWith(".io")) out.push(relative(root, p));
  }
  return out;
}

export interface CompatOptions {
  backend?: Backend;
  /** Only tests whose name (folder/file without .io) contains this. */
  filter?: string;
}

/** Runs the suite in `dir` (genesis.json, chain.rlp, headfcu.json and the method folders). */
export async function runRpcCompat(dir: string, options: CompatOptions = {}): Promise<CompatResult[]> {
  const node = createNode({
    genesis: loadGenesisFile(join(dir, "genesis.json")),
    noMining: true,
    backend: options.backend,
    onInternalError: () => {},
  });
  try {
    importChainFile(node.chain, readFileSync(join(dir, "chain.rlp")));
    const server = await node.listen({ hostname: "127.0.0.1", port: 0 });
    const url = `http://127.0.0.1:${server.port}/`;
    const post = async (body: string) => {
      const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
      return await r.text();
    };
    const fcu = JSON.parse(await post(readFileSync(join(dir, "headfcu.json"), "utf8")));
    if (fcu.error) throw new Error(`the node rejected headfcu.json: ${JSON.stringify(fcu.error)}`);
    const results: CompatResult[] = [];
    for (const file of ioFiles(dir)) {
      const name = file.replace(/\.io$/, "");
      if (options.filter && !name.includes(options.filter)) continue;
      results.push(await runTest(name, readFileSync(join(dir, file), "utf8"), post));
    }
    return results;
  } finally {
    await node.close();
  }
}

async function runTest(name: string, text: string, post: (body: string) => Promise<string>): Promise<CompatResult> {
  const fail = (detail: string): CompatResult => ({ name, passed: false, detail });
  let test;
  try {
    test = parseIoFile(name, text);
  } catch (e) {
    return fail((e as Error).message);
  }
  let response: string | undefined;
  let method = "";
  for (const msg of test.messages) {
    if (msg.send) {
      method = JSON.parse(msg.data).method;
      response = await post(msg.data);
      continue;
    }
    if (response === undefined) return fail("invalid test: a response before any request");
    let got: Json;
    try {
      got = JSON.parse(response);
    } catch {
      return fail(`invalid JSON response: ${response.slice(0, 120)}`);
    }
    const want: Json = JSON.parse(msg.data);
    response = undefined;
    const isObject = (v: Json): v is { [k: string]: Json } => v !== null && typeof v === "object" && !Array.isArray(v);
    if (test.speconly && isObject(got) && !("error" in got)) {
      const problems = validateResult(method, got.result);
      if (problems.length) {
        return fail(`${method} result does not match its schema: ${problems.slice(0, 5).join("; ")}`);
      }
      continue;
    }
    redactErrorMessages(got, want);
    const diffs = jsonDiff(got, want);
    if (diffs.length) return fail(diffs.join("; "));
  }
  if (response !== undefined) return fail("a response was not checked");
  return { name, passed: true };
}
