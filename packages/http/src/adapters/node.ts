// nodeHandler: serves an MCP handler (HTTP chain + endpoint) from a node:http (or https, http2-compat) server.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NodeRequestSource, type NodeRequest } from '../internal/node-source.js';
import { writeNodeResponse } from '../internal/write-node-response.js';
import type { McpHttpHandler } from '../mcp-http-handler.js';
import { jsonRpcErrorBody } from '../http-error.js';
import { ErrorCode } from '@mcp-interceptors/core';

/** A node:http request listener. */
export type NodeRequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A node:http request listener: every request runs through the handler's HTTP chain; the MCP path reaches the
 * SDK transport, the interceptors' routes (health) are answered by them, anything else gets 404. It never rejects:
 * a failure after the status was sent ends the connection.
 *
 * @example http.createServer(nodeHandler(createMcpHttpHandler({ server: () => buildServer() }))).listen(3000, '127.0.0.1');
 */
export function nodeHandler(handler: McpHttpHandler): NodeRequestListener {
  return (req, res) => {
    // serveNode never rejects.
    void serveNode(handler, req as NodeRequest, res);
  };
}

/** Runs one node request through `handler` and writes the response (shared with the Express adapter). Never rejects. */
export async function serveNode(handler: McpHttpHandler, req: NodeRequest, res: ServerResponse): Promise<void> {
  try {
    const ctx = handler.chain.createContext(new NodeRequestSource(req));
    await handler.handle(ctx);
    await writeNodeResponse(res, ctx.response, ctx.method);
  } catch {
    // Only a bug in this package gets here: never crash the server over one request.
    if (!res.headersSent) {
      res.statusCode = 500;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(jsonRpcErrorBody(ErrorCode.InternalError, 'Internal error')));
    } else {
      res.destroy();
    }
  }
}
