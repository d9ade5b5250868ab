// withRetry: fetch middleware retrying 429/503 answers, honouring Retry-After, with capped exponential backoff.
import type { Middleware } from '@modelcontextprotocol/sdk/client/middleware.js';
import { systemClock, type Clock } from '@mcp-interceptors/core';
import { fn, nonNegativeInt, optionsObject, positiveInt } from '../internal/options.js';
import { ATTEMPT, type InitWithAttempt } from './attempt.js';

export interface RetryOptions {
  /** Retries after the first attempt. @defaultValue 2 */
  readonly retries?: number;
  /** Statuses that mean "not processed, try later". @defaultValue `[429, 503]` */
  readonly statuses?: readonly number[];
  /** The first backoff when the answer has no `Retry-After`; doubles per retry. @defaultValue 250 */
  readonly baseDelayMs?: number;
  /** The longest wait; a `Retry-After` asking for more is not waited for (the answer is returned). @defaultValue 10_000 */
  readonly maxDelayMs?: number;
  /** Where waits are timed. @defaultValue systemClock */
  readonly clock?: Clock;
  /** Source of jitter in [0, 1): the backoff is scaled by 0.5 + random / 2. @defaultValue Math.random */
  readonly random?: () => number;
}

/**
 * Retries a request answered 429 or 503, waiting for `Retry-After` (seconds or an HTTP date) when the server sends
 * one, else for a jittered exponential backoff. A request whose body is a stream cannot be replayed and is not retried;
 * an aborted request stops waiting at once. After the last retry the last answer is returned as it is.
 *
 * @example withRetry({ retries: 3, maxDelayMs: 5000 })
 */
export function withRetry(options: RetryOptions = {}): Middleware {
  optionsObject('withRetry', options);
  const retries = nonNegativeInt('withRetry.retries', options.retries, 2);
  const statusList = options.statuses ?? [429, 503];
  if (!Array.isArray(statusList) || statusList.some((s) => !Number.isInteger(s) || s < 400 || s > 599)) throw new RangeError('withRetry.statuses must be an array of HTTP error statuses (400-599)');
  const statuses = new Set(statusList);
  const baseDelayMs = positiveInt('withRetry.baseDelayMs', options.baseDelayMs, 250);
  const maxDelayMs = positiveInt('withRetry.maxDelayMs', options.maxDelayMs, 10_000);
  const clock = options.clock ?? systemClock;
  const random = fn<() => number>('withRetry.random', options.random) ?? Math.random;

  return (next) => async (url, init) => {
    const replayable = !(init?.body instanceof ReadableStream);
    for (let attempt = 1; ; attempt++) {
      const response = await next(url, { ...init, [ATTEMPT]: attempt } as InitWithAttempt);
      if (!statuses.has(response.status) || attempt > retries || !replayable) return response;
      const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1) * (0.5 + random() / 2));
      const asked = retryAfterMs(response.headers.get('retry-after'), clock.now());
      if (asked !== undefined && asked > maxDelayMs) return response;
      await response.body?.cancel().catch(() => undefined);
      await sleep(clock, asked ?? backoff, init?.signal ?? undefined);
    }
  };
}

/** `Retry-After` in milliseconds from now: delta-seconds or an HTTP date; undefined when absent or malformed. */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function sleep(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
