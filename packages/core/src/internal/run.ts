// How a chain runs one request: onRequest hooks in order, the terminal, onResponse hooks in reverse, with `around`
// hooks wrapping what lies below them. Continuations are callbacks, not promises: a synchronous hook costs no
// promise and no microtask, so a chain of synchronous hooks answers in the same tick the terminal does. Promises
// appear only where the API has them: a hook that returns one, and an `around`'s `next()` and its result.
import { anyStop, toCancellation, type Cancellation, type Stop } from '../cancellation.js';
import type { InterceptorContext } from '../context.js';
import type { ContinuationAround, Downstream } from '../continuation.js';
import { InterceptorError } from '../errors.js';
import type { Interceptor, Next, NextOptions } from '../interceptor.js';
import type { JsonRpcId, JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';
import { copyMessage, copyResponse } from './copy-frame.js';
import { Deferred } from './deferred.js';

/**
 * An interceptor's place in the order, with its hooks read once at `createChain`: every step then has one shape,
 * where reading hooks off interceptors of many shapes misses the inline caches on every frame.
 */
export interface Step {
  readonly index: number;
  readonly interceptor: Interceptor;
  readonly onRequest: Interceptor['onRequest'];
  readonly around: Interceptor['around'];
  /** The callback-style body behind `around`, when it was made by `continuationAround` (run without promises). */
  readonly continuation: ContinuationAround | undefined;
  readonly onResponse: Interceptor['onResponse'];
}

/** Turns a failure into the error the exchange answers with, telling every `onError` observer. */
export type Raise = (cause: unknown, owner: Interceptor | undefined, ctx: InterceptorContext, active: boolean[] | undefined, report: ErrorReporter | undefined) => InterceptorError;

/** Receives hook crashes (anything thrown that is not an InterceptorError), with the cause kept in `error.cause`. */
export type ErrorReporter = (error: InterceptorError, ctx: InterceptorContext) => void;

/**
 * Sends one attempt of the request on (to the transport or the handler) and answers it later with
 * `attempt.resume(response)` or `attempt.fail(cause)`, once. `stop` is what the `around`s above passed to `next`.
 */
export type AttemptTerminal = (request: JsonRpcRequest, ctx: InterceptorContext, stop: Stop, attempt: Attempt) => void;

/** Receives the exchange's final response, exactly once. */
export type Done = (response: JsonRpcResponse, ctx: InterceptorContext) => void;

/**
 * The part of an exchange below one `around` (or the whole of it): its request, the stop its `next` carries, and
 * where its responses go. The terminal receives it as the attempt to answer.
 */
export class Attempt {
  /** True once answered; later answers are ignored. */
  settled = false;

  constructor(
    readonly runner: Runner,
    readonly request: JsonRpcRequest,
    /** The exchange's JSON-RPC id: every response, whatever a hook made, carries it. */
    readonly id: JsonRpcId,
    readonly ctx: InterceptorContext,
    readonly terminal: AttemptTerminal,
    /** Which steps run (by interceptor index); undefined means all. */
    readonly active: boolean[] | undefined,
    readonly report: ErrorReporter | undefined,
    readonly stop: Stop,
    /** The step whose `around` made this segment (its onResponse is not ours to run); -1 for the exchange. */
    readonly floor: number,
    /** Where the final response goes: a callback, or the continuation `around` this segment runs below. */
    readonly done: Done | ContinuationCall,
  ) {}

  /** Answers this attempt; false when it was already answered. */
  resume(response: JsonRpcResponse): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.runner.responsePhase(this, response, this.runner.last);
    return true;
  }

  /** The terminal failed: the failure becomes the response. */
  fail(cause: unknown): boolean {
    if (this.settled) return false;
    return this.resume(this.runner.fail(this, cause, undefined));
  }
}

type Awaited = (value: unknown) => void;

export class Runner {
  readonly last: number;

  constructor(
    private readonly steps: readonly Step[],
    private readonly raise: Raise,
  ) {
    this.last = steps.length - 1;
  }

  /** Runs `request` through every step; `done` gets the final response. Never throws for a hook's failure. */
  run(request: JsonRpcRequest, ctx: InterceptorContext, terminal: AttemptTerminal, active: boolean[] | undefined, report: ErrorReporter | undefined, done: Done): void {
    this.requestPhase(new Attempt(this, request, request.id, ctx, terminal, active, report, undefined, -1, done), 0);
  }

  fail(segment: Attempt, cause: unknown, owner: Interceptor | undefined): JsonRpcResponse {
    return this.raise(cause, owner, segment.ctx, segment.active, segment.report).toResponse(segment.id);
  }

  /** onRequest (and around) hooks from `from` on; then the terminal, unless a hook answered. */
  requestPhase(segment: Attempt, from: number): void {
    const steps = this.steps;
    const { active, ctx } = segment;
    for (let p = from; p < steps.length; p++) {
      const step = steps[p] as Step;
      if (active !== undefined && !active[step.index]) continue;
      const onRequest = step.onRequest;
      if (onRequest !== undefined) {
        let early: unknown;
        try {
          early = onRequest.call(step.interceptor, segment.request, ctx);
        } catch (cause) {
          this.responsePhase(segment, this.fail(segment, cause, step.interceptor), p - 1);
          return;
        }
        if (isThenable(early)) {
          Promise.resolve(early).then(
            (value) => (value === undefined || value === null ? this.afterOnRequest(segment, p) : this.answeredBy(segment, p, value)),
            (cause: unknown) => this.responsePhase(segment, this.fail(segment, cause, step.interceptor), p - 1),
          );
          return;
        }
        if (early !== undefined && early !== null) {
          this.answeredBy(segment, p, early);
          return;
        }
      }
      if (step.around !== undefined) {
        this.callAround(segment, p);
        return;
      }
    }
    try {
      segment.terminal(segment.request, ctx, segment.stop, segment);
    } catch (cause) {
      // Thrown before answering: the failure is the answer. After (from the response phase): only reported.
      if (!segment.fail(cause)) segment.report?.(InterceptorError.from(cause), ctx);
    }
  }

  /** Step `p`'s asynchronous onRequest let the request pass: its `around`, if any, then the steps below. */
  private afterOnRequest(segment: Attempt, p: number): void {
    if ((this.steps[p] as Step).around !== undefined) this.callAround(segment, p);
    else this.requestPhase(segment, p + 1);
  }

  /** Step `p` answered: only the interceptors before it see the response. */
  private answeredBy(segment: Attempt, p: number, value: unknown): void {
    const interceptor = (this.steps[p] as Step).interceptor;
    let response: JsonRpcResponse;
    try {
      // A copy: outer hooks may mutate it, and the object may be one the interceptor keeps (a cache entry).
      response = copyResponse(asResponse(value, segment.id, segment.request.method, interceptor));
    } catch (cause) {
      response = this.fail(segment, cause, interceptor);
    }
    this.responsePhase(segment, response, p - 1);
  }

  private callAround(segment: Attempt, p: number): void {
    const step = this.steps[p] as Step;
    const interceptor = step.interceptor;
    const upstream: Cancellation | undefined = segment.stop === undefined ? undefined : toCancellation(segment.stop);
    const continuation = step.continuation;
    if (continuation !== undefined) {
      const call = new ContinuationCall(this, segment, p, interceptor, continuation.replays);
      try {
        continuation.body(segment.request, segment.ctx, call, upstream);
      } catch (cause) {
        call.crashed(cause);
      }
      return;
    }
    let result: Promise<JsonRpcResponse>;
    try {
      result = (step.around as NonNullable<Interceptor['around']>).call(interceptor, segment.request, segment.ctx, this.makeNext(segment, p), upstream);
    } catch (cause) {
      this.responsePhase(segment, this.fail(segment, cause, interceptor), p);
      return;
    }
    const settle: Awaited = (value) => {
      let response: JsonRpcResponse;
      try {
        response = asResponse(value, segment.id, segment.request.method, interceptor);
      } catch (cause) {
        response = this.fail(segment, cause, interceptor);
      }
      this.responsePhase(segment, response, p);
    };
    if (isThenable(result)) Promise.resolve(result).then(settle, (cause: unknown) => this.responsePhase(segment, this.fail(segment, cause, interceptor), p));
    else settle(result);
  }

  private makeNext(segment: Attempt, p: number): Next {
    const request = segment.request;
    // Each replay starts from the request as `around` received it, not as the last attempt left it.
    const pristine = copyMessage(request);
    let calls = 0;
    return (override, options) => {
      calls++;
      const answer = new Deferred<JsonRpcResponse>();
      this.runBelow(segment, p, override ?? (calls === 1 ? request : copyMessage(pristine)), options, (response) => answer.resolve(response));
      return answer.promise;
    };
  }

  /** Runs one attempt of what lies below step `p`: `done` receives its response. */
  runBelow(segment: Attempt, p: number, request: JsonRpcRequest, options: NextOptions | undefined, done: Done | ContinuationCall): void {
    const forward = request.id === segment.id ? request : { ...request, id: segment.id };
    const own = options === undefined ? undefined : ownStop(options.signal, options.cancel);
    const stop = own === undefined ? segment.stop : segment.stop === undefined ? own : anyStop(segment.stop, own);
    this.requestPhase(new Attempt(this, forward, segment.id, segment.ctx, segment.terminal, segment.active, segment.report, stop, p, done), p + 1);
  }

  /** onResponse hooks from `from` down to the segment's floor (exclusive); then the segment's `done`. */
  responsePhase(segment: Attempt, answer: JsonRpcResponse, from: number): void {
    const steps = this.steps;
    const { active, ctx } = segment;
    let response = answer;
    for (let p = from; p > segment.floor; p--) {
      const step = steps[p] as Step;
      if (active !== undefined && !active[step.index]) continue;
      const onResponse = step.onResponse;
      if (onResponse === undefined) continue;
      try {
        const pending = onResponse.call(step.interceptor, response, ctx);
        if (isThenable(pending)) {
          const current = response;
          Promise.resolve(pending).then(
            () => this.responsePhase(segment, current, p - 1),
            (cause: unknown) => this.responsePhase(segment, this.fail(segment, cause, step.interceptor), p - 1),
          );
          return;
        }
      } catch (cause) {
        response = this.fail(segment, cause, step.interceptor);
      }
    }
    try {
      const done = segment.done;
      if (typeof done === 'function') done(response, ctx);
      else done.answerBelow(response);
    } catch (cause) {
      // `done` is the transport's or a next() promise's; a bug there must not break the caller's stack or promise.
      segment.report?.(InterceptorError.from(cause), ctx);
    }
  }
}

/**
 * One run of a continuation-style `around`: its downstream and its answer. It is the `done` of the attempts it runs
 * below, and binds `respond`/`fail` only when a body reads them (most pass through with `pass()`): per exchange and
 * `around`, one object rather than an object and three closures.
 */
class ContinuationCall implements Downstream {
  private answered = false;
  private calls = 0;
  /** What sees the response of the attempt under way: the body's callback (`next`) or observer (`pass`). */
  private onBelow: ((response: JsonRpcResponse) => void) | undefined;
  /** The attempt under way was started by `pass`: its response answers the exchange once `onBelow` has seen it. */
  private passing = false;
  /** A copy of the request as the `around` received it, for a body that replays. */
  private readonly pristine: JsonRpcRequest | undefined;
  private boundRespond: ((response: JsonRpcResponse) => void) | undefined;
  private boundFail: ((cause: unknown) => void) | undefined;

  constructor(
    private readonly runner: Runner,
    private readonly segment: Attempt,
    private readonly p: number,
    private readonly interceptor: Interceptor,
    replays: boolean,
  ) {
    this.pristine = replays ? copyMessage(segment.request) : undefined;
  }

  next(options: NextOptions | undefined, onResponse: (response: JsonRpcResponse) => void): void {
    this.below(options, onResponse, false);
  }

  pass(options?: NextOptions, observe?: (response: JsonRpcResponse) => void): void {
    this.below(options, observe, true);
  }

  /** The attempt below answered (the runner calls this as the attempt's `done`). */
  answerBelow(response: JsonRpcResponse): void {
    // Read and cleared before the callback runs: it may start the next attempt (`next` or `pass` again).
    const onBelow = this.onBelow;
    const passing = this.passing;
    this.onBelow = undefined;
    this.passing = false;
    if (onBelow !== undefined) {
      // What the body does with the response must not throw past the attempt below.
      try {
        onBelow(response);
      } catch (cause) {
        this.crashed(cause);
      }
    }
    if (passing) this.answer(response);
  }

  private below(options: NextOptions | undefined, onResponse: ((response: JsonRpcResponse) => void) | undefined, passing: boolean): void {
    this.calls++;
    this.onBelow = onResponse;
    this.passing = passing;
    const request = this.calls === 1 || this.pristine === undefined ? this.segment.request : copyMessage(this.pristine);
    this.runner.runBelow(this.segment, this.p, request, options, this);
  }

  // Bound on first read: a body may hand them on detached, e.g. `promise.then(downstream.respond, downstream.fail)`.
  get respond(): (response: JsonRpcResponse) => void {
    return (this.boundRespond ??= (response) => this.answer(response));
  }

  get fail(): (cause: unknown) => void {
    return (this.boundFail ??= (cause) => this.failWith(cause));
  }

  private answer(response: JsonRpcResponse): void {
    if (this.answered) return;
    this.answered = true;
    const segment = this.segment;
    let answer: JsonRpcResponse;
    try {
      answer = asResponse(response, segment.id, segment.request.method, this.interceptor);
    } catch (cause) {
      answer = this.runner.fail(segment, cause, this.interceptor);
    }
    this.runner.responsePhase(segment, answer, this.p);
  }

  /** The body threw: the failure is the answer, or only reported when it had already answered. */
  crashed(cause: unknown): void {
    if (!this.answered) this.failWith(cause);
    else this.segment.report?.(InterceptorError.from(cause, this.interceptor.name), this.segment.ctx);
  }

  private failWith(cause: unknown): void {
    if (this.answered) return;
    this.answered = true;
    this.runner.responsePhase(this.segment, this.runner.fail(this.segment, cause, this.interceptor), this.p);
  }
}

export function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/** A hook's answer must be a response for this request; the id is always the request's own. */
export function asResponse(value: unknown, id: JsonRpcId, method: string, interceptor: Interceptor): JsonRpcResponse {
  const frame = value as Partial<JsonRpcResponse> | null;
  if (typeof frame !== 'object' || frame === null || (!('result' in frame) && !('error' in frame))) {
    throw new TypeError(`interceptor "${interceptor.name}" answered ${method} with something that is not a JSON-RPC response`);
  }
  if (frame.jsonrpc === '2.0' && frame.id === id) return frame as JsonRpcResponse;
  return { ...(frame as JsonRpcResponse), jsonrpc: '2.0', id };
}

/** What one `next` call asked to be stopped by: its signal, its cancellation, or both. */
function ownStop(signal: AbortSignal | undefined, cancel: Cancellation | undefined): Stop {
  if (signal === undefined) return cancel;
  return cancel === undefined ? signal : anyStop(signal, cancel);
}
