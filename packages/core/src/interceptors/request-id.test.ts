import { describe, expect, it } from 'vitest';
import { validate as isUuid, version as uuidVersion } from 'uuid';
import { z } from 'zod';
import { createChain } from '../chain.js';
import { REQUEST_ID_META_KEY } from '../context.js';
import { ErrorCode, InterceptorError } from '../errors.js';
import { Priority, type Interceptor } from '../interceptor.js';
import type { JsonObject } from '../jsonrpc.js';
import { connectPair } from '../test-support/pair.js';
import { runRequest } from '../testing.js';
import { isValidRequestId, REQUEST_ID_PATTERN, requestId } from './request-id.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const metaId = (frame: { params?: JsonObject } | undefined): unknown => (frame?.params?.['_meta'] as JsonObject | undefined)?.[REQUEST_ID_META_KEY];

describe('requestId', () => {
  it('by default makes a distinct UUID v4 per outbound request, valid by the uuid package itself', async () => {
    const chain = createChain([requestId()]);
    const ids: unknown[] = [];
    for (let n = 0; n < 300; n++) ids.push(metaId((await runRequest(chain, 'ping', undefined, { direction: 'outbound', side: 'client' })).handled[0]));
    for (const id of ids) {
      expect(id).toMatch(UUID_V4);
      expect(isUuid(id) && uuidVersion(id as string)).toBe(4);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives an inbound request without an id a fresh UUID v4, visible to the handler and echoed in the result', async () => {
    const { response, handled, ctx } = await runRequest(createChain([requestId()]), 'tools/list');
    expect(ctx.requestId).toMatch(UUID_V4);
    expect(metaId(handled[0])).toBe(ctx.requestId);
    expect(response).toEqual({ jsonrpc: '2.0', id: 1, result: { _meta: { [REQUEST_ID_META_KEY]: ctx.requestId } } });
  });

  it("reuses a sane id sent by the peer and keeps the result's own _meta", async () => {
    const { response, ctx } = await runRequest(createChain([requestId()]), 'tools/call', { name: 'x', _meta: { [REQUEST_ID_META_KEY]: 'peer-01:a.b_c' } }, {
      handler: () => ({ content: [], _meta: { server: 'kept' } }),
    });
    expect(ctx.requestId).toBe('peer-01:a.b_c');
    expect(response).toMatchObject({ result: { content: [], _meta: { server: 'kept', [REQUEST_ID_META_KEY]: 'peer-01:a.b_c' } } });
  });

  it.each([
    ['whitespace', 'has space'],
    ['a newline (log injection)', 'id\n{"level":"error"}'],
    ['129 characters', 'a'.repeat(129)],
    ['an empty string', ''],
    ['a number', 42],
    ['an object', { id: 'x' }],
  ])('replaces an inbound id that is %s with a fresh one', async (_label, offered) => {
    const { handled, ctx } = await runRequest(createChain([requestId()]), 'ping', { _meta: { [REQUEST_ID_META_KEY]: offered } });
    expect(ctx.requestId).toMatch(UUID_V4);
    expect(metaId(handled[0])).toBe(ctx.requestId);
  });

  it('accepts an id of exactly 128 characters', async () => {
    const id = 'a'.repeat(128);
    const { ctx } = await runRequest(createChain([requestId()]), 'ping', { _meta: { [REQUEST_ID_META_KEY]: id } });
    expect(ctx.requestId).toBe(id);
    expect(isValidRequestId(id)).toBe(true);
  });

  it('isValidRequestId agrees with REQUEST_ID_PATTERN', () => {
    const samples: unknown[] = ['a', 'A-z.0_9:x', crypto.randomUUID(), 'a'.repeat(128), 'a'.repeat(129), '', 'ab\n', '\nab', 'a b', 'tab\t', 'ünï', 'emoji😀', 'a/b', 'a+b', 42, null, undefined, ['a']];
    for (const value of samples) expect([value, isValidRequestId(value)]).toEqual([value, typeof value === 'string' && REQUEST_ID_PATTERN.test(value)]);
  });

  it('ignores the peer id when trustInbound is false', async () => {
    const { ctx } = await runRequest(createChain([requestId({ trustInbound: false, generate: () => 'own-1' })]), 'ping', { _meta: { [REQUEST_ID_META_KEY]: 'peer-1' } });
    expect(ctx.requestId).toBe('own-1');
  });

  it('stamps outbound requests with the generated id and does not echo into responses we receive', async () => {
    let n = 0;
    const { response, handled, ctx } = await runRequest(createChain([requestId({ generate: () => `cli-${++n}` })]), 'tools/list', undefined, { direction: 'outbound', side: 'client' });
    expect(ctx.requestId).toBe('cli-1');
    expect(metaId(handled[0])).toBe('cli-1');
    expect(response).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
  });

  it('adds the id to error data that is an object, and leaves other error data alone', async () => {
    const deny: Interceptor = {
      name: 'deny',
      onRequest: () => {
        throw new InterceptorError(ErrorCode.AccessDenied, 'Denied', { reason: 'ACCESS_DENIED' });
      },
    };
    const { response, ctx } = await runRequest(createChain([requestId(), deny]), 'tools/call', { name: 'x' });
    expect(response).toMatchObject({ error: { code: ErrorCode.AccessDenied, data: { reason: 'ACCESS_DENIED', interceptor: 'deny', requestId: ctx.requestId } } });

    const plain: Interceptor = { name: 'plain', onRequest: (req) => ({ jsonrpc: '2.0', id: req.id, error: { code: -32000, message: 'x', data: 'text' } }) };
    const { response: second } = await runRequest(createChain([requestId(), plain]), 'ping');
    expect(second).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32000, message: 'x', data: 'text' } });
  });

  it('does not echo when echo is false', async () => {
    const { response } = await runRequest(createChain([requestId({ echo: false })]), 'ping');
    expect(response).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
  });

  it('replaces, never edits, the result and _meta another interceptor handed back (they may be shared, e.g. cached)', async () => {
    const result = { tools: [], _meta: { cached: true } };
    const cache: Interceptor = { name: 'cache', onRequest: (req) => ({ jsonrpc: '2.0', id: req.id, result }) };
    const { response } = await runRequest(createChain([requestId(), cache]), 'tools/list');
    expect(response).toMatchObject({ result: { tools: [], _meta: { cached: true, [REQUEST_ID_META_KEY]: expect.any(String) } } });
    expect(result).toEqual({ tools: [], _meta: { cached: true } });
  });

  it('answers -32603 INTERNAL naming request-id when generate returns an unusable id', async () => {
    const { response, handled } = await runRequest(createChain([requestId({ generate: () => 'not ok' })]), 'ping', undefined, { direction: 'outbound' });
    expect(response).toMatchObject({ error: { code: ErrorCode.InternalError, data: { reason: 'INTERNAL', interceptor: 'request-id' } } });
    expect(handled).toHaveLength(0);
  });

  it('validates its options at construction', () => {
    expect(() => requestId({ generate: 'uuid' as unknown as () => string })).toThrow(/requestId\.generate must be a function/);
    expect(() => requestId({ trustInbound: 'yes' as unknown as boolean })).toThrow(/requestId\.trustInbound must be a boolean/);
    expect(() => requestId({ echo: 1 as unknown as boolean })).toThrow(/requestId\.echo must be a boolean/);
    expect(() => requestId(null as unknown as object)).toThrow(/requestId: options must be an object/);
  });

  it('runs first (Critical)', () => {
    expect(requestId().priority).toBe(Priority.Critical);
  });

  it('over a real SDK client and server: both sides, the handler and the caller share one id per call', async () => {
    const seen: Record<'client' | 'server', string[]> = { client: [], server: [] };
    const record: Interceptor = {
      name: 'record',
      priority: Priority.Low,
      onRequest: (req, ctx) => {
        if (req.method === 'tools/call') seen[ctx.side].push(ctx.requestId);
      },
    };
    let n = 0;
    const handlerSaw: unknown[] = [];
    const pair = await connectPair({
      clientChain: [requestId({ generate: () => `client-call-${++n}` }), record],
      serverChain: [requestId(), record],
      setup: (server) =>
        server.registerTool('whoami', { inputSchema: { x: z.number() } }, async (_args, extra) => {
          handlerSaw.push(extra._meta?.[REQUEST_ID_META_KEY]);
          return { content: [{ type: 'text', text: 'ok' }] };
        }),
    });
    try {
      const first = await pair.client.callTool({ name: 'whoami', arguments: { x: 1 } });
      const second = await pair.client.callTool({ name: 'echo', arguments: { text: 'hi' } });
      expect(seen.client).toHaveLength(2);
      expect(seen.server).toEqual(seen.client);
      expect(seen.client[0]).toMatch(/^client-call-\d+$/);
      expect(seen.client[0]).not.toBe(seen.client[1]);
      expect(handlerSaw).toEqual([seen.client[0]]);
      expect(first._meta?.[REQUEST_ID_META_KEY]).toBe(seen.client[0]);
      expect(second._meta?.[REQUEST_ID_META_KEY]).toBe(seen.client[1]);
    } finally {
      await pair.close();
    }
  });
});
