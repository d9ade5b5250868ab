// Stateful mode: one SDK transport and one MCP server per session, found by `Mcp-Session-Id`, dropped when it closes.
// At most `maxSessions` are open: a new one then closes the least recently used session with no request being handled
// (an SSE response counts until it starts, a JSON one until it is ready). A session idle for `sessionIdleMs` is closed.
import { WebStandardStreamableHTTPServerTransport, type WebStandardStreamableHTTPServerTransportOptions } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { TimerHandle } from '@mcp-interceptors/core';
import type { HttpContext } from '../http-context.js';
import { hasInitialize, noSession, sessionNotFound, tooManySessions } from './mcp-errors.js';
import type { EndpointConfig } from './endpoint-config.js';

interface Session {
  readonly transport: WebStandardStreamableHTTPServerTransport;
  /** Requests of this session being handled: until the transport has made their response (an SSE one starts at once). */
  busy: number;
  /** When a request of this session last began or ended (the clock's milliseconds). */
  lastUsed: number;
}

/** How often idle sessions are looked for, at most (and at least as often as they may expire). */
const SWEEP_EVERY_MS = 60_000;

export class SessionRegistry {
  /** In order of last use, least recent first (a request moves its session to the end). */
  private readonly live = new Map<string, Session>();
  /** Sessions being opened (their `initialize` is under way, no id yet): they count against the cap too. */
  private readonly opening = new Set<object>();
  /** Armed while sessions are open and idle ones expire. */
  private sweepTimer: TimerHandle | undefined;

  constructor(private readonly config: EndpointConfig) {}

  get ids(): ReadonlySet<string> {
    return new Set(this.live.keys());
  }

  get size(): number {
    return this.live.size;
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
    try {
      if (session === undefined) {
        session = await this.open(ticket as object);
      }
      transport = session.transport;
      session.busy++;
      ctx.respondWith(await transport.handleRequest(request, { parsedBody, authInfo: ctx.auth }));
    } finally {
      if (session !== undefined) {
        session.busy--;
        session.lastUsed = this.config.clock.now();
      }
      if (ticket !== undefined) {
        this.opening.delete(ticket);
        // An initialize the transport refused (bad Accept, a batch, …) leaves a transport without a session: drop it.
        if (transport !== undefined && transport.sessionId === undefined) await transport.close().catch(() => undefined);
      }
    }
  }

  async closeAll(): Promise<void> {
    if (this.sweepTimer !== undefined) this.config.clock.clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    await Promise.allSettled([...this.live.values()].map((session) => session.transport.close()));
    this.live.clear();
  }

  /** Closes the least recently used session with no request under way; false when every session is busy. */
  private evictLeastRecentlyUsed(): boolean {
    for (const [id, session] of this.live) {
      if (session.busy > 0) continue;
      this.forget(id, session);
      return true;
    }
    return false;
  }

  /** Forgotten first, so its place is free at once and the transport's own close reports nothing twice. */
  private forget(id: string, session: Session): void {
    this.live.delete(id);
    this.config.options.onSessionClosed?.(id);
    void session.transport.close().catch(() => undefined);
  }

  private scheduleSweep(): void {
    const idleMs = this.config.sessionIdleMs;
    if (idleMs === 0 || this.sweepTimer !== undefined || this.live.size === 0) return;
    this.sweepTimer = this.config.clock.setTimeout(this.sweep, Math.min(idleMs, SWEEP_EVERY_MS));
  }

  private readonly sweep = (): void => {
    this.sweepTimer = undefined;
    const now = this.config.clock.now();
    for (const [id, session] of this.live) {
      if (session.busy === 0 && now - session.lastUsed >= this.config.sessionIdleMs) this.forget(id, session);
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
        this.live.set(id, session);
        options.onSessionInitialized?.(id);
        this.scheduleSweep();
      },
    };
    const transport = new WebStandardStreamableHTTPServerTransport(transportOptions);
    const session: Session = { transport, busy: 0, lastUsed: this.config.clock.now() };
    // Set before wrapping and connecting: both intercept() and the SDK's Protocol keep a handler set earlier.
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id === undefined || this.live.get(id) !== session) return;
      this.live.delete(id);
      options.onSessionClosed?.(id);
    };
    await this.config.connect(transport);
    return session;
  }
}
