// The README's quick start: an MCP server over Streamable HTTP behind the default HTTP chain, with a bearer token.
//   MCP_TOKEN=secret npx tsx examples/http-server/quick-start.ts
import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { createMcpHttpHandler, defaultServerInterceptors, nodeHandler } from '@mcp-interceptors/http';

function buildServer(): McpServer {
  const server = new McpServer({ name: 'quick-start', version: '1.0.0' });
  server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
  return server;
}

const handler = createMcpHttpHandler({
  server: buildServer,
  // health, redacted request logs (stderr), security headers, DNS-rebinding checks, bearer auth, 1 MiB body limit
  http: defaultServerInterceptors({ auth: { tokens: [process.env['MCP_TOKEN'] ?? 'dev-token'] } }),
});
createServer(nodeHandler(handler)).listen(3000, '127.0.0.1', () => console.error('MCP endpoint on http://127.0.0.1:3000/mcp'));
