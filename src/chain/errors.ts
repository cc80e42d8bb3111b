/**
 * Errors of the dev chain. Each carries the JSON-RPC error code that
 * clients expect for it (anvil's and geth's), so the RPC layer need not
 * know every kind.
 */
import { BaseError, type BaseErrorOptions } from "../errors/base.ts";

export class ChainError extends BaseError {
  override name = "ChainError";
  readonly data?: unknown;
  constructor(readonly rpcCode: number, shortMessage: string, options: BaseErrorOptions & { data?: unknown } = {}) {
    super(shortMessage, options);
    this.data = options.data;
  }
}

/** The pool refused a transaction (anvil answers -32003). */
export class TransactionRejectedError extends ChainError {
  override name = "TransactionRejectedError";
  constructor(message: string, options: BaseErrorOptions = {}) {
    super(-32003, message, options);
  }
}

export class UnknownBlockError extends ChainError {
  override name = "UnknownBlockError";
  constructor(what: string) {
    super(-32001, "unknown block", { details: what });
  }
}

export class StateUnavailableError extends ChainError {
  override name = "StateUnavailableError";
  constructor(blockNumber: bigint) {
    super(-32000, `state of block ${blockNumber} is not available`);
  }
}

/** Bad input that passed the parameter checks but makes no sense for the chain (-32602). */
export class ChainInputError extends ChainError {
  override name = "ChainInputError";
  constructor(message: string, options: BaseErrorOptions = {}) {
    super(-32602, message, options);
  }
}

export class SnapshotNotFoundError extends ChainError {
  override name = "SnapshotNotFoundError";
  constructor(id: bigint) {
    super(-32602, `snapshot 0x${id.toString(16)} not found`);
  }
}

/** A call's execution failed in a way that is not a revert (out of gas, invalid opcode, ...). */
export class ExecutionHaltedError extends ChainError {
  override name = "ExecutionHaltedError";
  constructor(message: string) {
    super(-32000, message);
  }
}

/** The EVM reverted: code 3 with the revert data, as geth and anvil answer. */
export class ExecutionRevertedError extends ChainError {
  override name = "ExecutionRevertedError";
  constructor(readonly output: Uint8Array, reason: string | undefined) {
    super(3, reason === undefined ? "execution reverted" : `execution reverted: ${reason}`);
  }
}
