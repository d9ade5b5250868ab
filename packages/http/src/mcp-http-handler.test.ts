import { createChain } from '@mcp-interceptors/core';
import { createManualClock } from '@mcp-interceptors/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpChain } from './http-chain.js';
import { createMcpHttpHandler } from './mcp-http-handler.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { connectClient, INITIALIZE, mcpServerFactory, POST_HEADERS, serveMcp, until, type Listening } from './test-support/servers.js';

const open: Listening[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

/** Servers with a `hold` tool whose calls all wait until `release()`; `holding` counts the calls that started. */
function heldCalls() {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const state = {
    holding: 0,
    release: () => release(),
    server: (): McpServer => {
      const mcp = new McpServer({ name: 'held', version: '1' });
      mcp.registerTool('hold', {}, async () => {
        state.holding++;
        await held;
        return { content: [{ type: 'text', text: 'released' }] };
      });
      return mcp;
    },
  };
  return state;
}

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

  it('a client ending its session (DELETE) with a throwing onSessionClosed: the DELETE succeeds and the server closes', async () => {
    const closed: string[] = [];
    const serversClosed: string[] = [];
    const factory = mcpServerFactory();
    const server = await serveMcp({
      sessionIdGenerator: () => 'd1',
      server: () => {
        const mcp = factory();
        mcp.server.onclose = () => void serversClosed.push('d1');
        return mcp;
      },
      onSessionClosed: (id) => {
        closed.push(id);
        throw new Error('callback bug');
      },
    });
    open.push(server);
    const { client, transport } = await connectClient(server.url);
    await transport.terminateSession();
    expect(closed).toEqual(['d1']);
    expect(serversClosed).toEqual(['d1']);
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

  it('keeps at most maxSessions open: a new one closes the least recently used session not in use, or gets 503 SESSION_LIMIT', async () => {
    const calls = heldCalls();
    const closed: string[] = [];
    let n = 0;
    let slowOpen = false;
    const server = await serveMcp({
      maxSessions: 2,
      sessionIdGenerator: () => `s${++n}`,
      onSessionClosed: (id) => void closed.push(id),
      server: async () => {
        // Opening is slow in the last step, so the two initializes there overlap.
        if (slowOpen) await new Promise((resolve) => setTimeout(resolve, 100));
        return calls.server();
      },
    });
    open.push(server);
    const s1 = await connectClient(server.url);
    const s2 = await connectClient(server.url);
    await s1.client.listTools(); // s1 is now the more recently used
    const s3 = await connectClient(server.url);
    expect(closed).toEqual(['s2']);
    expect([...server.handler.sessions].sort()).toEqual(['s1', 's3']);
    await expect(s2.client.listTools()).rejects.toThrow();

    // Both with a call under way: in use, so none can be closed.
    const holds = [s1, s3].map((s) => s.client.callTool({ name: 'hold', arguments: {} }));
    await until(() => calls.holding === 2);
    expect(server.handler.sessionsInUse).toBe(2);
    const refused = await fetch(server.url, { method: 'POST', headers: POST_HEADERS, body: INITIALIZE });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Too many sessions', data: { reason: 'SESSION_LIMIT', maxSessions: 2 } } });
    calls.release();
    await Promise.all(holds);
    expect(server.handler.sessionsInUse).toBe(0);

    // Two initializes at once: the second finds the first still opening (it counts) and closes the other session.
    slowOpen = true;
    const racing = await Promise.all([1, 2].map(() => fetch(server.url, { method: 'POST', headers: POST_HEADERS, body: INITIALIZE })));
    for (const response of racing) if (response.status === 200) await response.body?.cancel();
    expect(racing.map((r) => r.status)).toEqual([200, 200]);
    expect(closed.sort()).toEqual(['s1', 's2', 's3']);
    expect(server.handler.sessions.size).toBe(2);
    await Promise.all([s1, s2, s3].map((s) => s.client.close()));
  });

  it('closes a session not in use for sessionIdleMs (checked every min(sessionIdleMs, 60 s) on the HTTP chain clock); a call under way keeps it', async () => {
    const clock = createManualClock(0);
    const calls = heldCalls();
    let n = 0;
    const closed: string[] = [];
    const server = await serveMcp({
      http: createHttpChain([], { clock }),
      sessionIdleMs: 1_000,
      sessionIdGenerator: () => `h${++n}`,
      onSessionClosed: (id) => {
        closed.push(id);
        throw new Error('callback bug'); // must stop neither the sweep nor the close
      },
      server: calls.server,
    });
    open.push(server);
    const calling = await connectClient(server.url); // h1
    const quiet = await connectClient(server.url); // h2: connected, but sends nothing more
    const call = calling.client.callTool({ name: 'hold', arguments: {} });
    await until(() => calls.holding === 1);
    expect(server.handler.sessionsInUse).toBe(1);
    await clock.advance(1_000);
    await clock.advance(1_000); // checks at 1000 and 2000: h2 unused for over a second, h1 in use
    expect(closed).toEqual(['h2']);
    expect([...server.handler.sessions]).toEqual(['h1']);
    await expect(quiet.client.listTools()).rejects.toThrow();
    calls.release();
    expect((await call).content).toEqual([{ type: 'text', text: 'released' }]);
    expect(closed).toEqual(['h2']);
    await clock.advance(1_000); // the call ended at 2000: unused for a second at the check at 3000
    expect(closed).toEqual(['h2', 'h1']);
    expect(server.handler.sessions.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    await Promise.all([calling, quiet].map((s) => s.client.close()));
  });

  it('close() while an initialize is under way leaves no session and no timer behind', async () => {
    const clock = createManualClock(0);
    const server = await serveMcp({
      http: createHttpChain([], { clock }),
      server: async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return mcpServerFactory()();
      },
    });
    open.push(server);
    const initializing = fetch(server.url, { method: 'POST', headers: POST_HEADERS, body: INITIALIZE });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await server.handler.close();
    const response = await initializing;
    await response.body?.cancel();
    expect(server.handler.sessions.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a server whose connect fails: the initialize gets 500, its transport is closed, and the next one works', async () => {
    let fail = true;
    const closedTransports: unknown[] = [];
    const factory = mcpServerFactory();
    const server = await serveMcp({
      server: () => {
        const mcp = factory();
        if (!fail) return mcp;
        return {
          connect: async (transport: { onclose?: () => void }) => {
            const onclose = transport.onclose;
            transport.onclose = () => {
              closedTransports.push(transport);
              onclose?.();
            };
            throw new Error('connect failed');
          },
          close: () => mcp.close(),
        };
      },
    });
    open.push(server);
    const failed = await fetch(server.url, { method: 'POST', headers: POST_HEADERS, body: INITIALIZE });
    expect(failed.status).toBe(500);
    await failed.body?.cancel();
    expect(closedTransports).toHaveLength(1);
    expect(server.handler.sessions.size).toBe(0);
    fail = false;
    const { client } = await connectClient(server.url);
    expect(server.handler.sessions.size).toBe(1);
    await client.close();
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
    [{ server: none, sessionIdleMs: -1 }, /createMcpHttpHandler.sessionIdleMs must be/],
    [{ server: none, maxSessions: '10' }, /createMcpHttpHandler.maxSessions must be a positive integer, got "10"/],
    [{ server: none, intercept: 'fast' }, /createMcpHttpHandler.intercept must be an object, got "fast"/],
    [{ server: none, intercept: { stacklessDispatch: 1 } }, /createMcpHttpHandler.intercept.stacklessDispatch must be a boolean, got 1/],
    [{ server: none, intercept: { lateResponseMemory: -1 } }, /createMcpHttpHandler.intercept.lateResponseMemory must be a non-negative integer, got -1/],
  ])('rejects %j', (options, message) => {
    expect(() => createMcpHttpHandler(options as never)).toThrow(message);
  });
});
