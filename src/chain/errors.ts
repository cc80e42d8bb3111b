/**
 * Errors of the dev chain, one class per kind of failure a client tells
 * apart. They carry no JSON-RPC code: src/rpc/errors.ts assigns each class
 * its code (a plain ChainError is a server error, as geth answers one).
 */
import { BaseError, type BaseErrorOptions } from "../errors/base.ts";

/** The chain cannot do what a request asks, for a reason no subclass names. */
export class ChainError extends BaseError {
  override name = "ChainError";
}

/** The pool refused a transaction. Its message is exact: clients match on it. */
export class TransactionRejectedError extends ChainError {
  override name = "TransactionRejectedError";
}

export class UnknownBlockError extends ChainError {
  override name = "UnknownBlockError";
  constructor(what: string) {
    super("unknown block", { details: what });
  }
}

export class StateUnavailableError extends ChainError {
  override name = "StateUnavailableError";
  constructor(blockNumber: bigint) {
    super(`state of block ${blockNumber} is not available`);
  }
}

/** Bad input that passed the parameter checks but makes no sense for the chain. */
export class ChainInputError extends ChainError {
  override name = "ChainInputError";
}

export class SnapshotNotFoundError extends ChainInputError {
  override name = "SnapshotNotFoundError";
  constructor(id: bigint) {
    super(`snapshot 0x${id.toString(16)} not found`);
  }
}

/** A transaction's gas limit is above what a block allows. */
export class GasLimitTooHighError extends ChainError {
  override name = "GasLimitTooHighError";
}

/** A limit on what one request or one client may hold or produce was reached. */
export class LimitExceededError extends ChainError {
  override name = "LimitExceededError";
}

/** The chain cannot do this for the given input (no storage slot holds the token balance to set, ...). */
export class UnsupportedError extends ChainError {
  override name = "UnsupportedError";
}

/** A call's execution failed in a way that is not a revert (out of gas, invalid opcode, ...). */
export class ExecutionHaltedError extends ChainError {
  override name = "ExecutionHaltedError";
  constructor(readonly reason: string) {
    super(`EVM error ${reason}`);
  }
}

/** The EVM reverted, with its revert data. */
export class ExecutionRevertedError extends ChainError {
  override name = "ExecutionRevertedError";
  constructor(readonly output: Uint8Array, reason: string | undefined) {
    super(reason === undefined ? "execution reverted" : `execution reverted: ${reason}`);
  }
}

/** Why eth_simulateV1 refuses its input, by the names of the execution-apis specification. */
export type SimulationFailure =
  | "NonceTooLow"
  | "NonceTooHigh"
  | "BaseFeeTooLow"
  | "IntrinsicGas"
  | "InsufficientFunds"
  | "BlockGasLimitReached"
  | "BlockNumberInvalid"
  | "BlockTimestampInvalid"
  | "SenderIsNotEoa"
  | "MaxInitCodeSizeExceeded"
  | "ClientLimitExceeded"
  | "InvalidParams"
  | "InternalError";

export class SimulationRejectedError extends ChainError {
  override name = "SimulationRejectedError";
  constructor(readonly failure: SimulationFailure, message: string, options: BaseErrorOptions = {}) {
    super(message, options);
  }
}
