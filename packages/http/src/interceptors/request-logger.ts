// request-logger: one redacted log record per HTTP request, written when the response starts.
import type { HttpContext } from '../http-context.js';
import { HttpPriority, type HttpInterceptor } from '../http-interceptor.js';
import { optionsObject, priority } from '../internal/options.js';
import { previewBody, previewStream } from '../body-preview.js';
import { levelForStatus, type HttpLogLevel } from '../log-sink.js';
import { emit, resolveLogging, type RedactedLoggingOptions } from '../logging-options.js';
import type { Redactor } from '../redact.js';

export interface RequestLoggerOptions extends RedactedLoggingOptions {
  /** The least severe level written: `info` (all), `warn` (4xx and 5xx), `error` (5xx). @defaultValue 'info' */
  readonly level?: HttpLogLevel;
  /** @defaultValue HttpPriority.Logging (100) */
  readonly priority?: number;
}

const LEVELS: Record<HttpLogLevel, number> = { info: 0, warn: 1, error: 2 };

/**
 * Logs every request that reaches it, rejections by later interceptors included: method, URL (sensitive query values
 * redacted), status, duration to the response head, headers with credentials redacted, and, with `maxBodyBytes`,
 * bodies redacted by key and capped. An SSE response is logged when it starts (`stream: true`), and its body is never
 * buffered. Records go to a pluggable sink; the default writes JSON lines to stderr.
 *
 * @example createHttpChain([requestLogger({ maxBodyBytes: 2048, redactHeaders: ['x-tenant-secret'], redactKeys: ['ssn'] })]);
 */
export function requestLogger(options: RequestLoggerOptions = {}): HttpInterceptor {
  optionsObject('requestLogger', options);
  const { sink, redactor, includeHeaders, maxBodyBytes } = resolveLogging('requestLogger', options);
  const level = options.level ?? 'info';
  if (!(level in LEVELS)) throw new TypeError(`requestLogger.level must be one of "info", "warn", "error", got ${JSON.stringify(level)}`);
  const threshold = LEVELS[level];

  return {
    name: 'request-logger',
    priority: priority('requestLogger.priority', options.priority, HttpPriority.Logging),
    async onResponse(ctx) {
      const { status, headers } = ctx.response;
      const recordLevel = levelForStatus(status);
      if (LEVELS[recordLevel] < threshold) return;
      const stream = headers.get('content-type')?.includes('text/event-stream') === true;
      const sessionId = ctx.header('mcp-session-id') ?? headers.get('mcp-session-id') ?? undefined;
      const record: Record<string, unknown> = {
        time: new Date(ctx.startTime).toISOString(),
        level: recordLevel,
        event: 'http.server.request',
        requestId: ctx.requestId,
        method: ctx.method,
        url: redactor.url(ctx.target),
        status,
        durationMs: Math.round(ctx.elapsed() * 100) / 100,
      };
      if (sessionId !== undefined) record['sessionId'] = sessionId;
      if (ctx.remoteAddress !== undefined) record['remoteAddress'] = ctx.remoteAddress;
      if (includeHeaders) {
        record['requestHeaders'] = redactor.headers(ctx.headers);
        record['responseHeaders'] = redactor.headers(headers.toRecord());
      }
      if (stream) record['stream'] = true;
      if (maxBodyBytes > 0) {
        const snapshot = ctx.bodyIfRead;
        if (snapshot !== undefined) record['requestBody'] = previewBody(snapshot, ctx.header('content-type'), maxBodyBytes, redactor);
        // An SSE body is never read: it may stay open for the whole session.
        const preview = stream ? undefined : await responsePreview(ctx, maxBodyBytes, redactor);
        if (preview !== undefined) record['responseBody'] = preview;
      }
      emit(sink, record);
    },
  };
}

/** The response body's preview: strings and bytes as they are; a stream is tee'd and one branch read. */
async function responsePreview(ctx: HttpContext, maxBytes: number, redactor: Redactor): Promise<unknown> {
  const body = ctx.response.body;
  const type = ctx.response.headers.get('content-type');
  if (body === null) return undefined;
  if (typeof body === 'string') return previewBody({ bytes: new TextEncoder().encode(body) }, type, maxBytes, redactor);
  if (body instanceof Uint8Array) return previewBody({ bytes: body }, type, maxBytes, redactor);
  if (body.locked) return undefined;
  const [forClient, forLog] = body.tee();
  ctx.response.body = forClient;
  return previewStream(forLog, type, maxBytes, redactor);
}
