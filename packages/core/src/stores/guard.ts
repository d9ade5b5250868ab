// What the per-key guards (rate-limit, circuit-breaker, concurrency) share: which requests they apply to, the keys
// they file a request under by default, and option checks of their own.
import type { Direction, InterceptorContext } from '../context.js';
import { stringList } from '../internal/options.js';
import type { JsonRpcRequest } from '../jsonrpc.js';

/** Computes the key a request is filed under; `undefined` leaves the request unguarded. */
export type KeyFunction = (ctx: InterceptorContext, request: JsonRpcRequest) => string | undefined;

/** Methods the guards leave alone unless told otherwise: the handshake and liveness checks. */
export const DEFAULT_EXEMPT_METHODS: readonly string[] = Object.freeze(['initialize', 'ping']);

/** The tool a `tools/call` request names, or undefined for anything else. */
export function toolName(request: JsonRpcRequest): string | undefined {
  if (request.method !== 'tools/call') return undefined;
  const name = request.params?.['name'];
  return typeof name === 'string' && name.length > 0 ? name : undefined;
}

/** The default key of per-operation guards: the tool name for `tools/call`, the method otherwise. */
export const toolOrMethod: KeyFunction = (_ctx, request) => toolName(request) ?? request.method;

/** The default caller identity: the authenticated client, else the session, else one shared `anonymous` key. */
export const callerKey: KeyFunction = (ctx) => ctx.auth?.clientId ?? ctx.session.sessionId ?? 'anonymous';

/** Checks a `directions` option: a non-empty list of 'inbound' and 'outbound'. */
export function directionsOption(factory: string, value: unknown, fallback: readonly Direction[]): ReadonlySet<Direction> {
  const directions = stringList(`${factory}.directions`, value, fallback);
  if (directions.length === 0 || directions.some((d) => d !== 'inbound' && d !== 'outbound')) {
    throw new TypeError(`${factory}.directions must be a non-empty array of "inbound" and "outbound", got ${JSON.stringify(directions)}`);
  }
  return new Set(directions as Direction[]);
}

/**
 * Builds the "does this guard apply to `method`" test from a `methods` allow-list (undefined: every method) and an
 * `exempt` list, validated as options of `factory`.
 */
export function methodFilter(factory: string, methods: unknown, exempt: unknown): (method: string) => boolean {
  const allowed = methods === undefined ? undefined : new Set(stringList(`${factory}.methods`, methods, []));
  const skipped = new Set(stringList(`${factory}.exempt`, exempt, DEFAULT_EXEMPT_METHODS));
  if (allowed === undefined) return skipped.size === 0 ? () => true : (method) => !skipped.has(method);
  return (method) => allowed.has(method) && !skipped.has(method);
}

/** True for a promise (or any thenable): stores may answer either way. */
export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
