// HTTP-level errors: a status plus a JSON-RPC error body with `id: null` (the id is unknown at this layer).
import { ErrorCode, errorResponse, InterceptorError, type ErrorData, type JsonRpcErrorResponse } from '@mcp-interceptors/core';

/**
 * Thrown by an HTTP interceptor (or the body reader) to answer the request with `status` and a JSON-RPC error body.
 * The chain adds `data.interceptor`.
 *
 * @example throw new HttpError(403, ErrorCode.AccessDenied, 'Forbidden', { reason: 'FORBIDDEN_HOST' });
 */
export class HttpError extends InterceptorError {
  constructor(
    readonly status: number,
    code: number,
    message: string,
    data: ErrorData,
    /** Extra response headers, e.g. `WWW-Authenticate` or `Retry-After`. */
    readonly headers: Readonly<Record<string, string>> = {},
    options?: ErrorOptions,
  ) {
    super(code, message, data, options);
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new RangeError(`HttpError: status must be an HTTP error status (400-599), got ${String(status)}`);
  }

  /** The same error naming `interceptor` (unless it already names one). */
  withInterceptor(interceptor: string): HttpError {
    if (this.data.interceptor !== undefined) return this;
    return new HttpError(this.status, this.code, this.message, { ...this.data, interceptor }, this.headers, { cause: this.cause });
  }
}

export function isHttpError(value: unknown): value is HttpError {
  return value instanceof InterceptorError && typeof (value as Partial<HttpError>).status === 'number' && typeof (value as Partial<HttpError>).withInterceptor === 'function';
}

/** A JSON-RPC error body for an HTTP response: `{ jsonrpc: '2.0', id: null, error: { code, message, data? } }`. */
export function jsonRpcErrorBody(code: number, message: string, data?: ErrorData): JsonRpcErrorResponse {
  return errorResponse(null, code, message, data);
}

/** The 500 every unexpected failure becomes: a generic message, the cause kept for the error reporter. */
export function internalError(interceptor: string, cause: unknown): HttpError {
  return new HttpError(500, ErrorCode.InternalError, 'Internal error', { reason: 'INTERNAL', interceptor }, {}, { cause });
}
