import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { createChain } from '../chain.js';
import { ErrorCode } from '../errors.js';
import { Priority, type Interceptor } from '../interceptor.js';
import type { JsonObject } from '../jsonrpc.js';
import { connectPair } from '../test-support/pair.js';
import { runNotification, runRequest } from '../testing.js';
import { payloadLimit, type PayloadLimitOptions } from './payload-limit.js';

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

describe('payloadLimit over a real client and server', () => {
  it('refuses a 10 MB params frame with -31006 before the handler runs (default limit: 4 MiB)', async () => {
    const pair = await connectPair({ serverChain: [payloadLimit()] });
    try {
      const text = 'x'.repeat(10 * 1024 * 1024);
      const error = await pair.client.callTool({ name: 'echo', arguments: { text } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(McpError);
      expect(error).toMatchObject({ code: ErrorCode.PayloadTooLarge });
      expect(pair.wire.clientReceived.at(-1)).toMatchObject({
        error: {
          code: -31006,
          message: 'Payload too large',
          data: { reason: 'PAYLOAD_TOO_LARGE', interceptor: 'payload-limit', limit: 4_194_304, size: bytes({ name: 'echo', arguments: { text } }), part: 'params' },
        },
      });
      expect(pair.handlerCalls).toEqual([]);
      // The connection is fine afterwards.
      await pair.client.callTool({ name: 'echo', arguments: { text: 'small' } });
      expect(pair.handlerCalls).toEqual(['echo:small']);
    } finally {
      await pair.close();
    }
  });

  it('replaces an oversized result with the error, same id; the handler did run', async () => {
    const pair = await connectPair({ serverChain: [payloadLimit({ maxResponseBytes: 1000 })] });
    try {
      await expect(pair.client.callTool({ name: 'echo', arguments: { text: 'y'.repeat(2000) } })).rejects.toMatchObject({ code: -31006 });
      const response = pair.wire.clientReceived.at(-1) as { id: unknown; error: { data: Record<string, unknown> } };
      expect(response.error.data).toMatchObject({ reason: 'PAYLOAD_TOO_LARGE', limit: 1000, part: 'result' });
      expect(response.error.data['size']).toBe(bytes({ content: [{ type: 'text', text: 'y'.repeat(2000) }] }));
      expect(response).not.toHaveProperty('result');
      expect(pair.handlerCalls).toEqual([`echo:${'y'.repeat(2000)}`]);
      await pair.client.callTool({ name: 'echo', arguments: { text: 'fits' } });
    } finally {
      await pair.close();
    }
  });

  it('guards a client against oversized results from the server', async () => {
    const pair = await connectPair({ clientChain: [payloadLimit({ maxResponseBytes: 500 })] });
    try {
      await expect(pair.client.callTool({ name: 'echo', arguments: { text: 'z'.repeat(600) } })).rejects.toMatchObject({ code: -31006 });
      expect(pair.wire.clientReceived.at(-1)).toMatchObject({ error: { code: -31006, data: { part: 'result', limit: 500 } } });
    } finally {
      await pair.close();
    }
  });
});

describe('payloadLimit measuring', () => {
  it('counts UTF-8 bytes, not characters (2-byte letters, 4-byte emoji), exactly at the boundary', async () => {
    const params: JsonObject = { name: 'echo', arguments: { text: 'é'.repeat(300) + '😀'.repeat(200) } };
    const size = bytes(params);
    expect(size).toBeGreaterThan(JSON.stringify(params).length);
    const fits = await runRequest(createChain([payloadLimit({ maxRequestBytes: size })]), 'tools/call', params);
    expect(fits.response).toMatchObject({ result: {} });
    const over = await runRequest(createChain([payloadLimit({ maxRequestBytes: size - 1 })]), 'tools/call', params);
    expect(over.response).toMatchObject({ error: { code: -31006, data: { reason: 'PAYLOAD_TOO_LARGE', limit: size - 1, size, part: 'params' } } });
    expect(over.handled).toHaveLength(0);
  });

  it('measures only params and result: requests without params pass, error responses pass', async () => {
    const chain = createChain([payloadLimit({ maxRequestBytes: 10, maxResponseBytes: 10 })]);
    expect((await runRequest(chain, 'ping')).response).toMatchObject({ result: {} });
    const failing: Interceptor = {
      name: 'big-error',
      onRequest: (req) => ({ jsonrpc: '2.0', id: req.id, error: { code: -32603, message: 'x'.repeat(100), data: { detail: 'y'.repeat(100) } } }),
    };
    const { response } = await runRequest(createChain([payloadLimit({ maxResponseBytes: 10 }), failing]), 'tools/list');
    expect(response).toMatchObject({ error: { code: -32603, message: 'x'.repeat(100) } });
  });

  it('drops an oversized notification', async () => {
    const chain = createChain([payloadLimit({ maxRequestBytes: 100 })]);
    expect((await runNotification(chain, 'notifications/message', { level: 'info', data: 'small' })).kept).toBe(true);
    expect((await runNotification(chain, 'notifications/message', { level: 'info', data: 'x'.repeat(200) })).kept).toBe(false);
  });

  it('checks only `methods` when given', async () => {
    const chain = createChain([payloadLimit({ maxRequestBytes: 20, methods: ['tools/call'] })]);
    const big = { data: 'x'.repeat(100) };
    expect((await runRequest(chain, 'resources/read', big)).response).toMatchObject({ result: {} });
    expect((await runRequest(chain, 'tools/call', big)).response).toMatchObject({ error: { code: -31006 } });
    expect((await runNotification(chain, 'notifications/message', big)).kept).toBe(true);
    // A response is checked by its request's method.
    const answering = createChain([payloadLimit({ maxResponseBytes: 20, methods: ['tools/call'] })]);
    expect((await runRequest(answering, 'resources/read', {}, { handler: () => big })).response).toMatchObject({ result: big });
    expect((await runRequest(answering, 'tools/call', {}, { handler: () => big })).response).toMatchObject({ error: { code: -31006, data: { part: 'result' } } });
  });

  it('runs at Priority.Critical unless told otherwise', () => {
    expect(payloadLimit().priority).toBe(Priority.Critical);
    expect(payloadLimit({ priority: Priority.High }).priority).toBe(Priority.High);
    expect(payloadLimit().name).toBe('payload-limit');
  });

  const cases: Array<[string, unknown, Error]> = [
    ['options', null, new TypeError('payloadLimit: options must be an object, got null')],
    ['maxRequestBytes', { maxRequestBytes: 0 }, new RangeError('payloadLimit.maxRequestBytes must be a positive integer, got 0')],
    ['maxResponseBytes', { maxResponseBytes: Infinity }, new RangeError('payloadLimit.maxResponseBytes must be a positive integer, got Infinity')],
    ['methods', { methods: 'tools/call' }, new TypeError('payloadLimit.methods must be an array of strings, got "tools/call"')],
    ['priority', { priority: 'high' }, new RangeError('payloadLimit.priority must be a Priority (Critical=0 … Lowest=4), got "high"')],
  ];
  it.each(cases)('rejects a bad option: %s', (_what, options, error) => {
    expect(() => payloadLimit(options as PayloadLimitOptions)).toThrow(error);
  });
});

describe('payloadLimit size check without serialising', () => {
  it('measures exactly at the edge: a payload of `limit` bytes passes, one byte more is refused', async () => {
    const params = { text: 'é'.repeat(40) };
    const size = bytes(params);
    const chain = createChain([payloadLimit({ maxRequestBytes: size })]);
    expect((await runRequest(chain, 'tools/call', params)).response).toMatchObject({ result: {} });
    const over = createChain([payloadLimit({ maxRequestBytes: size - 1 })]);
    expect((await runRequest(over, 'tools/call', params)).response).toMatchObject({ error: { code: -31006, data: { size, limit: size - 1 } } });
  });

  it('sizes a value by what JSON.stringify makes of it (toJSON), not by its own fields', async () => {
    const big = { toJSON: () => 'z'.repeat(500) };
    const chain = createChain([payloadLimit({ maxRequestBytes: 100 })]);
    const { response } = await runRequest(chain, 'tools/call', { when: big } as unknown as JsonObject);
    expect(response).toMatchObject({ error: { code: -31006, data: { reason: 'PAYLOAD_TOO_LARGE', size: 511, part: 'params' } } });
  });
});
