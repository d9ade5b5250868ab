import { createManualClock } from '@mcp-interceptors/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpChain } from '../http-chain.js';
import { runChain } from '../test-support/run-chain.js';
import { captureSink, connectClient, serveMcp, until, type Listening } from '../test-support/servers.js';
import { bearerAuth } from './bearer-auth.js';
import { requestLogger } from './request-logger.js';

const open: Listening[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

describe('requestLogger', () => {
  it('logs one record per request with status, duration and redacted headers', async () => {
    const clock = createManualClock(Date.UTC(2025, 0, 2, 3, 4, 5));
    const { sink, records } = captureSink();
    const chain = createHttpChain([requestLogger({ sink })], { clock });
    await runChain(chain, new Request('http://127.0.0.1/mcp?token=abc&page=1', { headers: { authorization: 'Bearer abc', 'x-request-id': 'r-1', 'mcp-session-id': 's-1' } }), async (ctx) => {
      await clock.advance(12.5);
      ctx.respond(200, { ok: true }, { 'set-cookie': 'sid=xyz' });
    });
    expect(records).toEqual([
      {
        time: '2025-01-02T03:04:05.000Z',
        level: 'info',
        event: 'http.server.request',
        requestId: 'r-1',
        method: 'GET',
        url: '/mcp?token=[REDACTED]&page=1',
        status: 200,
        durationMs: 12.5,
        sessionId: 's-1',
        remoteAddress: '127.0.0.1',
        requestHeaders: { authorization: 'Bearer [REDACTED]', 'x-request-id': 'r-1', 'mcp-session-id': 's-1' },
        responseHeaders: { 'content-type': 'application/json', 'set-cookie': '[REDACTED]' },
      },
    ]);
  });

  it('logs rejections by interceptors after it, at warn, and filters by level', async () => {
    const { sink, records } = captureSink();
    const chain = createHttpChain([requestLogger({ sink, level: 'warn', includeHeaders: false }), bearerAuth({ tokens: ['t'] })]);
    await runChain(chain, new Request('http://127.0.0.1/mcp', { headers: { authorization: 'Bearer t' } }));
    await runChain(chain, 'http://127.0.0.1/mcp');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ level: 'warn', status: 401 });
    expect(records[0]).not.toHaveProperty('requestHeaders');
  });

  it('logs bodies redacted by key and capped, and describes what it cannot redact', async () => {
    const { sink, records } = captureSink();
    const chain = createHttpChain([requestLogger({ sink, maxBodyBytes: 80, includeHeaders: false, redactKeys: ['ssn'] })]);
    const body = JSON.stringify({ user: 'a', password: 'p', ssn: '123' });
    await runChain(chain, new Request('http://127.0.0.1/mcp', { method: 'POST', body, headers: { 'content-type': 'application/json' } }), async (ctx) => {
      await ctx.json();
      ctx.respond(200, { result: { access_token: 'at', long: 'y'.repeat(200) } });
    });
    expect(records[0]?.requestBody).toEqual({ user: 'a', password: '[REDACTED]', ssn: '[REDACTED]' });
    expect(records[0]?.responseBody).toMatch(/^\{"result":\{"access_token":"\[REDACTED\]","long":"y+…\[truncated, \d+ bytes\]$/);

    await runChain(chain, new Request('http://127.0.0.1/mcp', { method: 'POST', body: 'password=hunter2', headers: { 'content-type': 'text/plain' } }), async (ctx) => {
      await ctx.body();
      ctx.respond(200, new Uint8Array([1, 2, 3]), { 'content-type': 'application/octet-stream' });
    });
    expect(records[1]?.requestBody).toBe('[16 bytes of text/plain, not logged]');
    expect(records[1]?.responseBody).toBe('[3 bytes of application/octet-stream, not logged]');
  });

  it('logs a response stream when it starts and never reads it', async () => {
    const { sink, records } = captureSink();
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({ pull: () => void pulled++ }, { highWaterMark: 0 });
    const chain = createHttpChain([requestLogger({ sink, maxBodyBytes: 1024 })]);
    const ctx = chain.createContext({
      method: 'GET', target: '/mcp', remoteAddress: undefined, preParsed: undefined, initialAuth: undefined,
      header: (name) => (name === 'accept' ? 'text/event-stream' : undefined), headers: () => ({ accept: 'text/event-stream' }), url: () => new URL('http://localhost/mcp'),
      readBody: async () => new Uint8Array(0), toRequest: () => new Request('http://localhost/mcp'), setAuth: () => undefined,
    });
    await chain.run(ctx, async (c) => c.respondWith(new Response(stream, { headers: { 'content-type': 'text/event-stream' } })));
    expect(records[0]).toMatchObject({ status: 200, stream: true });
    expect(records[0]).not.toHaveProperty('responseBody');
    expect(ctx.response.body).toBe(stream);
    expect(pulled).toBe(0);
  });

  it('logs every request of a real session, including the SSE GET, without waiting for the stream to end', async () => {
    const { sink, records } = captureSink();
    const server = await serveMcp({ http: [requestLogger({ sink, maxBodyBytes: 512 })] });
    open.push(server);
    const { client } = await connectClient(server.url);
    await client.callTool({ name: 'echo', arguments: { text: 'logged' } });
    await until(() => records.some((r) => r.method === 'GET'));
    const get = records.find((r) => r.method === 'GET');
    expect(get).toMatchObject({ status: 200, stream: true, sessionId: client.transport?.sessionId });
    const call = records.find((r) => (r.requestBody as { method?: string } | undefined)?.method === 'tools/call');
    expect(call).toMatchObject({ status: 200, stream: true, requestBody: { params: { name: 'echo', arguments: { text: 'logged' } } } });
    await client.close();
  });

  it('never fails a request because its sink throws', async () => {
    const chain = createHttpChain([requestLogger({ sink: () => { throw new Error('disk full'); } })]);
    expect((await runChain(chain, 'http://127.0.0.1/mcp')).status).toBe(200);
  });

  it.each([
    [{ sink: 'stderr' }, /requestLogger.sink must be a function/],
    [{ maxBodyBytes: -1 }, /requestLogger.maxBodyBytes must be a non-negative integer/],
    [{ level: 'debug' }, /requestLogger.level must be one of "info", "warn", "error"/],
    [{ redactHeaders: 'x-secret' }, /requestLogger.redactHeaders must be an array/],
    [{ redactKeys: [1] }, /requestLogger.redactKeys must be an array/],
    [{ includeHeaders: 1 }, /requestLogger.includeHeaders must be a boolean/],
    [{ showAuthScheme: 'no' }, /requestLogger.showAuthScheme must be a boolean/],
    [{ priority: 'low' }, /requestLogger.priority must be a finite number/],
  ])('rejects %j', (options, message) => {
    expect(() => requestLogger(options as never)).toThrow(message);
  });
});
