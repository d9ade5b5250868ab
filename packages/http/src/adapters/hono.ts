// honoMiddleware: the MCP handler as Hono middleware over the SDK's web-standard transport.
import type { McpHttpHandler } from '../mcp-http-handler.js';
import { fetchHandler } from './web.js';

/** The parts of a Hono `Context` this middleware uses (structural, so `hono` stays an optional peer). */
export interface HonoContextLike {
  readonly req: { readonly raw: Request };
  /** `@hono/node-server` puts the node request here; used for the remote address only. */
  readonly env?: unknown;
}

export type HonoMiddleware = (c: HonoContextLike, next: () => Promise<void>) => Promise<Response | undefined>;

/**
 * Hono middleware for the MCP handler: requests for the MCP path and the interceptors' routes run through the chain
 * and get its response; others go on to `next()`.
 *
 * @example
 * const app = new Hono();
 * app.use(honoMiddleware(createMcpHttpHandler({ server: () => buildServer(), http: defaultServerInterceptors() })));
 * serve({ fetch: app.fetch, port: 3000, hostname: '127.0.0.1' });
 */
export function honoMiddleware(handler: McpHttpHandler): HonoMiddleware {
  const handle = fetchHandler(handler);
  return async (c, next) => {
    const request = c.req.raw;
    if (!handler.handles(new URL(request.url).pathname)) {
      await next();
      return undefined;
    }
    return handle(request, remoteAddressOf(c.env));
  };
}

function remoteAddressOf(env: unknown): string | undefined {
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: unknown } } } | undefined)?.incoming;
  const address = incoming?.socket?.remoteAddress;
  return typeof address === 'string' ? address : undefined;
}
