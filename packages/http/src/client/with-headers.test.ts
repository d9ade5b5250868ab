import { afterEach, describe, expect, it } from 'vitest';
import { bearerAuth } from '../interceptors/bearer-auth.js';
import { connectClient, serveMcp, until, type Listening } from '../test-support/servers.js';
import { createClientFetch } from './client-fetch.js';
import { withHeaders } from './with-headers.js';

const open: Listening[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

describe('withHeaders', () => {
  it('asks an async provider before every request, so a refreshed token is used from then on', async () => {
    const tokensSeen: string[] = [];
    const server = await serveMcp({
      http: [bearerAuth({ verify: (token) => (tokensSeen.push(token), token.startsWith('tok-') ? { token, clientId: token, scopes: [] } : undefined) })],
    });
    open.push(server);
    let current = 'tok-1';
    const asked: string[] = [];
    const fetch = createClientFetch({
      headers: async ({ method }) => {
        asked.push(method);
        return { authorization: `Bearer ${current}` };
      },
    });
    const { client, transport } = await connectClient(server.url, { fetch });
    expect((await client.callTool({ name: 'whoami', arguments: {} })).content).toEqual([{ type: 'text', text: 'tok-1' }]);
    current = 'tok-2';
    expect((await client.callTool({ name: 'whoami', arguments: {} })).content).toEqual([{ type: 'text', text: 'tok-2' }]);
    await until(() => asked.includes('GET'));
    await transport.terminateSession();
    expect(asked).toEqual(expect.arrayContaining(['POST', 'GET', 'DELETE']));
    expect(tokensSeen.at(-1)).toBe('tok-2');
    await client.close();
  });

  it('sets fixed headers, replacing ones of the same name', async () => {
    let seen: Headers | undefined;
    const fetch = withHeaders({ 'X-Tenant': 'acme', accept: 'application/json' })(async (_url, init) => {
      seen = new Headers(init?.headers);
      return new Response(null, { status: 204 });
    });
    await fetch('http://x/mcp', { headers: { accept: 'text/plain', 'x-other': '1' } });
    expect(Object.fromEntries(seen ?? [])).toEqual({ 'x-tenant': 'acme', accept: 'application/json', 'x-other': '1' });
  });

  it('fails the request with the provider error', async () => {
    const fetch = withHeaders(async () => {
      throw new Error('token refresh failed');
    })(async () => new Response(null));
    await expect(fetch('http://x/mcp')).rejects.toThrow('token refresh failed');
  });

  it('rejects a source that is neither a map nor a function', () => {
    expect(() => withHeaders('Bearer x' as never)).toThrow(/withHeaders: source must be a header map or a function/);
  });
});
