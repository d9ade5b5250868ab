// Stateful mode: one SDK transport and one MCP server per session, found by `Mcp-Session-Id`, dropped when it closes.
import { WebStandardStreamableHTTPServerTransport, type WebStandardStreamableHTTPServerTransportOptions } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { HttpContext } from '../http-context.js';
import { hasInitialize, noSession, sessionNotFound, tooManySessions } from './mcp-errors.js';
import type { EndpointConfig } from './endpoint-config.js';

export class SessionRegistry {
  private readonly live = new Map<string, WebStandardStreamableHTTPServerTransport>();
  /** Sessions being opened (their `initialize` is under way): they count against the cap too. */
  private opening = 0;

  constructor(private readonly config: EndpointConfig) {}

  get ids(): ReadonlySet<string> {
    return new Set(this.live.keys());
  }

  get size(): number {
    return this.live.size;
  }

  async handle(ctx: HttpContext, request: Request, parsedBody: unknown): Promise<void> {
    const sessionId = ctx.header('mcp-session-id');
    let transport: WebStandardStreamableHTTPServerTransport | undefined;
    let fresh = false;
    if (sessionId !== undefined) {
      transport = this.live.get(sessionId);
      if (transport === undefined) return sessionNotFound(ctx);
    } else if (ctx.method === 'POST' && hasInitialize(parsedBody)) {
      if (this.live.size + this.opening >= this.config.maxSessions) return tooManySessions(ctx, this.config.maxSessions);
      this.opening++;
      fresh = true;
    } else {
      return noSession(ctx);
    }
    try {
      transport ??= await this.open();
      ctx.respondWith(await transport.handleRequest(request, { parsedBody, authInfo: ctx.auth }));
    } finally {
      if (fresh) {
        this.opening--;
        // An initialize the transport refused (bad Accept, a batch, …) leaves a transport without a session: drop it.
        if (transport !== undefined && transport.sessionId === undefined) await transport.close().catch(() => undefined);
      }
    }
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.live.values()].map((transport) => transport.close()));
    this.live.clear();
  }

  private async open(): Promise<WebStandardStreamableHTTPServerTransport> {
    const { options } = this.config;
    const transportOptions: WebStandardStreamableHTTPServerTransportOptions = {
      ...options.transport,
      sessionIdGenerator: this.config.sessionIdGenerator,
      onsessioninitialized: (id) => {
        this.live.set(id, transport);
        options.onSessionInitialized?.(id);
      },
    };
    const transport = new WebStandardStreamableHTTPServerTransport(transportOptions);
    // Set before wrapping and connecting: both intercept() and the SDK's Protocol keep a handler set earlier.
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id === undefined || this.live.get(id) !== transport) return;
      this.live.delete(id);
      options.onSessionClosed?.(id);
    };
    await this.config.connect(transport);
    return transport;
  }
}
