// withRedactedLogging: fetch middleware logging every request of the SDK client, with credentials redacted.
import type { Middleware } from '@modelcontextprotocol/sdk/client/middleware.js';
import { systemClock, type Clock } from '@mcp-interceptors/core';
import { previewBody, previewStream } from '../body-preview.js';
import { optionsObject } from '../internal/options.js';
import { levelForStatus } from '../log-sink.js';
import { emit, resolveLogging, type RedactedLoggingOptions } from '../logging-options.js';
import { ATTEMPT, type InitWithAttempt } from './attempt.js';

export interface ClientLoggingOptions extends RedactedLoggingOptions {
  /** @defaultValue systemClock */
  readonly clock?: Clock;
}

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
  const { sink, redactor, includeHeaders, maxBodyBytes } = resolveLogging('withRedactedLogging', options);
  const clock = options.clock ?? systemClock;

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
      emit(sink, { ...base, level: 'error', durationMs: elapsed(clock, start), error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      throw error;
    }
    const record: Record<string, unknown> = { ...base, level: levelForStatus(response.status), status: response.status, durationMs: elapsed(clock, start) };
    const sessionId = response.headers.get('mcp-session-id') ?? requestHeaders.get('mcp-session-id');
    if (sessionId !== null) record['sessionId'] = sessionId;
    if (includeHeaders) record['responseHeaders'] = redactor.headers(Object.fromEntries(response.headers));
    const stream = response.headers.get('content-type')?.includes('text/event-stream') === true;
    if (stream) record['stream'] = true;
    else if (maxBodyBytes > 0 && response.body !== null) {
      record['responseBody'] = await previewStream(response.clone().body as ReadableStream<Uint8Array>, response.headers.get('content-type'), maxBodyBytes, redactor);
    }
    emit(sink, record);
    return response;
  };
}

function elapsed(clock: Clock, start: number): number {
  return Math.round((clock.now() - start) * 100) / 100;
}
