// Test support (not published): the full Streamable HTTP session every adapter must serve, asserted step by step.
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { expect } from 'vitest';
import type { HttpInterceptor } from '../http-interceptor.js';
import type { McpHttpHandler } from '../mcp-http-handler.js';
import { connectClient, POST_HEADERS, until } from './servers.js';

/** Records `METHOD PATH STATUS` of every request, outermost (so it sees every answer). */
export function recorder(seen: string[]): HttpInterceptor {
  return { name: 'recorder', priority: 0, onResponse: (ctx) => void seen.push(`${ctx.method} ${ctx.path} ${ctx.response.status}`) };
}

/**
 * Initialize, a tool call, the SSE GET stream carrying a server notification, DELETE of the session, and the id
 * unknown afterwards. `seen` must be filled by {@link recorder} in the handler's chain.
 */
export async function expectFullSession(url: URL, handler: McpHttpHandler, seen: readonly string[]): Promise<void> {
  const { client, transport } = await connectClient(url);
  const sessionId = transport.sessionId as string;
  expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
  expect([...handler.sessions]).toEqual([sessionId]);

  const result = await client.callTool({ name: 'echo', arguments: { text: 'over http' } });
  expect(result.content).toEqual([{ type: 'text', text: 'over http' }]);

  // The client opens the standalone SSE stream after `notifications/initialized`.
  await until(() => seen.includes(`GET ${url.pathname} 200`));
  let notified = 0;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => void notified++);
  await client.callTool({ name: 'notify', arguments: {} });
  await until(() => notified === 1);

  await transport.terminateSession();
  expect(seen).toContain(`DELETE ${url.pathname} 200`);
  expect(handler.sessions.size).toBe(0);

  // The session is gone: its id is now unknown.
  const after = await fetch(url, { method: 'POST', headers: { ...POST_HEADERS, 'mcp-session-id': sessionId }, body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }) });
  expect(after.status).toBe(404);
  expect(await after.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32001 } });
  await client.close();
}
