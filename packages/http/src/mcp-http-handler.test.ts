import { createChain } from '@mcp-interceptors/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpChain } from './http-chain.js';
import { createMcpHttpHandler } from './mcp-http-handler.js';
import { connectClient, INITIALIZE, mcpServerFactory, POST_HEADERS, serveMcp, type Listening } from './test-support/servers.js';

const open: Listening[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

describe('createMcpHttpHandler', () => {
  it('serves a custom path, reports session lifecycle, and closes every session on close()', async () => {
    const events: string[] = [];
    const server = await serveMcp({
      path: '/api/mcp',
      sessionIdGenerator: () => `session-${events.length}`,
      onSessionInitialized: (id) => void events.push(`open ${id}`),
      onSessionClosed: (id) => void events.push(`closed ${id}`),
    });
    open.push(server);
    expect(server.handler.handles('/api/mcp')).toBe(true);
    expect(server.handler.handles('/mcp')).toBe(false);
    const { client, transport } = await connectClient(new URL('/api/mcp', server.url));
    expect(transport.sessionId).toBe('session-0');
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(404);
    await server.handler.close();
    expect(events).toEqual(['open session-0', 'closed session-0']);
    expect(server.handler.sessions.size).toBe(0);
    await client.close();
  });

  it('accepts a prepared HTTP chain and a JSON-RPC chain', () => {
    const http = createHttpChain([]);
    const handler = createMcpHttpHandler({ server: mcpServerFactory(), http, chain: createChain([]) });
    expect(handler.chain).toBe(http);
    expect(handler.mode).toBe('stateful');
    expect(handler.path).toBe('/mcp');
  });

  it('opens at most maxSessions sessions: past it an initialize gets 503 SESSION_LIMIT, and a closed session frees its place', async () => {
    const server = await serveMcp({ maxSessions: 2 });
    open.push(server);
    const first = await connectClient(server.url);
    const second = await connectClient(server.url);
    // Two initializes at once when one place is left: exactly one gets it (a session being opened counts).
    await first.transport.terminateSession();
    await first.client.close();
    const racing = await Promise.all([1, 2].map(() => fetch(server.url, { method: 'POST', headers: POST_HEADERS, body: INITIALIZE })));
    expect(racing.map((r) => r.status).sort()).toEqual([200, 503]);
    const refused = racing.find((r) => r.status === 503);
    expect(await refused?.json()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Too many sessions', data: { reason: 'SESSION_LIMIT', maxSessions: 2 } } });
    for (const response of racing) if (response.status === 200) await response.body?.cancel();
    expect(server.handler.sessions.size).toBe(2);
    await expect(connectClient(server.url)).rejects.toThrow(/503|Too many sessions/);
    // The sessions already open keep working.
    expect((await second.client.listTools()).tools.length).toBeGreaterThan(0);
    await second.transport.terminateSession();
    await second.client.close();
    const third = await connectClient(server.url);
    expect(server.handler.sessions.size).toBe(2);
    await third.client.close();
  });

  it('answers methods the endpoint does not serve with 405', async () => {
    const server = await serveMcp({});
    open.push(server);
    const response = await fetch(server.url, { method: 'PUT', body: '{}' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST, DELETE');
    const { client } = await connectClient(server.url);
    await client.close();
  });

  const none = (): null => null;
  it.each<[unknown, RegExp]>([
    [undefined, /createMcpHttpHandler: options with a server factory are required/],
    [{}, /createMcpHttpHandler.server must be a function/],
    [{ server: {} }, /createMcpHttpHandler.server must be a function/],
    [{ server: none, mode: 'sessions' }, /createMcpHttpHandler.mode must be "stateful" or "stateless"/],
    [{ server: none, path: 'mcp' }, /createMcpHttpHandler.path must start with "\/"/],
    [{ server: none, http: {} }, /createMcpHttpHandler.http must be an HttpChain or an array/],
    [{ server: none, chain: [] }, /createMcpHttpHandler.chain must be a chain from createChain/],
    [{ server: none, sessionIdGenerator: 'uuid' }, /createMcpHttpHandler.sessionIdGenerator must be a function/],
    [{ server: none, maxSessions: 0 }, /createMcpHttpHandler.maxSessions must be a positive integer, got 0/],
    [{ server: none, maxSessions: '10' }, /createMcpHttpHandler.maxSessions must be a positive integer, got "10"/],
    [{ server: none, intercept: 'fast' }, /createMcpHttpHandler.intercept must be an object, got "fast"/],
    [{ server: none, intercept: { stacklessDispatch: 1 } }, /createMcpHttpHandler.intercept.stacklessDispatch must be a boolean, got 1/],
    [{ server: none, intercept: { lateResponseMemory: -1 } }, /createMcpHttpHandler.intercept.lateResponseMemory must be a non-negative integer, got -1/],
  ])('rejects %j', (options, message) => {
    expect(() => createMcpHttpHandler(options as never)).toThrow(message);
  });
});
