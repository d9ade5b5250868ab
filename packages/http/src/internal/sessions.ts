// Stateful mode: one SDK transport and one MCP server per session, found by `Mcp-Session-Id`, dropped when it closes.
// At most `maxSessions` are open: a new one then closes the least recently used session not in use (no HTTP request
// being handled, no JSON-RPC request of its client unanswered). A session not in use for `sessionIdleMs` is closed.
// In use is counted on the JSON-RPC messages, not by wrapping each response stream (which costs every request).
import { WebStandardStreamableHTTPServerTransport, type WebStandardStreamableHTTPServerTransportOptions } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { TimerHandle } from '@mcp-interceptors/core';
import type { HttpContext } from '../http-context.js';
import { hasInitialize, noSession, sessionNotFound, tooManySessions } from './mcp-errors.js';
import type { EndpointConfig } from './endpoint-config.js';

interface Session {
  readonly transport: WebStandardStreamableHTTPServerTransport;
  /** HTTP requests of this session being handled (an SSE response is handed on as soon as it starts). */
  busy: number;
  /** Ids of the JSON-RPC requests the client sent that the server has not answered (nor seen cancelled) yet. */
  readonly unanswered: Set<unknown>;
  /** When a request of this session last began or ended (the clock's milliseconds). */
  lastUsed: number;
}

const inUse = (session: Session): boolean => session.busy > 0 || session.unanswered.size > 0;

/** How often idle sessions are looked for, at most (and at least as often as they may expire). */
const SWEEP_EVERY_MS = 60_000;

export class SessionRegistry {
  /** In order of last use, least recent first (a request moves its session to the end). */
  private readonly live = new Map<string, Session>();
  /** Sessions being opened (their `initialize` is under way, no id yet): they count against the cap too. */
  private readonly opening = new Set<object>();
  /** Armed while sessions are open and idle ones expire. */
  private sweepTimer: TimerHandle | undefined;
  /** After closeAll(): a session still being opened is closed as soon as it is. */
  private closed = false;

  constructor(private readonly config: EndpointConfig) {}

  get ids(): ReadonlySet<string> {
    return new Set(this.live.keys());
  }

  get size(): number {
    return this.live.size;
  }

  /** Sessions in use (the others may be closed for the cap or for idleness). */
  get inUse(): number {
    let count = 0;
    for (const session of this.live.values()) if (inUse(session)) count++;
    return count;
  }

  async handle(ctx: HttpContext, request: Request, parsedBody: unknown): Promise<void> {
    const sessionId = ctx.header('mcp-session-id');
    let session: Session | undefined;
    let ticket: object | undefined;
    if (sessionId !== undefined) {
      session = this.live.get(sessionId);
      if (session === undefined) return sessionNotFound(ctx);
      this.live.delete(sessionId);
      this.live.set(sessionId, session);
      session.lastUsed = this.config.clock.now();
    } else if (ctx.method === 'POST' && hasInitialize(parsedBody)) {
      if (this.live.size + this.opening.size >= this.config.maxSessions && !this.evictLeastRecentlyUsed()) return tooManySessions(ctx, this.config.maxSessions);
      ticket = {};
      this.opening.add(ticket);
    } else {
      return noSession(ctx);
    }
    let transport: WebStandardStreamableHTTPServerTransport | undefined;
    let handling: Session | undefined;
    try {
      session ??= await this.open(ticket as object);
      transport = session.transport;
      handling = session;
      handling.busy++;
      ctx.respondWith(await transport.handleRequest(request, { parsedBody, authInfo: ctx.auth }));
    } finally {
      if (handling !== undefined) {
        handling.busy--;
        handling.lastUsed = this.config.clock.now();
      }
      if (ticket !== undefined) {
        this.opening.delete(ticket);
        // An initialize the transport refused (bad Accept, a batch, …) leaves a transport without a session: drop it.
        if (transport !== undefined && transport.sessionId === undefined) await transport.close().catch(() => undefined);
      }
    }
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    if (this.sweepTimer !== undefined) this.config.clock.clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    await Promise.allSettled([...this.live.values()].map((session) => session.transport.close()));
    this.live.clear();
  }

  /** Closes the least recently used session not in use; false when every session is in use. */
  private evictLeastRecentlyUsed(): boolean {
    for (const [id, session] of this.live) {
      if (inUse(session)) continue;
      this.forget(id, session);
      return true;
    }
    return false;
  }

  /** Forgotten first, so its place is free at once and the transport's own close reports nothing twice. */
  private forget(id: string, session: Session): void {
    this.live.delete(id);
    void session.transport.close().catch(() => undefined);
    this.notifyClosed(id);
  }

  /**
   * Tells the application. Its callback failing must not keep other sessions open, stop the sweep, or (called from
   * the transport's `onclose`) keep the SDK's Protocol, whose own close handler runs after ours, from cleaning up.
   */
  private notifyClosed(id: string): void {
    try {
      this.config.options.onSessionClosed?.(id);
    } catch {
      // Reported nowhere on purpose: the session is closed either way; the callback is the application's to fix.
    }
  }

  private scheduleSweep(): void {
    const idleMs = this.config.sessionIdleMs;
    if (idleMs === 0 || this.closed || this.sweepTimer !== undefined || this.live.size === 0) return;
    this.sweepTimer = this.config.clock.setTimeout(this.sweep, Math.min(idleMs, SWEEP_EVERY_MS));
  }

  private readonly sweep = (): void => {
    this.sweepTimer = undefined;
    const now = this.config.clock.now();
    for (const [id, session] of this.live) {
      if (!inUse(session) && now - session.lastUsed >= this.config.sessionIdleMs) this.forget(id, session);
    }
    this.scheduleSweep();
  };

  private async open(ticket: object): Promise<Session> {
    const { options } = this.config;
    const transportOptions: WebStandardStreamableHTTPServerTransportOptions = {
      ...options.transport,
      sessionIdGenerator: this.config.sessionIdGenerator,
      onsessioninitialized: (id) => {
        this.opening.delete(ticket);
        if (this.closed) {
          void transport.close().catch(() => undefined);
          return;
        }
        this.live.set(id, session);
        options.onSessionInitialized?.(id);
        this.scheduleSweep();
      },
    };
    const transport = new WebStandardStreamableHTTPServerTransport(transportOptions);
    const session: Session = { transport, busy: 0, unanswered: new Set(), lastUsed: this.config.clock.now() };
    // Set before wrapping and connecting: both intercept() and the SDK's Protocol keep a handler set earlier.
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id === undefined || this.live.get(id) !== session) return;
      this.live.delete(id);
      this.notifyClosed(id);
    };
    try {
      await this.config.connect(transport);
    } catch (error) {
      await transport.close().catch(() => undefined);
      throw error;
    }
    this.countUnanswered(session);
    return session;
  }

  /** After connect (Protocol, or the JSON-RPC chain, has set `onmessage`): notes the client's requests and their answers. */
  private countUnanswered(session: Session): void {
    const transport = session.transport;
    const deliver = transport.onmessage;
    transport.onmessage = (message, extra) => {
      const frame = message as { id?: unknown; method?: unknown; params?: { requestId?: unknown } };
      if (typeof frame.method === 'string') {
        if (frame.id !== undefined) session.unanswered.add(frame.id);
        else if (frame.method === 'notifications/cancelled') session.unanswered.delete(frame.params?.requestId);
      }
      deliver?.(message, extra);
    };
    const send = transport.send.bind(transport);
    transport.send = (message, options) => {
      const frame = message as { id?: unknown; method?: unknown };
      if (frame.method === undefined && frame.id !== undefined) {
        session.unanswered.delete(frame.id);
        session.lastUsed = this.config.clock.now();
      }
      return send(message, options);
    };
  }
}
