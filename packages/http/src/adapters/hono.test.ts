import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createChain, type Interceptor } from '@mcp-interceptors/core';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { bearerAuth } from '../interceptors/bearer-auth.js';
import { health } from '../interceptors/health.js';
import { createMcpHttpHandler } from '../mcp-http-handler.js';
import { expectFullSession, recorder } from '../test-support/full-session.js';
import { connectClient, mcpServerFactory } from '../test-support/servers.js';
import { honoMiddleware } from './hono.js';

const servers: ServerType[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function start(app: Hono): Promise<URL> {
  const port = await new Promise<number>((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(info.port));
    servers.push(server);
  });
  return new URL(`http://127.0.0.1:${port}/mcp`);
}


describe('honoMiddleware', () => {
  it('runs a full session: initialize, tool call, SSE GET with a server notification, DELETE', async () => {
    const seen: string[] = [];
    const addresses = new Set<string | undefined>();
    const handler = createMcpHttpHandler({ server: mcpServerFactory(), http: [recorder(seen), health(), { name: 'address', onRequest: (ctx) => void addresses.add(ctx.remoteAddress) }] });
    const app = new Hono();
    app.use(honoMiddleware(handler));
    app.get('/other', (c) => c.text('from hono'));
    const url = await start(app);

    await expectFullSession(url, handler, seen);
    // @hono/node-server exposes the socket: the remote address reaches the context.
    expect([...addresses]).toEqual(['127.0.0.1']);

    expect(await (await fetch(new URL('/other', url))).text()).toBe('from hono');
    expect(await (await fetch(new URL('/healthz', url))).json()).toEqual({ status: 'ok' });
  });

  it('carries the bearer identity to the JSON-RPC chain, stateless too', async () => {
    const seenByChain: Array<string | undefined> = [];
    const spy: Interceptor = { name: 'auth-spy', onRequest: (_req, ctx) => void seenByChain.push(ctx.auth?.clientId) };
    const handler = createMcpHttpHandler({ server: mcpServerFactory(), mode: 'stateless', http: [bearerAuth({ tokens: { 'hono-token': { clientId: 'carol' } } })], chain: createChain([spy]) });
    const app = new Hono();
    app.use(honoMiddleware(handler));
    const url = await start(app);
    const { client } = await connectClient(url, { requestInit: { headers: { authorization: 'Bearer hono-token' } } });
    expect((await client.callTool({ name: 'whoami', arguments: {} })).content).toEqual([{ type: 'text', text: 'carol' }]);
    expect(seenByChain).toEqual(['carol', 'carol']);
    await client.close();
    const denied = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toBe('Bearer realm="mcp"');
  });
});
