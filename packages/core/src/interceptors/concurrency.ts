// concurrency(): a bulkhead per key (tool, method or tenant): at most `maxConcurrent` requests below this interceptor
// at once, a bounded FIFO queue for the rest, an acquire timeout. Refuses with -31003 CONCURRENCY_LIMITED.
import type { Clock, TimerHandle } from '../clock.js';
import { continuationAround } from '../continuation.js';
import type { Direction, InterceptorContext } from '../context.js';
import { ErrorCode, InterceptorError, isInterceptorError } from '../errors.js';
import { Priority, type Interceptor } from '../interceptor.js';
import { clock as clockOption, MAX_TIMER_MS } from '../internal/options.js';
import { fn, nonNegativeInt, optionsObject, positiveInt, priority as priorityOption, record } from '../internal/options.js';
import { directionsOption, methodFilter, toolOrMethod, type KeyFunction } from '../stores/guard.js';

/** Other limits for one key. */
export interface ConcurrencyOverride {
  readonly maxConcurrent?: number;
  readonly maxQueue?: number;
}

export interface ConcurrencyOptions {
  /** Requests of one key allowed below this interceptor at once. @defaultValue 10 */
  readonly maxConcurrent?: number;
  /** Requests of one key allowed to wait for a slot (first come, first served); 0 refuses at once. @defaultValue 100 */
  readonly maxQueue?: number;
  /** How long a request may wait in the queue before it is refused; 0 means no waiting. @defaultValue 10_000 */
  readonly acquireTimeoutMs?: number;
  /**
   * The bulkhead a request belongs to, e.g. a tenant; `undefined` leaves it unlimited.
   * @defaultValue the tool name for `tools/call`, else the method
   */
  readonly key?: KeyFunction;
  /** Other limits for some keys, e.g. `{ 'slow-report': { maxConcurrent: 1 } }`. */
  readonly overrides?: Readonly<Record<string, ConcurrencyOverride>>;
  /** Methods to limit. @defaultValue every method */
  readonly methods?: readonly string[];
  /** Methods never limited. @defaultValue ['initialize', 'ping'] */
  readonly exempt?: readonly string[];
  /** Which requests are limited: `inbound` (received) and/or `outbound` (sent). @defaultValue ['inbound', 'outbound'] */
  readonly directions?: readonly Direction[];
  /** @defaultValue the chain's clock */
  readonly clock?: Clock;
  /** @defaultValue Priority.High */
  readonly priority?: Priority;
}

/** What a bulkhead holds right now. */
export interface BulkheadState {
  readonly active: number;
  readonly queued: number;
}

/** The interceptor, plus a view of its bulkheads (for health endpoints and tests). */
export interface ConcurrencyInterceptor extends Interceptor {
  /** Bulkheads in use: keys with something running or queued. Up to 256 idle keys are kept for reuse, no more. */
  readonly size: number;
  state(key: string): BulkheadState;
}

interface Limits {
  readonly maxConcurrent: number;
  readonly maxQueue: number;
}

interface Waiter {
  /** Hands the waiter a slot (the releasing request's, so `active` does not change). */
  grant(): void;
}

interface Bulkhead {
  active: number;
  /** Waiters in arrival order; a Set so a waiter that gives up leaves in O(1). */
  readonly queue: Set<Waiter>;
}

const NAME = 'concurrency';
/**
 * Idle bulkheads kept for reuse. Forgetting a key as soon as it goes idle costs a sequential caller a Map delete and
 * a new bulkhead on every request; past this many idle keys, all idle ones are forgotten at once.
 */
const IDLE_KEPT = 256;

/**
 * Limits how many requests of one key run at once (a bulkhead): the rest wait in a bounded FIFO queue for at most
 * `acquireTimeoutMs`. A full queue or a wait that times out is answered with -31003 `CONCURRENCY_LIMITED`
 * (`data: { key, queued? }`, `queued: true` when the request had waited). A slot is held until the response comes
 * back through this interceptor, whatever produced it; a waiting request whose exchange is aborted (cancelled by the
 * peer, connection closed) leaves the queue without taking or freeing a slot.
 *
 * @example
 * const chain = createChain([
 *   concurrency({ maxConcurrent: 4, maxQueue: 20, acquireTimeoutMs: 2_000, overrides: { 'render-video': { maxConcurrent: 1 } } }),
 * ]);
 */
export function concurrency(options: ConcurrencyOptions = {}): ConcurrencyInterceptor {
  optionsObject('concurrency', options);
  const defaults: Limits = {
    maxConcurrent: positiveInt('concurrency.maxConcurrent', options.maxConcurrent, 10),
    maxQueue: nonNegativeInt('concurrency.maxQueue', options.maxQueue, 100),
  };
  const acquireTimeoutMs = nonNegativeInt('concurrency.acquireTimeoutMs', options.acquireTimeoutMs, 10_000);
  if (acquireTimeoutMs > MAX_TIMER_MS) throw new RangeError(`concurrency.acquireTimeoutMs must be at most ${MAX_TIMER_MS} ms (what a timer can hold), got ${acquireTimeoutMs}`);
  const keyOf = fn<KeyFunction>('concurrency.key', options.key, toolOrMethod);
  record('concurrency.overrides', options.overrides);
  const overrides = new Map<string, Limits>();
  for (const [name, override] of Object.entries(options.overrides ?? {})) {
    const at = `concurrency.overrides[${JSON.stringify(name)}]` as const;
    if (typeof override !== 'object' || override === null || Array.isArray(override)) throw new TypeError(`${at} must be an object`);
    overrides.set(name, {
      maxConcurrent: positiveInt(`${at}.maxConcurrent`, override.maxConcurrent, defaults.maxConcurrent),
      maxQueue: nonNegativeInt(`${at}.maxQueue`, override.maxQueue, defaults.maxQueue),
    });
  }
  const applies = methodFilter('concurrency', options.methods, options.exempt);
  const directions = directionsOption('concurrency', options.directions, ['inbound', 'outbound']);
  const clock = clockOption('concurrency.clock', options.clock);
  const bulkheads = new Map<string, Bulkhead>();
  /** How many bulkheads in the map have nothing running and nothing queued. */
  let idle = 0;
  const isIdle = (bulkhead: Bulkhead): boolean => bulkhead.active === 0 && bulkhead.queue.size === 0;
  /** After a slot or a queue place was given up: counts the bulkhead idle, and forgets idle ones past IDLE_KEPT. */
  const vacated = (bulkhead: Bulkhead): void => {
    if (!isIdle(bulkhead) || ++idle <= IDLE_KEPT) return;
    for (const [key, kept] of bulkheads) if (isIdle(kept)) bulkheads.delete(key);
    idle = 0;
  };

  const refuse = (key: string, queued: boolean, ctx: InterceptorContext): InterceptorError => {
    ctx.metrics.increment('concurrency.rejected', { method: ctx.method, queued });
    return new InterceptorError(ErrorCode.ConcurrencyLimited, 'Concurrency limit reached', {
      reason: 'CONCURRENCY_LIMITED',
      // Named here so the chain does not build a second error per refusal.
      interceptor: NAME,
      key,
      ...(queued ? { queued: true } : {}),
    });
  };

  /** Frees a slot: the oldest waiter takes it over, or the count goes down. */
  const release = (bulkhead: Bulkhead): void => {
    if (bulkhead.queue.size > 0) {
      const waiter = bulkhead.queue.values().next().value as Waiter;
      bulkhead.queue.delete(waiter);
      waiter.grant();
      return;
    }
    bulkhead.active--;
    vacated(bulkhead);
  };

  /** Waits in `bulkhead`'s queue; resolves holding a slot, or rejects (timeout, abort) holding none. */
  const wait = (key: string, bulkhead: Bulkhead, ctx: InterceptorContext): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const time = clock ?? ctx.clock;
      const signal = ctx.signal;
      const leave = (error: InterceptorError): void => {
        bulkhead.queue.delete(waiter);
        // A waiter holds no slot: leaving frees nothing. The bulkhead may now be idle.
        vacated(bulkhead);
        settle();
        reject(error);
      };
      const onAbort = (): void => leave(abortError(signal.reason));
      const settle = (): void => {
        time.clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        grant: () => {
          settle();
          resolve();
        },
      };
      if (signal.aborted) {
        reject(abortError(signal.reason));
        return;
      }
      bulkhead.queue.add(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
      // Declared last: every path that reads it (timeout, abort, grant) runs after this line.
      const timer: TimerHandle = time.setTimeout(() => leave(refuse(key, true, ctx)), acquireTimeoutMs);
    });

  return {
    name: NAME,
    priority: priorityOption('concurrency.priority', options.priority, Priority.High),
    around: continuationAround((req, ctx, downstream) => {
      if (!applies(req.method) || !directions.has(ctx.direction)) {
        downstream.pass();
        return;
      }
      const key = keyOf(ctx, req);
      if (key === undefined) {
        downstream.pass();
        return;
      }
      let bulkhead = bulkheads.get(key);
      if (bulkhead === undefined) {
        bulkhead = { active: 0, queue: new Set() };
        bulkheads.set(key, bulkhead);
      } else if (isIdle(bulkhead)) {
        idle--;
      }
      const held = bulkhead;
      // The slot is held until the response comes back (whatever happened below, it comes back as a response).
      const proceed = (): void => downstream.pass(undefined, () => release(held));
      const limits = overrides.get(key) ?? defaults;
      if (bulkhead.active < limits.maxConcurrent && bulkhead.queue.size === 0) {
        bulkhead.active++;
        proceed();
        return;
      }
      if (acquireTimeoutMs === 0 || bulkhead.queue.size >= limits.maxQueue) {
        // Never idle here: it is full (maxConcurrent is at least 1), so it stays counted as in use.
        downstream.fail(refuse(key, false, ctx));
        return;
      }
      wait(key, bulkhead, ctx).then(proceed, downstream.fail);
    }),
    get size() {
      return bulkheads.size - idle;
    },
    state(key) {
      const bulkhead = bulkheads.get(key);
      return { active: bulkhead?.active ?? 0, queued: bulkhead?.queue.size ?? 0 };
    },
  };
}

/** The error a waiter leaves with when its exchange is aborted: the abort's own reason when it is one of ours. */
function abortError(reason: unknown): InterceptorError {
  return isInterceptorError(reason) ? reason : new InterceptorError(ErrorCode.Cancelled, 'Request cancelled', { reason: 'CANCELLED' });
}
