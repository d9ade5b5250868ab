// timeout: a deadline per method (and per tool); on expiry the requester gets -31004 TIMEOUT at once, the far side
// gets `notifications/cancelled`, and the late response is dropped.
import { createCancellation } from '../cancellation.js';
import type { Clock } from '../clock.js';
import { continuationAround } from '../continuation.js';
import { ErrorCode, InterceptorError } from '../errors.js';
import * as check from '../internal/options.js';
import { Priority, type Interceptor } from '../interceptor.js';
import { DeadlineQueue } from '../internal/deadline-queue.js';
import { clock as clockOption, timerMs } from '../internal/options.js';

export interface TimeoutOptions {
  /** Deadline of a request whose method and tool have none of their own, in milliseconds; 0 means none. @defaultValue 30_000 */
  readonly defaultMs?: number;
  /** Deadlines per method, e.g. `{ 'resources/read': 5_000 }`; 0 means none. @defaultValue `{}` */
  readonly methods?: Readonly<Record<string, number>>;
  /** Deadlines per tool for `tools/call`, ahead of `methods['tools/call']`; 0 means none. @defaultValue `{}` */
  readonly tools?: Readonly<Record<string, number>>;
  /**
   * `total`: on expiry the whole exchange is aborted (`ctx.abort`), so an outer `retry()` stops too.
   * `attempt`: only the call below is abandoned, so an outer `retry()` may try again (it retries -31004).
   * @defaultValue 'total'
   */
  readonly mode?: 'total' | 'attempt';
  /** Times the deadline. @defaultValue the chain's clock (`ctx.clock`) */
  readonly clock?: Clock;
  /** @defaultValue Priority.High */
  readonly priority?: Priority;
}

/**
 * Gives each request a deadline. When it passes, the requester is answered with -31004
 * `{ reason: 'TIMEOUT', timeoutMs }` straight away, everything below is abandoned: the transport sends
 * `notifications/cancelled` to the peer that holds the request (outbound) or cancels the local handler (inbound),
 * and a response that still comes is dropped. Works on either side and in either direction.
 *
 * @example
 * const chain = createChain([timeout({ defaultMs: 10_000, tools: { 'generate-report': 120_000 } })]);
 * await server.connect(intercept(transport, chain, { side: 'server' }));
 */
export function timeout(options: TimeoutOptions = {}): Interceptor {
  check.optionsObject('timeout', options);
  const defaultMs = timerMs('timeout.defaultMs', options.defaultMs, 30_000);
  const methods = deadlines('timeout.methods', options.methods);
  const tools = deadlines('timeout.tools', options.tools);
  const mode = check.oneOf('timeout.mode', options.mode, ['total', 'attempt'] as const, 'total');
  const fixedClock = clockOption('timeout.clock', options.clock);
  const priority = check.priority('timeout.priority', options.priority, Priority.High);
  const toolCallMs = methods.get('tools/call') ?? defaultMs;
  // One queue per clock and duration: its single timer serves every request with that deadline.
  const queues = new WeakMap<Clock, Map<number, DeadlineQueue>>();
  const queueFor = (clock: Clock, ms: number): DeadlineQueue => {
    let byMs = queues.get(clock);
    if (byMs === undefined) queues.set(clock, (byMs = new Map()));
    let queue = byMs.get(ms);
    if (queue === undefined) byMs.set(ms, (queue = new DeadlineQueue(clock, ms)));
    return queue;
  };

  return {
    name: 'timeout',
    priority,
    around: continuationAround((request, ctx, downstream) => {
      let ms = methods.get(request.method) ?? defaultMs;
      if (request.method === 'tools/call' && tools.size > 0) {
        const name = request.params?.['name'];
        ms = (typeof name === 'string' ? tools.get(name) : undefined) ?? toolCallMs;
      }
      if (ms === 0) {
        downstream.pass();
        return;
      }
      const queue = queueFor(fixedClock ?? ctx.clock, ms);
      // A Cancellation, not an AbortController: the same effect below for a fraction of the cost per request.
      const cancel = createCancellation();
      let settled = false;
      const deadline = queue.add(() => {
        if (settled) return;
        settled = true;
        const error = new InterceptorError(ErrorCode.Timeout, `Request timed out after ${ms} ms`, { reason: 'TIMEOUT', interceptor: 'timeout', timeoutMs: ms });
        ctx.metrics.increment('timeout.expired', { method: request.method });
        // Abandon the call below first: the transport then cancels the far side and drops a late response.
        cancel.cancel(error);
        if (mode === 'total') ctx.abort(error);
        downstream.fail(error);
      });
      // Not `pass`: cancelling may make the call below answer at once (the transport does), before the deadline has
      // answered with its own error; that answer must be dropped, not taken for the exchange's.
      downstream.next({ cancel }, (response) => {
        if (settled) return;
        settled = true;
        queue.cancel(deadline);
        downstream.respond(response);
      });
    }),
  };
}

function deadlines(where: `${string}.${string}`, value: Readonly<Record<string, number>> | undefined): ReadonlyMap<string, number> {
  check.record(where, value);
  const map = new Map<string, number>();
  for (const [key, ms] of Object.entries(value ?? {})) {
    if (ms !== undefined) map.set(key, timerMs(`${where}.${key}` as `${string}.${string}`, ms, 0));
  }
  return map;
}
