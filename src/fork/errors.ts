import { BaseError } from "../errors/base.ts";
import { hexAddress } from "../primitives/hex.ts";

/** The upstream node failed, timed out, or answered with an error or garbage. */
export class UpstreamError extends BaseError {
  override name = "UpstreamError";
  constructor(
    message: string,
    readonly upstreamCode?: number,
    options: {
      details?: string;
      cause?: unknown;
      rpcError?: { code?: number; message: string; data?: unknown };
      transport?: boolean;
    } = {},
  ) {
    super(message, options);
    this.rpcError = options.rpcError;
    this.transport = options.transport ?? false;
  }
  /** The upstream's own JSON-RPC error object, when it answered with one. */
  readonly rpcError?: { code?: number; message: string; data?: unknown };
  /** The upstream could not be reached or answered (timeout, connection, HTTP error, garbage), after every retry. */
  readonly transport: boolean;
}

export type StateKey =
  | { kind: "account"; address: bigint }
  | { kind: "storage"; address: bigint; slot: bigint }
  | { kind: "blockHash"; number: bigint };

/**
 * Thrown from inside execution when a key is not cached yet. The caller
 * undoes the run, fetches the key (with everything else it can guess) and runs again.
 */
export class StateMissError extends Error {
  override name = "StateMissError";
  constructor(readonly key: StateKey) {
    super(`state not cached: ${describeKey(key)}`);
  }
}

export function describeKey(key: StateKey): string {
  switch (key.kind) {
    case "account":
      return `account ${hexAddress(key.address)}`;
    case "storage":
      return `storage ${hexAddress(key.address)}[0x${key.slot.toString(16)}]`;
    case "blockHash":
      return `block hash ${key.number}`;
  }
}
