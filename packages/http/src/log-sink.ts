// Where the HTTP layer's log records go: a pluggable sink, JSON lines on stderr by default (stdout may carry MCP).

export type HttpLogLevel = 'info' | 'warn' | 'error';

/** One log record. Every header, URL and body in it has already been redacted. */
export interface HttpLogRecord {
  /** ISO 8601. */
  readonly time: string;
  readonly level: HttpLogLevel;
  /** `http.server.request`, `http.client.request`, or `http.server.error` (a hook failed; the cause is here, not on the wire). */
  readonly event: string;
  readonly requestId?: string;
  readonly method?: string;
  readonly url?: string;
  readonly status?: number;
  readonly durationMs?: number;
  readonly sessionId?: string;
  readonly remoteAddress?: string;
  readonly requestHeaders?: Readonly<Record<string, string | string[]>>;
  readonly responseHeaders?: Readonly<Record<string, string | string[]>>;
  /** A redacted JSON value, or a truncated/annotated string. */
  readonly requestBody?: unknown;
  readonly responseBody?: unknown;
  /** The response is an SSE stream: logged when it starts, its body never buffered. */
  readonly stream?: boolean;
  /** Client side: which attempt this was (1 = first). */
  readonly attempt?: number;
  readonly interceptor?: string;
  readonly error?: string;
}

export type HttpLogSink = (record: HttpLogRecord) => void;

export interface LineWriter {
  write(line: string): unknown;
}

/**
 * A sink writing one JSON object per line. Defaults to `process.stderr`: a stdio MCP server owns stdout.
 *
 * @example requestLogger({ sink: jsonLinesSink(fs.createWriteStream('http.log', { flags: 'a' })) })
 */
export function jsonLinesSink(writer: LineWriter = process.stderr): HttpLogSink {
  return (record) => {
    writer.write(JSON.stringify(record) + '\n');
  };
}

/** Level from a status: 5xx error, 4xx warn, else info. */
export function levelForStatus(status: number): HttpLogLevel {
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}
