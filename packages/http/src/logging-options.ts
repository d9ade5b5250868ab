// The options the server request logger and the client logging middleware share, and their resolution.
import { boolean, fn, nonNegativeInt, stringList } from './internal/options.js';
import { jsonLinesSink, type HttpLogSink } from './log-sink.js';
import { createRedactor, type Redactor } from './redact.js';

export interface RedactedLoggingOptions {
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
  /** Log bodies, redacted by key, cut at this many bytes; 0 logs none. SSE bodies are never read. @defaultValue 0 */
  readonly maxBodyBytes?: number;
}

export interface ResolvedLogging {
  readonly sink: HttpLogSink;
  readonly redactor: Redactor;
  readonly includeHeaders: boolean;
  readonly maxBodyBytes: number;
}

export function resolveLogging(factory: string, options: RedactedLoggingOptions): ResolvedLogging {
  return {
    sink: fn<HttpLogSink>(`${factory}.sink`, options.sink) ?? jsonLinesSink(),
    redactor: createRedactor({
      headers: stringList(`${factory}.redactHeaders`, options.redactHeaders, []),
      keys: stringList(`${factory}.redactKeys`, options.redactKeys, []),
      showAuthScheme: boolean(`${factory}.showAuthScheme`, options.showAuthScheme, true),
    }),
    includeHeaders: boolean(`${factory}.includeHeaders`, options.includeHeaders, true),
    maxBodyBytes: nonNegativeInt(`${factory}.maxBodyBytes`, options.maxBodyBytes, 0),
  };
}

/** Hands a record to the sink; a failing sink never fails the request. */
export function emit(sink: HttpLogSink, record: Record<string, unknown>): void {
  try {
    sink(record as never);
  } catch {
    // deliberately ignored
  }
}
