import { describe, expect, it } from 'vitest';
import { captureSink } from '../test-support/servers.js';
import { createClientFetch } from './client-fetch.js';

describe('createClientFetch', () => {
  it('asks the header provider again for each retry, and logs what went out with it (redacted)', async () => {
    const { sink, records } = captureSink();
    const sent: Array<string | null> = [];
    let token = 0;
    const fetch = createClientFetch({
      fetch: async (_url, init) => {
        sent.push(new Headers(init?.headers).get('authorization'));
        return new Response(null, { status: sent.length === 1 ? 429 : 200, headers: { 'retry-after': '0' } });
      },
      headers: () => ({ authorization: `Bearer t${++token}` }),
      logging: { sink },
    });
    await fetch('http://x/mcp', { method: 'POST', body: '{}' });
    expect(sent).toEqual(['Bearer t1', 'Bearer t2']);
    expect(records.map((r) => r.requestHeaders?.['authorization'])).toEqual(['Bearer [REDACTED]', 'Bearer [REDACTED]']);
    expect(records.every((r) => typeof r.requestHeaders?.['traceparent'] === 'string')).toBe(true);
  });

  it('turns retry and trace context off when asked', async () => {
    const sent: Headers[] = [];
    const fetch = createClientFetch({
      fetch: async (_url, init) => {
        sent.push(new Headers(init?.headers));
        return new Response(null, { status: 503 });
      },
      retry: false,
      traceparent: false,
    });
    expect((await fetch('http://x/mcp')).status).toBe(503);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.has('traceparent')).toBe(false);
  });

  it('rejects bad options', () => {
    expect(() => createClientFetch('x' as never)).toThrow(/createClientFetch: options must be an object/);
    expect(() => createClientFetch({ retry: { retries: -2 } })).toThrow(/withRetry.retries/);
  });
});
