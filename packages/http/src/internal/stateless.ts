// Stateless mode: a fresh SDK transport and MCP server for every POST, closed once the response body is done.
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { HttpContext } from '../http-context.js';
import type { EndpointConfig } from './endpoint-config.js';
import { methodNotAllowed } from './mcp-errors.js';
import { onBodyDone } from './on-body-done.js';

export async function handleStateless(config: EndpointConfig, ctx: HttpContext, request: Request, parsedBody: unknown): Promise<void> {
  // Without sessions there is no stream to GET and nothing to DELETE.
  if (ctx.method !== 'POST') return methodNotAllowed(ctx, 'POST');
  const transport = new WebStandardStreamableHTTPServerTransport({ ...config.options.transport, sessionIdGenerator: undefined });
  const closeServer = await config.connect(transport);
  const release = (): void => {
    void transport.close().catch(() => undefined);
    void closeServer().catch(() => undefined);
  };
  let response: Response;
  try {
    response = await transport.handleRequest(request, { parsedBody, authInfo: ctx.auth });
  } catch (error) {
    release();
    throw error;
  }
  if (response.body === null) {
    release();
    ctx.respondWith(response);
    return;
  }
  ctx.respondWith(new Response(onBodyDone(response.body, release), { status: response.status, headers: response.headers }));
}
