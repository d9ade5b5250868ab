import { afterEach, describe, expect, it } from 'vitest';
import { connectClient, serveMcp, type Listening } from '../test-support/servers.js';
import { createClientFetch } from './client-fetch.js';
import { isValidTraceparent, newTraceparent, withTraceparent } from './with-traceparent.js';

const open: Listening[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

async function headersSent(middleware: ReturnType<typeof withTraceparent>, init?: RequestInit): Promise<Headers> {
  let seen = new Headers();
  await middleware(async (_url, sent) => {
    seen = new Headers(sent?.headers);
    return new Response(null, { status: 204 });
  })('http://x/mcp', init);
  return seen;
}

describe('withTraceparent', () => {
  it('sends a fresh valid traceparent per request to a real server by default', async () => {
    const seen: Array<string | undefined> = [];
    const server = await serveMcp({ http: [{ name: 'trace-spy', onRequest: (ctx) => void seen.push(ctx.header('traceparent')) }] });
    open.push(server);
    const { client } = await connectClient(server.url, { fetch: createClientFetch() });
    await client.listTools();
    await client.close();
    expect(seen.length).toBeGreaterThanOrEqual(3);
    for (const value of seen) expect(isValidTraceparent(value ?? '')).toBe(true);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('uses the provider, adds tracestate, and sends nothing for a malformed value', async () => {
    const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const sent = await headersSent(withTraceparent({ traceparent: () => parent, tracestate: () => 'vendor=1' }));
    expect(sent.get('traceparent')).toBe(parent);
    expect(sent.get('tracestate')).toBe('vendor=1');
    expect((await headersSent(withTraceparent({ traceparent: () => 'not-a-traceparent' }))).has('traceparent')).toBe(false);
    expect((await headersSent(withTraceparent({ traceparent: () => undefined }))).has('traceparent')).toBe(false);
  });

  it('keeps a traceparent the request already has unless told to override', async () => {
    const existing = '00-11111111111111111111111111111111-2222222222222222-01';
    expect((await headersSent(withTraceparent(), { headers: { traceparent: existing } })).get('traceparent')).toBe(existing);
    expect((await headersSent(withTraceparent({ override: true }), { headers: { traceparent: existing } })).get('traceparent')).not.toBe(existing);
  });

  it('validates W3C traceparents', () => {
    expect(isValidTraceparent(newTraceparent())).toBe(true);
    expect(isValidTraceparent('ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(false);
    expect(isValidTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBe(false);
    expect(isValidTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01')).toBe(false);
    expect(isValidTraceparent('00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01')).toBe(false);
  });

  it.each([
    [{ traceparent: 'x' }, /withTraceparent.traceparent must be a function/],
    [{ tracestate: 1 }, /withTraceparent.tracestate must be a function/],
    [{ override: 'yes' }, /withTraceparent.override must be a boolean/],
  ])('rejects %j', (options, message) => {
    expect(() => withTraceparent(options as never)).toThrow(message);
  });
});
