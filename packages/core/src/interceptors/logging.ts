// logging: one structured record per finished exchange and per notification, to a pluggable sink (stderr by
// default: on stdio, stdout is the transport). Payloads are optional, redacted and truncated.
import type { Clock } from '../clock.js';
import type { Direction, InterceptorContext } from '../context.js';
import { clockOption, endOf, observeRequests, toolNameOf, type Outcome } from '../internal/exchange-end.js';
import { isoTime } from '../internal/iso-time.js';
import { boolean, fn, oneOf, optionsObject, positiveInt, stringList } from '../internal/options.js';
import { Priority, type Interceptor } from '../interceptor.js';
import type { JsonRpcId, JsonRpcResponse } from '../jsonrpc.js';
import { redactedJson, sensitiveKeyMatcher, type SensitiveKeyMatcher } from '../sensitive-keys.js';
import type { Side } from '../session.js';

export type { Outcome } from '../internal/exchange-end.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const RANK: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

/** One structured log record. Payload fields are redacted, truncated JSON strings. */
export interface LogRecord {
  /** ISO 8601, from the interceptor's clock. */
  readonly time: string;
  readonly level: LogLevel;
  /** `exchange`: a finished request; `notification`; `slow`: a request over the timing threshold. */
  readonly event: 'exchange' | 'notification' | 'slow';
  readonly side: Side;
  readonly direction: Direction;
  readonly kind: 'request' | 'notification';
  readonly method: string;
  /** The JSON-RPC id (requests only). */
  readonly id?: JsonRpcId;
  /** The correlation id (for a notification: the request it refers to, when known). */
  readonly requestId?: string;
  readonly durationMs?: number;
  readonly outcome?: Outcome;
  readonly errorCode?: number;
  /** `error.data.reason`, or `TOOL_ERROR` for a tool result with `isError: true`. */
  readonly errorReason?: string;
  /** The tool of a `tools/call`. */
  readonly tool?: string;
  /** For `slow` records: the threshold that was passed. */
  readonly thresholdMs?: number;
  readonly params?: string;
  readonly result?: string;
  readonly error?: string;
}

/** Receives records. Whatever it throws (or rejects with) is swallowed: a sink never breaks a request. */
export type LogSink = (record: LogRecord) => void | Promise<void>;

/**
 * A sink writing one JSON object per line to `stream`.
 *
 * @example logging({ sink: jsonLinesSink(fs.createWriteStream('mcp.log', { flags: 'a' })) })
 */
export function jsonLinesSink(stream: { write(chunk: string): unknown }): LogSink {
  if (typeof stream !== 'object' || stream === null || typeof stream.write !== 'function') throw new TypeError('jsonLinesSink: stream must have a write() method');
  return (record) => void stream.write(`${JSON.stringify(record)}\n`);
}

/** Writes JSON lines to `process.stderr`, never stdout (stdout carries the stdio transport). */
export const stderrSink: LogSink = (record) => void process.stderr.write(`${JSON.stringify(record)}\n`);

/** Discards every record. */
export const nullSink: LogSink = () => {};

/** Hands a record to a sink; a throwing or rejecting sink is ignored. */
export function emitRecord(sink: LogSink, record: LogRecord): void {
  try {
    const pending = sink(record);
    if (pending !== undefined && typeof (pending as Promise<void>).then === 'function') (pending as Promise<void>).catch(() => undefined);
  } catch {
    // A sink must never break a request.
  }
}

export interface LoggingOptions {
  /** Where records go. @defaultValue {@link stderrSink} */
  readonly sink?: LogSink;
  /** The lowest level written. Errors log at `error`, everything else at `info`. @defaultValue 'info' */
  readonly level?: LogLevel;
  /** Add `params`, `result` and `error` (redacted, truncated JSON). @defaultValue false */
  readonly includePayloads?: boolean;
  /** Longest payload field, in characters; longer ones end with `…[truncated]`. @defaultValue 2048 */
  readonly maxPayloadLength?: number;
  /** Key names redacted in payloads, added to `DEFAULT_SENSITIVE_KEYS`. @defaultValue [] */
  readonly sensitiveKeys?: readonly string[];
  /** Log notifications too. @defaultValue true */
  readonly notifications?: boolean;
  /** The time source for `time` and `durationMs`. @defaultValue the chain's clock (`ctx.clock`) */
  readonly clock?: Clock;
}

/**
 * Writes one record per finished request exchange (including requests rejected by an interceptor above it) and
 * one per notification it passes. With `includePayloads`, params, results and errors are included as JSON with the
 * values of sensitive keys (passwords, tokens, API keys, cookies, … at any depth, `_meta` and tool arguments
 * included) replaced by `[REDACTED]`, cut at `maxPayloadLength`. Never rejects a request; a failing sink is ignored.
 *
 * @example
 * const chain = createChain([requestId(), logging({ level: 'info', includePayloads: true })]);
 */
export function logging(options: LoggingOptions = {}): Interceptor {
  optionsObject('logging', options);
  const sink = fn<LogSink>('logging.sink', options.sink, stderrSink);
  const level = oneOf('logging.level', options.level, LOG_LEVELS, 'info');
  const includePayloads = boolean('logging.includePayloads', options.includePayloads, false);
  const maxPayloadLength = positiveInt('logging.maxPayloadLength', options.maxPayloadLength, 2048);
  const isSensitive: SensitiveKeyMatcher = sensitiveKeyMatcher(stringList('logging.sensitiveKeys', options.sensitiveKeys, []));
  const notifications = boolean('logging.notifications', options.notifications, true);
  const fixedClock = clockOption('logging.clock', options.clock);

  const clockOf = (ctx: InterceptorContext): Clock => fixedClock ?? ctx.clock;
  const payload = (value: unknown): string => redactedJson(value, isSensitive, { maxLength: maxPayloadLength });
  const logsInfo = RANK[level] <= RANK.info;
  const loggedNotifications = new WeakSet<InterceptorContext>();

  const requests = observeRequests({
    clock: clockOf,
    onEnd(response: JsonRpcResponse, ctx, durationMs, started) {
      const end = endOf(response);
      const recordLevel: LogLevel = end.outcome === 'error' ? 'error' : 'info';
      if (RANK[recordLevel] < RANK[level]) return;
      const params = started.request?.params;
      const record: Mutable<LogRecord> = {
        time: isoTime(clockOf(ctx).now()),
        level: recordLevel,
        event: 'exchange',
        side: ctx.side,
        direction: ctx.direction,
        kind: 'request',
        method: ctx.method,
        requestId: ctx.requestId,
        durationMs: round(durationMs),
        outcome: end.outcome,
      };
      if (ctx.jsonrpcId !== undefined) record.id = ctx.jsonrpcId;
      if (end.code !== undefined) record.errorCode = end.code;
      if (end.reason !== undefined) record.errorReason = end.reason;
      const tool = toolNameOf(ctx.method, params);
      if (tool !== undefined) record.tool = tool;
      if (includePayloads) {
        if (params !== undefined) record.params = payload(params);
        if ('result' in response) record.result = payload(response.result);
        else record.error = payload(response.error);
      }
      emitRecord(sink, record);
    },
  });

  function logNotification(ctx: InterceptorContext, params: unknown, outcome: Outcome, recordLevel: LogLevel): void {
    loggedNotifications.add(ctx);
    if (RANK[recordLevel] < RANK[level]) return;
    const record: Mutable<LogRecord> = {
      time: isoTime(clockOf(ctx).now()),
      level: recordLevel,
      event: 'notification',
      side: ctx.side,
      direction: ctx.direction,
      kind: 'notification',
      method: ctx.method,
      outcome,
    };
    if (ctx.related !== undefined) record.requestId = ctx.related.requestId;
    if (includePayloads && params !== undefined) record.params = payload(params);
    emitRecord(sink, record);
  }

  return {
    name: 'logging',
    priority: Priority.Low,
    onRequest: requests.onRequest,
    onResponse: requests.onResponse,
    onNotification: notifications && logsInfo ? (notification, ctx) => logNotification(ctx, notification.params, 'ok', 'info') : undefined,
    onError(error, ctx) {
      if (ctx.kind === 'request') requests.onError(error, ctx);
      // A notification that an interceptor above us failed on never reaches onNotification.
      else if (notifications && !loggedNotifications.has(ctx)) logNotification(ctx, undefined, 'error', 'error');
    },
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
