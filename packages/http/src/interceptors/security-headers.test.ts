import { afterEach, describe, expect, it } from 'vitest';
import { HttpHeaders } from '../http-headers.js';
import { connectClient, serveMcp, type Listening } from '../test-support/servers.js';
import { bearerAuth } from './bearer-auth.js';
import { securityHeaders } from './security-headers.js';

const open: Listening[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

describe('securityHeaders', () => {
  it('sets the defaults on early answers and endpoint responses, keeping what the response already has', async () => {
    const seen: HttpHeaders[] = [];
    const server = await serveMcp({
      http: [{ name: 'spy', priority: 0, onResponse: (ctx) => void seen.push(new HttpHeaders(ctx.response.headers)) }, securityHeaders(), bearerAuth({ tokens: ['tok'] })],
    });
    open.push(server);
    const rejected = await fetch(server.url, { method: 'POST' });
    expect(rejected.status).toBe(401);
    expect(Object.fromEntries(rejected.headers)).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'cache-control': 'no-store',
      'cross-origin-resource-policy': 'same-origin',
    });
    expect(rejected.headers.get('strict-transport-security')).toBeNull();

    const { client } = await connectClient(server.url, { requestInit: { headers: { authorization: 'Bearer tok' } } });
    await client.listTools();
    await client.close();
    // The SDK's SSE responses keep their own Cache-Control.
    const sse = seen.find((h) => h.get('content-type') === 'text/event-stream');
    expect(sse?.get('cache-control')).toBe('no-cache, no-transform');
    expect(sse?.get('x-content-type-options')).toBe('nosniff');
  });

  it('replaces, removes and adds headers as told', async () => {
    const server = await serveMcp({ http: [securityHeaders({ hsts: 'max-age=31536000; includeSubDomains', headers: { 'x-frame-options': false, 'cross-origin-resource-policy': 'cross-origin', 'Permissions-Policy': 'camera=()' } })] });
    open.push(server);
    const response = await fetch(new URL('/elsewhere', server.url));
    expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expect(response.headers.get('x-frame-options')).toBeNull();
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(response.headers.get('permissions-policy')).toBe('camera=()');
  });

  it.each([
    [{ headers: 'nosniff' }, /securityHeaders.headers must be an object/],
    [{ headers: { 'x-frame-options': true } }, /securityHeaders.headers\["x-frame-options"\] must be a non-empty string or false/],
    [{ hsts: '1 year' }, /securityHeaders.hsts must start with "max-age=<seconds>"/],
    [{ priority: NaN }, /securityHeaders.priority must be a finite number/],
  ])('rejects %j', (options, message) => {
    expect(() => securityHeaders(options as never)).toThrow(message);
  });
});
