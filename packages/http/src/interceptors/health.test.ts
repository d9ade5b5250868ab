import { afterEach, describe, expect, it } from 'vitest';
import { serveMcp, type Listening } from '../test-support/servers.js';
import { bearerAuth } from './bearer-auth.js';
import { health } from './health.js';
import { hostValidation } from './host-validation.js';

const open: Listening[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

describe('health', () => {
  it('answers liveness and readiness ahead of auth and host checks', async () => {
    let ready: boolean | { ready: boolean; queue: number } = false;
    const server = await serveMcp({ http: [hostValidation({ allowedHosts: ['mcp.example.com'] }), bearerAuth({ tokens: ['t'] }), health({ ready: () => ready })] });
    open.push(server);
    const live = await fetch(new URL('/healthz', server.url));
    expect(live.status).toBe(200);
    expect(live.headers.get('cache-control')).toBe('no-store');
    expect(await live.json()).toEqual({ status: 'ok' });

    const notReady = await fetch(new URL('/readyz', server.url));
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'unavailable' });

    ready = { ready: true, queue: 3 };
    const isReady = await fetch(new URL('/readyz', server.url));
    expect(isReady.status).toBe(200);
    expect(await isReady.json()).toEqual({ queue: 3, status: 'ready' });

    // The MCP path itself still needs the host and the token.
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(403);
  });

  it('counts a failing readiness check as not ready, and refuses other methods with 405', async () => {
    const server = await serveMcp({ http: [health({ path: '/live', readinessPath: '/ready', ready: () => Promise.reject(new Error('db down')) })] });
    open.push(server);
    expect((await fetch(new URL('/ready', server.url))).status).toBe(503);
    expect((await fetch(new URL('/live', server.url), { method: 'HEAD' })).status).toBe(200);
    const post = await fetch(new URL('/live', server.url), { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(new URL('/healthz', server.url))).status).toBe(404);
  });

  it.each([
    [{ path: 'healthz' }, /health.path must start with "\/"/],
    [{ readinessPath: '' }, /health.readinessPath must be a non-empty string/],
    [{ path: '/x', readinessPath: '/x' }, /health.path and health.readinessPath must differ/],
    [{ ready: true }, /health.ready must be a function/],
    [{ priority: '1' }, /health.priority must be a finite number/],
  ])('rejects %j', (options, message) => {
    expect(() => health(options as never)).toThrow(message);
  });
});
