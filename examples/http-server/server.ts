// The example's MCP endpoint: an SDK server behind the HTTP chain (health, logs, security headers, host checks, CORS,
// bearer auth, body limit) and a JSON-RPC chain (request ids, an access policy on ctx.auth, logging).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { accessPolicy, createChain, logging, requestId, type LogSink } from '@mcp-interceptors/core';
import { createMcpHttpHandler, defaultServerInterceptors, type HttpLogSink, type McpHttpHandler } from '@mcp-interceptors/http';

/** Demo tokens. In production, verify real tokens: `auth: { verify: async (token) => introspect(token) }`. */
export const TOKENS = {
  alice: 'dev-token-alice',
  root: 'dev-token-root',
} as const;

export function buildServer(): McpServer {
  const server = new McpServer({ name: 'http-example', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echoes text back', inputSchema: { text: z.string() } }, async ({ text }, extra) => ({
    content: [{ type: 'text', text: `${text} (from ${extra.authInfo?.clientId ?? 'anonymous'})` }],
  }));
  server.registerTool('admin_reset', { description: 'Needs the admin scope' }, async () => ({ content: [{ type: 'text', text: 'reset done' }] }));
  return server;
}

export interface ExampleSinks {
  /** HTTP request logs. @defaultValue JSON lines on stderr */
  readonly http?: HttpLogSink;
  /** JSON-RPC exchange logs. @defaultValue JSON lines on stderr */
  readonly jsonRpc?: LogSink;
}

export function createExampleHandler(sinks: ExampleSinks = {}): McpHttpHandler {
  return createMcpHttpHandler({
    server: buildServer,
    http: defaultServerInterceptors({
      logger: { ...(sinks.http === undefined ? {} : { sink: sinks.http }), maxBodyBytes: 2048 },
      cors: { origins: ['http://localhost:*', 'https://app.example.com'] },
      auth: {
        tokens: {
          [TOKENS.alice]: { clientId: 'alice', scopes: ['tools'] },
          [TOKENS.root]: { clientId: 'root', scopes: ['tools', 'admin'] },
        },
      },
      bodyLimit: { maxBytes: 256 * 1024 },
    }),
    // bearerAuth's ctx.auth reaches this chain as ctx.auth: the access policy decides by its scopes.
    chain: createChain([
      requestId(),
      accessPolicy({
        rules: [
          { effect: 'allow', tools: ['echo'], scopes: ['tools'] },
          { effect: 'allow', tools: ['admin_*'], scopes: ['admin'] },
        ],
      }),
      logging(sinks.jsonRpc === undefined ? {} : { sink: sinks.jsonRpc }),
    ]),
  });
}
