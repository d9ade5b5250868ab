import { createChain, type Interceptor } from '@mcp-interceptors/core';
import { afterEach, describe, expect, it } from 'vitest';
import { bearerAuth } from '../interceptors/bearer-auth.js';
import { health } from '../interceptors/health.js';
import { createMcpHttpHandler } from '../mcp-http-handler.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { createHttpChain } from '../http-chain.js';
import { expectFullSession, recorder } from '../test-support/full-session.js';
import { connectClient, INITIALIZE, listen, mcpServerFactory, POST_HEADERS, until, type Listening } from '../test-support/servers.js';
import { nodeHandler } from './node.js';

const open: Listening[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

describe('nodeHandler, stateful', () => {
  it('runs a full session: initialize, tool call, SSE GET with a server notification, DELETE', async () => {
    const seen: string[] = [];
    const handler = createMcpHttpHandler({ server: mcpServerFactory(), http: [recorder(seen)] });
    const listening = await listen(nodeHandler(handler));
    open.push(listening);
    await expectFullSession(listening.url, handler, seen);
  });

  it('hands the bearer identity to the JSON-RPC chain as ctx.auth and to the tool as extra.authInfo', async () => {
    const seenByChain: unknown[] = [];
    const spy: Interceptor = { name: 'auth-spy', onRequest: (_req, ctx) => void seenByChain.push(ctx.auth?.clientId) };
    const probe = { authSeen: [] as unknown[], servers: [] };
    const handler = createMcpHttpHandler({
      server: mcpServerFactory(probe),
      http: [bearerAuth({ tokens: { 'tok-123': { clientId: 'alice', scopes: ['tools'] } } })],
      chain: createChain([spy]),
    });
    const listening = await listen(nodeHandler(handler));
    open.push(listening);
    const { client } = await connectClient(listening.url, { requestInit: { headers: { authorization: 'Bearer tok-123' } } });
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'alice' }]);
    expect(seenByChain).toEqual(['alice', 'alice']); // initialize and tools/call (the notification is not a request)
    expect(probe.authSeen).toMatchObject([{ clientId: 'alice', scopes: ['tools'], token: 'tok-123' }]);
    await client.close();
  });

  it('answers 400 to a request without a session that is not initialize, and 404 off the MCP path', async () => {
    const handler = createMcpHttpHandler({ server: mcpServerFactory(), http: [health()] });
    const listening = await listen(nodeHandler(handler));
    open.push(listening);
    const noSession = await fetch(listening.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(noSession.status).toBe(400);
    expect(await noSession.json()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Bad Request: No valid session ID provided' } });
    expect(handler.sessions.size).toBe(0);

    const elsewhere = await fetch(new URL('/other', listening.url));
    expect(elsewhere.status).toBe(404);
    const probe = await fetch(new URL('/healthz', listening.url));
    expect(probe.status).toBe(200);
    expect(await probe.json()).toEqual({ status: 'ok' });
  });

  it('answers invalid JSON with 400 -32700 and id null, as the SDK does', async () => {
    const handler = createMcpHttpHandler({ server: mcpServerFactory() });
    const listening = await listen(nodeHandler(handler));
    open.push(listening);
    const response = await fetch(listening.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{"jsonrpc":' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: Invalid JSON' } });
  });
});

describe('nodeHandler, stateless', () => {
  it('serves each POST with a fresh server and refuses GET and DELETE with 405', async () => {
    const probe = { authSeen: [] as unknown[], servers: [] as unknown[] };
    const handler = createMcpHttpHandler({ server: mcpServerFactory(probe as never), mode: 'stateless' });
    const listening = await listen(nodeHandler(handler));
    open.push(listening);
    const { client, transport } = await connectClient(listening.url);
    expect(transport.sessionId).toBeUndefined();
    const result = await client.callTool({ name: 'echo', arguments: { text: 'stateless' } });
    expect(result.content).toEqual([{ type: 'text', text: 'stateless' }]);
    // initialize, notifications/initialized, tools/call: one server each.
    expect(probe.servers.length).toBe(3);
    const get = await fetch(listening.url, { headers: { accept: 'text/event-stream' } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await get.json()).toMatchObject({ id: null, error: { code: -32000 } });
    await client.close();
    // Each per-request server is closed once its response is done.
    await until(() => (probe.servers as McpServer[]).every((server) => !server.isConnected()));
  });
});

describe('nodeHandler failures', () => {
  it('answers 500 with a JSON-RPC body when an interceptor throws, and keeps serving', async () => {
    const errors: string[] = [];
    let fail = true;
    const handler = createMcpHttpHandler({
      server: mcpServerFactory(),
      http: createHttpChain([{ name: 'flaky', onRequest: () => { if (fail) throw new TypeError('bug in an interceptor'); } }], { onError: (error) => void errors.push(String(error.cause)) }),
    });
    const listening = await listen(nodeHandler(handler));
    open.push(listening);
    const response = await fetch(listening.url, { method: 'POST', headers: POST_HEADERS, body: INITIALIZE });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32603, message: 'Internal error', data: { reason: 'INTERNAL', interceptor: 'flaky' } } });
    expect(errors).toEqual(['TypeError: bug in an interceptor']);
    fail = false;
    const { client } = await connectClient(listening.url);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
  });

  it('cancels the SSE stream when the client goes away, so the SDK releases it', async () => {
    const handler = createMcpHttpHandler({ server: mcpServerFactory() });
    const listening = await listen(nodeHandler(handler));
    open.push(listening);
    const init = await fetch(listening.url, { method: 'POST', headers: POST_HEADERS, body: INITIALIZE });
    const sessionId = init.headers.get('mcp-session-id') as string;
    await init.text();
    const headers = { accept: 'text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' };
    const controller = new AbortController();
    const first = await fetch(listening.url, { headers, signal: controller.signal });
    expect(first.status).toBe(200);
    // One standalone stream per session: while the first is open, another is refused.
    const second = await fetch(listening.url, { headers });
    expect(second.status).toBe(409);
    controller.abort();
    let reopened = 0;
    for (let i = 0; i < 50 && reopened !== 200; i++) {
      const attempt = await fetch(listening.url, { headers });
      reopened = attempt.status;
      await attempt.body?.cancel();
      if (reopened !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(reopened).toBe(200);
  });
});
