// expressMiddleware: the MCP handler as Express middleware; paths it does not answer go on to `next()`.
import type { ServerResponse } from 'node:http';
import type { NodeRequest } from '../internal/node-source.js';
import type { McpHttpHandler } from '../mcp-http-handler.js';
import { serveNode } from './node.js';

/** The Express request shape this middleware relies on (an `IncomingMessage`, plus what Express adds). */
export type ExpressRequestLike = NodeRequest & { path?: string };
export type ExpressMiddleware = (req: ExpressRequestLike, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * Express middleware for the MCP handler. Mount it anywhere (`app.use(expressMiddleware(handler))`): requests for the
 * MCP path and the interceptors' routes run through the chain; others go to `next()`. A body `express.json()` already
 * parsed is used as it is (the body limit then only checks `Content-Length`); `req.auth` from an upstream auth
 * middleware is kept unless an interceptor sets `ctx.auth`, and `bearerAuth` sets `req.auth` too.
 *
 * @example
 * const app = express();
 * app.use(expressMiddleware(createMcpHttpHandler({ server: () => buildServer(), http: defaultServerInterceptors() })));
 */
export function expressMiddleware(handler: McpHttpHandler): ExpressMiddleware {
  return (req, res, next) => {
    const target = req.originalUrl ?? req.url ?? '/';
    const q = target.indexOf('?');
    if (!handler.handles(q < 0 ? target : target.slice(0, q))) {
      next();
      return;
    }
    void serveNode(handler, req, res);
  };
}
