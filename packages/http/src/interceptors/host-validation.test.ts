import { afterEach, describe, expect, it } from 'vitest';
import { createHttpChain } from '../http-chain.js';
import { connectClient, INITIALIZE, POST_HEADERS, rawRequest, serveMcp, type Listening } from '../test-support/servers.js';
import { hostValidation } from './host-validation.js';

const open: Listening[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

describe('hostValidation against DNS rebinding', () => {
  it('lets the SDK client in over loopback and rejects rebinding attempts with 403 before the server sees them', async () => {
    const server = await serveMcp({ http: [hostValidation()] });
    open.push(server);
    const { client } = await connectClient(server.url);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('echo');
    await client.close();
    const sessionsBefore = server.handler.sessions.size;

    // The attacker's page resolved evil.example to 127.0.0.1: the browser still sends its own Host.
    const badHost = await rawRequest(server.url, { method: 'POST', headers: { ...POST_HEADERS, host: `evil.example:${server.url.port}` }, body: INITIALIZE });
    expect(badHost.status).toBe(403);
    expect(JSON.parse(badHost.body)).toEqual({ jsonrpc: '2.0', id: null, error: { code: -31005, message: 'Forbidden: Host header not allowed', data: { reason: 'FORBIDDEN_HOST', interceptor: 'host-validation' } } });

    // A loopback Host but a foreign Origin: a cross-site page calling a local server.
    const badOrigin = await rawRequest(server.url, { method: 'POST', headers: { ...POST_HEADERS, host: `127.0.0.1:${server.url.port}`, origin: 'http://evil.example' }, body: INITIALIZE });
    expect(badOrigin.status).toBe(403);
    expect(JSON.parse(badOrigin.body)).toMatchObject({ id: null, error: { code: -31005, data: { reason: 'FORBIDDEN_ORIGIN' } } });
    expect(badOrigin.body).not.toContain('evil.example');

    expect(server.handler.sessions.size).toBe(sessionsBefore);
  });

  it.each([
    ['localhost:3000', undefined, 200],
    ['LOCALHOST', undefined, 200],
    ['[::1]:8080', undefined, 200],
    ['127.0.0.1', 'http://localhost:5173', 200],
    ['127.0.0.1.evil.example', undefined, 403],
    ['localhost.evil.example:3000', undefined, 403],
    ['127.0.0.1', 'null', 403],
    ['127.0.0.1', 'https://localhost', 403],
  ])('Host %s, Origin %s → %i with the defaults', async (host, origin, status) => {
    const server = await serveMcp({ http: [hostValidation()] });
    open.push(server);
    const headers: Record<string, string> = { ...POST_HEADERS, host };
    if (origin !== undefined) headers['origin'] = origin;
    const response = await rawRequest(server.url, { method: 'POST', headers, body: INITIALIZE });
    expect(response.status).toBe(status);
  });

  it('rejects a request without Host', async () => {
    const chain = createHttpChain([hostValidation()]);
    const ctx = chain.createContext({
      method: 'GET', target: '/mcp', remoteAddress: undefined, preParsed: undefined, initialAuth: undefined,
      header: () => undefined, headers: () => ({}), url: () => new URL('http://localhost/mcp'),
      readBody: async () => new Uint8Array(0), toRequest: () => new Request('http://localhost/mcp'), setAuth: () => undefined,
    });
    await chain.run(ctx, async (c) => c.respond(200, 'ok'));
    expect(ctx.response.status).toBe(403);
  });

  it('accepts public names, with a port only where one is given', async () => {
    const server = await serveMcp({ http: [hostValidation({ allowedHosts: ['mcp.example.com', `127.0.0.1:${0}`, 'localhost'], allowedOrigins: ['https://app.example.com'] })] });
    open.push(server);
    const named = await rawRequest(server.url, { method: 'POST', headers: { ...POST_HEADERS, host: 'mcp.example.com:443', origin: 'https://app.example.com' }, body: INITIALIZE });
    expect(named.status).toBe(200);
    const wrongPort = await rawRequest(server.url, { method: 'POST', headers: { ...POST_HEADERS, host: '127.0.0.1:1234' }, body: INITIALIZE });
    expect(wrongPort.status).toBe(403);
    const loopbackOrigin = await rawRequest(server.url, { method: 'POST', headers: { ...POST_HEADERS, host: 'localhost', origin: 'http://localhost:3000' }, body: INITIALIZE });
    expect(JSON.parse(loopbackOrigin.body)).toMatchObject({ error: { data: { reason: 'FORBIDDEN_ORIGIN' } } });
  });

  it.each([
    [{ allowedHosts: 'localhost' }, /hostValidation.allowedHosts must be an array/],
    [{ allowedHosts: ['http://localhost'] }, /hostValidation.allowedHosts\[0\] must be a host name/],
    [{ allowedOrigins: 'http://localhost' }, /hostValidation.allowedOrigins must be an array/],
    [{ allowedOrigins: ['localhost:3000'] }, /hostValidation.allowedOrigins\[0\] must be an origin/],
    [{ priority: null }, /hostValidation.priority must be a finite number/],
  ])('rejects %j', (options, message) => {
    expect(() => hostValidation(options as never)).toThrow(message);
  });
});
