/**
 * JSON-RPC errors and the codes clients expect: -32700 parse error, -32600
 * invalid request, -32601 method not found, -32602 invalid params, -32603
 * internal error, 3 execution reverted, -32000.. server errors.
 */
import { ChainError, ExecutionRevertedError } from "../chain/errors.ts";
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
} as const;

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
    return { code: e.rpcCode, message: e.shortMessage, data: bytesToHex(e.output) };
  }
  if (e instanceof ChainError) return withData({ code: e.rpcCode, message: withDetails(e) }, e.data);
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

function withDetails(e: ChainError): string {
  // Messages clients match on stay exact for the pool's rejections; the rest gain their details.
  return e.rpcCode === -32003 || !e.details ? e.shortMessage : `${e.shortMessage}: ${e.details}`;
}

function withData(o: JsonRpcErrorObject, data: unknown): JsonRpcErrorObject {
  if (data !== undefined) o.data = data;
  return o;
}
