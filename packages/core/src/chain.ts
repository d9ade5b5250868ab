// createChain: resolves the order once, runs requests in ascending priority and responses in reverse (onion),
// and turns every failure into a JSON-RPC error value so no request is ever left without a response.
import { anyStop, toCancellation, type Cancellation, type Stop } from './cancellation.js';
import { systemClock, type Clock } from './clock.js';
import type { InterceptorContext } from './context.js';
import { InterceptorError, isInterceptorError } from './errors.js';
import { copyMessage, copyResponse } from './internal/copy-frame.js';
import { asResponse, isThenable, linearRunner, type Step } from './internal/linear-run.js';
import { DROP, Priority, type Interceptor, type Next } from './interceptor.js';
import type { JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from './jsonrpc.js';
import { createMetricsRegistry, type MetricsRegistry, type MetricsRegistryOptions } from './metrics.js';

/** Sends the request on (to the transport or the handler) and resolves with its response. */
/** `signal` is what the `around`s above passed to `next` (an AbortSignal or a lighter `Cancellation`), if any. */
export type Terminal = (request: JsonRpcRequest, ctx: InterceptorContext, signal: AbortSignal | Cancellation | undefined) => Promise<JsonRpcResponse>;

/** Receives hook crashes (anything thrown that is not an InterceptorError), with the cause kept in `error.cause`. */
export type ErrorReporter = (error: InterceptorError, ctx: InterceptorContext) => void;

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
  let hasAround = false;
  ordered.forEach((interceptor, index) => {
    if (interceptor.around) hasAround = true;
    const step: Step = { index, interceptor, onRequest: interceptor.onRequest, onResponse: interceptor.onResponse };
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

  const runLinear = linearRunner(requestSteps, raise);

  function handleRequest(request: JsonRpcRequest, ctx: InterceptorContext, terminal: Terminal, report?: ErrorReporter): Promise<JsonRpcResponse> {
    const decision = decideActive(ctx);
    const active = decision.active;
    if (decision.failed) return Promise.resolve(raise(decision.cause, decision.failed.interceptor, ctx, active, report).toResponse(request.id));

    const run = async (position: number, req: JsonRpcRequest, signal: Stop): Promise<JsonRpcResponse> => {
      let p = position;
      if (active !== undefined) while (p < requestSteps.length && !active[(requestSteps[p] as Step).index]) p++;
      const step = requestSteps[p];
      if (step === undefined) {
        try {
          return await terminal(req, ctx, signal);
        } catch (cause) {
          return raise(cause, undefined, ctx, active, report).toResponse(request.id);
        }
      }
      const interceptor = step.interceptor;
      if (interceptor.onRequest) {
        try {
          let early = interceptor.onRequest(req, ctx);
          if (isThenable(early)) early = await early;
          if (early !== undefined && early !== null) return copyResponse(asResponse(early, request, interceptor));
        } catch (cause) {
          return raise(cause, interceptor, ctx, active, report).toResponse(request.id);
        }
      }
      let response: JsonRpcResponse;
      if (interceptor.around) {
        try {
          const upstream = signal === undefined ? undefined : toCancellation(signal);
          response = asResponse(await interceptor.around.call(interceptor, req, ctx, makeNext(p, req, signal), upstream), request, interceptor);
        } catch (cause) {
          response = raise(cause, interceptor, ctx, active, report).toResponse(request.id);
        }
      } else {
        response = await run(p + 1, req, signal);
      }
      if (interceptor.onResponse) {
        try {
          const pending = interceptor.onResponse(response, ctx);
          if (isThenable(pending)) await pending;
        } catch (cause) {
          response = raise(cause, interceptor, ctx, active, report).toResponse(request.id);
        }
      }
      return response;
    };

    const makeNext = (position: number, req: JsonRpcRequest, signal: Stop): Next => {
      // Each replay starts from the request as `around` received it, not as the last attempt left it.
      const pristine = copyMessage(req);
      let calls = 0;
      return (override, nextOptions) => {
        calls++;
        let forward = override ?? (calls === 1 ? req : copyMessage(pristine));
        if (forward.id !== request.id) forward = { ...forward, id: request.id };
        const own = nextOptions === undefined ? undefined : ownStop(nextOptions.signal, nextOptions.cancel);
        const combined = own === undefined ? signal : signal === undefined ? own : anyStop(signal, own);
        return run(position + 1, forward, combined);
      };
    };

    // Without `around`, one path with no promise per hook (see linear-run.ts), as every frame passes through here.
    return hasAround ? run(0, request, undefined) : runLinear(request, ctx, terminal, active, report);
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


/** What one `next` call asked to be stopped by: its signal, its cancellation, or both. */
function ownStop(signal: AbortSignal | undefined, cancel: Cancellation | undefined): Stop {
  if (signal === undefined) return cancel;
  return cancel === undefined ? signal : anyStop(signal, cancel);
}
