/**
 * What the node and its execution workers say to each other. Jobs and their answers go by message; while a
 * job runs, the worker reads state from the node synchronously through a shared buffer (it waits on it with
 * Atomics.wait, the node answers between its other requests).
 */
import type { MessagePort } from "node:worker_threads";
import type { ChainHardfork } from "../chain/hardfork.ts";
import type { BlockEnv } from "../evm/env.ts";
import type { TraceLimits } from "../trace/limits.ts";
import type { JsonRpcErrorObject } from "../rpc/errors.ts";

/** How the worker makes its backend: by name, with the node's module cache folder. */
export interface BackendSpec {
  name: string;
  cacheDir?: string;
  /** The module disk cache's size cap (default DEFAULT_MODULE_CACHE_BYTES). */
  cacheMaxBytes?: number;
}

export interface WorkerSetup {
  type: "setup";
  backend: BackendSpec;
  channel: SharedArrayBuffer;
  /** How large debug_traceCall's answers may grow (the node's --trace-max-*). */
  traceLimits?: TraceLimits;
  /** A channel to the node's compiler thread (WasmSetup.compiler), when the node's backend has one. */
  compiler?: MessagePort;
}

/** The block a job runs at, resolved by the node (its state is read through the channel under `stateKey`). */
export interface JobBlock {
  stateKey: string;
  pending: boolean;
  /** The block environment without its blockHash function (block hashes are read through the channel). */
  env: Omit<BlockEnv, "blockHash">;
  hardfork: ChainHardfork;
}

export interface Job {
  type: "job";
  id: number;
  method: string;
  params: unknown[];
  block: JobBlock;
  /** The time limit (ms), and when it ends (Date.now() time: the request's start plus the limit). */
  timeoutMs: number;
  deadline: number;
}

export type WorkerMessage =
  /** A job's answer, and how long it ran in the worker (ms). */
  | { type: "done"; id: number; result?: unknown; error?: JsonRpcErrorObject; ms: number }
  /** A read is waiting in the channel. */
  | { type: "read" }
  /** The channel was too small for an answer: this larger one replaces it (then the read is asked again). */
  | { type: "channel"; channel: SharedArrayBuffer };

/** A state read; addresses, slots and numbers as hex. */
export type StateRead =
  | { op: "account"; key: string; address: string }
  | { op: "storage"; key: string; address: string; slot: string }
  | { op: "hasStorage"; key: string; address: string }
  | { op: "blockHash"; number: string };

export interface AccountReply {
  exists: boolean;
  nonce?: string;
  balance?: string;
  code?: string;
}

/** Channel layout: int32 [0] state, [1] length of the message in bytes, then the message (UTF-8 JSON). */
export const CHANNEL_HEADER = 8;
export const CHANNEL_IDLE = 0;
export const CHANNEL_READ = 1;
export const CHANNEL_ANSWERED = 2;
/** The answer did not fit: [1] holds the size needed. */
export const CHANNEL_TOO_SMALL = 3;
export const INITIAL_CHANNEL_BYTES = 1 << 20;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Writes `value` as JSON into the channel; false when it does not fit (the size needed is in slot 1). */
export function writeMessage(channel: SharedArrayBuffer, value: unknown): boolean {
  const bytes = encoder.encode(JSON.stringify(value));
  const header = new Int32Array(channel, 0, 2);
  if (bytes.length > channel.byteLength - CHANNEL_HEADER) {
    header[1] = bytes.length;
    return false;
  }
  new Uint8Array(channel, CHANNEL_HEADER, bytes.length).set(bytes);
  header[1] = bytes.length;
  return true;
}

export function readMessage<T>(channel: SharedArrayBuffer): T {
  const length = new Int32Array(channel, 0, 2)[1];
  // TextDecoder does not read shared memory: a copy first.
  return JSON.parse(decoder.decode(new Uint8Array(channel, CHANNEL_HEADER, length).slice())) as T;
}
