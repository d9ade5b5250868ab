import { createChain } from '@mcp-interceptors/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpChain } from './http-chain.js';
import { createMcpHttpHandler } from './mcp-http-handler.js';
import { connectClient, mcpServerFactory, serveMcp, type Listening } from './test-support/servers.js';

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
    [{ server: none, intercept: 'fast' }, /createMcpHttpHandler.intercept must be an object, got "fast"/],
    [{ server: none, intercept: { stacklessDispatch: 1 } }, /createMcpHttpHandler.intercept.stacklessDispatch must be a boolean, got 1/],
    [{ server: none, intercept: { lateResponseMemory: -1 } }, /createMcpHttpHandler.intercept.lateResponseMemory must be a non-negative integer, got -1/],
  ])('rejects %j', (options, message) => {
    expect(() => createMcpHttpHandler(options as never)).toThrow(message);
  });
});
