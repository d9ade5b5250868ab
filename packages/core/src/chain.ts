// createChain: resolves the order once, runs requests in ascending priority and responses in reverse (onion),
// and turns every failure into a JSON-RPC error value so no request is ever left without a response.
import type { Cancellation } from './cancellation.js';
import { systemClock, type Clock } from './clock.js';
import type { InterceptorContext } from './context.js';
import { InterceptorError, isInterceptorError } from './errors.js';
import { continuationOf } from './continuation.js';
import { Deferred } from './internal/deferred.js';
import { isThenable, Runner, type AttemptTerminal, type Done, type ErrorReporter, type Step } from './internal/run.js';
import { DROP, Priority, type Interceptor } from './interceptor.js';
import type { JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from './jsonrpc.js';
import { createMetricsRegistry, type MetricsRegistry, type MetricsRegistryOptions } from './metrics.js';

/**
 * Sends the request on (to the transport or the handler) and resolves with its response. `signal` is what the
 * `around`s above passed to `next` (an AbortSignal or a lighter `Cancellation`), if any.
 */
export type Terminal = (request: JsonRpcRequest, ctx: InterceptorContext, signal: AbortSignal | Cancellation | undefined) => Promise<JsonRpcResponse>;

export type { Attempt, AttemptTerminal, Done, ErrorReporter } from './internal/run.js';

export interface ChainOptions {
  /** The clock every context and time-based interceptor reads. @defaultValue systemClock */
  readonly clock?: Clock;
  /** A registry to record into, or options for the chain's own. @defaultValue a new registry */
  readonly metrics?: MetricsRegistry | MetricsRegistryOptions;
}

export interface ChainEntry {
  readonly position: number;
  readonly name: string;
  readonly priority: Priority;
  readonly priorityName: string;
  readonly hooks: readonly string[];
}

export interface Chain {
  /** The interceptors in the order requests pass them. */
  readonly interceptors: readonly Interceptor[];
  readonly metrics: MetricsRegistry;
  readonly clock: Clock;
  /** True when no interceptor has a hook: transports then pass frames straight through. */
  readonly isEmpty: boolean;
  /** True when some interceptor has `onNotification`. */
  readonly hasNotificationHooks: boolean;
  /** The resolved order, for a startup log line. */
  describe(): ChainEntry[];
  /** Runs a request through the chain. Never rejects. */
  handleRequest(request: JsonRpcRequest, ctx: InterceptorContext, terminal: Terminal, report?: ErrorReporter): Promise<JsonRpcResponse>;
  /**
   * @internal `handleRequest` with callbacks, as transports use it: the terminal answers each attempt through `attempt`, and
   * `done` gets the final response exactly once. Synchronous hooks then cost no promise or microtask.
   */
  dispatch(request: JsonRpcRequest, ctx: InterceptorContext, terminal: AttemptTerminal, report: ErrorReporter | undefined, done: Done): void;
  /** Runs a notification through the chain. Resolves false when it was dropped (by `DROP` or a failing hook). */
  handleNotification(notification: JsonRpcNotification, ctx: InterceptorContext, report?: ErrorReporter): Promise<boolean>;
}

const HOOKS = ['shouldExecute', 'onRequest', 'around', 'onResponse', 'onNotification', 'onError'] as const;

interface Decision {
  readonly active: boolean[] | undefined;
  readonly failed?: Step;
  readonly cause?: unknown;
}

/** The decision of a chain without `shouldExecute` predicates: every interceptor runs. */
const ALL_ACTIVE: Decision = Object.freeze({ active: undefined });

/**
 * Creates a chain. Requests pass interceptors from `Priority.Critical` to `Priority.Lowest`; equal priorities
 * keep registration order. One chain may serve many transports at once: all per-exchange state is in the context.
 *
 * @example
 * const chain = createChain([requestId(), rateLimit({ rate: 10 }), logging()]);
 * await server.connect(intercept(new StdioServerTransport(), chain, { side: 'server' }));
 */
export function createChain(interceptors: readonly Interceptor[], options: ChainOptions = {}): Chain {
  if (!Array.isArray(interceptors)) throw new TypeError('createChain: interceptors must be an array');
  interceptors.forEach(validateInterceptor);
  const ordered = interceptors
    .map((interceptor, registration) => ({ interceptor, registration }))
    .sort((a, b) => (a.interceptor.priority ?? Priority.Normal) - (b.interceptor.priority ?? Priority.Normal) || a.registration - b.registration)
    .map(({ interceptor }) => interceptor);
  const clock = options.clock ?? systemClock;
  const metrics = isRegistry(options.metrics) ? options.metrics : createMetricsRegistry(options.metrics);
  const requestSteps: Step[] = [];
  const notificationSteps: Step[] = [];
  const predicates: Step[] = [];
  const errorObservers: Step[] = [];
  ordered.forEach((interceptor, index) => {
    const step: Step = { index, interceptor, onRequest: interceptor.onRequest, around: interceptor.around, continuation: continuationOf(interceptor.around), onResponse: interceptor.onResponse };
    if (interceptor.onRequest || interceptor.around || interceptor.onResponse) requestSteps.push(step);
    if (interceptor.onNotification) notificationSteps.push(step);
    if (interceptor.shouldExecute) predicates.push(step);
    if (interceptor.onError) errorObservers.push(step);
  });

  /** Which interceptors run for this exchange; undefined means all. Throws what a predicate threw. */
  function decideActive(ctx: InterceptorContext): Decision {
    if (predicates.length === 0) return ALL_ACTIVE;
    const active = new Array<boolean>(ordered.length).fill(true);
    for (const step of predicates) {
      try {
        active[step.index] = step.interceptor.shouldExecute?.(ctx) !== false;
      } catch (cause) {
        return { active, failed: step, cause };
      }
    }
    return { active };
  }

  function raise(cause: unknown, owner: Interceptor | undefined, ctx: InterceptorContext, active: boolean[] | undefined, report: ErrorReporter | undefined): InterceptorError {
    const error = InterceptorError.from(cause, owner?.name);
    if (!isInterceptorError(cause)) report?.(error, ctx);
    for (const step of errorObservers) {
      if (active !== undefined && !active[step.index]) continue;
      try {
        step.interceptor.onError?.(error, ctx);
      } catch (observerFailure) {
        report?.(InterceptorError.from(observerFailure, step.interceptor.name), ctx);
      }
    }
    return error;
  }

  const runner = new Runner(requestSteps, raise);

  function dispatch(request: JsonRpcRequest, ctx: InterceptorContext, terminal: AttemptTerminal, report: ErrorReporter | undefined, done: Done): void {
    const decision = decideActive(ctx);
    if (decision.failed) {
      done(raise(decision.cause, decision.failed.interceptor, ctx, decision.active, report).toResponse(request.id), ctx);
      return;
    }
    runner.run(request, ctx, terminal, decision.active, report, done);
  }

  function handleRequest(request: JsonRpcRequest, ctx: InterceptorContext, terminal: Terminal, report?: ErrorReporter): Promise<JsonRpcResponse> {
    const answer = new Deferred<JsonRpcResponse>();
    const sendOn: AttemptTerminal = (req, c, stop, attempt) => {
      let pending: Promise<JsonRpcResponse>;
      try {
        pending = Promise.resolve(terminal(req, c, stop));
      } catch (cause) {
        attempt.fail(cause);
        return;
      }
      pending.then(
        (response) => attempt.resume(response),
        (cause: unknown) => attempt.fail(cause),
      );
    };
    dispatch(request, ctx, sendOn, report, (response) => answer.resolve(response));
    return answer.promise;
  }

  async function handleNotification(notification: JsonRpcNotification, ctx: InterceptorContext, report?: ErrorReporter): Promise<boolean> {
    if (notificationSteps.length === 0) return true;
    const decision = decideActive(ctx);
    const active = decision.active;
    if (decision.failed) {
      raise(decision.cause, decision.failed.interceptor, ctx, active, report);
      return false;
    }
    for (const step of notificationSteps) {
      if (active !== undefined && !active[step.index]) continue;
      try {
        let verdict = step.interceptor.onNotification?.(notification, ctx);
        if (isThenable(verdict)) verdict = await verdict;
        if (verdict === DROP) return false;
      } catch (cause) {
        // A failing notification hook drops the notification: there is no response to carry the error.
        const error = raise(cause, step.interceptor, ctx, active, report);
        if (isInterceptorError(cause)) report?.(error, ctx);
        return false;
      }
    }
    return true;
  }

  return {
    interceptors: ordered,
    metrics,
    clock,
    isEmpty: requestSteps.length === 0 && notificationSteps.length === 0,
    hasNotificationHooks: notificationSteps.length > 0,
    describe: () =>
      ordered.map((interceptor, position) => {
        const priority = interceptor.priority ?? Priority.Normal;
        return {
          position,
          name: interceptor.name,
          priority,
          priorityName: Priority[priority] ?? String(priority),
          hooks: HOOKS.filter((hook) => typeof interceptor[hook] === 'function'),
        };
      }),
    handleRequest,
    dispatch,
    handleNotification,
  };
}

function isRegistry(value: ChainOptions['metrics']): value is MetricsRegistry {
  return typeof (value as MetricsRegistry | undefined)?.snapshot === 'function';
}

function validateInterceptor(value: Interceptor, index: number): void {
  const where = `createChain: interceptor at index ${index}`;
  if (typeof value !== 'object' || value === null) throw new TypeError(`${where} must be an object`);
  if (typeof value.name !== 'string' || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(value.name)) {
    throw new TypeError(`${where} needs a kebab-case "name", got ${JSON.stringify(value.name)}`);
  }
  if (value.priority !== undefined && !(Number.isInteger(value.priority) && value.priority >= Priority.Critical && value.priority <= Priority.Lowest)) {
    throw new RangeError(`${where} ("${value.name}"): priority must be a Priority (0..4), got ${String(value.priority)}`);
  }
  for (const hook of HOOKS) {
    if (value[hook] !== undefined && typeof value[hook] !== 'function') {
      throw new TypeError(`${where} ("${value.name}"): ${hook} must be a function`);
    }
  }
}


