// intercept(): an SDK Transport around any transport, running one chain over both directions of traffic.
// Correlates by direction + id (both peers number their requests from 0), keeps every request answered exactly
// once, and forwards send options, `extra` and unknown members untouched. Failure policy: ts-mcp.md §6a.
import { AsyncResource } from 'node:async_hooks';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { onStop, type Stop } from './cancellation.js';
import type { Attempt, AttemptTerminal, Chain, Done, ErrorReporter } from './chain.js';
import { ExchangeContext, type AbortListener, type Direction, type ExchangeInit, type InterceptorContext } from './context.js';
import { ErrorCode, errorResponse, InterceptorError, isInterceptorError } from './errors.js';
import { copyMembersOf, copyParamsOf, copyTopLevel } from './internal/copy-frame.js';
import { Deferred } from './internal/deferred.js';
import { IdTable, RecentIds } from './internal/id-table.js';
import { LiveList, type Linked } from './internal/live-list.js';
import { enterStackless, leaveStackless, pauseStackless, resumeStackless } from './internal/stackless.js';
import { classifyFrame, routeOf, type JsonObject, type JsonRpcId, type JsonRpcNotification, type JsonRpcRequest, type JsonRpcResponse } from './jsonrpc.js';
import { detectTransportKind, SessionState, type SessionInfo, type Side, type TransportKind } from './session.js';

export interface InterceptOptions {
  /** Which end of the connection this transport is. */
  readonly side: Side;
  /** Overrides the kind detected from the transport's class (used in logs and spans). */
  readonly transportKind?: TransportKind;
  /** How many abandoned request ids to remember so their late responses are dropped. @defaultValue 1024 */
  readonly lateResponseMemory?: number;
  /**
   * While the SDK dispatches an inbound request or notification (synchronously: its zod kind checks, the handler
   * lookup, scheduling the handler), `Error.stackTraceLimit` is 0. Each failed kind check builds a ZodError the SDK
   * throws away at once, and capturing their stacks is about a quarter of the SDK's CPU per call. Handlers run later
   * with stacks as usual; responses, task frames, frames the SDK will reject and every send through an intercepted
   * transport during the dispatch keep stacks too. Code of yours running synchronously inside the dispatch (an
   * `onmessage` installed on this transport, `async_hooks` init callbacks) sees 0. @defaultValue true
   */
  readonly stacklessDispatch?: boolean;
}

/**
 * One request in flight through this transport: the context its hooks see, and the transport's bookkeeping (one
 * object per request, linked into the transport's list of live exchanges).
 */
class Exchange extends ExchangeContext implements Linked<Exchange> {
  readonly rpcId: JsonRpcId;
  /** The downstream attempt under way (replays make new ones; one at a time, see `refuseConcurrent`). */
  attempt: Attempt | undefined = undefined;
  /**
   * Outbound: the async context the request was sent in, where the attempt resumes when the peer's response comes
   * (so hooks below see the AsyncLocalStorage / OpenTelemetry context of the send, not that of the transport's
   * callback). An AsyncResource rather than a promise: no microtask hop, and two promises fewer per request. The
   * response answers `attempt`, the one this scope was made for.
   */
  answerScope: AsyncResource | undefined = undefined;
  /**
   * The inner transport's promise for the send Protocol waits on (the request, or our response), when that send
   * began while Protocol's own call into this wrapper was still running: Protocol then gets it as it is.
   */
  sendPromise: Promise<void> | undefined = undefined;
  /** Protocol's promise otherwise (a hook was still working when Protocol's call returned). */
  sent: Deferred<void> | undefined = undefined;
  /** Protocol's `send()` of the request (outbound) or of the response (inbound) is on the stack. */
  inCall = false;
  /** Inbound: Protocol's `send()` of a response is on the stack; it gets `sendPromise` and reports its failure itself. */
  responding = false;
  /** The chain has given its final response. */
  finished = false;
  /** Outbound: the request went to the inner transport at least once (replays send it again). */
  sendStarted = false;
  /** Outbound: the options Protocol sent the request with; inbound: those it sent the response with. */
  sendOptions: TransportSendOptions | undefined;
  readonly extra: MessageExtraInfo | undefined;
  /** Who stopped waiting: the peer (`notifications/cancelled`), our own Protocol, or the connection. */
  cancelled: 'peer' | 'local' | 'closed' | undefined = undefined;
  /** Protocol no longer waits for the response (its send failed or it cancelled). */
  callerGone = false;
  /** Downstream was abandoned by a signal: a response that still comes is late and is dropped. */
  abandoned = false;
  readonly progressToken: string | number | undefined;
  /** Unsubscribes the current attempt from the stop its `next` call carries, when it has one. */
  unwatch: (() => void) | undefined = undefined;
  liveBefore: Exchange | undefined = undefined;
  liveAfter: Exchange | undefined = undefined;
  inLiveList = false;

  constructor(init: ExchangeInit, rpcId: JsonRpcId, extra: MessageExtraInfo | undefined, sendOptions: TransportSendOptions | undefined, progressToken: string | number | undefined) {
    super(init);
    this.rpcId = rpcId;
    this.extra = extra;
    this.sendOptions = sendOptions;
    this.progressToken = progressToken;
  }
}

const CANCELLED_METHOD = 'notifications/cancelled';
/** For a rejection someone else is told of. */
const ignoreRejection = (): void => undefined;
/** The AsyncResource type an outbound request's response resumes in (visible to async_hooks users). */
const ANSWER_SCOPE = 'mcp-interceptors.response';
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
  private readonly stacklessDispatch: boolean;
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
  // One function each for every exchange (the exchange is the context they are given): no closure per request.
  private readonly outboundTerminalFn: AttemptTerminal = (request, ctx, stop, attempt) => this.outboundTerminal(ctx as Exchange, request, stop, attempt);
  private readonly inboundTerminalFn: AttemptTerminal = (request, ctx, stop, attempt) => this.inboundTerminal(ctx as Exchange, request, stop, attempt);
  private readonly outboundDone: Done = (response, ctx) => this.finishOutbound(ctx as Exchange, response);
  private readonly inboundDone: Done = (response, ctx) => this.finishInbound(ctx as Exchange, response);
  private readonly attemptAborted: AbortListener = (reason, ctx) => this.abortAttempt(ctx as Exchange, reason);
  private readonly reportSendError = (error: unknown): void => this.raiseError(asError(error));

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
    const stackless = options.stacklessDispatch ?? true;
    if (typeof stackless !== 'boolean') throw new TypeError(`intercept: stacklessDispatch must be a boolean, got ${JSON.stringify(stackless)}`);
    this.stacklessDispatch = stackless;
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
    // A send during a stackless dispatch (see internal/stackless.ts) may create errors someone keeps: stacks back on.
    const paused = pauseStackless();
    try {
      return this.sendFrame(message, options);
    } finally {
      resumeStackless(paused);
    }
  }

  private sendFrame(message: JSONRPCMessage, options: TransportSendOptions | undefined): Promise<void> {
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
    this.runExchange(ex, request, this.outboundTerminalFn, this.outboundDone);
    if (ex.sendPromise !== undefined) return ex.sendPromise;
    if (ex.finished) return Promise.resolve();
    return (ex.sent ??= new Deferred<void>()).promise;
  }

  /** Runs the chain over `ex` while Protocol's call is on the stack (see `Exchange.inCall`). */
  private runExchange(ex: Exchange, request: JsonRpcRequest, terminal: AttemptTerminal, done: Done): void {
    ex.inCall = true;
    try {
      this.chain.dispatch(request, ex, terminal, this.report, done);
    } catch (error) {
      if (!ex.finished) done(this.crash(error, ex), ex);
      else this.raiseError(asError(error));
    } finally {
      ex.inCall = false;
    }
  }

  /** Makes `attempt` the exchange's current one; false when it was answered at once (stopped, or one already out). */
  private takeAttempt(ex: Exchange, stop: Stop, attempt: Attempt): boolean {
    const early = this.abortedResponse(ex, stop) ?? this.refuseConcurrent(ex);
    if (early) {
      attempt.resume(early);
      return false;
    }
    ex.attempt = attempt;
    return true;
  }

  private outboundTerminal(ex: Exchange, request: JsonRpcRequest, stop: Stop, attempt: Attempt): void {
    if (!this.takeAttempt(ex, stop, attempt)) return;
    ex.answerScope = new AsyncResource(ANSWER_SCOPE);
    this.outbound.set(ex.rpcId, ex);
    this.watch(ex, stop);
    const first = !ex.sendStarted;
    ex.sendStarted = true;
    const sending = this.sendAfterNotifications(request, ex.sendOptions);
    if (first && ex.inCall) {
      // Protocol's `send()` is still running: it gets the inner transport's own promise.
      ex.sendPromise = sending;
      sending.then(undefined, (error: unknown) => this.requestNotSent(ex, attempt, error, true));
    } else {
      sending.then(
        () => {
          if (first) ex.sent?.resolve();
        },
        (error: unknown) => this.requestNotSent(ex, attempt, error, first),
      );
    }
  }

  /** The inner transport refused the request: the chain sees the failure as a response. */
  private requestNotSent(ex: Exchange, attempt: Attempt, error: unknown, first: boolean): void {
    // Protocol rejects its caller from `send()`; it must not also get a response.
    if (first && (ex.sendPromise !== undefined || ex.sent?.reject(error) === true)) ex.callerGone = true;
    // An attempt already abandoned (a per-attempt deadline) has nothing left to answer, nor a table entry.
    if (attempt.settled) return;
    this.outbound.deleteIf(ex.rpcId, ex);
    this.settle(ex, attempt, new InterceptorError(ErrorCode.InternalError, 'Failed to send request', { reason: 'SEND_FAILED' }, { cause: error }).toResponse(ex.rpcId));
  }

  private finishOutbound(ex: Exchange, response: JsonRpcResponse): void {
    this.abandonOpenAttempt(ex);
    ex.finished = true;
    this.endExchange(ex);
    this.outbound.deleteIf(ex.rpcId, ex);
    ex.sent?.resolve();
    if (ex.cancelled !== undefined || ex.callerGone || this.closed) return;
    if (ex.method === 'initialize' && 'result' in response) this.state.learnFromInitializeResult(response.result);
    // Answered before Protocol's `send()` returned (a hook answered at once): Protocol hears it once that call is over.
    if (ex.inCall) queueMicrotask(() => this.deliver(response));
    else this.deliver(response);
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
    this.inbound.set(ex.rpcId, ex);
    this.runExchange(ex, request, this.inboundTerminalFn, this.inboundDone);
  }

  private inboundTerminal(ex: Exchange, request: JsonRpcRequest, stop: Stop, attempt: Attempt): void {
    if (!this.takeAttempt(ex, stop, attempt)) return;
    this.watch(ex, stop);
    if (this.notificationsQueued.inbound === 0) this.deliver(request, ex.extra);
    else void this.notificationTail.inbound.then(() => this.deliver(request, ex.extra));
  }

  /** `copy`: our top-level copy of `response` (which is what goes on when no exchange takes it). */
  private sendResponse(response: JsonRpcResponse, copy: JsonRpcResponse, options: TransportSendOptions | undefined): Promise<void> {
    const ex = this.inbound.get(copy.id as JsonRpcId);
    if (ex === undefined) {
      // A late answer to a request we already answered (timeout) or the peer cancelled: never sent twice.
      if (this.lateInbound.take(copy.id as JsonRpcId)) return Promise.resolve();
      return this.inner.send(response as JSONRPCMessage, options);
    }
    const attempt = ex.attempt;
    if (attempt === undefined || attempt.settled) return Promise.resolve();
    ex.sendOptions = options;
    // Protocol may answer while our own call into it is on the stack (a method it has no handler for): restore.
    const outer = ex.inCall;
    ex.inCall = true;
    ex.responding = true;
    try {
      this.settle(ex, attempt, copyMembersOf(copy));
    } finally {
      ex.inCall = outer;
      ex.responding = false;
    }
    if (ex.sendPromise !== undefined) return ex.sendPromise;
    if (ex.finished) return Promise.resolve();
    // One promise for every send() of this exchange's responses (a replaying around makes Protocol answer again).
    return (ex.sent ??= new Deferred<void>()).promise;
  }

  private finishInbound(ex: Exchange, response: JsonRpcResponse): void {
    this.abandonOpenAttempt(ex);
    ex.finished = true;
    this.endExchange(ex);
    this.inbound.deleteIf(ex.rpcId, ex);
    if (ex.abandoned) this.lateInbound.add(ex.rpcId);
    const sent = ex.sent;
    // A cancelled request gets no response (MCP cancellation); a closed transport can carry none.
    if (ex.cancelled !== undefined || this.closed) {
      sent?.resolve();
      return;
    }
    if (ex.method === 'initialize' && 'result' in response) this.state.learnFromInitializeResult(response.result);
    const sending = this.sendAfterNotifications(response, ex.sendOptions);
    if (ex.inCall) {
      // Protocol's `send()` of this response is still running: it gets the inner transport's own promise.
      ex.sendPromise = sending;
    }
    if (sent === undefined) {
      // The caller of send() (Protocol, which reports "Failed to send response") gets the rejection itself: it is not
      // reported twice, yet never left unhandled. A response no send() is waiting for is ours to report.
      sending.then(undefined, ex.responding ? ignoreRejection : this.reportSendError);
    } else {
      // `sent` is the promise a send() of this response got: its caller hears of the failure (Protocol reports it).
      sending.then(
        () => sent.resolve(),
        (error: unknown) => sent.reject(error),
      );
    }
  }

  // ── inbound responses ──────────────────────────────────────────────────────────────────────────────

  /** `copy`: our top-level copy of `response` (which is what Protocol gets when no exchange takes it). */
  private receiveResponse(response: JsonRpcResponse, topLevel: JsonRpcResponse): void {
    const id = topLevel.id as JsonRpcId;
    const ex = this.outbound.get(id);
    const scope = ex?.answerScope;
    const attempt = ex?.attempt;
    if (ex === undefined || scope === undefined || attempt === undefined) {
      if (this.lateOutbound.take(id)) return;
      this.deliver(response);
      return;
    }
    this.outbound.delete(id);
    ex.answerScope = undefined;
    const copy = copyMembersOf(topLevel);
    // Progress notifications received before this response reach Protocol before it.
    if (this.notificationsQueued.inbound > 0) void this.notificationTail.inbound.then(() => scope.runInAsyncScope(this.settle, this, ex, attempt, copy));
    else scope.runInAsyncScope(this.settle, this, ex, attempt, copy);
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
        target.abort(cancelledError('CANCELLED', 'Request cancelled by the sender'));
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
        related.abort(cancelledError('CANCELLED', 'Request cancelled by the peer'));
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
        ex.abort(reason);
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
    return wrapped.toResponse(ex.rpcId);
  }

  // ── helpers ────────────────────────────────────────────────────────────────────────────────────────

  private newExchange(direction: Direction, request: JsonRpcRequest, extra: MessageExtraInfo | undefined, sendOptions: TransportSendOptions | undefined): Exchange {
    const meta = request.params?.['_meta'] as JsonObject | undefined;
    const token = meta?.['progressToken'];
    const ex = new Exchange(
      {
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
      },
      request.id,
      extra,
      sendOptions,
      typeof token === 'string' || typeof token === 'number' ? token : undefined,
    );
    if (ex.progressToken !== undefined) (direction === 'outbound' ? this.outboundProgress : this.inboundProgress).set(ex.progressToken, ex);
    this.live.add(ex);
    if (this.closed) ex.abort(new InterceptorError(ErrorCode.ConnectionClosed, 'Connection closed', { reason: 'CONNECTION_CLOSED' }));
    return ex;
  }

  private endExchange(ex: Exchange): void {
    this.live.delete(ex);
    if (ex.progressToken !== undefined) {
      const table = ex.direction === 'outbound' ? this.outboundProgress : this.inboundProgress;
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
      related,
    });
  }

  private findLiveOutbound(id: unknown): Exchange | undefined {
    return this.live.find((ex) => ex.direction === 'outbound' && ex.rpcId === id);
  }

  /** Answers `attempt` once, after it stops watching its signals. */
  private settle(ex: Exchange, attempt: Attempt, response: JsonRpcResponse): boolean {
    if (attempt.settled) return false;
    ex.offAbort(this.attemptAborted);
    const unwatch = ex.unwatch;
    ex.unwatch = undefined;
    unwatch?.();
    return attempt.resume(response);
  }

  /** Subscribes the current attempt to the exchange's abort and to the stop its `next` call carries, until `settle`. */
  private watch(ex: Exchange, stop: Stop): void {
    ex.listen(this.attemptAborted);
    if (stop !== undefined) ex.unwatch = onStop(stop, (reason) => this.abortAttempt(ex, reason));
  }

  /** The exchange or the current attempt was aborted: the attempt is answered with the reason and abandoned. */
  private abortAttempt(ex: Exchange, reason: unknown): void {
    const attempt = ex.attempt;
    if (attempt === undefined || attempt.settled) return;
    ex.abandoned = true;
    // Nobody may hear this attempt's response, but the peer or our Protocol still has to stop working on it.
    const tellOtherSide = ex.cancelled === undefined && !this.closed;
    const reasonText = isInterceptorError(reason) ? reason.data.reason : 'cancelled';
    if (ex.direction === 'outbound') {
      this.outbound.deleteIf(ex.rpcId, ex);
      this.lateOutbound.add(ex.rpcId);
      this.settle(ex, attempt, this.abortResponse(ex, reason));
      // Tell the peer to stop, unless our Protocol already did or there is no connection left.
      if (tellOtherSide) {
        const cancel: JsonRpcNotification = { jsonrpc: '2.0', method: CANCELLED_METHOD, params: { requestId: ex.rpcId, reason: reasonText } };
        this.sendNotification(cancel, ex.sendOptions, ex).catch(this.reportSendError);
      }
    } else {
      this.settle(ex, attempt, this.abortResponse(ex, reason));
      // The peer's own cancellation reaches Protocol as it is; for a timeout or abort, cancel the handler ourselves.
      if (tellOtherSide) this.deliver({ jsonrpc: '2.0', method: CANCELLED_METHOD, params: { requestId: ex.rpcId, reason: reasonText } });
    }
  }

  /**
   * A second `next()` while the first is still in flight would put two requests with one id on the wire (the peer
   * could not tell them apart): it is answered with an error instead, and reported.
   */
  private refuseConcurrent(ex: Exchange): JsonRpcResponse | undefined {
    if (ex.attempt === undefined || ex.attempt.settled) return undefined;
    const error = new InterceptorError(ErrorCode.InternalError, 'next() was called again while its previous call was still in flight', { reason: 'CONCURRENT_ATTEMPT' });
    this.raiseError(error);
    return error.toResponse(ex.rpcId);
  }

  /** The chain answered while an attempt was still out (an around that did not wait for its next()): abandon it. */
  private abandonOpenAttempt(ex: Exchange): void {
    const open = ex.attempt;
    if (open !== undefined && !open.settled) this.abortAttempt(ex, cancelledError('ABANDONED', 'Request abandoned: the chain answered without waiting for it'));
  }

  private abortedResponse(ex: Exchange, stop: Stop): JsonRpcResponse | undefined {
    if (ex.isAborted) return this.abortResponse(ex, ex.reason);
    if (stop?.aborted) return this.abortResponse(ex, stop.reason);
    return undefined;
  }

  private abortResponse(ex: Exchange, reason: unknown): JsonRpcResponse {
    if (isInterceptorError(reason)) return reason.toResponse(ex.rpcId);
    return cancelledError('CANCELLED', 'Request cancelled').toResponse(ex.rpcId);
  }

  private deliver(message: JSONRPCMessage | JsonRpcResponse | JsonRpcNotification | JsonRpcRequest, extra?: MessageExtraInfo): void {
    const stackless = this.stacklessDispatch && isStacklessDispatch(message) && enterStackless();
    let failure: unknown;
    let failed = false;
    try {
      this.onmessage?.(message as JSONRPCMessage, extra);
    } catch (error) {
      failed = true;
      failure = error;
    } finally {
      if (stackless) leaveStackless();
    }
    if (failed) this.raiseError(asError(failure));
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

/** MCP tasks: the SDK looks such a request's task up in the application's store while it dispatches it. */
const RELATED_TASK_META = 'io.modelcontextprotocol/related-task';

/**
 * A request or notification the SDK's strict schemas will accept, whose dispatch only creates errors nobody keeps.
 * Not responses (the SDK builds the caller's errors from them), not frames of a task (their dispatch calls the
 * application's task store), and not frames the SDK will reject (it reports those to the application's `onerror`
 * at once): an extra top-level key, a fractional progress token, a `_meta` that is not an object.
 */
function isStacklessDispatch(message: unknown): boolean {
  const frame = message as JsonObject | null;
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame) || frame['jsonrpc'] !== '2.0' || typeof frame['method'] !== 'string') return false;
  for (const key in frame) if (key !== 'jsonrpc' && key !== 'id' && key !== 'method' && key !== 'params') return false;
  if (!isSdkId(frame['id'])) return false;
  const params = frame['params'] as JsonObject | undefined;
  if (params === undefined) return true;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return false;
  const meta = params['_meta'] as JsonObject | undefined;
  if (meta === undefined) return true;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return false;
  return isSdkId(meta['progressToken']) && meta[RELATED_TASK_META] === undefined;
}

/** An optional request id or progress token as the SDK's schemas take them: a string or an integer. */
function isSdkId(value: unknown): boolean {
  return value === undefined || typeof value === 'string' || Number.isSafeInteger(value);
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
