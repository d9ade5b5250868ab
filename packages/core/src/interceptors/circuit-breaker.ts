// circuitBreaker(): per-key closed → open → half-open circuits that stop sending requests to something failing.
// Failures are real error responses (and, optionally, tool errors) within a sliding window; half-open lets one probe
// through. Refuses with -31002 CIRCUIT_OPEN and a retryAfterMs.
import type { Direction, InterceptorContext } from '../context.js';
import { ErrorCode, InterceptorError } from '../errors.js';
import { Priority, type Interceptor } from '../interceptor.js';
import { clock as clockOption } from '../internal/options.js';
import { boolean, fn, optionsObject, positiveInt, priority as priorityOption, stringList } from '../internal/options.js';
import type { JsonRpcResponse } from '../jsonrpc.js';
import { createKey } from '../metadata.js';
import {
  MemoryBreakerStore,
  type BreakerAdmission,
  type BreakerOutcome,
  type BreakerPolicy,
  type BreakerStore,
  type BreakerTicket,
  type BreakerTransition,
} from '../stores/breaker-store.js';
import { directionsOption, isPromise, methodFilter, toolName, toolOrMethod, type KeyFunction } from '../stores/guard.js';
import type { Clock } from '../clock.js';

/** A state change of one circuit. */
export interface CircuitStateChange extends BreakerTransition {
  readonly key: string;
}

export interface CircuitBreakerOptions {
  /** Failures within `windowMs` that open a circuit. @defaultValue 5 */
  readonly failureThreshold?: number;
  /** The sliding window failures are counted in, in milliseconds. @defaultValue 60_000 */
  readonly windowMs?: number;
  /** How long an open circuit refuses before one request may probe. @defaultValue 30_000 */
  readonly openMs?: number;
  /** How long the probe may stay out before another request may probe instead. @defaultValue 30_000 */
  readonly probeTimeoutMs?: number;
  /**
   * Error codes that count as failures. Our own refusals (-31001…-31099, but -31004 Timeout) never count, whatever
   * this says. @defaultValue [-32603 (internal error), -32000 (connection closed), -31004 (timeout)]
   */
  readonly failureCodes?: readonly number[];
  /** Count `tools/call` results with `isError: true` as failures. @defaultValue false */
  readonly countToolErrors?: boolean;
  /** The circuit a request belongs to; `undefined` leaves it unguarded. @defaultValue the tool name for `tools/call`, else the method */
  readonly key?: KeyFunction;
  /** Methods never guarded. @defaultValue ['initialize', 'ping'] */
  readonly exempt?: readonly string[];
  /** Tools never guarded. @defaultValue [] */
  readonly exemptTools?: readonly string[];
  /**
   * Which requests are guarded: `inbound` (received; a server shielding failing handlers) and/or `outbound` (sent; a
   * client shielding itself from a failing server). @defaultValue ['inbound', 'outbound']
   */
  readonly directions?: readonly Direction[];
  /** Called on every state change (errors it throws are ignored). */
  readonly onStateChange?: (change: CircuitStateChange) => void;
  /** Where circuit state lives. @defaultValue a new {@link MemoryBreakerStore} with `maxKeys` */
  readonly store?: BreakerStore;
  /** Keys the default memory store keeps at most (ignored with `store`). @defaultValue 10_000 */
  readonly maxKeys?: number;
  /** @defaultValue the chain's clock */
  readonly clock?: Clock;
  /** @defaultValue Priority.High */
  readonly priority?: Priority;
}

export const DEFAULT_FAILURE_CODES: readonly number[] = Object.freeze([ErrorCode.InternalError, ErrorCode.ConnectionClosed, ErrorCode.Timeout]);

const NAME = 'circuit-breaker';

/** Our own block of refusal codes: a refusal by an interceptor says nothing about the far side's health. */
const isPolicyCode = (code: number): boolean => code <= -31001 && code >= -31099 && code !== ErrorCode.Timeout;

/**
 * Stops sending requests to something that keeps failing. Each key (by default each tool, and each other method) has
 * a circuit: `failureThreshold` failures within `windowMs` open it; while open, requests are answered at once with
 * -31002 `CIRCUIT_OPEN` (`data: { retryAfterMs, key }`); after `openMs` the next request is let through as the one
 * probe (others are refused while it is out); its success closes the circuit, its failure opens it again.
 *
 * @example
 * const chain = createChain([
 *   circuitBreaker({ failureThreshold: 3, windowMs: 10_000, openMs: 5_000, countToolErrors: true, onStateChange: (c) => log.warn(c) }),
 * ]);
 */
export function circuitBreaker(options: CircuitBreakerOptions = {}): Interceptor {
  optionsObject('circuitBreaker', options);
  const policy: BreakerPolicy = Object.freeze({
    failureThreshold: positiveInt('circuitBreaker.failureThreshold', options.failureThreshold, 5),
    windowMs: positiveInt('circuitBreaker.windowMs', options.windowMs, 60_000),
    openMs: positiveInt('circuitBreaker.openMs', options.openMs, 30_000),
    probeTimeoutMs: positiveInt('circuitBreaker.probeTimeoutMs', options.probeTimeoutMs, 30_000),
  });
  const failureCodes = new Set(numberList('circuitBreaker.failureCodes', options.failureCodes, DEFAULT_FAILURE_CODES));
  for (const code of failureCodes) {
    if (isPolicyCode(code)) throw new RangeError(`circuitBreaker.failureCodes cannot count ${code}: interceptor refusals (-31001…-31099 but -31004 Timeout) say nothing about the far side`);
  }
  const countToolErrors = boolean('circuitBreaker.countToolErrors', options.countToolErrors, false);
  const keyOf = fn<KeyFunction>('circuitBreaker.key', options.key, toolOrMethod);
  const applies = methodFilter('circuitBreaker', undefined, options.exempt);
  const directions = directionsOption('circuitBreaker', options.directions, ['inbound', 'outbound']);
  const exemptTools = new Set(stringList('circuitBreaker.exemptTools', options.exemptTools, []));
  const onStateChange = fn<(change: CircuitStateChange) => void>('circuitBreaker.onStateChange', options.onStateChange);
  if (options.store !== undefined && (typeof options.store !== 'object' || options.store === null || typeof options.store.acquire !== 'function' || typeof options.store.record !== 'function')) {
    throw new TypeError('circuitBreaker.store must be a BreakerStore (an object with acquire() and record())');
  }
  const store: BreakerStore = options.store ?? new MemoryBreakerStore({ maxKeys: positiveInt('circuitBreaker.maxKeys', options.maxKeys, 10_000) });
  const clock = clockOption('circuitBreaker.clock', options.clock);
  // Per instance, so two breakers in one chain never read each other's tickets.
  const Admitted = createKey<{ readonly key: string; readonly ticket: BreakerTicket }>('circuit-breaker.ticket');

  const announce = (key: string, transition: BreakerTransition | undefined, ctx: InterceptorContext): void => {
    if (transition === undefined) return;
    ctx.metrics.increment('circuit_breaker.transitions', { to: transition.to });
    if (onStateChange === undefined) return;
    try {
      onStateChange({ key, from: transition.from, to: transition.to, at: transition.at });
    } catch {
      // A listener's failure must not change the outcome of the request that caused the change.
    }
  };

  const admit = (key: string, admission: BreakerAdmission, ctx: InterceptorContext): void => {
    if (!admission.allowed) {
      ctx.metrics.increment('circuit_breaker.rejected', { state: admission.state, method: ctx.method });
      // interceptor named here so the chain does not build a second error per refusal.
      throw new InterceptorError(ErrorCode.CircuitOpen, 'Circuit open', { reason: 'CIRCUIT_OPEN', interceptor: NAME, retryAfterMs: admission.retryAfterMs, key });
    }
    announce(key, admission.transition, ctx);
    ctx.metadata.set(Admitted, { key, ticket: admission.ticket });
  };

  /**
   * A store that cannot answer (a shared store that is down) lets requests through unguarded: a breaker protects
   * availability, and failing closed would turn a store outage into a full outage. Counted so it can be alerted on.
   */
  const storeFailed = (ctx: InterceptorContext): undefined => {
    ctx.metrics.increment('circuit_breaker.store_errors', { method: ctx.method });
    return undefined;
  };

  const classify = (response: JsonRpcResponse, ctx: InterceptorContext): BreakerOutcome => {
    if ('error' in response) {
      const code = response.error.code;
      // The caller going away (its connection closed under an inbound request) is not the handler failing.
      if (code === ErrorCode.ConnectionClosed && ctx.direction === 'inbound' && (response.error.data as { reason?: unknown } | undefined)?.reason === 'CONNECTION_CLOSED') return 'neutral';
      if (failureCodes.has(code)) return 'failure';
      return isPolicyCode(code) ? 'neutral' : 'success';
    }
    return countToolErrors && ctx.method === 'tools/call' && response.result['isError'] === true ? 'failure' : 'success';
  };

  return {
    name: NAME,
    priority: priorityOption('circuitBreaker.priority', options.priority, Priority.High),
    onRequest(req, ctx) {
      if (!applies(req.method) || !directions.has(ctx.direction)) return undefined;
      if (exemptTools.size > 0) {
        const tool = toolName(req);
        if (tool !== undefined && exemptTools.has(tool)) return undefined;
      }
      const key = keyOf(ctx, req);
      if (key === undefined) return undefined;
      let admission: BreakerAdmission | Promise<BreakerAdmission>;
      try {
        admission = store.acquire(key, policy, (clock ?? ctx.clock).now());
      } catch {
        return storeFailed(ctx);
      }
      if (isPromise(admission)) return admission.then((settled) => admit(key, settled, ctx), () => storeFailed(ctx));
      admit(key, admission, ctx);
      return undefined;
    },
    onResponse(response, ctx) {
      const admitted = ctx.metadata.get(Admitted);
      if (admitted === undefined) return undefined;
      // Each attempt of a replayed exchange (retry above this interceptor) takes and returns its own ticket.
      ctx.metadata.delete(Admitted);
      let transition: BreakerTransition | undefined | Promise<BreakerTransition | undefined>;
      try {
        transition = store.record(admitted.key, admitted.ticket, classify(response, ctx), policy, (clock ?? ctx.clock).now());
      } catch {
        return storeFailed(ctx);
      }
      if (isPromise(transition)) return transition.then((settled) => announce(admitted.key, settled, ctx), () => storeFailed(ctx));
      announce(admitted.key, transition, ctx);
      return undefined;
    },
  };
}

function numberList(where: `${string}.${string}`, value: unknown, fallback: readonly number[]): readonly number[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.some((v) => !Number.isSafeInteger(v))) throw new TypeError(`${where} must be an array of integer error codes`);
  return value as number[];
}
