import { createKey } from '@mcp-interceptors/core';
import { describe, expect, it } from 'vitest';
import { createHttpChain } from './http-chain.js';
import { isHttpError } from './http-error.js';
import { runChain } from './test-support/run-chain.js';

/** A request whose body arrives in `chunks` chunks of `size` bytes, counting how many were pulled. */
function streamingRequest(chunks: number, size: number): { request: Request; pulled: () => number } {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled === chunks) return controller.close();
      pulled++;
      controller.enqueue(new Uint8Array(size).fill(0x20));
    },
  }, { highWaterMark: 0 });
  return { request: new Request('http://127.0.0.1/mcp', { method: 'POST', body, duplex: 'half' } as RequestInit), pulled: () => pulled };
}

describe('HttpContext body', () => {
  it('reads the body once, streaming, and shares it between readers', async () => {
    const chain = createHttpChain([]);
    let first: Uint8Array | undefined;
    const run = await runChain(chain, new Request('http://127.0.0.1/mcp', { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } }), async (ctx) => {
      expect(ctx.bodyIfRead).toBeUndefined();
      first = await ctx.body();
      expect(await ctx.body()).toBe(first);
      expect(await ctx.json()).toEqual({ a: 1 });
      ctx.respond(200, 'ok');
    });
    expect(new TextDecoder().decode(first)).toBe('{"a":1}');
    expect(run.ctx.bodyIfRead).toMatchObject({ parsed: { value: { a: 1 } } });
  });

  it('stops reading a chunked body as soon as it passes the cap: 413 naming the limiter', async () => {
    const chain = createHttpChain([{ name: 'limiter', onRequest: (ctx) => ctx.limitBody(100, 'limiter') }]);
    const { request, pulled } = streamingRequest(1000, 64);
    const run = await runChain(chain, request, async (ctx) => {
      await ctx.body();
    });
    expect(run.status).toBe(413);
    expect(run.headers.get('connection')).toBe('close');
    expect(run.json()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -31006, message: 'Payload too large: the body exceeds 100 bytes', data: { reason: 'PAYLOAD_TOO_LARGE', limit: 100, interceptor: 'limiter' } } });
    // 2 chunks pass 100 bytes; at most one more was in flight. Never the whole 64 000 bytes.
    expect(pulled()).toBeLessThanOrEqual(4);
  });

  it('refuses a declared Content-Length over the cap without reading a byte', async () => {
    const chain = createHttpChain([], { maxBodyBytes: 10 });
    const { request, pulled } = streamingRequest(5, 10);
    const withLength = new Request(request, { headers: { 'content-length': '50' }, duplex: 'half' } as RequestInit);
    // Building a Request may prefetch a chunk; nothing more may be pulled.
    await new Promise((resolve) => setTimeout(resolve, 10));
    const before = pulled();
    const run = await runChain(chain, withLength, async (ctx) => void (await ctx.body()));
    expect(run.status).toBe(413);
    expect(run.json()).toMatchObject({ error: { data: { reason: 'PAYLOAD_TOO_LARGE', limit: 10, size: 50 } } });
    expect(pulled()).toBe(before);
  });

  it('answers a body that is not JSON with 400 -32700', async () => {
    const run = await runChain(createHttpChain([]), new Request('http://127.0.0.1/mcp', { method: 'POST', body: 'not json' }), async (ctx) => void (await ctx.json()));
    expect(run.status).toBe(400);
    expect(run.json()).toMatchObject({ id: null, error: { code: -32700, message: 'Parse error: Invalid JSON', data: { reason: 'PARSE_ERROR' } } });
  });
});

describe('HttpContext request view', () => {
  it('keeps a sane X-Request-Id and replaces an unsafe one', async () => {
    const chain = createHttpChain([]);
    const good = await runChain(chain, new Request('http://127.0.0.1/mcp', { headers: { 'x-request-id': 'req-42' } }));
    expect(good.ctx.requestId).toBe('req-42');
    const bad = await runChain(chain, new Request('http://127.0.0.1/mcp', { headers: { 'x-request-id': 'a b\u00e9"<script>' } }));
    expect(bad.ctx.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('offers a log view with credentials and sensitive query values redacted, the raw request untouched', async () => {
    const chain = createHttpChain([], { redaction: { headers: ['x-tenant-key'], keys: ['ssn'] } });
    const request = new Request('http://127.0.0.1/mcp?token=abc&ssn=123&page=2', {
      headers: { authorization: 'Bearer s3cret', cookie: 'sid=1', 'x-tenant-key': 'k', accept: 'application/json' },
    });
    const { ctx } = await runChain(chain, request);
    expect(ctx.log).toMatchObject({
      method: 'GET',
      url: '/mcp?token=[REDACTED]&ssn=[REDACTED]&page=2',
      headers: { authorization: 'Bearer [REDACTED]', cookie: '[REDACTED]', 'x-tenant-key': '[REDACTED]', accept: 'application/json' },
      remoteAddress: '127.0.0.1',
    });
    expect(ctx.header('Authorization')).toBe('Bearer s3cret');
    expect(ctx.path).toBe('/mcp');
    expect(ctx.url.searchParams.get('page')).toBe('2');
  });

  it('carries typed metadata between hooks', async () => {
    const Tenant = createKey<string>('tenant');
    const seen: Array<string | undefined> = [];
    const chain = createHttpChain([{ name: 'sets', priority: 1, onRequest: (ctx) => ctx.metadata.set(Tenant, 'acme') }, { name: 'reads', priority: 2, onResponse: (ctx) => void seen.push(ctx.metadata.get(Tenant)) }]);
    await runChain(chain, 'http://127.0.0.1/mcp');
    expect(seen).toEqual(['acme']);
  });
});

describe('HttpContext response', () => {
  it('merges a downstream Response over headers set earlier, keeping every Set-Cookie', async () => {
    const chain = createHttpChain([{ name: 'pre', onRequest: (ctx) => { ctx.response.headers.set('x-early', '1'); ctx.response.headers.set('cache-control', 'no-store'); } }]);
    const downstream = new Headers({ 'cache-control': 'no-cache', 'content-type': 'text/plain' });
    downstream.append('set-cookie', 'a=1');
    downstream.append('set-cookie', 'b=2');
    const run = await runChain(chain, 'http://127.0.0.1/mcp', (ctx) => ctx.respondWith(new Response('hi', { status: 202, headers: downstream })));
    expect(run.status).toBe(202);
    expect(run.headers.get('x-early')).toBe('1');
    expect(run.headers.get('cache-control')).toBe('no-cache');
    expect(run.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(run.text).toBe('hi');
  });

  it('drops the entity headers and cancels the stream of a replaced response', async () => {
    let cancelled = false;
    const stream = new ReadableStream({ cancel: () => void (cancelled = true) });
    const chain = createHttpChain([{ name: 'replacer', onResponse: (ctx) => ctx.respond(503, { busy: true }) }]);
    const run = await runChain(chain, 'http://127.0.0.1/mcp', (ctx) => ctx.respondWith(new Response(stream, { headers: { 'content-type': 'text/event-stream', 'mcp-session-id': 's' } })));
    expect(run.status).toBe(503);
    expect(run.headers.get('content-type')).toBe('application/json');
    expect(run.headers.get('mcp-session-id')).toBe('s');
    expect(run.json()).toEqual({ busy: true });
    expect(cancelled).toBe(true);
  });

  it('refuses a status outside 200..599', async () => {
    const chain = createHttpChain([], { onError: () => undefined });
    const run = await runChain(chain, 'http://127.0.0.1/mcp', (ctx) => ctx.respond(99));
    expect(run.status).toBe(500);
  });

  it('recognises HttpError across the package', () => {
    expect(isHttpError(new Error('x'))).toBe(false);
  });
});
