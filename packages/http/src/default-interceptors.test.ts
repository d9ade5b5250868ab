import { afterEach, describe, expect, it } from 'vitest';
import { createHttpChain } from './http-chain.js';
import { defaultServerInterceptors } from './default-interceptors.js';
import { captureSink, connectClient, serveMcp, type Listening } from './test-support/servers.js';

const open: Listening[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

describe('defaultServerInterceptors', () => {
  it('orders health, logging, security headers, host validation, cors, auth and body limit', () => {
    const chain = createHttpChain(defaultServerInterceptors({ cors: {}, auth: { tokens: ['t'] }, logger: { sink: () => undefined } }));
    expect(chain.describe().map(({ name, priority }) => [name, priority])).toEqual([
      ['health', 50],
      ['request-logger', 100],
      ['security-headers', 150],
      ['host-validation', 200],
      ['cors', 300],
      ['bearer-auth', 400],
      ['body-limit', 500],
    ]);
    expect(createHttpChain(defaultServerInterceptors({ health: false, logger: false, securityHeaders: false, hostValidation: false, bodyLimit: false })).describe()).toEqual([]);
  });

  it('serves an SDK client over loopback and logs it', async () => {
    const { sink, records } = captureSink();
    const server = await serveMcp({ http: defaultServerInterceptors({ logger: { sink } }) });
    open.push(server);
    const { client } = await connectClient(server.url);
    expect((await client.callTool({ name: 'echo', arguments: { text: 'defaults' } })).content).toEqual([{ type: 'text', text: 'defaults' }]);
    await client.close();
    expect(records.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([200, 202, 200]);
    expect(records[0]?.responseHeaders).toMatchObject({ 'x-content-type-options': 'nosniff' });
  });

  it('passes options through, so their validation names the interceptor', () => {
    expect(() => defaultServerInterceptors({ bodyLimit: { maxBytes: -1 } })).toThrow(/bodyLimit.maxBytes/);
    expect(() => defaultServerInterceptors({ cors: { origins: '*', credentials: true } })).toThrow(/cors.credentials/);
    expect(() => defaultServerInterceptors([] as never)).toThrow(/defaultServerInterceptors: options must be an object/);
  });
});
