import { InsufficientScopeError, InvalidTokenError, ServerError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { createManualClock } from '@mcp-interceptors/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpChain } from '../http-chain.js';
import { runChain } from '../test-support/run-chain.js';
import { nodeHandler } from '../adapters/node.js';
import { createMcpHttpHandler } from '../mcp-http-handler.js';
import { connectClient, INITIALIZE, listen, mcpServerFactory, POST_HEADERS, until, type Listening } from '../test-support/servers.js';
import { bearerAuth } from './bearer-auth.js';

const open: Listening[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

const request = (authorization?: string): Request =>
  new Request('http://127.0.0.1/mcp', { method: 'POST', headers: authorization === undefined ? {} : { authorization } });

describe('bearerAuth', () => {
  it('challenges a request without a token: 401, WWW-Authenticate, -31007 UNAUTHENTICATED, endpoint not reached', async () => {
    const run = await runChain(createHttpChain([bearerAuth({ tokens: ['abc'], resourceMetadataUrl: 'https://mcp.example.com/.well-known/oauth-protected-resource' })]), request());
    expect(run.status).toBe(401);
    expect(run.terminalCalls).toBe(0);
    expect(run.headers.get('www-authenticate')).toBe('Bearer realm="mcp", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource"');
    expect(run.json()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -31007, message: 'Missing bearer token', data: { reason: 'UNAUTHENTICATED', interceptor: 'bearer-auth' } } });
  });

  it.each([
    ['Bearer wrong', 'Invalid token'],
    ['Basic YWxhZGRpbjpvcGVuc2VzYW1l', 'Malformed Authorization header: expected "Bearer <token>"'],
    ['Bearer', 'Malformed Authorization header: expected "Bearer <token>"'],
    ['Bearer a b', 'Malformed Authorization header: expected "Bearer <token>"'],
  ])('rejects %j as invalid_token', async (authorization, message) => {
    const run = await runChain(createHttpChain([bearerAuth({ tokens: ['abc'], realm: 'tools' })]), request(authorization));
    expect(run.status).toBe(401);
    expect(run.headers.get('www-authenticate')).toBe(`Bearer realm="tools", error="invalid_token", error_description="${message.replace(/"/g, '')}"`);
    expect(run.json()).toMatchObject({ error: { code: -31007, message, data: { reason: 'UNAUTHENTICATED' } } });
  });

  it('accepts a static token (scheme case-insensitive) and sets ctx.auth', async () => {
    const run = await runChain(createHttpChain([bearerAuth({ tokens: { abc: { clientId: 'ci', scopes: ['read'], extra: { team: 'x' } } } })]), request('bearer abc'));
    expect(run.status).toBe(200);
    expect(run.ctx.auth).toEqual({ token: 'abc', clientId: 'ci', scopes: ['read'], extra: { team: 'x' } });
  });

  it('asks the verify function for tokens it does not know, with the context', async () => {
    const asked: string[] = [];
    const verify = (token: string): AuthInfo | undefined => {
      asked.push(token);
      return token === 'dyn' ? { token, clientId: 'dynamic', scopes: [] } : undefined;
    };
    const chain = createHttpChain([bearerAuth({ tokens: ['static'], verify })]);
    expect((await runChain(chain, request('Bearer static'))).ctx.auth?.clientId).toBe('static');
    expect((await runChain(chain, request('Bearer dyn'))).ctx.auth?.clientId).toBe('dynamic');
    expect((await runChain(chain, request('Bearer nope'))).status).toBe(401);
    expect(asked).toEqual(['dyn', 'nope']);
  });

  it('takes an SDK OAuthTokenVerifier and maps its InvalidTokenError to 401, other failures to 500', async () => {
    const verifier = {
      verifyAccessToken: async (token: string): Promise<AuthInfo> => {
        if (token === 'down') throw new ServerError('identity provider unavailable');
        if (token === 'narrow') throw new InsufficientScopeError('needs more');
        if (token !== 'good') throw new InvalidTokenError('unknown token');
        return { token, clientId: 'oauth-client', scopes: ['mcp'] };
      },
    };
    const chain = createHttpChain([bearerAuth({ verify: verifier })], { onError: () => undefined });
    expect((await runChain(chain, request('Bearer good'))).ctx.auth?.clientId).toBe('oauth-client');
    const bad = await runChain(chain, request('Bearer bad'));
    expect(bad.status).toBe(401);
    expect(bad.json()).toMatchObject({ error: { message: 'Invalid token' } });
    const narrow = await runChain(chain, request('Bearer narrow'));
    expect(narrow.status).toBe(403);
    expect(narrow.json()).toMatchObject({ error: { code: -31005, data: { reason: 'INSUFFICIENT_SCOPE' } } });
    const down = await runChain(chain, request('Bearer down'));
    expect(down.status).toBe(500);
    expect(down.json()).toMatchObject({ error: { code: -32603, data: { reason: 'INTERNAL', interceptor: 'bearer-auth' } } });
  });

  it('treats a token past expiresAt as invalid, by the chain clock', async () => {
    const clock = createManualClock(1_000_000);
    const chain = createHttpChain([bearerAuth({ verify: (token) => ({ token, clientId: 'c', scopes: [], expiresAt: 1_005 }) })], { clock });
    expect((await runChain(chain, request('Bearer t'))).status).toBe(200);
    await clock.advance(5_000);
    const expired = await runChain(chain, request('Bearer t'));
    expect(expired.status).toBe(401);
    expect(expired.json()).toMatchObject({ error: { message: 'Token has expired' } });
  });

  it('answers a token without a required scope with 403 insufficient_scope (-31005)', async () => {
    const chain = createHttpChain([bearerAuth({ tokens: { weak: { scopes: ['read'] }, strong: { scopes: ['read', 'write'] } }, requiredScopes: ['read', 'write'] })]);
    const weak = await runChain(chain, request('Bearer weak'));
    expect(weak.status).toBe(403);
    expect(weak.headers.get('www-authenticate')).toBe('Bearer realm="mcp", error="insufficient_scope", scope="read write"');
    expect(weak.json()).toMatchObject({ error: { code: -31005, data: { reason: 'INSUFFICIENT_SCOPE', missingScopes: ['write'], interceptor: 'bearer-auth' } } });
    expect((await runChain(chain, request('Bearer strong'))).status).toBe(200);
  });

  it('gates a real SDK client: no token, no session; with the token, sessions work and req.auth is set', async () => {
    const reqAuth: unknown[] = [];
    const handler = createMcpHttpHandler({ server: mcpServerFactory(), http: [bearerAuth({ tokens: { 's3cr3t-token': { clientId: 'bob' } } })] });
    const serve = nodeHandler(handler);
    const listening = await listen((req, res) => {
      serve(req, res);
      res.on('finish', () => void reqAuth.push((req as { auth?: unknown }).auth));
    });
    open.push(listening);
    await expect(connectClient(listening.url)).rejects.toThrow();
    expect(handler.sessions.size).toBe(0);
    await until(() => reqAuth.length === 1);
    expect(reqAuth).toEqual([undefined]);
    const { client } = await connectClient(listening.url, { requestInit: { headers: { authorization: 'Bearer s3cr3t-token' } } });
    expect((await client.callTool({ name: 'whoami', arguments: {} })).content).toEqual([{ type: 'text', text: 'bob' }]);
    await until(() => reqAuth.some((auth) => (auth as { clientId?: string } | undefined)?.clientId === 'bob'));
    expect(reqAuth.filter((auth) => auth !== undefined)).toEqual(expect.arrayContaining([{ token: 's3cr3t-token', clientId: 'bob', scopes: [] }]));
    await client.close();
    const raw = await fetch(listening.url, { method: 'POST', headers: POST_HEADERS, body: INITIALIZE });
    expect(raw.status).toBe(401);
  });

  it.each([
    [{}, /bearerAuth: give tokens, verify, or both/],
    [{ tokens: 'abc' }, /bearerAuth.tokens must be an array of tokens or a map/],
    [{ tokens: ['has space'] }, /every token must be a non-empty token68 string/],
    [{ tokens: [''] }, /every token must be a non-empty token68 string/],
    [{ tokens: { abc: 'x' } }, /the info of each token must be an object/],
    [{ verify: 'fn' }, /bearerAuth.verify must be a function/],
    [{ tokens: ['a'], requiredScopes: 'read' }, /bearerAuth.requiredScopes must be an array/],
    [{ tokens: ['a'], realm: '' }, /bearerAuth.realm must be a non-empty string/],
    [{ tokens: ['a'], resourceMetadataUrl: '/relative' }, /bearerAuth.resourceMetadataUrl must be an absolute URL/],
    [{ tokens: ['a'], priority: Infinity }, /bearerAuth.priority must be a finite number/],
  ])('rejects %j', (options, message) => {
    expect(() => bearerAuth(options as never)).toThrow(message);
  });
});
