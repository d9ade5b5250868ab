// One context per exchange (a request and its response, or one notification), shared by every interceptor and both hooks.
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Clock } from './clock.js';
import type { JsonRpcId, JsonObject } from './jsonrpc.js';
import { randomUuid } from './internal/uuid.js';
import { MetadataBag, type Metadata } from './metadata.js';
import type { MetricsRecorder } from './metrics.js';
import { redactHeaders, redactUrl, type HeaderValues } from './redact-headers.js';
import type { SessionInfo, Side } from './session.js';

/** `outbound`: we sent the request (or notification); `inbound`: we received it. */
export type Direction = 'outbound' | 'inbound';

/** A redacted view of the HTTP request that carried an inbound message. */
export interface HttpRequestView {
  readonly url: string | undefined;
  /** Lower-cased names; credentials (Authorization, Cookie, …) replaced by `[REDACTED]`. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
}

/** The `_meta` key that carries the correlation id, so the far side's chain can join the same exchange. */
export const REQUEST_ID_META_KEY = 'dev.mcp-interceptors/request-id';

export interface InterceptorContext {
  readonly side: Side;
  readonly direction: Direction;
  /** `request` for a request and its response, `notification` for a notification. */
  readonly kind: 'request' | 'notification';
  readonly method: string;
  /** The JSON-RPC id; undefined for a notification. */
  readonly jsonrpcId: JsonRpcId | undefined;
  /**
   * A UUID correlation id: the one in `params._meta["dev.mcp-interceptors/request-id"]` when the frame carries one,
   * else a fresh one. `requestId()` writes it into the requests we send, so the far side's chain joins it.
   */
  requestId: string;
  /** When the exchange began, from the chain's clock (epoch milliseconds). */
  readonly startTime: number;
  /** Milliseconds since `startTime`. */
  elapsed(): number;
  /** Aborted on cancellation (either side), on `abort()`, and when the transport closes. */
  readonly signal: AbortSignal;
  /** Aborts the exchange: a pending downstream call is cancelled and the reason becomes the response. */
  abort(reason?: unknown): void;
  readonly metadata: Metadata;
  /** Records into the chain's registry (`chain.metrics.snapshot()`). */
  readonly metrics: MetricsRecorder;
  readonly session: SessionInfo;
  /** The SDK's `extra.authInfo` of an inbound message (e.g. set by bearer auth over HTTP). */
  readonly auth: AuthInfo | undefined;
  /** A redacted view of the HTTP request of an inbound message, when there is one. */
  readonly http: HttpRequestView | undefined;
  readonly clock: Clock;
  /** For a progress or cancellation notification: the context of the request it refers to, when known. */
  readonly related: InterceptorContext | undefined;
}

export interface ExchangeInit {
  readonly side: Side;
  readonly direction: Direction;
  readonly kind: 'request' | 'notification';
  readonly method: string;
  readonly jsonrpcId: JsonRpcId | undefined;
  readonly params: JsonObject | undefined;
  readonly session: SessionInfo;
  readonly clock: Clock;
  readonly metrics: MetricsRecorder;
  readonly auth?: AuthInfo | undefined;
  readonly requestInfo?: { headers: HeaderValues; url?: URL | undefined } | undefined;
  readonly related?: InterceptorContext | undefined;
}

/** Internal: told the reason, and the context (so one listener function can serve every exchange). */
export type AbortListener = (reason: unknown, ctx: ExchangeContext) => void;

/** The context implementation. Allocates its metadata map, abort controller and id only when first used. */
export class ExchangeContext implements InterceptorContext {
  readonly side: Side;
  readonly direction: Direction;
  readonly kind: 'request' | 'notification';
  readonly method: string;
  readonly jsonrpcId: JsonRpcId | undefined;
  readonly startTime: number;
  readonly metrics: MetricsRecorder;
  readonly session: SessionInfo;
  readonly auth: AuthInfo | undefined;
  readonly clock: Clock;
  readonly related: InterceptorContext | undefined;

  private id: string | undefined;
  private bag: MetadataBag | undefined;
  private readonly params: JsonObject | undefined;
  private readonly requestInfo: ExchangeInit['requestInfo'];
  private httpView: HttpRequestView | undefined;
  private controller: AbortController | undefined;
  private aborted = false;
  private abortReason: unknown;
  /** One listener needs no array: the transport's is usually the only one. */
  private listener: AbortListener | undefined;
  private listeners: AbortListener[] | undefined;

  constructor(init: ExchangeInit) {
    this.side = init.side;
    this.direction = init.direction;
    this.kind = init.kind;
    this.method = init.method;
    this.jsonrpcId = init.jsonrpcId;
    this.params = init.params;
    this.session = init.session;
    this.clock = init.clock;
    this.metrics = init.metrics;
    this.auth = init.auth;
    this.requestInfo = init.requestInfo;
    this.related = init.related;
    this.startTime = init.clock.now();
  }

  /** What `JSON.stringify(ctx)` shows: the exchange's identity, not its internals. */
  toJSON(): Record<string, unknown> {
    return { side: this.side, direction: this.direction, kind: this.kind, method: this.method, jsonrpcId: this.jsonrpcId, requestId: this.requestId, startTime: this.startTime };
  }

  get requestId(): string {
    if (this.id === undefined) {
      // Join the id the frame already carries (the peer's, or one a gateway passes on), else start a new one.
      const meta = this.params?.['_meta'];
      const joined = typeof meta === 'object' && meta !== null ? (meta as JsonObject)[REQUEST_ID_META_KEY] : undefined;
      this.id = typeof joined === 'string' && joined.length > 0 && joined.length <= 128 ? joined : randomUuid();
    }
    return this.id;
  }

  set requestId(value: string) {
    this.id = value;
  }

  get metadata(): Metadata {
    return (this.bag ??= new MetadataBag());
  }

  elapsed(): number {
    return this.clock.now() - this.startTime;
  }

  get http(): HttpRequestView | undefined {
    if (this.httpView === undefined && this.requestInfo !== undefined) {
      this.httpView = { url: this.requestInfo.url === undefined ? undefined : redactUrl(this.requestInfo.url), headers: redactHeaders(this.requestInfo.headers) };
    }
    return this.httpView;
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  get isAborted(): boolean {
    return this.aborted;
  }

  get reason(): unknown {
    return this.abortReason;
  }

  abort(reason: unknown = new Error('aborted')): void {
    if (this.aborted) return;
    this.aborted = true;
    this.abortReason = reason;
    this.controller?.abort(reason);
    const first = this.listener;
    const listeners = this.listeners;
    this.listener = undefined;
    this.listeners = undefined;
    first?.(reason, this);
    if (listeners) for (const listener of listeners) listener(reason, this);
  }

  /** Internal: a listener without an AbortController (cheaper on the hot path). Returns the unsubscribe. */
  onAbort(listener: AbortListener): () => void {
    if (this.aborted) {
      listener(this.abortReason, this);
      return noop;
    }
    this.listen(listener);
    return () => this.offAbort(listener);
  }

  /** Internal: `onAbort` without making an unsubscribe function (the transport's way, once per request); see `offAbort`. */
  listen(listener: AbortListener): void {
    if (this.aborted) {
      listener(this.abortReason, this);
      return;
    }
    // One listener needs no array: the transport's is usually the only one.
    if (this.listener === undefined && this.listeners === undefined) this.listener = listener;
    else (this.listeners ??= []).push(listener);
  }

  /** Internal: removes a listener added by `listen` or `onAbort`. */
  offAbort(listener: AbortListener): void {
    if (this.listener === listener) {
      this.listener = undefined;
      return;
    }
    const list = this.listeners;
    if (list === undefined) return;
    const i = list.indexOf(listener);
    if (i >= 0) list.splice(i, 1);
  }
}

const noop = (): void => {};
