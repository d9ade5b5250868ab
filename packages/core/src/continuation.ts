// An `around` written with callbacks instead of promises. A chain calls it directly: wrapping what lies below then
// costs no promise and no microtask per exchange (an `around` built on `next()` costs four or five of each). Outside
// a chain (a test calling `interceptor.around(...)`) the same code runs behind the usual promise.
import type { Cancellation } from './cancellation.js';
import type { InterceptorContext } from './context.js';
import type { Interceptor, NextOptions } from './interceptor.js';
import type { JsonRpcRequest, JsonRpcResponse } from './jsonrpc.js';

/** What lies below a continuation-style `around`, and where it answers. `respond` and `fail` may be passed on detached. */
export interface Downstream {
  /**
   * Runs everything below once (their hooks, then the transport); `onResponse` receives the response, at most once
   * (failures below arrive as error responses). With `replays: true` it may be called again once the previous call
   * settled, and each call sends a fresh copy of the request as the `around` received it.
   */
  next(options: NextOptions | undefined, onResponse: (response: JsonRpcResponse) => void): void;
  /**
   * Runs everything below once and answers the exchange with its response, after `observe` (if given) has seen it:
   * `next(options, respond)` without a callback that must answer. For a body that only wraps, or cleans up after
   * the call below (a timer to clear, a slot to release). If `observe` throws, the exchange answers with that
   * failure instead. If the body already answered, the response is dropped as with `respond`. A body that cancels
   * the call below and then answers itself (a timeout) wants `next`: cancelling may make the call below answer at
   * once, before the body's own answer, and `pass` would answer with that.
   */
  pass(options?: NextOptions, observe?: (response: JsonRpcResponse) => void): void;
  /** Answers the exchange here (the hooks above see it); later answers are ignored. */
  respond(response: JsonRpcResponse): void;
  /** Answers with an error: an `InterceptorError` as it is, anything else as -32603. Later answers are ignored. */
  fail(cause: unknown): void;
}

/** The body of a continuation-style `around`; anything it throws before answering becomes the answer. */
export type ContinuationAroundBody = (request: JsonRpcRequest, ctx: InterceptorContext, downstream: Downstream, upstream: Cancellation | undefined) => void;

export interface ContinuationAroundOptions {
  /** The body calls `downstream.next` more than once (a retry): each call then gets a pristine copy. @defaultValue false */
  readonly replays?: boolean;
}

type Around = NonNullable<Interceptor['around']>;

/** What a chain reads off an `around` made by `continuationAround`. */
export interface ContinuationAround {
  readonly body: ContinuationAroundBody;
  readonly replays: boolean;
}

const CONTINUATION = Symbol('mcp-interceptors.continuation');

/**
 * Makes an interceptor's `around` from a callback-style body. In a chain the body runs directly (no promise per
 * exchange); called as a plain `around(request, ctx, next)` it runs behind a promise, with the same behaviour.
 *
 * @example
 * const stopwatch: Interceptor = {
 *   name: 'stopwatch',
 *   around: continuationAround((request, ctx, downstream) => {
 *     const started = ctx.clock.now();
 *     downstream.pass(undefined, () => {
 *       ctx.metrics.observe('stopwatch.ms', ctx.clock.now() - started, { method: request.method });
 *     });
 *   }),
 * };
 */
export function continuationAround(body: ContinuationAroundBody, options: ContinuationAroundOptions = {}): Around {
  if (typeof body !== 'function') throw new TypeError('continuationAround: body must be a function');
  const replays = options.replays === true;
  const around: Around = (request, ctx, next, upstream) =>
    new Promise<JsonRpcResponse>((resolve, reject) => {
      // A callback that throws rejects: the failure becomes the answer, as in a chain.
      const below = (nextOptions: NextOptions | undefined, onResponse: (response: JsonRpcResponse) => void): void => {
        next(undefined, nextOptions).then(onResponse).catch(reject);
      };
      const downstream: Downstream = {
        next: below,
        pass: (nextOptions, observe) =>
          below(nextOptions, (response) => {
            observe?.(response);
            resolve(response);
          }),
        respond: resolve,
        fail: reject,
      };
      body(request, ctx, downstream, upstream);
    });
  const marked: ContinuationAround = { body, replays };
  Object.defineProperty(around, CONTINUATION, { value: marked });
  return around;
}

/** The body behind an `around` made by `continuationAround`, if it is one. */
export function continuationOf(around: Interceptor['around']): ContinuationAround | undefined {
  return (around as { [CONTINUATION]?: ContinuationAround } | undefined)?.[CONTINUATION];
}
