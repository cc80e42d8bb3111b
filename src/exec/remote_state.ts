/**
 * Inside an execution worker: the node's state, read through the shared channel (one synchronous round trip
 * a read) and kept for the jobs that follow at the same state.
 */
import { parentPort } from "node:worker_threads";
import { Account } from "../state/account.ts";
import { type StateSource, WorldState } from "../state/world.ts";
import { bytesToBigInt, hexToBytes } from "../primitives/hex.ts";
import {
  type AccountReply,
  CHANNEL_ANSWERED,
  CHANNEL_IDLE,
  CHANNEL_READ,
  CHANNEL_TOO_SMALL,
  readMessage,
  type StateRead,
  writeMessage,
} from "./protocol.ts";

/** How long a read waits for the node before the job fails (the node answers between requests). */
const READ_TIMEOUT_MS = 60_000;

export class StateChannel {
  constructor(private buffer: SharedArrayBuffer) {}

  read<T>(request: StateRead): T {
    for (;;) {
      const state = new Int32Array(this.buffer, 0, 2);
      if (!writeMessage(this.buffer, request)) throw new Error("state read too large for the channel");
      Atomics.store(state, 0, CHANNEL_READ);
      parentPort!.postMessage({ type: "read" });
      if (Atomics.wait(state, 0, CHANNEL_READ, READ_TIMEOUT_MS) === "timed-out") {
        throw new Error(`the node did not answer a state read within ${READ_TIMEOUT_MS} ms`);
      }
      const outcome = Atomics.load(state, 0);
      if (outcome === CHANNEL_ANSWERED) {
        const reply = readMessage<{ ok: T } | { error: string }>(this.buffer);
        Atomics.store(state, 0, CHANNEL_IDLE);
        if ("error" in reply) throw new Error(`state read failed: ${reply.error}`);
        return reply.ok;
      }
      if (outcome !== CHANNEL_TOO_SMALL) throw new Error(`state channel in an unexpected state ${outcome}`);
      // A larger channel for this answer and the ones after: the node takes it before the read asked again.
      const next = new SharedArrayBuffer(Math.max(state[1] + 64, this.buffer.byteLength * 2));
      parentPort!.postMessage({ type: "channel", channel: next });
      this.buffer = next;
    }
  }
}

/** Accounts and slots of the node's state `key`, read when first asked for. */
export class RemoteStateSource implements StateSource {
  constructor(private readonly channel: StateChannel, readonly key: string, private readonly codes: CodeCache) {}

  loadAccount(address: bigint): Account | undefined {
    const r = this.channel.read<AccountReply>({ op: "account", key: this.key, address: hex(address) });
    if (!r.exists) return undefined;
    const acc = new Account(BigInt(r.nonce!), BigInt(r.balance!), this.codes.get(r.code!));
    acc.storageComplete = false;
    return acc;
  }

  loadStorage(address: bigint, slot: bigint): bigint {
    return BigInt(this.channel.read<string>({ op: "storage", key: this.key, address: hex(address), slot: hex(slot) }));
  }

  hasStorage(address: bigint): boolean {
    return this.channel.read<boolean>({ op: "hasStorage", key: this.key, address: hex(address) });
  }
}

/**
 * Code arrays by their hex, so that the same code read again (at another state, or by another job) is the
 * same array: the backends keep their analysis and compiled modules per code array.
 */
export class CodeCache {
  private readonly byHex = new Map<string, Uint8Array>();

  get(hex: string): Uint8Array {
    let code = this.byHex.get(hex);
    if (code === undefined) {
      if (this.byHex.size >= 4096) this.byHex.delete(this.byHex.keys().next().value!);
      this.byHex.set(hex, code = hexToBytes(hex));
    }
    return code;
  }
}

/** The state a job runs on: one world over the node's state `key`, kept while jobs keep asking for it. */
export class RemoteStates {
  private current: { key: string; world: WorldState } | undefined;
  private readonly codes = new CodeCache();

  constructor(private readonly channel: StateChannel) {}

  at(key: string): WorldState {
    if (this.current?.key !== key) {
      this.current = { key, world: new WorldState(new RemoteStateSource(this.channel, key, this.codes)) };
    }
    return this.current.world;
  }

  blockHash(number: bigint): bigint {
    return bytesToBigInt(hexToBytes(this.channel.read<string>({ op: "blockHash", number: hex(number) })));
  }
}

const hex = (v: bigint) => "0x" + v.toString(16);
