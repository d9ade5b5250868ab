// Errors as JSON-RPC error objects: stable codes, a stable `data.reason`, and one way to turn anything thrown into one.
import { createJSONRPCErrorResponse, JSONRPCErrorCode } from 'json-rpc-2.0';
import type { JsonRpcErrorResponse, JsonRpcId } from './jsonrpc.js';
import { enterStackless, leaveStackless } from './internal/stackless.js';

/**
 * Codes we put on the wire. Append-only: never renumbered, never reused. Standard JSON-RPC codes are used only
 * where the meaning matches exactly; our own sit outside -32768..-32000 (MCP reserves -32000..-32099).
 */
export const ErrorCode = {
  InvalidRequest: JSONRPCErrorCode.InvalidRequest,
  MethodNotFound: JSONRPCErrorCode.MethodNotFound,
  InvalidParams: JSONRPCErrorCode.InvalidParams,
  InternalError: JSONRPCErrorCode.InternalError,
  /** The SDK's own code for a closed connection. */
  ConnectionClosed: -32000,
  RateLimited: -31001,
  CircuitOpen: -31002,
  ConcurrencyLimited: -31003,
  Timeout: -31004,
  AccessDenied: -31005,
  PayloadTooLarge: -31006,
  Unauthenticated: -31007,
  BlockedContent: -31008,
  Cancelled: -31009,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** `data` of every error we create. `reason` is SCREAMING_SNAKE and stable: match on it, never on the message. */
export interface ErrorData {
  readonly reason: string;
  readonly interceptor?: string;
  readonly retryAfterMs?: number;
  readonly [key: string]: unknown;
}

/**
 * The error an interceptor throws to answer a request with a JSON-RPC error.
 *
 * @example throw new InterceptorError(ErrorCode.RateLimited, 'Rate limit exceeded', { reason: 'RATE_LIMITED', retryAfterMs: 250 })
 */
export class InterceptorError extends Error {
  override readonly name = 'InterceptorError';
  /** Brand, so the check works across duplicate copies of this package. */
  readonly isInterceptorError = true;

  constructor(
    readonly code: number,
    message: string,
    readonly data: ErrorData,
    options?: ErrorOptions,
  ) {
    // A rejection is an answer, not a bug: capturing a stack per refused request is the costliest part of refusing
    // a flood, so none is captured (a wrapped crash keeps its own stack in `cause`).
    const stackless = enterStackless();
    super(message, options);
    if (stackless) leaveStackless();
  }

  /** The one way to turn anything thrown into an InterceptorError. The detail stays in `cause`, never on the wire. */
  static from(cause: unknown, interceptor?: string): InterceptorError {
    if (isInterceptorError(cause)) {
      if (interceptor === undefined || cause.data.interceptor !== undefined) return cause;
      // Name the interceptor on the thrown error itself: a second Error (and its stack) per rejection is costly
      // when a limiter refuses a flood.
      (cause as { data: ErrorData }).data = { ...cause.data, interceptor };
      return cause;
    }
    const data: ErrorData = interceptor === undefined ? { reason: 'INTERNAL' } : { reason: 'INTERNAL', interceptor };
    return new InterceptorError(ErrorCode.InternalError, 'Internal error', data, { cause });
  }

  /** The error as a response frame for `id`. */
  toResponse(id: JsonRpcId | null): JsonRpcErrorResponse {
    return errorResponse(id, this.code, this.message, this.data);
  }
}

export function isInterceptorError(value: unknown): value is InterceptorError {
  return value instanceof Error && (value as Partial<InterceptorError>).isInterceptorError === true;
}

/** Builds an error response frame (through `json-rpc-2.0`, so the shape is the standard one). */
export function errorResponse(id: JsonRpcId | null, code: number, message: string, data?: unknown): JsonRpcErrorResponse {
  return createJSONRPCErrorResponse(id, code, message, data) as JsonRpcErrorResponse;
}
