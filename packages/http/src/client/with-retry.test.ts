import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { createManualClock } from '@mcp-interceptors/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '../http-error.js';
import { connectClient, serveMcp, type Listening } from '../test-support/servers.js';
import { createClientFetch } from './client-fetch.js';
import { retryAfterMs, withRetry } from './with-retry.js';

const open: Listening[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

/** A fetch that answers from a script of statuses (with optional headers), recording each call. */
function scripted(script: Array<[number, Record<string, string>?]>): { fetch: FetchLike; calls: RequestInit[] } {
  const calls: RequestInit[] = [];
  return {
    calls,
    fetch: async (_url, init) => {
      calls.push(init ?? {});
      const [status, headers] = script[Math.min(calls.length - 1, script.length - 1)] as [number, Record<string, string>?];
      return new Response(status === 204 ? null : `{"status":${status}}`, { status, headers });
    },
  };
}

describe('withRetry', () => {
  it('waits for Retry-After (seconds) before retrying a 503', async () => {
    const clock = createManualClock();
    const { fetch, calls } = scripted([[503, { 'retry-after': '2' }], [200]]);
    const pending = withRetry({ clock })(fetch)('http://x/mcp', { method: 'POST', body: '{}' });
    await clock.advance(1999);
    expect(calls).toHaveLength(1);
    await clock.advance(1);
    expect((await pending).status).toBe(200);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.body).toBe('{}');
  });

  it('understands an HTTP-date Retry-After', async () => {
    const clock = createManualClock(Date.UTC(2030, 0, 1, 0, 0, 0));
    const { fetch, calls } = scripted([[429, { 'retry-after': 'Tue, 01 Jan 2030 00:00:03 GMT' }], [200]]);
    const pending = withRetry({ clock })(fetch)('http://x/mcp');
    await clock.advance(2999);
    expect(calls).toHaveLength(1);
    await clock.advance(1);
    expect((await pending).status).toBe(200);
  });

  it('backs off exponentially with jitter when there is no Retry-After, then returns the last answer', async () => {
    const clock = createManualClock();
    const { fetch, calls } = scripted([[429]]);
    const pending = withRetry({ clock, retries: 2, baseDelayMs: 100, random: () => 0 })(fetch)('http://x/mcp');
    await clock.advance(49);
    expect(calls).toHaveLength(1);
    await clock.advance(1); // 100 × 0.5
    expect(calls).toHaveLength(2);
    await clock.advance(100); // 200 × 0.5
    const response = await pending;
    expect(calls).toHaveLength(3);
    expect(response.status).toBe(429);
    expect(await response.text()).toBe('{"status":429}');
  });

  it('does not wait for a Retry-After longer than maxDelayMs', async () => {
    const { fetch, calls } = scripted([[503, { 'retry-after': '3600' }], [200]]);
    const response = await withRetry({ maxDelayMs: 5000 })(fetch)('http://x/mcp');
    expect(response.status).toBe(503);
    expect(calls).toHaveLength(1);
  });

  it('leaves other statuses alone, retries only the listed ones, and never replays a stream body', async () => {
    const plain = scripted([[500], [200]]);
    expect((await withRetry()(plain.fetch)('http://x/mcp')).status).toBe(500);
    const listed = scripted([[500, { 'retry-after': '0' }], [200]]);
    expect((await withRetry({ statuses: [500] })(listed.fetch)('http://x/mcp')).status).toBe(200);
    const streamed = scripted([[503, { 'retry-after': '0' }], [200]]);
    const body = new ReadableStream({ start: (c) => c.close() });
    expect((await withRetry()(streamed.fetch)('http://x/mcp', { method: 'POST', body, duplex: 'half' } as RequestInit)).status).toBe(503);
    expect(streamed.calls).toHaveLength(1);
  });

  it('stops waiting at once when the request is aborted', async () => {
    const clock = createManualClock();
    const { fetch, calls } = scripted([[503, { 'retry-after': '5' }], [200]]);
    const controller = new AbortController();
    const pending = withRetry({ clock })(fetch)('http://x/mcp', { signal: controller.signal });
    await clock.advance(10);
    controller.abort(new Error('user gave up'));
    await expect(pending).rejects.toThrow('user gave up');
    await clock.advance(10_000);
    expect(calls).toHaveLength(1);
  });

  it('gets an SDK client through a server that is briefly overloaded', async () => {
    let refusals = 2;
    const server = await serveMcp({
      http: [{ name: 'overloaded', onRequest: () => { if (refusals-- > 0) throw new HttpError(503, -31003, 'Busy', { reason: 'CONCURRENCY_LIMITED' }, { 'retry-after': '0' }); } }],
    });
    open.push(server);
    const { client } = await connectClient(server.url, { fetch: createClientFetch({ retry: { retries: 3 } }) });
    expect((await client.callTool({ name: 'echo', arguments: { text: 'made it' } })).content).toEqual([{ type: 'text', text: 'made it' }]);
    expect(refusals).toBeLessThan(0);
    await client.close();
  });

  it('parses Retry-After', () => {
    expect(retryAfterMs(null, 0)).toBeUndefined();
    expect(retryAfterMs(' 7 ', 0)).toBe(7000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs('Thu, 01 Jan 1970 00:00:01 GMT', 5000)).toBe(0);
  });

  it.each([
    [{ retries: -1 }, /withRetry.retries must be a non-negative integer/],
    [{ statuses: [200] }, /withRetry.statuses must be an array of HTTP error statuses/],
    [{ statuses: 503 }, /withRetry.statuses must be an array of HTTP error statuses/],
    [{ baseDelayMs: 0 }, /withRetry.baseDelayMs must be a positive integer/],
    [{ maxDelayMs: 'long' }, /withRetry.maxDelayMs must be a positive integer/],
    [{ random: 0.5 }, /withRetry.random must be a function/],
  ])('rejects %j', (options, message) => {
    expect(() => withRetry(options as never)).toThrow(message);
  });
});
