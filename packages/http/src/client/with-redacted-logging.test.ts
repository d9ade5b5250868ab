import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { createManualClock } from '@mcp-interceptors/core/testing';
import { describe, expect, it } from 'vitest';
import { captureSink } from '../test-support/servers.js';
import { createClientFetch } from './client-fetch.js';
import { withRedactedLogging } from './with-redacted-logging.js';

describe('withRedactedLogging', () => {
  it('logs a redacted record per request with status and duration', async () => {
    const clock = createManualClock(Date.UTC(2025, 5, 1));
    const { sink, records } = captureSink();
    const next: FetchLike = async () => {
      await clock.advance(40);
      return new Response('{"result":{"token":"t"}}', { status: 200, headers: { 'content-type': 'application/json', 'mcp-session-id': 'sess-1', 'set-cookie': 'a=b' } });
    };
    const fetch = withRedactedLogging({ sink, clock, maxBodyBytes: 1024 })(next);
    const response = await fetch('http://x/mcp?token=abc', { method: 'POST', headers: { authorization: 'Bearer abc', 'content-type': 'application/json' }, body: '{"params":{"password":"p"}}' });
    expect(await response.json()).toEqual({ result: { token: 't' } });
    expect(records).toEqual([
      {
        time: '2025-06-01T00:00:00.000Z',
        event: 'http.client.request',
        method: 'POST',
        url: 'http://x/mcp?token=[REDACTED]',
        requestHeaders: { authorization: 'Bearer [REDACTED]', 'content-type': 'application/json' },
        requestBody: { params: { password: '[REDACTED]' } },
        level: 'info',
        status: 200,
        durationMs: 40,
        sessionId: 'sess-1',
        responseHeaders: { 'content-type': 'application/json', 'mcp-session-id': 'sess-1', 'set-cookie': '[REDACTED]' },
        responseBody: { result: { token: '[REDACTED]' } },
      },
    ]);
  });

  it('logs a failed fetch at error and rethrows it', async () => {
    const { sink, records } = captureSink();
    const fetch = withRedactedLogging({ sink })(async () => {
      throw new TypeError('fetch failed');
    });
    await expect(fetch('http://x/mcp')).rejects.toThrow('fetch failed');
    expect(records).toMatchObject([{ level: 'error', method: 'GET', error: 'TypeError: fetch failed' }]);
    expect(records[0]).not.toHaveProperty('status');
  });

  it('never reads an SSE body', async () => {
    const { sink, records } = captureSink();
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({ pull: () => void pulled++ }, { highWaterMark: 0 });
    const fetch = withRedactedLogging({ sink, maxBodyBytes: 1024 })(async () => new Response(body, { headers: { 'content-type': 'text/event-stream' } }));
    const response = await fetch('http://x/mcp');
    expect(response.body).toBe(body);
    expect(records[0]).toMatchObject({ stream: true, status: 200 });
    expect(pulled).toBe(0);
  });

  it('logs each attempt on its own under retry', async () => {
    const { sink, records } = captureSink();
    let calls = 0;
    const fetch = createClientFetch({
      fetch: async () => (++calls === 1 ? new Response(null, { status: 503, headers: { 'retry-after': '0' } }) : new Response(null, { status: 202 })),
      logging: { sink, includeHeaders: false },
      traceparent: false,
    });
    expect((await fetch('http://x/mcp', { method: 'POST', body: '{}' })).status).toBe(202);
    expect(records.map((r) => [r.attempt, r.status, r.level])).toEqual([
      [1, 503, 'error'],
      [2, 202, 'info'],
    ]);
  });

  it.each([
    [{ sink: 1 }, /withRedactedLogging.sink must be a function/],
    [{ maxBodyBytes: 1.5 }, /withRedactedLogging.maxBodyBytes must be a non-negative integer/],
    [{ redactHeaders: 'x' }, /withRedactedLogging.redactHeaders must be an array/],
    [{ redactKeys: 'x' }, /withRedactedLogging.redactKeys must be an array/],
    [{ includeHeaders: 'no' }, /withRedactedLogging.includeHeaders must be a boolean/],
    [{ showAuthScheme: 0 }, /withRedactedLogging.showAuthScheme must be a boolean/],
  ])('rejects %j', (options, message) => {
    expect(() => withRedactedLogging(options as never)).toThrow(message);
  });
});
