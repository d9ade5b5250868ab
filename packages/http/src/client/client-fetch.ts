// createClientFetch: the client-side fetch middleware composed in a sensible order, ready for the SDK transport.
import { applyMiddlewares, type Middleware } from '@modelcontextprotocol/sdk/client/middleware.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { optionsObject } from '../internal/options.js';
import { withHeaders, type HeaderSource } from './with-headers.js';
import { withRedactedLogging, type ClientLoggingOptions } from './with-redacted-logging.js';
import { withRetry, type RetryOptions } from './with-retry.js';
import { withTraceparent, type TraceparentOptions } from './with-traceparent.js';

export interface ClientFetchOptions {
  /** The fetch underneath. @defaultValue globalThis.fetch */
  readonly fetch?: FetchLike;
  /** Headers for every request (static, or an async provider such as a refreshed bearer token). @defaultValue none */
  readonly headers?: HeaderSource;
  /** W3C trace context on every request. @defaultValue true (a new trace per request) */
  readonly traceparent?: TraceparentOptions | boolean;
  /** Redacted request logs. @defaultValue false */
  readonly logging?: ClientLoggingOptions | boolean;
  /** Retry 429/503 honouring Retry-After. @defaultValue true (2 retries) */
  readonly retry?: RetryOptions | boolean;
}

/**
 * A fetch for `StreamableHTTPClientTransport({ fetch })`. Outermost first: retry, headers, traceparent, logging, so
 * each attempt asks the header provider again (a refreshed token) and is logged on its own.
 *
 * @example
 * const transport = new StreamableHTTPClientTransport(url, {
 *   fetch: createClientFetch({ headers: async () => ({ authorization: `Bearer ${await getToken()}` }), logging: true }),
 * });
 */
export function createClientFetch(options: ClientFetchOptions = {}): FetchLike {
  optionsObject('createClientFetch', options);
  const inner: Middleware[] = [];
  if (options.logging !== undefined && options.logging !== false) inner.push(withRedactedLogging(options.logging === true ? {} : options.logging));
  if (options.traceparent !== false) inner.push(withTraceparent(options.traceparent === true || options.traceparent === undefined ? {} : options.traceparent));
  if (options.headers !== undefined) inner.push(withHeaders(options.headers));
  if (options.retry !== false) inner.push(withRetry(options.retry === true || options.retry === undefined ? {} : options.retry));
  const base: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  // applyMiddlewares makes the last one outermost.
  return applyMiddlewares(...inner)(base);
}
