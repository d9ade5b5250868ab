// The request path of a chain without `around` hooks: onRequest hooks in order, the terminal, onResponse hooks in
// reverse. Synchronous hooks cost no promise: only the terminal's answer, and a hook that returns a promise, are
// waited for, each with one `.then` (an async function per exchange allocates about twice as much).
import type { ErrorReporter, Terminal } from '../chain.js';
import type { InterceptorContext } from '../context.js';
import type { InterceptorError } from '../errors.js';
import type { Interceptor } from '../interceptor.js';
import type { JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';
import { copyResponse } from './copy-frame.js';

/**
 * An interceptor's place in the order, with its hooks read once at `createChain`: every step then has one shape,
 * where reading hooks off interceptors of many shapes misses the inline caches on every frame.
 */
export interface Step {
  readonly index: number;
  readonly interceptor: Interceptor;
  readonly onRequest: Interceptor['onRequest'];
  readonly onResponse: Interceptor['onResponse'];
}

/** Turns a failure into the error the exchange answers with, telling every `onError` observer. */
export type Raise = (cause: unknown, owner: Interceptor | undefined, ctx: InterceptorContext, active: boolean[] | undefined, report: ErrorReporter | undefined) => InterceptorError;

export type LinearRun = (request: JsonRpcRequest, ctx: InterceptorContext, terminal: Terminal, active: boolean[] | undefined, report: ErrorReporter | undefined) => Promise<JsonRpcResponse>;

/** What one exchange carries from step to step. */
interface Exchange {
  readonly request: JsonRpcRequest;
  readonly ctx: InterceptorContext;
  readonly terminal: Terminal;
  /** Which steps run (by interceptor index); undefined means all. */
  readonly active: boolean[] | undefined;
  readonly report: ErrorReporter | undefined;
}

type Awaitable<T> = T | Promise<T>;

/** Runs `steps` (the request steps of a chain, in request order) with the semantics of the chain's general path. */
export function linearRunner(steps: readonly Step[], raise: Raise): LinearRun {
  const fail = (x: Exchange, cause: unknown, owner: Interceptor | undefined): JsonRpcResponse => raise(cause, owner, x.ctx, x.active, x.report).toResponse(x.request.id);

  /** onRequest hooks from `from` on; then the terminal, unless a hook answered. Resolves with the final response. */
  function requestPhase(x: Exchange, from: number): Awaitable<JsonRpcResponse> {
    for (let p = from; p < steps.length; p++) {
      const step = steps[p] as Step;
      if (x.active !== undefined && !x.active[step.index]) continue;
      const onRequest = step.onRequest;
      if (onRequest === undefined) continue;
      let early: unknown;
      try {
        early = onRequest.call(step.interceptor, x.request, x.ctx);
        if (isThenable(early)) {
          return Promise.resolve(early).then(
            (value) => afterRequestHook(x, p, value),
            (cause: unknown) => responsePhase(x, fail(x, cause, step.interceptor), p - 1),
          );
        }
      } catch (cause) {
        return responsePhase(x, fail(x, cause, step.interceptor), p - 1);
      }
      if (early !== undefined && early !== null) return answeredBy(x, p, early);
    }
    let pending: Promise<JsonRpcResponse>;
    try {
      pending = Promise.resolve(x.terminal(x.request, x.ctx, undefined));
    } catch (cause) {
      return responsePhase(x, fail(x, cause, undefined), steps.length - 1);
    }
    return pending.then(
      (response) => responsePhase(x, response, steps.length - 1),
      (cause: unknown) => responsePhase(x, fail(x, cause, undefined), steps.length - 1),
    );
  }

  function afterRequestHook(x: Exchange, p: number, value: unknown): Awaitable<JsonRpcResponse> {
    return value === undefined || value === null ? requestPhase(x, p + 1) : answeredBy(x, p, value);
  }

  /** Step `p` answered: only the interceptors before it see the response. */
  function answeredBy(x: Exchange, p: number, value: unknown): Awaitable<JsonRpcResponse> {
    const step = steps[p] as Step;
    let response: JsonRpcResponse;
    try {
      // A copy: outer hooks may mutate it, and the object may be one the interceptor keeps (a cache entry).
      response = copyResponse(asResponse(value, x.request, step.interceptor));
    } catch (cause) {
      response = fail(x, cause, step.interceptor);
    }
    return responsePhase(x, response, p - 1);
  }

  /** onResponse hooks from `from` down to the first; a failing hook's error replaces the response. */
  function responsePhase(x: Exchange, answer: JsonRpcResponse, from: number): Awaitable<JsonRpcResponse> {
    let response = answer;
    for (let p = from; p >= 0; p--) {
      const step = steps[p] as Step;
      if (x.active !== undefined && !x.active[step.index]) continue;
      const onResponse = step.onResponse;
      if (onResponse === undefined) continue;
      try {
        const pending = onResponse.call(step.interceptor, response, x.ctx);
        if (isThenable(pending)) {
          const current = response;
          return Promise.resolve(pending).then(
            () => responsePhase(x, current, p - 1),
            (cause: unknown) => responsePhase(x, fail(x, cause, step.interceptor), p - 1),
          );
        }
      } catch (cause) {
        response = fail(x, cause, step.interceptor);
      }
    }
    return response;
  }

  return (request, ctx, terminal, active, report) => {
    const result = requestPhase({ request, ctx, terminal, active, report }, 0);
    return isThenable(result) ? result : Promise.resolve(result);
  };
}

export function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/** A hook's answer must be a response for this request; the id is always the request's own. */
export function asResponse(value: unknown, request: JsonRpcRequest, interceptor: Interceptor): JsonRpcResponse {
  const frame = value as Partial<JsonRpcResponse> | null;
  if (typeof frame !== 'object' || frame === null || (!('result' in frame) && !('error' in frame))) {
    throw new TypeError(`interceptor "${interceptor.name}" answered ${request.method} with something that is not a JSON-RPC response`);
  }
  if (frame.jsonrpc === '2.0' && frame.id === request.id) return frame as JsonRpcResponse;
  return { ...(frame as JsonRpcResponse), jsonrpc: '2.0', id: request.id };
}
