// intercept(): an SDK Transport around any transport, running one chain over both directions of traffic.
// Correlates by direction + id (both peers number their requests from 0), keeps every request answered exactly
// once, and forwards send options, `extra` and unknown members untouched. Failure policy: ts-mcp.md §6a.
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { onStop, type Cancellation } from './cancellation.js';
import type { Chain, ErrorReporter } from './chain.js';
import { ExchangeContext, type Direction, type InterceptorContext } from './context.js';
import { ErrorCode, errorResponse, InterceptorError, isInterceptorError } from './errors.js';
import { copyMembersOf, copyParamsOf, copyTopLevel } from './internal/copy-frame.js';
import { Deferred } from './internal/deferred.js';
import { IdTable, RecentIds } from './internal/id-table.js';
import { LiveList, type Linked } from './internal/live-list.js';
import { classifyFrame, routeOf, type JsonObject, type JsonRpcId, type JsonRpcNotification, type JsonRpcRequest, type JsonRpcResponse } from './jsonrpc.js';
import { detectTransportKind, SessionState, type SessionInfo, type Side, type TransportKind } from './session.js';

export interface InterceptOptions {
  /** Which end of the connection this transport is. */
  readonly side: Side;
  /** Overrides the kind detected from the transport's class (used in logs and spans). */
  readonly transportKind?: TransportKind;
  /** How many abandoned request ids to remember so their late responses are dropped. @defaultValue 1024 */
  readonly lateResponseMemory?: number;
}

/** One request in flight through this transport (linked into the transport's list of live exchanges). */
interface Exchange extends Linked<Exchange> {
  readonly ctx: ExchangeContext;
  readonly id: JsonRpcId;
  /** The downstream attempt under way (replays make new ones). */
  pending: Deferred<JsonRpcResponse> | undefined;
  /** Outbound: resolves Protocol's `send(request)`; inbound: resolves Protocol's `send(response)`. */
  readonly sent: Deferred<void>;
  /** Outbound: the options Protocol sent the request with; inbound: those it sent the response with. */
  sendOptions: TransportSendOptions | undefined;
  readonly extra: MessageExtraInfo | undefined;
  /** Who stopped waiting: the peer (`notifications/cancelled`), our own Protocol, or the connection. */
  cancelled: 'peer' | 'local' | 'closed' | undefined;
  /** Protocol no longer waits for the response (its send failed or it cancelled). */
  callerGone: boolean;
  /** Downstream was abandoned by a signal: a response that still comes is late and is dropped. */
  abandoned: boolean;
  readonly progressToken: string | number | undefined;
  /** The current attempt's listener on the exchange's abort (removed when the attempt settles). */
  onAbort: ((reason: unknown) => void) | undefined;
  /** Unsubscribes the current attempt from the call's own abort signal, when it has one. */
  unwatch: (() => void) | undefined;
}

const CANCELLED_METHOD = 'notifications/cancelled';
const PROGRESS_METHOD = 'notifications/progress';

/**
 * Wraps `transport` so that every frame in either direction passes through `chain`.
 *
 * @example
 * await server.connect(intercept(new StdioServerTransport(), chain, { side: 'server' }));
 * await client.connect(intercept(new StreamableHTTPClientTransport(url), clientChain, { side: 'client' }));
 */
export function intercept<T extends Transport>(transport: T, chain: Chain, options: InterceptOptions): InterceptedTransport<T> {
  return new InterceptedTransport(transport, chain, options);
}

export class InterceptedTransport<T extends Transport = Transport> implements Transport {
  onmessage?: <M extends JSONRPCMessage>(message: M, extra?: MessageExtraInfo) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;

  readonly inner: T;
  readonly chain: Chain;
  readonly session: SessionInfo;

  private readonly state: SessionState;
  private readonly side: Side;
  /** Requests we sent, awaiting the peer's response. */
  private readonly outbound = new IdTable<Exchange>();
  /** Requests we received, awaiting our Protocol's response. */
  private readonly inbound = new IdTable<Exchange>();
  /** Every request exchange not yet finished, including those still in `onRequest` hooks. */
  private readonly live = new LiveList<Exchange>();
  private readonly lateOutbound: RecentIds;
  private readonly lateInbound: RecentIds;
  /** Progress tokens of requests in each direction, for linking progress notifications to their request. */
  private readonly outboundProgress = new Map<string | number, Exchange>();
  private readonly inboundProgress = new Map<string | number, Exchange>();
  /** Notifications keep their order per direction; frames that follow wait for those received before them. */
  private readonly notificationTail: Record<Direction, Promise<unknown>> = { inbound: Promise.resolve(), outbound: Promise.resolve() };
  private readonly notificationsQueued: Record<Direction, number> = { inbound: 0, outbound: 0 };
  private readonly handlers: Pick<Transport, 'onmessage' | 'onclose' | 'onerror'>;
  private closed = false;
  private closeFired = false;
  private readonly report: ErrorReporter = (error) => this.raiseError(error);

  constructor(inner: T, chain: Chain, options: InterceptOptions) {
    if (typeof inner !== 'object' || inner === null || typeof inner.send !== 'function' || typeof inner.start !== 'function') {
      throw new TypeError('intercept: transport must be an MCP SDK Transport (with start, send and close)');
    }
    if (options?.side !== 'client' && options?.side !== 'server') {
      throw new TypeError(`intercept: options.side must be 'client' or 'server', got ${JSON.stringify(options?.side)}`);
    }
    const memory = options.lateResponseMemory ?? 1024;
    if (!Number.isSafeInteger(memory) || memory < 0) throw new RangeError(`intercept: lateResponseMemory must be a non-negative integer, got ${String(memory)}`);
    this.inner = inner;
    this.chain = chain;
    this.side = options.side;
    this.lateOutbound = new RecentIds(memory);
    this.lateInbound = new RecentIds(memory);
    this.state = new SessionState(options.side, options.transportKind ?? detectTransportKind(inner), () => inner.sessionId);
    this.session = this.state;

    // Handlers set on the inner transport before wrapping (e.g. session-map cleanup) keep running, ours after them.
    const previous = { onmessage: inner.onmessage, onclose: inner.onclose, onerror: inner.onerror };
    this.handlers = {
      onmessage: (message, extra) => {
        previous.onmessage?.(message, extra);
        this.receive(message, extra);
      },
      onclose: () => {
        previous.onclose?.();
        this.handleClose();
      },
      onerror: (error) => {
        previous.onerror?.(error);
        this.onerror?.(error);
      },
    };
    Object.assign(inner, this.handlers);
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  setProtocolVersion(version: string): void {
    this.state.protocolVersion = version;
    this.inner.setProtocolVersion?.(version);
  }

  /** Forwarded for SDK v2 transports. */
  get hasPerRequestStream(): boolean | undefined {
    return (this.inner as { hasPerRequestStream?: boolean }).hasPerRequestStream;
  }

  /** Forwarded for SDK v2 transports. */
  setSupportedProtocolVersions(versions: string[]): void {
    (this.inner as { setSupportedProtocolVersions?: (v: string[]) => void }).setSupportedProtocolVersions?.(versions);
  }

  /** How many requests are in flight, per direction (for tests and leak checks). */
  get pendingCount(): { outbound: number; inbound: number; live: number } {
    return { outbound: this.outbound.size, inbound: this.inbound.size, live: this.live.size };
  }

  async start(): Promise<void> {
    for (const key of ['onmessage', 'onclose', 'onerror'] as const) {
      if (this.inner[key] !== this.handlers[key]) {
        throw new Error(`intercept: inner transport's ${key} was replaced after wrapping; set handlers before intercept() or on the wrapper`);
      }
    }
    await this.inner.start();
  }

  async close(): Promise<void> {
    await this.inner.close();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.chain.isEmpty) {
      this.learnOutbound(message);
      return this.inner.send(message, options);
    }
    // Routed on our own copy (see copyTopLevel); frames are JSON data, so the copy holds everything that counts.
    const frame = copyTopLevel(message);
    switch (routeOf(frame)) {
      case 'request':
        return this.sendRequest(copyParamsOf(frame as unknown as JsonRpcRequest), options);
      case 'response':
        return this.sendResponse(message as JsonRpcResponse, frame as unknown as JsonRpcResponse, options);
      case 'notification':
        return this.sendNotification(copyParamsOf(frame as unknown as JsonRpcNotification), options);
      default:
        // Our own SDK produced it; the inner transport and the peer's schemas judge it.
        return this.inner.send(message, options);
    }
  }

  // ── outbound requests ──────────────────────────────────────────────────────────────────────────────

  /** `request`: our own copy. */
  private sendRequest(request: JsonRpcRequest, options: TransportSendOptions | undefined): Promise<void> {
    const ex = this.newExchange('outbound', request, undefined, options);
    if (request.method === 'initialize') this.state.learnFromInitializeRequest(request.params);
    // The correlation id travels in `_meta` only when `requestId()` is in the chain: stamping every request would
    // cost each call a key the SDK re-validates on the far side (a measurable share of a no-op chain's overhead).
    void this.chain
      .handleRequest(request, ex.ctx, (req, _ctx, signal) => this.outboundTerminal(ex, req, signal), this.report)
      .then((response) => this.finishOutbound(ex, response), (error: unknown) => this.finishOutbound(ex, this.crash(error, ex)));
    return ex.sent.promise;
  }

  private outboundTerminal(ex: Exchange, request: JsonRpcRequest, signal: AbortSignal | Cancellation | undefined): Promise<JsonRpcResponse> {
    const early = this.abortedResponse(ex, signal);
    if (early) return Promise.resolve(early);
    const pending = new Deferred<JsonRpcResponse>();
    ex.pending = pending;
    this.outbound.set(ex.id, ex);
    this.watch(ex, signal, (reason) => {
      if (!this.settle(ex, pending, this.abortResponse(ex, reason))) return;
      this.outbound.deleteIf(ex.id, ex);
      ex.abandoned = true;
      this.lateOutbound.add(ex.id);
      // Tell the peer to stop, unless our Protocol already did or there is no connection left.
      if (ex.cancelled === undefined && !this.closed) {
        const reasonText = isInterceptorError(reason) ? reason.data.reason : 'cancelled';
        void this.sendNotification({ jsonrpc: '2.0', method: CANCELLED_METHOD, params: { requestId: ex.id, reason: reasonText } }, ex.sendOptions, ex).catch((error: unknown) =>
          this.raiseError(asError(error)),
        );
      }
    });
    void this.sendAfterNotifications(request, ex.sendOptions).then(
      () => ex.sent.resolve(),
      (error: unknown) => {
        // Protocol rejects its caller from `send()`; the chain still sees the failure as a response.
        if (ex.sent.reject(error)) ex.callerGone = true;
        this.outbound.deleteIf(ex.id, ex);
        this.settle(ex, pending, new InterceptorError(ErrorCode.InternalError, 'Failed to send request', { reason: 'SEND_FAILED' }, { cause: error }).toResponse(ex.id));
      },
    );
    return pending.promise;
  }

  private finishOutbound(ex: Exchange, response: JsonRpcResponse): void {
    this.endExchange(ex);
    this.outbound.deleteIf(ex.id, ex);
    if (ex.cancelled !== undefined || ex.callerGone || this.closed) {
      ex.sent.resolve();
      return;
    }
    ex.sent.resolve();
    if (ex.ctx.method === 'initialize' && 'result' in response) this.state.learnFromInitializeResult(response.result);
    this.deliver(response);
  }

  // ── inbound requests ───────────────────────────────────────────────────────────────────────────────

  /** `request`: our own copy. */
  private receiveRequest(request: JsonRpcRequest, extra: MessageExtraInfo | undefined): void {
    if (this.inbound.has(request.id)) {
      // JSON-RPC ids must be unique among requests in flight; Protocol would confuse the two.
      void this.inner
        .send(errorResponse(request.id, ErrorCode.InvalidRequest, `Invalid Request: id ${JSON.stringify(request.id)} is already in use by a request in flight`, { reason: 'DUPLICATE_ID' }) as JSONRPCMessage)
        .catch((error: unknown) => this.raiseError(asError(error)));
      return;
    }
    const ex = this.newExchange('inbound', request, extra, undefined);
    if (request.method === 'initialize') this.state.learnFromInitializeRequest(request.params);
    this.inbound.set(ex.id, ex);
    void this.chain
      .handleRequest(request, ex.ctx, (req, _ctx, signal) => this.inboundTerminal(ex, req, signal), this.report)
      .then((response) => this.finishInbound(ex, response), (error: unknown) => this.finishInbound(ex, this.crash(error, ex)));
  }

  private inboundTerminal(ex: Exchange, request: JsonRpcRequest, signal: AbortSignal | Cancellation | undefined): Promise<JsonRpcResponse> {
    const early = this.abortedResponse(ex, signal);
    if (early) return Promise.resolve(early);
    const pending = new Deferred<JsonRpcResponse>();
    ex.pending = pending;
    this.watch(ex, signal, (reason) => {
      if (!this.settle(ex, pending, this.abortResponse(ex, reason))) return;
      ex.abandoned = true;
      // The peer's own cancellation reaches Protocol as it is; for a timeout or abort, cancel the handler ourselves.
      if (ex.cancelled === undefined && !this.closed) {
        const reasonText = isInterceptorError(reason) ? reason.data.reason : 'cancelled';
        this.deliver({ jsonrpc: '2.0', method: CANCELLED_METHOD, params: { requestId: ex.id, reason: reasonText } });
      }
    });
    if (this.notificationsQueued.inbound === 0) this.deliver(request, ex.extra);
    else void this.notificationTail.inbound.then(() => this.deliver(request, ex.extra));
    return pending.promise;
  }

  /** `copy`: our top-level copy of `response` (which is what goes on when no exchange takes it). */
  private sendResponse(response: JsonRpcResponse, copy: JsonRpcResponse, options: TransportSendOptions | undefined): Promise<void> {
    const ex = this.inbound.get(copy.id as JsonRpcId);
    if (ex === undefined) {
      // A late answer to a request we already answered (timeout) or the peer cancelled: never sent twice.
      if (this.lateInbound.take(copy.id as JsonRpcId)) return Promise.resolve();
      return this.inner.send(response as JSONRPCMessage, options);
    }
    if (ex.pending === undefined || ex.pending.settled) return Promise.resolve();
    ex.sendOptions = options;
    this.settle(ex, ex.pending, copyMembersOf(copy));
    return ex.sent.promise;
  }

  private finishInbound(ex: Exchange, response: JsonRpcResponse): void {
    this.endExchange(ex);
    this.inbound.deleteIf(ex.id, ex);
    if (ex.abandoned) this.lateInbound.add(ex.id);
    // A cancelled request gets no response (MCP cancellation); a closed transport can carry none.
    if (ex.cancelled !== undefined || this.closed) {
      ex.sent.resolve();
      return;
    }
    if (ex.ctx.method === 'initialize' && 'result' in response) this.state.learnFromInitializeResult(response.result);
    void this.sendAfterNotifications(response, ex.sendOptions).then(
      () => ex.sent.resolve(),
      (error: unknown) => {
        this.raiseError(asError(error));
        ex.sent.reject(error);
      },
    );
  }

  // ── inbound responses ──────────────────────────────────────────────────────────────────────────────

  /** `copy`: our top-level copy of `response` (which is what Protocol gets when no exchange takes it). */
  private receiveResponse(response: JsonRpcResponse, topLevel: JsonRpcResponse): void {
    const id = topLevel.id as JsonRpcId;
    const ex = this.outbound.get(id);
    if (ex === undefined || ex.pending === undefined) {
      if (this.lateOutbound.take(id)) return;
      this.deliver(response);
      return;
    }
    this.outbound.delete(id);
    const pending = ex.pending;
    const copy = copyMembersOf(topLevel);
    // Progress notifications received before this response reach Protocol before it.
    if (this.notificationsQueued.inbound > 0) void this.notificationTail.inbound.then(() => this.settle(ex, pending, copy));
    else this.settle(ex, pending, copy);
  }

  // ── notifications ──────────────────────────────────────────────────────────────────────────────────

  /**
   * `notification`: our own copy (or one this wrapper made). `abandoned`: the exchange whose attempt this wrapper
   * itself cancels (not our Protocol: the exchange goes on).
   */
  private sendNotification(notification: JsonRpcNotification, options: TransportSendOptions | undefined, abandoned?: Exchange): Promise<void> {
    let related: Exchange | undefined = abandoned;
    if (abandoned === undefined && notification.method === CANCELLED_METHOD) {
      const target = this.outbound.get(requestIdOf(notification) as JsonRpcId) ?? this.findLiveOutbound(requestIdOf(notification));
      if (target !== undefined) {
        related = target;
        target.cancelled ??= 'local';
        target.ctx.abort(cancelledError('CANCELLED', 'Request cancelled by the sender'));
      }
    } else if (notification.method === PROGRESS_METHOD) {
      related = this.inboundProgress.get(progressTokenOf(notification) as string | number);
    }
    const ctx = this.notificationContext('outbound', notification, undefined, related);
    return this.enqueueNotification('outbound', async () => {
      if (await this.chain.handleNotification(notification, ctx, this.report)) await this.inner.send(notification as JSONRPCMessage, options);
    });
  }

  /** `notification`: our own copy. */
  private receiveNotification(notification: JsonRpcNotification, extra: MessageExtraInfo | undefined): void {
    let related: Exchange | undefined;
    if (notification.method === CANCELLED_METHOD) {
      related = this.inbound.get(requestIdOf(notification) as JsonRpcId);
      if (related !== undefined) {
        related.cancelled ??= 'peer';
        related.ctx.abort(cancelledError('CANCELLED', 'Request cancelled by the peer'));
      }
    } else if (notification.method === PROGRESS_METHOD) {
      related = this.outboundProgress.get(progressTokenOf(notification) as string | number);
    }
    const ctx = this.notificationContext('inbound', notification, extra, related);
    void this.enqueueNotification('inbound', async () => {
      if (await this.chain.handleNotification(notification, ctx, this.report)) this.deliver(notification, extra);
    }).catch((error: unknown) => this.raiseError(asError(error)));
  }

  private enqueueNotification(direction: Direction, job: () => Promise<void>): Promise<void> {
    this.notificationsQueued[direction]++;
    const run = this.notificationTail[direction].then(job).finally(() => {
      this.notificationsQueued[direction]--;
    });
    // The queue goes on after a failure; the failure belongs to this notification's sender only.
    this.notificationTail[direction] = run.catch(() => undefined);
    return run;
  }

  /** Sends `frame` on once every outbound notification already queued has been sent. */
  private sendAfterNotifications(frame: JsonRpcRequest | JsonRpcResponse, options: TransportSendOptions | undefined): Promise<void> {
    if (this.notificationsQueued.outbound > 0) return this.notificationTail.outbound.then(() => this.inner.send(frame as JSONRPCMessage, options));
    try {
      return Promise.resolve(this.inner.send(frame as JSONRPCMessage, options));
    } catch (error) {
      return Promise.reject(asError(error));
    }
  }

  // ── inbound dispatch ───────────────────────────────────────────────────────────────────────────────

  private receive(message: unknown, extra: MessageExtraInfo | undefined): void {
    if (this.chain.isEmpty) {
      this.learnInbound(message);
      this.deliver(message as JSONRPCMessage, extra);
      return;
    }
    if (Array.isArray(message)) {
      for (const element of message) this.receive(element, extra);
      return;
    }
    // Routed on our own copy (see copyTopLevel); frames are JSON data, so the copy holds everything that counts.
    const frame = copyTopLevel(message);
    switch (routeOf(frame)) {
      case 'request':
        this.receiveRequest(copyParamsOf(frame as unknown as JsonRpcRequest), extra);
        return;
      case 'response':
        this.receiveResponse(message as JsonRpcResponse, frame as unknown as JsonRpcResponse);
        return;
      case 'notification':
        this.receiveNotification(copyParamsOf(frame as unknown as JsonRpcNotification), extra);
        return;
      default: {
        // Only an object whose members are not all its own enumerable ones could route differently from its copy.
        const classified = classifyFrame(message);
        if (classified.kind === 'malformed') this.rejectMalformed(classified.problem, classified.id, message);
      }
    }
  }

  /** A malformed frame from the peer: a request whose id we can read gets -32600, anything else is reported. */
  private rejectMalformed(problem: string, id: JsonRpcId | null, message: unknown): void {
    const error = new InterceptorError(ErrorCode.InvalidRequest, `Invalid Request: ${problem}`, { reason: 'INVALID_REQUEST' });
    this.raiseError(error);
    const looksLikeRequest = typeof message === 'object' && message !== null && 'method' in message && 'id' in message;
    if (looksLikeRequest) {
      void this.inner.send(error.toResponse(id) as JSONRPCMessage).catch((sendError: unknown) => this.raiseError(asError(sendError)));
    }
  }

  // ── close and errors ───────────────────────────────────────────────────────────────────────────────

  private handleClose(): void {
    if (!this.closed) {
      this.closed = true;
      const reason = new InterceptorError(ErrorCode.ConnectionClosed, 'Connection closed', { reason: 'CONNECTION_CLOSED' });
      for (const ex of this.live.toArray()) {
        ex.cancelled ??= 'closed';
        ex.ctx.abort(reason);
      }
      this.lateInbound.clear();
      this.lateOutbound.clear();
    }
    // InMemoryTransport fires onclose twice; Protocol must hear it once.
    if (this.closeFired) return;
    this.closeFired = true;
    this.onclose?.();
  }

  private raiseError(error: Error): void {
    try {
      this.onerror?.(error);
    } catch {
      // An onerror that throws must not break the transport.
    }
  }

  /** A bug in this wrapper must still answer the request. */
  private crash(error: unknown, ex: Exchange): JsonRpcResponse {
    const wrapped = InterceptorError.from(error);
    this.raiseError(wrapped);
    return wrapped.toResponse(ex.id);
  }

  // ── helpers ────────────────────────────────────────────────────────────────────────────────────────

  private newExchange(direction: Direction, request: JsonRpcRequest, extra: MessageExtraInfo | undefined, sendOptions: TransportSendOptions | undefined): Exchange {
    const ctx = new ExchangeContext({
      side: this.side,
      direction,
      kind: 'request',
      method: request.method,
      jsonrpcId: request.id,
      params: request.params,
      session: this.state,
      clock: this.chain.clock,
      metrics: this.chain.metrics,
      auth: extra?.authInfo,
      requestInfo: extra?.requestInfo,
    });
    const meta = request.params?.['_meta'] as JsonObject | undefined;
    const token = meta?.['progressToken'];
    const ex: Exchange = {
      ctx,
      id: request.id,
      pending: undefined,
      sent: new Deferred<void>(),
      sendOptions,
      extra,
      cancelled: undefined,
      callerGone: false,
      abandoned: false,
      progressToken: typeof token === 'string' || typeof token === 'number' ? token : undefined,
      onAbort: undefined,
      unwatch: undefined,
      prev: undefined,
      next: undefined,
      linked: false,
    };
    if (ex.progressToken !== undefined) (direction === 'outbound' ? this.outboundProgress : this.inboundProgress).set(ex.progressToken, ex);
    this.live.add(ex);
    if (this.closed) ctx.abort(new InterceptorError(ErrorCode.ConnectionClosed, 'Connection closed', { reason: 'CONNECTION_CLOSED' }));
    return ex;
  }

  private endExchange(ex: Exchange): void {
    this.live.delete(ex);
    if (ex.progressToken !== undefined) {
      const table = ex.ctx.direction === 'outbound' ? this.outboundProgress : this.inboundProgress;
      if (table.get(ex.progressToken) === ex) table.delete(ex.progressToken);
    }
  }

  private notificationContext(direction: Direction, notification: JsonRpcNotification, extra: MessageExtraInfo | undefined, related: Exchange | undefined): InterceptorContext {
    return new ExchangeContext({
      side: this.side,
      direction,
      kind: 'notification',
      method: notification.method,
      jsonrpcId: undefined,
      params: notification.params,
      session: this.state,
      clock: this.chain.clock,
      metrics: this.chain.metrics,
      auth: extra?.authInfo,
      requestInfo: extra?.requestInfo,
      related: related?.ctx,
    });
  }

  private findLiveOutbound(id: unknown): Exchange | undefined {
    return this.live.find((ex) => ex.ctx.direction === 'outbound' && ex.id === id);
  }

  /** Resolves the current attempt once and stops watching its signals. */
  private settle(ex: Exchange, pending: Deferred<JsonRpcResponse>, response: JsonRpcResponse): boolean {
    if (!pending.resolve(response)) return false;
    const onAbort = ex.onAbort;
    ex.onAbort = undefined;
    if (onAbort !== undefined) ex.ctx.offAbort(onAbort);
    const unwatch = ex.unwatch;
    ex.unwatch = undefined;
    unwatch?.();
    return true;
  }

  /** Subscribes the current attempt to the exchange's abort and the call's signal, until `settle`. */
  private watch(ex: Exchange, signal: AbortSignal | Cancellation | undefined, onAbort: (reason: unknown) => void): void {
    ex.onAbort = onAbort;
    ex.ctx.listen(onAbort);
    if (signal === undefined) return;
    ex.unwatch = onStop(signal, onAbort);
  }

  private abortedResponse(ex: Exchange, signal: AbortSignal | Cancellation | undefined): JsonRpcResponse | undefined {
    if (ex.ctx.isAborted) return this.abortResponse(ex, ex.ctx.reason);
    if (signal?.aborted) return this.abortResponse(ex, signal.reason);
    return undefined;
  }

  private abortResponse(ex: Exchange, reason: unknown): JsonRpcResponse {
    if (isInterceptorError(reason)) return reason.toResponse(ex.id);
    return cancelledError('CANCELLED', 'Request cancelled').toResponse(ex.id);
  }

  private deliver(message: JSONRPCMessage | JsonRpcResponse | JsonRpcNotification | JsonRpcRequest, extra?: MessageExtraInfo): void {
    try {
      this.onmessage?.(message as JSONRPCMessage, extra);
    } catch (error) {
      this.raiseError(asError(error));
    }
  }

  /** Session learning for the pass-through path of an empty chain. */
  private learnOutbound(message: JSONRPCMessage): void {
    const frame = message as { method?: unknown; params?: JsonObject; result?: JsonObject; id?: unknown };
    if (frame.method === 'initialize') this.state.learnFromInitializeRequest(frame.params);
    else if (this.side === 'server' && frame.result !== undefined && typeof frame.result['protocolVersion'] === 'string' && frame.result['serverInfo'] !== undefined) {
      this.state.learnFromInitializeResult(frame.result);
    }
  }

  private learnInbound(message: unknown): void {
    const frame = message as { method?: unknown; params?: JsonObject; result?: JsonObject } | null;
    if (frame === null || typeof frame !== 'object') return;
    if (frame.method === 'initialize') this.state.learnFromInitializeRequest(frame.params);
    else if (this.side === 'client' && frame.result !== undefined && typeof frame.result['protocolVersion'] === 'string' && frame.result['serverInfo'] !== undefined) {
      this.state.learnFromInitializeResult(frame.result);
    }
  }
}

function requestIdOf(notification: JsonRpcNotification): unknown {
  return notification.params?.['requestId'];
}

function progressTokenOf(notification: JsonRpcNotification): unknown {
  return notification.params?.['progressToken'];
}

function cancelledError(reason: string, message: string): InterceptorError {
  return new InterceptorError(ErrorCode.Cancelled, message, { reason });
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
