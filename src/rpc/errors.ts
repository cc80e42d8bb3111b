/**
 * JSON-RPC errors and the codes clients expect: -32700 parse error, -32600
 * invalid request, -32601 method not found, -32602 invalid params, -32603
 * internal error, 3 execution reverted, -32000.. server errors. The chain's
 * errors carry no code: each class of them is given its code here.
 */
import {
  ChainError,
  ChainInputError,
  ExecutionHaltedError,
  ExecutionRevertedError,
  type SimulationFailure,
  SimulationRejectedError,
  TransactionRejectedError,
  UnknownBlockError,
  UnsupportedError,
} from "../chain/errors.ts";
import { TimestampError } from "../chain/block_clock.ts";
import { BaseError, type BaseErrorOptions } from "../errors/base.ts";
import { bytesToHex, HexError } from "../primitives/hex.ts";
import { InvalidSignatureError, TransactionDecodeError } from "../tx/codec.ts";
import { UpstreamError } from "../fork/errors.ts";
import { ExecutionInterrupted } from "../evm/interrupt.ts";

export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  ExecutionReverted: 3,
  ServerError: -32000,
  ResourceNotFound: -32001,
  TransactionRejected: -32003,
  ClientLimitExceeded: -38026,
} as const;

/** Error codes of eth_simulateV1 (execution-apis), and -32015 for a call that halted. */
export const SimulationErrorCode: Record<SimulationFailure | "VmError", number> = {
  NonceTooLow: -38010,
  NonceTooHigh: -38011,
  BaseFeeTooLow: -38012,
  IntrinsicGas: -38013,
  InsufficientFunds: -38014,
  BlockGasLimitReached: -38015,
  BlockNumberInvalid: -38020,
  BlockTimestampInvalid: -38021,
  SenderIsNotEoa: -38024,
  MaxInitCodeSizeExceeded: -38025,
  ClientLimitExceeded: ErrorCode.ClientLimitExceeded,
  InvalidParams: ErrorCode.InvalidParams,
  InternalError: ErrorCode.InternalError,
  VmError: -32015,
};

export class RpcError extends BaseError {
  override name = "RpcError";
  readonly code: number;
  readonly data?: unknown;
  constructor(code: number, shortMessage: string, options: BaseErrorOptions & { data?: unknown } = {}) {
    super(shortMessage, options);
    this.code = code;
    this.data = options.data;
  }
}

export class ParseError extends RpcError {
  override name = "ParseError";
  constructor(details: string) {
    super(ErrorCode.ParseError, `Parse error: ${details}`);
  }
}

export class InvalidRequestError extends RpcError {
  override name = "InvalidRequestError";
  constructor(message: string) {
    super(ErrorCode.InvalidRequest, `Invalid request: ${message}`);
  }
}

export class MethodNotFoundError extends RpcError {
  override name = "MethodNotFoundError";
  constructor(method: string) {
    super(
      ErrorCode.MethodNotFound,
      `Method not found: the method ${
        JSON.stringify(method.length > 100 ? method.slice(0, 100) + "…" : method)
      } does not exist / is not available`,
    );
  }
}

export class InvalidParamsError extends RpcError {
  override name = "InvalidParamsError";
  constructor(message: string) {
    super(ErrorCode.InvalidParams, message);
  }
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** Maps anything a method threw to the error object the client gets. */
export function toErrorObject(e: unknown): JsonRpcErrorObject {
  if (e instanceof RpcError) return withData({ code: e.code, message: e.shortMessage }, e.data);
  if (e instanceof ExecutionRevertedError) {
    return { code: ErrorCode.ExecutionReverted, message: e.shortMessage, data: bytesToHex(e.output) };
  }
  if (e instanceof ChainError) return { code: chainErrorCode(e), message: withDetails(e) };
  if (e instanceof TransactionDecodeError) {
    return { code: ErrorCode.InvalidParams, message: `Failed to decode transaction: ${e.details}` };
  }
  if (e instanceof InvalidSignatureError) {
    return { code: ErrorCode.InvalidParams, message: `${e.shortMessage}: ${e.details}` };
  }
  if (e instanceof UpstreamError) {
    return { code: ErrorCode.ServerError, message: e.shortMessage + (e.details ? ` (${e.details})` : "") };
  }
  if (e instanceof ExecutionInterrupted) return { code: ErrorCode.ServerError, message: e.shortMessage };
  if (e instanceof TimestampError || e instanceof HexError) {
    return { code: ErrorCode.InvalidParams, message: e.message };
  }
  if (e instanceof BaseError) {
    return { code: ErrorCode.InternalError, message: e.shortMessage + (e.details ? `: ${e.details}` : "") };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: ErrorCode.InternalError, message: `Internal error: ${message}` };
}

/** A simulated call's failure, as eth_simulateV1 reports it in the call's result. */
export function simulatedCallError(e: ExecutionRevertedError | ExecutionHaltedError): JsonRpcErrorObject {
  if (e instanceof ExecutionRevertedError) return toErrorObject(e);
  return { code: SimulationErrorCode.VmError, message: e.reason };
}

/** The code of each class of chain error, as anvil and geth answer it. */
export function chainErrorCode(e: ChainError): number {
  if (e instanceof ExecutionRevertedError) return ErrorCode.ExecutionReverted;
  if (e instanceof TransactionRejectedError) return ErrorCode.TransactionRejected;
  if (e instanceof UnknownBlockError) return ErrorCode.ResourceNotFound;
  if (e instanceof ChainInputError) return ErrorCode.InvalidParams;
  if (e instanceof ExecutionHaltedError || e instanceof UnsupportedError) return ErrorCode.InternalError;
  if (e instanceof SimulationRejectedError) return SimulationErrorCode[e.failure];
  // The rest (limits, unavailable state, a gas limit above the block's, ...) are plain errors to geth and anvil.
  return ErrorCode.ServerError;
}

function withDetails(e: ChainError): string {
  // Messages clients match on stay exact for the pool's rejections; the rest gain their details.
  return e instanceof TransactionRejectedError || !e.details ? e.shortMessage : `${e.shortMessage}: ${e.details}`;
}

function withData(o: JsonRpcErrorObject, data: unknown): JsonRpcErrorObject {
  if (data !== undefined) o.data = data;
  return o;
}
