// retry: replays failed idempotent requests we sent (client side), with exponential backoff and full jitter,
// honouring the server's `retryAfterMs` and stopping as soon as the exchange is cancelled.
import type { Clock } from '../clock.js';
import { anyStop, toCancellation, type Cancellation } from '../cancellation.js';
import { continuationAround, type Downstream } from '../continuation.js';
import type { InterceptorContext } from '../context.js';
import { ErrorCode, errorResponse, isInterceptorError } from '../errors.js';
import * as check from '../internal/options.js';
import { Priority, type Interceptor } from '../interceptor.js';
import { isErrorResponse, type JsonObject, type JsonRpcRequest, type JsonRpcResponse } from '../jsonrpc.js';
import { createKey, type MetadataKey } from '../metadata.js';
import type { SessionInfo } from '../session.js';
import { learnRetryableTools } from './retry-tools.js';
import { clock as clockOption, timerMs } from '../internal/options.js';

export interface RetryOptions {
  /** Attempts in total, the first one included (3 means at most 2 retries). @defaultValue 3 */
  readonly maxAttempts?: number;
  /** Backoff ceiling of the first retry; it doubles with each retry (full jitter: the wait is `random() * ceiling`). @defaultValue 100 */
  readonly baseDelayMs?: number;
  /** Longest wait between two attempts, `retryAfterMs` included. @defaultValue 10_000 */
  readonly maxDelayMs?: number;
  /**
   * A server asking to wait longer than this (`error.data.retryAfterMs`) is not retried: its error is the answer.
   * May not exceed `maxDelayMs`, which caps every wait. @defaultValue `maxDelayMs`
   */
  readonly maxRetryAfterMs?: number;
  /**
   * Error codes worth another attempt. @defaultValue `[-32603, -32000, -31004, -31001, -31002, -31003]`
   * (internal error, connection closed, timeout, rate-limited, circuit open, concurrency limited)
   */
  readonly codes?: readonly number[];
  /** Tools whose `tools/call` may be retried even though `tools/list` does not mark them read-only or idempotent. @defaultValue `[]` */
  readonly tools?: readonly string[];
  /** How many tool names learned from `tools/list` are remembered per session (oldest forgotten first). @defaultValue 1000 */
  readonly maxLearnedTools?: number;
  /** Returns a number in [0, 1) for the jitter. @defaultValue Math.random */
  readonly random?: () => number;
  /** Times the backoff. @defaultValue the chain's clock (`ctx.clock`) */
  readonly clock?: Clock;
  /** @defaultValue Priority.High */
  readonly priority?: Priority;
}

/** What the retry did for one exchange, in `ctx.metadata` under {@link RetryAttemptsKey}. */
export interface RetryRecord {
  /** Attempts made, the first one included. */
  readonly attempts: number;
  /** Why it stopped retrying while the last attempt had still failed; absent when the last attempt succeeded or was not retryable. */
  readonly gaveUp?: 'MAX_ATTEMPTS' | 'RETRY_AFTER_TOO_LONG' | 'CANCELLED';
}

/** The metadata key under which `retry()` records its {@link RetryRecord} for an exchange it could retry. */
export const RetryAttemptsKey: MetadataKey<RetryRecord> = createKey<RetryRecord>('retry.attempts');

/** Methods safe to send twice: they read and change nothing (MCP 2025-06-18). */
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set([
  'tools/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'prompts/list',
  'prompts/get',
  'ping',
  'completion/complete',
]);

const DEFAULT_CODES: readonly number[] = [
  ErrorCode.InternalError,
  ErrorCode.ConnectionClosed,
  ErrorCode.Timeout,
  ErrorCode.RateLimited,
  ErrorCode.CircuitOpen,
  ErrorCode.ConcurrencyLimited,
];

/**
 * Retries requests this side sent (`ctx.direction === 'outbound'`, normally the client) when they fail with a
 * retryable error code: only idempotent methods, and `tools/call` only for tools that `tools/list` marked
 * `readOnlyHint` or `idempotentHint` (learned as the list passes this interceptor) or that `tools` allows.
 * Every attempt carries the same JSON-RPC id and starts from the request as it was first sent. Waits use
 * exponential backoff with full jitter, at least the server's `retryAfterMs`; a cancelled exchange is never retried.
 *
 * Registered before `timeout()` it gives each attempt its own deadline (use `timeout({ mode: 'attempt' })`);
 * registered after it, the deadline covers all attempts.
 *
 * @example
 * const chain = createChain([retry({ maxAttempts: 4, tools: ['search'] }), timeout({ defaultMs: 5_000, mode: 'attempt' })]);
 * await client.connect(intercept(transport, chain, { side: 'client' }));
 */
export function retry(options: RetryOptions = {}): Interceptor {
  check.optionsObject('retry', options);
  const maxAttempts = check.positiveInt('retry.maxAttempts', options.maxAttempts, 3);
  const baseDelayMs = check.nonNegativeNumber('retry.baseDelayMs', options.baseDelayMs, 100);
  const maxDelayMs = timerMs('retry.maxDelayMs', options.maxDelayMs, 10_000);
  if (maxDelayMs < baseDelayMs) throw new RangeError(`retry.maxDelayMs (${maxDelayMs}) must not be less than retry.baseDelayMs (${baseDelayMs})`);
  const maxRetryAfterMs = check.nonNegativeNumber('retry.maxRetryAfterMs', options.maxRetryAfterMs, maxDelayMs);
  if (maxRetryAfterMs > maxDelayMs) {
    throw new RangeError(`retry.maxRetryAfterMs (${maxRetryAfterMs}) must not exceed retry.maxDelayMs (${maxDelayMs}): a wait capped at maxDelayMs would come before the server is ready`);
  }
  const codes = new Set(integerList('retry.codes', options.codes, DEFAULT_CODES));
  const allowedTools: ReadonlySet<string> = new Set(check.stringList('retry.tools', options.tools, []));
  const maxLearnedTools = check.positiveInt('retry.maxLearnedTools', options.maxLearnedTools, 1000);
  const random = check.fn<() => number>('retry.random', options.random, Math.random);
  const fixedClock = clockOption('retry.clock', options.clock);
  const priority = check.priority('retry.priority', options.priority, Priority.High);

  /** Per session (one per wrapped transport): tools that `tools/list` marked read-only or idempotent. */
  const learned = new WeakMap<SessionInfo, Set<string>>();

  function mayRetry(request: JsonRpcRequest, ctx: InterceptorContext): boolean {
    if (IDEMPOTENT_METHODS.has(request.method)) return true;
    if (request.method !== 'tools/call') return false;
    const name = request.params?.['name'];
    if (typeof name !== 'string') return false;
    return allowedTools.has(name) || (learned.get(ctx.session)?.has(name) ?? false);
  }

  /** The wait before retry number `retryNumber` (1 for the first retry). */
  function delayFor(retryNumber: number, retryAfterMs: number | undefined): number {
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (retryNumber - 1));
    const r = random();
    const jittered = ceiling * (r >= 0 && r < 1 ? r : 0);
    return Math.min(maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
  }

  /** Attempts after a first that failed with a retryable error, until one does not, or the retrying gives up. */
  async function retrying(request: JsonRpcRequest, ctx: InterceptorContext, downstream: Downstream, upstream: Cancellation | undefined, first: JsonRpcResponse): Promise<JsonRpcResponse> {
    const clock = fixedClock ?? ctx.clock;
    // An outer per-attempt deadline ends the retrying too, not only a cancelled exchange.
    const stop: Cancellation = upstream === undefined ? toCancellation(ctx.signal) : anyStop(ctx.signal, upstream);
    const labels = { method: request.method };
    let response = first;
    let attempts = 1;
    let gaveUp: RetryRecord['gaveUp'];
    while (isErrorResponse(response) && codes.has(response.error.code)) {
      if (stop.aborted) {
        gaveUp = 'CANCELLED';
        break;
      }
      if (attempts >= maxAttempts) {
        gaveUp = 'MAX_ATTEMPTS';
        break;
      }
      const retryAfterMs = readRetryAfter(response.error.data);
      if (retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs) {
        gaveUp = 'RETRY_AFTER_TOO_LONG';
        break;
      }
      ctx.metrics.increment('retry.retries', { method: request.method, code: response.error.code });
      if (!(await wait(clock, delayFor(attempts, retryAfterMs), stop))) {
        gaveUp = 'CANCELLED';
        response = cancelledResponse(request, stop.reason);
        break;
      }
      attempts++;
      response = await new Promise<JsonRpcResponse>((resolve) => downstream.next(undefined, resolve));
      if (request.method === 'tools/list') learnFromList(response, ctx.session);
    }
    ctx.metadata.set(RetryAttemptsKey, gaveUp === undefined ? { attempts } : { attempts, gaveUp });
    if (gaveUp !== undefined) ctx.metrics.increment('retry.gave_up', { ...labels, reason: gaveUp });
    else if (attempts > 1) ctx.metrics.increment('retry.recovered', labels);
    return response;
  }

  return {
    name: 'retry',
    priority,
    // Only requests this side sent; notifications pass so that `tools/list_changed` can reset what was learned.
    shouldExecute: (ctx) => ctx.direction === 'outbound' || ctx.kind === 'notification',
    // The first attempt runs without a promise; only a failed one that may be retried goes on to `retrying`.
    around: continuationAround(
      (request, ctx, downstream, upstream) => {
        downstream.next(undefined, (response) => {
          if (request.method === 'tools/list') learnFromList(response, ctx.session);
          if (!isErrorResponse(response) || !codes.has(response.error.code) || !mayRetry(request, ctx)) downstream.respond(response);
          else retrying(request, ctx, downstream, upstream, response).then(downstream.respond, downstream.fail);
        });
      },
      { replays: true },
    ),
    onNotification(notification, ctx) {
      // The tools may have changed: forget their hints until the next `tools/list` (never retry on stale hints).
      if (notification.method === 'notifications/tools/list_changed') learned.delete(ctx.session);
    },
  };

  function learnFromList(response: JsonRpcResponse, session: SessionInfo): void {
    if (isErrorResponse(response)) return;
    let set = learned.get(session);
    if (set === undefined) {
      set = new Set();
      learned.set(session, set);
    }
    learnRetryableTools(response.result, set, maxLearnedTools);
  }
}

/** Resolves true after `ms`, or false as soon as `stop` aborts (the timer is then cleared). */
function wait(clock: Clock, ms: number, stop: Cancellation): Promise<boolean> {
  if (stop.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => {
      off();
      resolve(true);
    }, ms);
    const off = stop.onAbort(() => {
      clock.clearTimeout(timer);
      resolve(false);
    });
  });
}

/** The answer of an exchange cancelled during a backoff: the abort reason when it is ours, as the transport would give. */
function cancelledResponse(request: JsonRpcRequest, reason: unknown): JsonRpcResponse {
  if (isInterceptorError(reason)) return reason.toResponse(request.id);
  return errorResponse(request.id, ErrorCode.Cancelled, 'Request cancelled', { reason: 'CANCELLED' });
}

function readRetryAfter(data: unknown): number | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const value = (data as JsonObject)['retryAfterMs'];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function integerList(where: `${string}.${string}`, value: unknown, fallback: readonly number[]): readonly number[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.some((v) => !Number.isSafeInteger(v))) {
    throw new TypeError(`${where} must be an array of integer error codes, got ${Array.isArray(value) ? JSON.stringify(value) : typeof value}`);
  }
  return value as number[];
}
