// The interceptor contract: a priority, a per-exchange predicate, and hooks on raw JSON-RPC frames.
import type { Cancellation } from './cancellation.js';
import type { InterceptorContext } from './context.js';
import type { InterceptorError } from './errors.js';
import type { JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from './jsonrpc.js';

/** Requests pass interceptors from Critical to Lowest; responses come back in the reverse order. */
export enum Priority {
  Critical = 0,
  High = 1,
  Normal = 2,
  Low = 3,
  Lowest = 4,
}

export type Awaitable<T> = T | Promise<T>;

/** Returned by `onNotification` to drop the notification: later interceptors and the receiver never see it. */
export const DROP: unique symbol = Symbol.for('mcp-interceptors.drop');

export interface NextOptions {
  /** Aborting it abandons this downstream call: the far side is cancelled and a late response is dropped. */
  readonly signal?: AbortSignal;
  /**
   * The same as `signal`, lighter: a `Cancellation` (see `createCancellation()`) costs no AbortController.
   * Either, or both, may be given.
   */
  readonly cancel?: Cancellation;
}

/**
 * Runs everything below the calling interceptor (their hooks and then the transport) and resolves with the
 * response. Never rejects: failures below arrive as JSON-RPC error responses. May be called again (retry) once the
 * previous call settled or was abandoned; each call sends a fresh copy of the request as it was when `around`
 * received it. A call made while another is in flight resolves with -32603 (`data.reason: "CONCURRENT_ATTEMPT"`):
 * both would carry the same JSON-RPC id.
 */
export type Next = (request?: JsonRpcRequest, options?: NextOptions) => Promise<JsonRpcResponse>;

export interface Interceptor {
  /** Kebab-case; appears in logs, spans and `error.data.interceptor`. */
  readonly name: string;
  /** @defaultValue Priority.Normal */
  readonly priority?: Priority;
  /** Decided once per exchange, before any hook. An interceptor that says no is skipped in both directions. */
  shouldExecute?(ctx: InterceptorContext): boolean;
  /** Sees (and may mutate) the request. Returning a response answers it without sending it on. */
  onRequest?(request: JsonRpcRequest, ctx: InterceptorContext): Awaitable<void | JsonRpcResponse>;
  /**
   * Wraps everything below this interceptor: call `next()` to go on, call it again to replay, or answer without
   * calling it. Runs after this interceptor's `onRequest` and before its `onResponse`. `upstream` is what the outer
   * `around`s passed to their `next` (a `signal` or a `cancel`, e.g. a per-attempt deadline), as one `Cancellation`,
   * if any: stop waiting when it aborts.
   */
  around?(request: JsonRpcRequest, ctx: InterceptorContext, next: Next, upstream?: Cancellation): Promise<JsonRpcResponse>;
  /** Sees (and may mutate) the response on its way back, including error responses made by the chain. */
  onResponse?(response: JsonRpcResponse, ctx: InterceptorContext): Awaitable<void>;
  /** Sees (and may mutate) a notification; return `DROP` to stop it. */
  onNotification?(notification: JsonRpcNotification, ctx: InterceptorContext): Awaitable<void | typeof DROP>;
  /** Observes an error raised by a hook of this chain for this exchange. Never changes the outcome. */
  onError?(error: InterceptorError, ctx: InterceptorContext): void;
}
