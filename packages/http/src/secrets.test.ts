// Planted secrets: credentials in headers, cookies, the query and the body, on both sides; none may reach a log line.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { createClientFetch } from './client/client-fetch.js';
import { defaultServerInterceptors } from './default-interceptors.js';
import { captureSink, connectClient, serveMcp, type Listening } from './test-support/servers.js';

const open: Listening[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

const SECRETS = {
  bearer: 'SECRET-bearer-7f3a91',
  cookie: 'SECRET-cookie-2b8c44',
  apiKeyHeader: 'SECRET-apikey-header-91ad',
  customHeader: 'SECRET-custom-header-55e0',
  queryKey: 'SECRET-query-apikey-c1d2',
  queryToken: 'SECRET-query-token-e3f4',
  password: 'SECRET-password-0a0b',
  argApiKey: 'SECRET-arg-apikey-6c6d',
  clientSecret: 'SECRET-client-secret-8e8f',
  setCookie: 'SECRET-set-cookie-4a4b',
  resultToken: 'SECRET-result-refresh-2c2d',
};

function server(): McpServer {
  const mcp = new McpServer({ name: 'secrets', version: '1.0.0' });
  mcp.registerTool('login', { inputSchema: { user: z.string() } }, async ({ user }) => ({
    content: [{ type: 'text', text: `hello ${user}` }],
    _meta: { refresh_token: SECRETS.resultToken },
  }));
  return mcp;
}

describe('no secret reaches a log line', () => {
  it('redacts headers, cookies, query values and body keys in server and client logs', async () => {
    const serverLog = captureSink();
    const clientLog = captureSink();
    const listening = await serveMcp({
      server,
      // JSON responses, so response bodies are logged too (SSE bodies never are).
      transport: { enableJsonResponse: true },
      http: [
        ...defaultServerInterceptors({
          logger: { sink: serverLog.sink, maxBodyBytes: 4096, redactHeaders: ['x-custom-secret'] },
          auth: { tokens: { [SECRETS.bearer]: { clientId: 'planted' } } },
        }),
        { name: 'sets-cookie', onResponse: (ctx) => ctx.response.headers.append('set-cookie', `sid=${SECRETS.setCookie}; HttpOnly`) },
      ],
    });
    open.push(listening);
    const url = new URL(listening.url);
    url.searchParams.set('api_key', SECRETS.queryKey);
    url.searchParams.set('access_token', SECRETS.queryToken);

    const fetch = createClientFetch({
      headers: async () => ({ authorization: `Bearer ${SECRETS.bearer}`, cookie: `session=${SECRETS.cookie}`, 'x-api-key': SECRETS.apiKeyHeader, 'x-custom-secret': SECRETS.customHeader }),
      logging: { sink: clientLog.sink, maxBodyBytes: 4096, redactHeaders: ['x-custom-secret'] },
    });
    const { client, transport } = await connectClient(url, { fetch });
    const result = await client.callTool({ name: 'login', arguments: { user: 'ann', password: SECRETS.password, apiKey: SECRETS.argApiKey, nested: { client_secret: SECRETS.clientSecret } } });
    expect(result.content).toEqual([{ type: 'text', text: 'hello ann' }]);
    await transport.terminateSession();
    await client.close();

    const lines = [...serverLog.lines, ...clientLog.lines];
    // The logs are there and carry the requests: the absence of secrets is not an absence of logs.
    expect(serverLog.records.length).toBeGreaterThanOrEqual(4);
    expect(clientLog.records.length).toBeGreaterThanOrEqual(4);
    const serverCall = serverLog.records.find((r) => (r.requestBody as { method?: string } | undefined)?.method === 'tools/call');
    expect(serverCall).toMatchObject({
      status: 200,
      url: expect.stringContaining('api_key=[REDACTED]&access_token=[REDACTED]'),
      requestHeaders: { authorization: 'Bearer [REDACTED]', cookie: '[REDACTED]', 'x-api-key': '[REDACTED]', 'x-custom-secret': '[REDACTED]' },
      responseHeaders: { 'set-cookie': '[REDACTED]' },
      requestBody: { params: { arguments: { user: 'ann', password: '[REDACTED]', apiKey: '[REDACTED]', nested: { client_secret: '[REDACTED]' } } } },
      responseBody: { result: { content: [{ type: 'text', text: 'hello ann' }], _meta: { refresh_token: '[REDACTED]' } } },
    });
    const clientCall = clientLog.records.find((r) => (r.requestBody as { method?: string } | undefined)?.method === 'tools/call');
    expect(clientCall).toMatchObject({
      requestHeaders: { authorization: 'Bearer [REDACTED]', cookie: '[REDACTED]', 'x-custom-secret': '[REDACTED]' },
      responseBody: { result: { _meta: { refresh_token: '[REDACTED]' } } },
    });

    for (const [name, secret] of Object.entries(SECRETS)) {
      const leaking = lines.filter((line) => line.includes(secret));
      expect(leaking, `${name} leaked`).toEqual([]);
    }
  });
});
