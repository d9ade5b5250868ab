// withRedactedLogging: fetch middleware logging every request of the SDK client, with credentials redacted.
import type { Middleware } from '@modelcontextprotocol/sdk/client/middleware.js';
import { systemClock, type Clock } from '@mcp-interceptors/core';
import { previewBody, readPrefix } from '../body-preview.js';
import { boolean, fn, nonNegativeInt, optionsObject, stringList } from '../internal/options.js';
import { jsonLinesSink, levelForStatus, type HttpLogSink } from '../log-sink.js';
import { createRedactor } from '../redact.js';
import { ATTEMPT, type InitWithAttempt } from './attempt.js';

export interface ClientLoggingOptions {
  /** Where records go. @defaultValue JSON lines on stderr */
  readonly sink?: HttpLogSink;
  /** Headers to redact on top of core's list. @defaultValue `[]` */
  readonly redactHeaders?: readonly string[];
  /** Query-parameter and body keys to redact on top of the built-in sensitive keys. @defaultValue `[]` */
  readonly redactKeys?: readonly string[];
  /** Log `Authorization: Bearer [REDACTED]` rather than `[REDACTED]`. @defaultValue true */
  readonly showAuthScheme?: boolean;
  /** Log request and response headers (redacted). @defaultValue true */
  readonly includeHeaders?: boolean;
  /** Log bodies (redacted by key) up to this many bytes; 0 logs none. SSE bodies are never read. @defaultValue 0 */
  readonly maxBodyBytes?: number;
  /** @defaultValue systemClock */
  readonly clock?: Clock;
}

const PARSE_BUDGET = 1024 * 1024;
const encoder = new TextEncoder();

/**
 * Logs each request the SDK client makes (`event: 'http.client.request'`): method, redacted URL, status, duration to
 * the response head, redacted headers, the attempt number under `withRetry`, and optionally bodies redacted by key.
 * A failed fetch is logged at `error` and rethrown. Unlike the SDK's `withLogging`, nothing sensitive is written.
 *
 * @example applyMiddlewares(withRedactedLogging({ maxBodyBytes: 1024 }))(fetch)
 */
export function withRedactedLogging(options: ClientLoggingOptions = {}): Middleware {
  optionsObject('withRedactedLogging', options);
  const sink = fn<HttpLogSink>('withRedactedLogging.sink', options.sink) ?? jsonLinesSink();
  const redactor = createRedactor({
    headers: stringList('withRedactedLogging.redactHeaders', options.redactHeaders, []),
    keys: stringList('withRedactedLogging.redactKeys', options.redactKeys, []),
    showAuthScheme: boolean('withRedactedLogging.showAuthScheme', options.showAuthScheme, true),
  });
  const includeHeaders = boolean('withRedactedLogging.includeHeaders', options.includeHeaders, true);
  const maxBodyBytes = nonNegativeInt('withRedactedLogging.maxBodyBytes', options.maxBodyBytes, 0);
  const clock = options.clock ?? systemClock;

  const emit = (record: Record<string, unknown>): void => {
    try {
      sink(record as never);
    } catch {
      // A failing sink never fails the request.
    }
  };

  return (next) => async (url, init) => {
    const start = clock.now();
    const requestHeaders = new Headers(init?.headers);
    const base: Record<string, unknown> = {
      time: new Date(start).toISOString(),
      event: 'http.client.request',
      method: (init?.method ?? 'GET').toUpperCase(),
      url: redactor.url(String(url)),
    };
    const attempt = (init as InitWithAttempt | undefined)?.[ATTEMPT];
    if (attempt !== undefined) base['attempt'] = attempt;
    if (includeHeaders) base['requestHeaders'] = redactor.headers(Object.fromEntries(requestHeaders));
    if (maxBodyBytes > 0 && typeof init?.body === 'string') base['requestBody'] = previewBody({ bytes: encoder.encode(init.body) }, requestHeaders.get('content-type'), maxBodyBytes, redactor);
    let response: Response;
    try {
      response = await next(url, init);
    } catch (error) {
      emit({ ...base, level: 'error', durationMs: elapsed(clock, start), error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      throw error;
    }
    const record: Record<string, unknown> = { ...base, level: levelForStatus(response.status), status: response.status, durationMs: elapsed(clock, start) };
    const sessionId = response.headers.get('mcp-session-id') ?? requestHeaders.get('mcp-session-id');
    if (sessionId !== null) record['sessionId'] = sessionId;
    if (includeHeaders) record['responseHeaders'] = redactor.headers(Object.fromEntries(response.headers));
    const stream = response.headers.get('content-type')?.includes('text/event-stream') === true;
    if (stream) record['stream'] = true;
    else if (maxBodyBytes > 0 && response.body !== null) {
      const { bytes, complete } = await readPrefix(response.clone().body as ReadableStream<Uint8Array>, PARSE_BUDGET);
      record['responseBody'] = complete ? previewBody({ bytes }, response.headers.get('content-type'), maxBodyBytes, redactor) : `[more than ${PARSE_BUDGET} bytes, not logged]`;
    }
    emit(record);
    return response;
  };
}

function elapsed(clock: Clock, start: number): number {
  return Math.round((clock.now() - start) * 100) / 100;
}
