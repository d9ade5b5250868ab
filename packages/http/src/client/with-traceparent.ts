// withTraceparent: fetch middleware propagating W3C trace context (`traceparent`, `tracestate`) on every request.
import type { Middleware } from '@modelcontextprotocol/sdk/client/middleware.js';
import { randomBytes } from 'node:crypto';
import { boolean, fn } from '../internal/options.js';

export interface TraceparentOptions {
  /** The `traceparent` to send (e.g. from your tracer's active span); undefined sends none. @defaultValue a new trace per request, sampled */
  readonly traceparent?: () => string | undefined;
  /** The `tracestate` to send with it. @defaultValue none */
  readonly tracestate?: () => string | undefined;
  /** Replace a `traceparent` the request already carries. @defaultValue false */
  readonly override?: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** A W3C `traceparent` for a new, sampled trace. */
export function newTraceparent(): string {
  const bytes = randomBytes(24).toString('hex');
  return `00-${bytes.slice(0, 32)}-${bytes.slice(32)}-01`;
}

/** True for a well-formed W3C `traceparent` (version not `ff`, ids not all zero). */
export function isValidTraceparent(value: string): boolean {
  const match = TRACEPARENT.exec(value);
  return match !== null && match[1] !== 'ff' && !/^0+$/.test(match[2] as string) && !/^0+$/.test(match[3] as string);
}

/**
 * Adds `traceparent` (and `tracestate`) to every request, so the server's logs and spans join the caller's trace.
 * A malformed value from the provider is not sent.
 *
 * @example withTraceparent({ traceparent: () => currentSpanTraceparent() })
 */
export function withTraceparent(options: TraceparentOptions = {}): Middleware {
  const traceparent = fn<() => string | undefined>('withTraceparent.traceparent', options.traceparent) ?? newTraceparent;
  const tracestate = fn<() => string | undefined>('withTraceparent.tracestate', options.tracestate);
  const override = boolean('withTraceparent.override', options.override, false);
  return (next) => (url, init) => {
    const headers = new Headers(init?.headers);
    if (!override && headers.has('traceparent')) return next(url, init);
    const parent = traceparent();
    if (parent === undefined || !isValidTraceparent(parent)) return next(url, init);
    headers.set('traceparent', parent);
    const state = tracestate?.();
    if (state !== undefined && state.length > 0 && state.length <= 512) headers.set('tracestate', state);
    return next(url, { ...init, headers });
  };
}
