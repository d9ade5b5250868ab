import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { bodyLimit } from '../interceptors/body-limit.js';
import { health } from '../interceptors/health.js';
import { createMcpHttpHandler } from '../mcp-http-handler.js';
import { expectFullSession, recorder } from '../test-support/full-session.js';
import { connectClient, mcpServerFactory } from '../test-support/servers.js';
import { expressMiddleware } from './express.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function start(app: express.Express): Promise<URL> {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
}


describe('expressMiddleware', () => {
  it('runs a full session: initialize, tool call, SSE GET with a server notification, DELETE', async () => {
    const seen: string[] = [];
    const handler = createMcpHttpHandler({ server: mcpServerFactory(), http: [recorder(seen), health()] });
    const app = express();
    app.use(expressMiddleware(handler));
    app.get('/other', (_req, res) => void res.send('from express'));
    const url = await start(app);

    await expectFullSession(url, handler, seen);

    // Paths the handler does not answer stay Express's; the interceptors' routes are the handler's.
    expect(await (await fetch(new URL('/other', url))).text()).toBe('from express');
    expect(await (await fetch(new URL('/healthz', url))).json()).toEqual({ status: 'ok' });
    expect(seen.filter((s) => s.startsWith('GET')).length).toBeGreaterThanOrEqual(2);
  });

  it('uses a body express.json() already parsed, and auth an upstream middleware put on req.auth', async () => {
    const probe = { authSeen: [] as unknown[], servers: [] };
    const handler = createMcpHttpHandler({ server: mcpServerFactory(probe), http: [bodyLimit({ maxBytes: 100_000 })] });
    const app = express();
    app.use(express.json());
    app.use((req, _res, next) => {
      (req as { auth?: unknown }).auth = { token: 'upstream', clientId: 'from-upstream', scopes: [] };
      next();
    });
    app.use(expressMiddleware(handler));
    const url = await start(app);
    const { client } = await connectClient(url);
    expect((await client.callTool({ name: 'whoami', arguments: {} })).content).toEqual([{ type: 'text', text: 'from-upstream' }]);
    expect(probe.authSeen).toMatchObject([{ clientId: 'from-upstream' }]);
    await client.close();
  });

  it('refuses an oversized body by Content-Length even when express.json() read it first', async () => {
    const handler = createMcpHttpHandler({ server: mcpServerFactory(), http: [bodyLimit({ maxBytes: 1000 })] });
    const app = express();
    app.use(express.json({ limit: '10mb' }));
    app.use(expressMiddleware(handler));
    const url = await start(app);
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ pad: 'x'.repeat(5000) }) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: -31006, data: { reason: 'PAYLOAD_TOO_LARGE' } } });
  });
});
