// request-logger: one redacted log record per HTTP request, written when the response starts.
import type { HttpContext } from '../http-context.js';
import { HttpPriority, type HttpInterceptor } from '../http-interceptor.js';
import { boolean, fn, nonNegativeInt, optionsObject, priority, stringList } from '../internal/options.js';
import { previewBody, readPrefix } from '../body-preview.js';
import { jsonLinesSink, levelForStatus, type HttpLogLevel, type HttpLogRecord, type HttpLogSink } from '../log-sink.js';
import { createRedactor } from '../redact.js';

export interface RequestLoggerOptions {
  /** Where records go. @defaultValue JSON lines on stderr (`jsonLinesSink()`) */
  readonly sink?: HttpLogSink;
  /** Headers to redact on top of Authorization, Proxy-Authorization, Cookie, Set-Cookie, X-Api-Key, X-Auth-Token. @defaultValue `[]` */
  readonly redactHeaders?: readonly string[];
  /** Query-parameter and JSON/form body keys to redact on top of the built-in sensitive keys. @defaultValue `[]` */
  readonly redactKeys?: readonly string[];
  /** Log `Authorization: Bearer [REDACTED]` rather than just `[REDACTED]`. @defaultValue true */
  readonly showAuthScheme?: boolean;
  /** Log request and response headers (redacted). @defaultValue true */
  readonly includeHeaders?: boolean;
  /** Log bodies (redacted) up to this many bytes; 0 logs none. SSE bodies are never read. @defaultValue 0 */
  readonly maxBodyBytes?: number;
  /** The least severe level written: `info` (all), `warn` (4xx and 5xx), `error` (5xx). @defaultValue 'info' */
  readonly level?: HttpLogLevel;
  /** @defaultValue HttpPriority.Logging (100) */
  readonly priority?: number;
}

const LEVELS: Record<HttpLogLevel, number> = { info: 0, warn: 1, error: 2 };
// A response body is parsed (for key redaction) from at most this much; a longer one is only described.
const PARSE_BUDGET = 1024 * 1024;

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
  const sink = fn<HttpLogSink>('requestLogger.sink', options.sink) ?? jsonLinesSink();
  const redactor = createRedactor({
    headers: stringList('requestLogger.redactHeaders', options.redactHeaders, []),
    keys: stringList('requestLogger.redactKeys', options.redactKeys, []),
    showAuthScheme: boolean('requestLogger.showAuthScheme', options.showAuthScheme, true),
  });
  const includeHeaders = boolean('requestLogger.includeHeaders', options.includeHeaders, true);
  const maxBodyBytes = nonNegativeInt('requestLogger.maxBodyBytes', options.maxBodyBytes, 0);
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
        url: redactor.url(ctx.url.pathname + ctx.url.search),
        status,
        durationMs: Math.round(ctx.elapsed() * 100) / 100,
      };
      if (sessionId !== undefined) record['sessionId'] = sessionId;
      if (ctx.remoteAddress !== undefined) record['remoteAddress'] = ctx.remoteAddress;
      if (includeHeaders) {
        record['requestHeaders'] = redactor.headers(ctx.headers);
        record['responseHeaders'] = redactor.headers(headersRecord(headers));
      }
      if (maxBodyBytes > 0) {
        const snapshot = ctx.bodyIfRead;
        if (snapshot !== undefined) record['requestBody'] = previewBody(snapshot, ctx.header('content-type'), maxBodyBytes, redactor);
        if (stream) record['stream'] = true;
        else {
          const body = await responsePreviewSource(ctx);
          if (body !== undefined) record['responseBody'] = typeof body === 'string' ? body : previewBody(body, headers.get('content-type'), maxBodyBytes, redactor);
        }
      } else if (stream) {
        record['stream'] = true;
      }
      try {
        sink(record as unknown as HttpLogRecord);
      } catch {
        // A failing sink never fails the request.
      }
    },
  };
}

/**
 * The response body for a preview: strings and bytes as they are; a stream tee'd and one branch read (capped). A body
 * longer than the parse budget is only described: a prefix of JSON cannot be redacted by key.
 */
async function responsePreviewSource(ctx: HttpContext): Promise<{ bytes: Uint8Array } | string | undefined> {
  const body = ctx.response.body;
  if (body === null) return undefined;
  if (typeof body === 'string') return { bytes: new TextEncoder().encode(body) };
  if (body instanceof Uint8Array) return { bytes: body };
  if (body.locked) return undefined;
  const [forClient, forLog] = body.tee();
  ctx.response.body = forClient;
  const { bytes, complete } = await readPrefix(forLog, PARSE_BUDGET);
  return complete ? { bytes } : `[more than ${PARSE_BUDGET} bytes, not logged]`;
}

function headersRecord(headers: Headers): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  headers.forEach((value, name) => {
    if (name !== 'set-cookie') out[name] = value;
  });
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) out['set-cookie'] = cookies;
  return out;
}
