// One HttpContext per HTTP request, shared by every HTTP interceptor and both hooks; the response is built on it.
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { ErrorCode, MetadataBag, type Clock, type HeaderValues, type Metadata } from '@mcp-interceptors/core';
import { HttpError } from './http-error.js';
import { HttpHeaders } from './http-headers.js';
import { TOO_LARGE, type RequestSource } from './internal/request-source.js';
import type { Redactor } from './redact.js';

/** Headers to set: a record, `Headers`/`HttpHeaders`, or name/value pairs. */
export type HeadersLike = Headers | HttpHeaders | Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;

export type HttpBody = ReadableStream<Uint8Array> | Uint8Array | string | null;

/** The response being built. Interceptors may change any of it in `onResponse`. */
export interface HttpResponseState {
  status: number;
  readonly headers: HttpHeaders;
  body: HttpBody;
}

/** The request as it may be logged: URL query values, credentials in headers replaced by `[REDACTED]`. */
export interface HttpLogView {
  readonly requestId: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly remoteAddress: string | undefined;
}

/** What has been read of the request body so far (nothing is read to produce it). */
export interface BodySnapshot {
  readonly bytes: Uint8Array | undefined;
  readonly parsed: { readonly value: unknown } | undefined;
}

export interface HttpContext {
  /** Upper-case. */
  readonly method: string;
  /** The path without the query. */
  readonly path: string;
  /** Path and query as received (`/mcp?x=1`); log `ctx.log.url` (redacted) instead. */
  readonly target: string;
  readonly url: URL;
  /** One header by name (case-insensitive); repeated headers joined with `, `. */
  header(name: string): string | undefined;
  /** All headers, lower-case names, unredacted (log `ctx.log.headers` instead). */
  readonly headers: HeaderValues;
  readonly remoteAddress: string | undefined;
  /** The `X-Request-Id` header when it is a plain token of at most 128 characters, else a fresh UUID. */
  readonly requestId: string;
  /** From the chain's clock, epoch milliseconds. */
  readonly startTime: number;
  elapsed(): number;
  readonly clock: Clock;
  /** Who the caller is. Set by `bearerAuth`; the MCP transport hands it to the JSON-RPC chain as `ctx.auth`. */
  auth: AuthInfo | undefined;
  readonly metadata: Metadata;
  /** A redacted view of the request, always safe to log. */
  readonly log: HttpLogView;
  /** The most bytes `body()` reads before answering 413. */
  readonly maxBodyBytes: number;
  /** Sets `maxBodyBytes`; `by` names the interceptor in the 413's `data.interceptor`. */
  limitBody(maxBytes: number, by: string): void;
  /** Reads the body once (later calls share it), streaming, and throws a 413 `HttpError` past `maxBodyBytes`. */
  body(): Promise<Uint8Array>;
  /** The body as JSON (read once); throws a 400 `HttpError` (-32700) when it is not JSON. */
  json(): Promise<unknown>;
  /** What has been read of the body so far, without reading; undefined when nothing was. */
  readonly bodyIfRead: BodySnapshot | undefined;
  readonly response: HttpResponseState;
  /** True once a response exists: an interceptor answered or the endpoint did. */
  readonly answered: boolean;
  /**
   * Answers (or, in `onResponse`, replaces the answer). `body`: a string, bytes, a stream, null, or any other value
   * sent as JSON. Headers set earlier by interceptors stay; the entity headers of a replaced body go.
   */
  respond(status: number, body?: unknown, headers?: HeadersLike): void;
  /** Answers with a web `Response` (its headers override those set earlier with the same name). */
  respondWith(response: Response): void;
}

export interface ExchangeSettings {
  readonly clock: Clock;
  readonly redactor: Redactor;
  readonly maxBodyBytes: number;
}

const REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;
const ENTITY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'transfer-encoding'];
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The context implementation; lazy in everything a request may not need (URL, id, log view, metadata map). */
export class HttpExchange implements HttpContext {
  readonly method: string;
  readonly startTime: number;
  readonly clock: Clock;
  readonly metadata: Metadata = new MetadataBag();
  readonly response: HttpResponseState = { status: 200, headers: new HttpHeaders(), body: null };
  answered = false;
  maxBodyBytes: number;

  private authInfo: AuthInfo | undefined;
  private id: string | undefined;
  private logView: HttpLogView | undefined;
  private limitOwner: string | undefined;
  private bytes: Uint8Array | undefined;
  private parsed: { value: unknown } | undefined;
  private reading: Promise<Uint8Array> | undefined;
  private readonly redactor: Redactor;

  constructor(
    readonly source: RequestSource,
    settings: ExchangeSettings,
  ) {
    this.method = source.method;
    this.clock = settings.clock;
    this.redactor = settings.redactor;
    this.maxBodyBytes = settings.maxBodyBytes;
    this.startTime = settings.clock.now();
    if (source.preParsed !== undefined) this.parsed = source.preParsed;
    this.authInfo = source.initialAuth;
  }

  get target(): string {
    return this.source.target;
  }

  get path(): string {
    const target = this.source.target;
    const q = target.indexOf('?');
    return q < 0 ? target : target.slice(0, q);
  }

  get url(): URL {
    return this.source.url();
  }

  get headers(): HeaderValues {
    return this.source.headers();
  }

  get remoteAddress(): string | undefined {
    return this.source.remoteAddress;
  }

  header(name: string): string | undefined {
    return this.source.header(name.toLowerCase());
  }

  get requestId(): string {
    if (this.id === undefined) {
      const given = this.source.header('x-request-id');
      this.id = given !== undefined && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    }
    return this.id;
  }

  elapsed(): number {
    return this.clock.now() - this.startTime;
  }

  get auth(): AuthInfo | undefined {
    return this.authInfo;
  }

  set auth(value: AuthInfo | undefined) {
    this.authInfo = value;
    this.source.setAuth(value);
  }

  get log(): HttpLogView {
    return (this.logView ??= {
      requestId: this.requestId,
      method: this.method,
      url: this.redactor.url(this.source.target),
      headers: this.redactor.headers(this.source.headers()),
      remoteAddress: this.source.remoteAddress,
    });
  }

  limitBody(maxBytes: number, by: string): void {
    this.maxBodyBytes = maxBytes;
    this.limitOwner = by;
  }

  body(): Promise<Uint8Array> {
    if (this.bytes !== undefined) return Promise.resolve(this.bytes);
    if (this.parsed !== undefined) return Promise.resolve((this.bytes = encoder.encode(JSON.stringify(this.parsed.value) ?? '')));
    return (this.reading ??= this.read());
  }

  async json(): Promise<unknown> {
    if (this.parsed !== undefined) return this.parsed.value;
    const bytes = await this.body();
    try {
      this.parsed = { value: JSON.parse(decoder.decode(bytes)) };
    } catch (cause) {
      // The SDK's own answer to a body that is not JSON.
      throw new HttpError(400, -32700, 'Parse error: Invalid JSON', { reason: 'PARSE_ERROR' }, {}, { cause });
    }
    return this.parsed.value;
  }

  get bodyIfRead(): BodySnapshot | undefined {
    if (this.bytes === undefined && this.parsed === undefined) return undefined;
    return { bytes: this.bytes, parsed: this.parsed };
  }

  private async read(): Promise<Uint8Array> {
    const limit = this.maxBodyBytes;
    const declared = Number(this.source.header('content-length'));
    // A declared length over the limit is refused without reading a byte.
    const result = declared > limit ? TOO_LARGE : await this.source.readBody(limit).catch((cause: unknown) => {
      throw new HttpError(400, ErrorCode.InvalidRequest, 'Request body could not be read', { reason: 'BODY_UNREADABLE' }, {}, { cause });
    });
    if (result === TOO_LARGE) {
      const data = { reason: 'PAYLOAD_TOO_LARGE', limit, ...(declared > 0 ? { size: declared } : {}), ...(this.limitOwner === undefined ? {} : { interceptor: this.limitOwner }) };
      // `Connection: close`: the unread rest of the body is dropped with the connection instead of being drained.
      throw new HttpError(413, ErrorCode.PayloadTooLarge, `Payload too large: the body exceeds ${limit} bytes`, data, { connection: 'close' });
    }
    this.bytes = result;
    return result;
  }

  respond(status: number, body: unknown = null, headers?: HeadersLike): void {
    if (!Number.isInteger(status) || status < 200 || status > 599) throw new RangeError(`respond: status must be an integer from 200 to 599, got ${String(status)}`);
    this.replaceBody();
    const target = this.response.headers;
    if (body === null || typeof body === 'string' || body instanceof Uint8Array || body instanceof ReadableStream) {
      this.response.body = body as HttpBody;
      if (typeof body === 'string') target.set('content-type', 'text/plain; charset=utf-8');
    } else {
      this.response.body = JSON.stringify(body);
      target.set('content-type', 'application/json');
    }
    if (headers !== undefined) {
      const given = new HttpHeaders(headers);
      given.forEach((value, name) => {
        if (name !== 'set-cookie') target.set(name, value);
      });
      for (const cookie of given.getSetCookie()) target.append('set-cookie', cookie);
    }
    this.response.status = status;
    this.answered = true;
  }

  respondWith(response: Response): void {
    this.replaceBody();
    const target = this.response.headers;
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') target.set(name, value);
    });
    for (const cookie of response.headers.getSetCookie()) target.append('set-cookie', cookie);
    this.response.status = response.status;
    this.response.body = response.body;
    this.answered = true;
  }

  private replaceBody(): void {
    const old = this.response.body;
    if (old instanceof ReadableStream && !old.locked) old.cancel().catch(() => undefined);
    if (this.answered) for (const name of ENTITY_HEADERS) this.response.headers.delete(name);
  }
}
