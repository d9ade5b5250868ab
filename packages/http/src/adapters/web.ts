// fetchHandler: the MCP handler as a web-standard `(Request) => Promise<Response>` (Hono, Bun, Deno, Workers).
import type { HttpResponseState } from '../http-context.js';
import { WebRequestSource } from '../internal/web-source.js';
import type { McpHttpHandler } from '../mcp-http-handler.js';
import { jsonRpcErrorBody } from '../http-error.js';
import { ErrorCode } from '@mcp-interceptors/core';

export type FetchHandler = (request: Request, remoteAddress?: string) => Promise<Response>;

/**
 * A web-standard handler: every request runs through the HTTP chain and, on the MCP path, the SDK's
 * `WebStandardStreamableHTTPServerTransport`. Never rejects.
 *
 * @example Bun.serve({ fetch: fetchHandler(createMcpHttpHandler({ server: () => buildServer() })) });
 */
export function fetchHandler(handler: McpHttpHandler): FetchHandler {
  return async (request, remoteAddress) => {
    try {
      const ctx = handler.chain.createContext(new WebRequestSource(request, remoteAddress));
      await handler.handle(ctx);
      return toResponse(ctx.response, ctx.method);
    } catch {
      return new Response(JSON.stringify(jsonRpcErrorBody(ErrorCode.InternalError, 'Internal error')), { status: 500, headers: { 'content-type': 'application/json' } });
    }
  };
}

export function toResponse(response: HttpResponseState, method: string): Response {
  const noBody = method === 'HEAD' || response.status === 204 || response.status === 304;
  if (noBody && response.body instanceof ReadableStream && !response.body.locked) response.body.cancel().catch(() => undefined);
  return new Response(noBody ? null : response.body, { status: response.status, headers: response.headers.pairs() });
}
