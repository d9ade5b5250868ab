// withHeaders: fetch middleware setting headers on every request, from a fixed map or an async provider.
import type { Middleware } from '@modelcontextprotocol/sdk/client/middleware.js';
import type { Awaitable } from '../http-interceptor.js';
import { isPlainObject, show } from '../internal/options.js';

export interface OutgoingRequest {
  readonly url: URL;
  /** Upper-case. */
  readonly method: string;
}

/** Headers to set: a fixed map, or a function asked before every request (e.g. for a refreshed bearer token). */
export type HeaderSource = Readonly<Record<string, string>> | ((request: OutgoingRequest) => Awaitable<Readonly<Record<string, string>> | Headers>);

/**
 * Sets headers on every request the SDK's Streamable HTTP client makes (POST, the SSE GET, DELETE), replacing
 * values of the same name. A provider is awaited per request, so a token refreshed meanwhile is picked up; if it
 * throws, the request fails with that error.
 *
 * @example
 * new StreamableHTTPClientTransport(url, { fetch: applyMiddlewares(withHeaders(async () => ({ authorization: `Bearer ${await tokens.current()}` })))(fetch) });
 */
export function withHeaders(source: HeaderSource): Middleware {
  if (typeof source !== 'function' && !isPlainObject(source)) throw new TypeError(`withHeaders: source must be a header map or a function, got ${show(source)}`);
  const fixed = typeof source === 'function' ? undefined : new Headers(source as Record<string, string>);
  return (next) => async (url, init) => {
    const values = fixed ?? new Headers((await (source as Exclude<HeaderSource, Readonly<Record<string, string>>>)({ url: new URL(url), method: (init?.method ?? 'GET').toUpperCase() })) as Record<string, string>);
    const headers = new Headers(init?.headers);
    values.forEach((value, name) => headers.set(name, value));
    return next(url, { ...init, headers });
  };
}
