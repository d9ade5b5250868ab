import { afterEach, describe, expect, it } from 'vitest';
import { INITIALIZE, POST_HEADERS, serveMcp, type Listening } from '../test-support/servers.js';
import { bearerAuth } from './bearer-auth.js';
import { cors } from './cors.js';

const open: Listening[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

async function serve(...http: Parameters<typeof cors>[0][]): Promise<URL> {
  const server = await serveMcp({ http: http.map((o) => cors(o)) });
  open.push(server);
  return server.url;
}

const preflight = (url: URL, origin: string): Promise<Response> =>
  fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization, mcp-session-id' } });

const post = (url: URL, origin?: string): Promise<Response> => fetch(url, { method: 'POST', headers: { ...POST_HEADERS, ...(origin === undefined ? {} : { origin }) }, body: INITIALIZE });

describe('cors matrix', () => {
  const options = { origins: ['https://app.example.com', 'https://*.example.dev', /^https:\/\/local\.test:\d+$/], credentials: true };

  it('answers an allowed preflight with 204 and the MCP methods and headers', async () => {
    const url = await serve(options);
    const response = await preflight(url, 'https://app.example.com');
    expect(response.status).toBe(204);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
      'access-control-allow-credentials': 'true',
      'access-control-max-age': '7200',
    });
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').split(', ');
    expect(allowed).toEqual(expect.arrayContaining(['Content-Type', 'Authorization', 'Mcp-Session-Id', 'Mcp-Protocol-Version', 'Last-Event-ID']));
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it('answers a disallowed preflight with no CORS headers at all', async () => {
    const url = await serve(options);
    const response = await preflight(url, 'https://evil.example');
    expect(response.status).toBe(204);
    const names = [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));
    expect(names).toEqual([]);
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it.each([
    ['https://app.example.com', true],
    ['https://api.example.dev', true],
    ['https://a.b.example.dev', true],
    ['https://local.test:8443', true],
    ['https://example.dev', false],
    ['https://api.example.dev.evil.com', false],
    ['http://app.example.com', false],
    ['https://app.example.com.evil.com', false],
  ])('on a real request from %s: allowed=%s', async (origin, allowed) => {
    const url = await serve(options);
    const response = await post(url, origin);
    // CORS never changes whether the server answers; it tells the browser whether the page may read the answer.
    expect(response.status).toBe(200);
    expect(response.headers.get('vary')).toContain('Origin');
    if (allowed) {
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
      expect(response.headers.get('access-control-expose-headers')).toContain('Mcp-Session-Id');
    } else {
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      expect(response.headers.get('access-control-expose-headers')).toBeNull();
    }
    await response.body?.cancel();
  });

  it('adds nothing but Vary for a request without Origin (a non-browser client)', async () => {
    const url = await serve(options);
    const response = await post(url);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('vary')).toBe('Origin');
    await response.body?.cancel();
  });

  it('sends * for any origin in wildcard mode, without credentials', async () => {
    const url = await serve({ origins: '*' });
    const response = await post(url, 'https://anyone.example');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    await response.body?.cancel();
    const pre = await preflight(url, 'https://anyone.example');
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('defaults to the loopback origins', async () => {
    const url = await serve({});
    expect((await preflight(url, 'http://localhost:5173')).headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect((await preflight(url, 'http://127.0.0.1')).headers.get('access-control-allow-origin')).toBe('http://127.0.0.1');
    expect((await preflight(url, 'https://example.com')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('puts CORS headers on a 401 from auth behind it, so the browser can read the challenge', async () => {
    const server = await serveMcp({ http: [cors(options), bearerAuth({ tokens: ['t0ken'] })] });
    open.push(server);
    const response = await post(server.url, 'https://app.example.com');
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(response.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate');
    expect(response.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('passes a plain OPTIONS (no Access-Control-Request-Method) on to the endpoint', async () => {
    const url = await serve(options);
    const response = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://app.example.com' } });
    expect(response.status).toBe(405);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });
});

describe('cors options', () => {
  it('refuses a wildcard with credentials at construction', () => {
    expect(() => cors({ origins: '*', credentials: true })).toThrow(TypeError);
    expect(() => cors({ origins: '*', credentials: true })).toThrow(/cors.credentials cannot be used with origins '\*'/);
  });

  it.each([
    [{ origins: 'https://a.example' }, /cors.origins must be '\*' or an array/],
    [{ origins: ['app.example.com'] }, /cors.origins\[0\] must be an origin/],
    [{ origins: ['https://app.example.com/path'] }, /cors.origins\[0\] must be an origin/],
    [{ origins: ['*'] }, /cors.origins\[0\] must be an origin/],
    [{ credentials: 'yes' }, /cors.credentials must be a boolean/],
    [{ allowHeaders: 'x-a' }, /cors.allowHeaders must be an array/],
    [{ exposeHeaders: [1] }, /cors.exposeHeaders must be an array/],
    [{ maxAgeSeconds: -1 }, /cors.maxAgeSeconds must be a non-negative integer/],
    [{ priority: 'high' }, /cors.priority must be a finite number/],
  ])('rejects %j', (options, message) => {
    expect(() => cors(options as never)).toThrow(message);
  });

  it('adds extra allowed and exposed headers', async () => {
    const url = await serve({ origins: ['https://app.example.com'], allowHeaders: ['X-Tenant'], exposeHeaders: ['X-Trace'] });
    const pre = await preflight(url, 'https://app.example.com');
    expect(pre.headers.get('access-control-allow-headers')).toContain('X-Tenant');
    const response = await post(url, 'https://app.example.com');
    expect(response.headers.get('access-control-expose-headers')).toBe('Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate, X-Trace');
    await response.body?.cancel();
  });
});
