// A custom interceptor next to built-ins, on both sides of an in-process connection (the core README's example).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { createChain, createKey, ErrorCode, intercept, InterceptorError, logging, Priority, requestId, type Interceptor } from '@mcp-interceptors/core';

// Typed metadata shared by the hooks of one exchange.
const StartedBy = createKey<string>('example.started-by');

/** Refuses tools whose name starts with "admin_" unless the caller is an admin; notes who asked. */
const adminGuard: Interceptor = {
  name: 'admin-guard',
  priority: Priority.High,
  shouldExecute: (ctx) => ctx.method === 'tools/call',
  onRequest(request, ctx) {
    const tool = String(request.params?.['name']);
    ctx.metadata.set(StartedBy, ctx.auth?.clientId ?? 'anonymous');
    if (tool.startsWith('admin_') && !ctx.auth?.scopes.includes('admin')) {
      throw new InterceptorError(ErrorCode.AccessDenied, `Tool ${tool} needs the admin scope`, { reason: 'ACCESS_DENIED', tool });
    }
  },
  onResponse(response, ctx) {
    // Extra data goes under _meta, never as a new top-level key.
    if ('result' in response) response.result['_meta'] = { ...(response.result['_meta'] as object), 'example.dev/started-by': ctx.metadata.get(StartedBy) };
  },
};

const server = new McpServer({ name: 'example', version: '1.0.0' });
server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
server.registerTool('admin_reset', {}, async () => ({ content: [{ type: 'text', text: 'reset' }] }));

const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
const serverChain = createChain([requestId(), adminGuard, logging()]);
await server.connect(intercept(serverSide, serverChain, { side: 'server' }));
const client = new Client({ name: 'example-client', version: '1.0.0' });
await client.connect(intercept(clientSide, createChain([requestId()]), { side: 'client' }));

const echoed = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
console.log('echo →', JSON.stringify(echoed));
const denied = await client.callTool({ name: 'admin_reset', arguments: {} }).catch((error: unknown) => error);
console.log('admin_reset →', denied instanceof Error ? denied.message : denied);
console.log(serverChain.describe().map((entry) => `${entry.name} (${entry.priorityName})`).join(' → '));
await client.close();
