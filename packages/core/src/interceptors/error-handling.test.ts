import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { createChain } from '../chain.js';
import { ErrorCode, InterceptorError } from '../errors.js';
import { Priority, type Interceptor } from '../interceptor.js';
import type { JsonRpcErrorObject } from '../jsonrpc.js';
import { connectPair } from '../test-support/pair.js';
import { runRequest } from '../testing.js';
import { categorizeError, errorHandling, type ErrorHandlingOptions, type ErrorRecord } from './error-handling.js';
import { requestId } from './request-id.js';

/** Answers every request with `error` (as a handler or the peer would). */
const answer = (error: JsonRpcErrorObject): Interceptor => ({ name: 'answer', priority: Priority.Lowest, onRequest: (req) => ({ jsonrpc: '2.0', id: req.id, error }) });

function withErrors(options: ErrorHandlingOptions = {}) {
  const records: ErrorRecord[] = [];
  const interceptor = errorHandling({ ...options, onError: (r) => void records.push(r) });
  return { records, interceptor };
}

describe('errorHandling: production masking', () => {
  it('masks a hook crash: no message, no interceptor name on the wire; the cause is kept for onError', async () => {
    const { records, interceptor } = withErrors();
    const crash: Interceptor = {
      name: 'crashy',
      onRequest: () => {
        throw new Error('db password is hunter2');
      },
    };
    const { response, ctx } = await runRequest(createChain([interceptor, crash]), 'tools/call', { name: 'q' });
    expect(response).toEqual({ jsonrpc: '2.0', id: 1, error: { code: ErrorCode.InternalError, message: 'Internal error', data: { reason: 'INTERNAL', requestId: ctx.requestId } } });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ category: 'internal', code: ErrorCode.InternalError, reason: 'INTERNAL', masked: true, tool: 'q', method: 'tools/call', data: { interceptor: 'crashy' } });
    expect(records[0]?.cause).toBeInstanceOf(Error);
    expect((records[0]?.cause as Error).message).toBe('db password is hunter2');
    expect((records[0]?.cause as Error).stack).toContain('error-handling.test.ts');
  });

  it('masks a -32603 from the handler, keeping the original message and data in the record', async () => {
    const { records, interceptor } = withErrors();
    const { response } = await runRequest(createChain([interceptor, answer({ code: -32603, message: 'ENOENT /srv/secret.json', data: { stack: 'at x' } })]), 'resources/read', { uri: 'a' });
    expect(response).toMatchObject({ error: { code: -32603, message: 'Internal error', data: { reason: 'INTERNAL' } } });
    expect(JSON.stringify(response)).not.toContain('ENOENT');
    expect(JSON.stringify(response)).not.toContain('stack');
    expect(records[0]).toMatchObject({ message: 'ENOENT /srv/secret.json', data: { stack: 'at x' }, masked: true });
  });

  it('masks any code outside the allow-list as -32603', async () => {
    const { response } = await runRequest(createChain([errorHandling(), answer({ code: -32050, message: 'vendor detail' })]), 'ping');
    expect(response).toMatchObject({ error: { code: -32603, message: 'Internal error', data: { reason: 'INTERNAL' } } });
  });

  it('passes policy errors (-31xxx with a reason) unmasked, but masks -31xxx without one', async () => {
    const limited = { code: ErrorCode.RateLimited, message: 'Rate limit exceeded', data: { reason: 'RATE_LIMITED', retryAfterMs: 250, interceptor: 'rate-limit' } };
    expect((await runRequest(createChain([errorHandling(), answer(limited)]), 'ping')).response).toMatchObject({ error: limited });
    expect((await runRequest(createChain([errorHandling(), answer({ code: -31500, message: 'odd' })]), 'ping')).response).toMatchObject({ error: { code: -32603, message: 'Internal error' } });
  });

  it('passes client errors (-32600, -32601, -32602) as they are', async () => {
    for (const code of [ErrorCode.InvalidRequest, ErrorCode.MethodNotFound, ErrorCode.InvalidParams]) {
      const error = { code, message: `client mistake ${code}` };
      expect((await runRequest(createChain([errorHandling(), answer(error)]), 'ping')).response).toMatchObject({ error });
    }
  });

  it('lets exposeCodes choose the allow-list', async () => {
    const { response } = await runRequest(createChain([errorHandling({ exposeCodes: [-32050] }), answer({ code: -32050, message: 'vendor detail' })]), 'ping');
    expect(response).toMatchObject({ error: { code: -32050, message: 'vendor detail' } });
    const { response: invalid } = await runRequest(createChain([errorHandling({ exposeCodes: [] }), answer({ code: -32602, message: 'bad' })]), 'ping');
    expect(invalid).toMatchObject({ error: { code: -32603, message: 'Internal error' } });
  });

  it('never masks errors the peer sent us (outbound exchanges)', async () => {
    const error = { code: -32603, message: 'peer failure' };
    const { response } = await runRequest(createChain([errorHandling(), answer(error)]), 'tools/list', undefined, { direction: 'outbound', side: 'client' });
    expect(response).toMatchObject({ error });
  });

  it('masks tool error results in production, keeping isError and _meta', async () => {
    const { records, interceptor } = withErrors();
    const { response, ctx } = await runRequest(createChain([interceptor]), 'tools/call', { name: 'fail' }, {
      handler: () => ({ content: [{ type: 'text', text: 'stack: at /srv/app.js:10' }], isError: true, _meta: { trace: 't' } }),
    });
    expect(response).toEqual({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: `Internal error (request ${ctx.requestId})` }], isError: true, _meta: { trace: 't' } } });
    expect(records[0]).toMatchObject({ category: 'tool_error', reason: 'TOOL_ERROR', message: 'stack: at /srv/app.js:10', masked: true, tool: 'fail' });
    expect(records[0]).not.toHaveProperty('code');
  });

  it('leaves tool errors alone with maskToolErrors: false', async () => {
    const { response } = await runRequest(createChain([errorHandling({ maskToolErrors: false })]), 'tools/call', { name: 'f' }, { handler: () => ({ content: [{ type: 'text', text: 'City not found' }], isError: true }) });
    expect(response).toMatchObject({ result: { content: [{ text: 'City not found' }] } });
  });

  it('passes successful responses through untouched', async () => {
    const { records, interceptor } = withErrors();
    const { response } = await runRequest(createChain([interceptor]), 'tools/list', undefined, { handler: () => ({ tools: [] }) });
    expect(response).toEqual({ jsonrpc: '2.0', id: 1, result: { tools: [] } });
    expect(records).toEqual([]);
    expect(interceptor.stats().total).toBe(0);
  });
});

describe('errorHandling: development mode', () => {
  it('sends errors and tool errors as they are, and still reports them', async () => {
    const { records, interceptor } = withErrors({ mode: 'development' });
    const error = { code: -32603, message: 'ENOENT /srv/secret.json' };
    expect((await runRequest(createChain([interceptor, answer(error)]), 'ping')).response).toMatchObject({ error });
    const tool = await runRequest(createChain([interceptor]), 'tools/call', { name: 'f' }, { handler: () => ({ content: [{ type: 'text', text: 'boom' }], isError: true }) });
    expect(tool.response).toMatchObject({ result: { content: [{ text: 'boom' }], isError: true } });
    expect(records.map((r) => [r.category, r.masked])).toEqual([['internal', false], ['tool_error', false]]);
  });
});

describe('errorHandling: statistics', () => {
  it('counts per code, reason, category and method', async () => {
    const errors = errorHandling({ mode: 'development' });
    const run = (method: string, error: JsonRpcErrorObject) => runRequest(createChain([errors, answer(error)]), method);
    await run('tools/call', { code: ErrorCode.RateLimited, message: 'x', data: { reason: 'RATE_LIMITED' } });
    await run('tools/call', { code: ErrorCode.RateLimited, message: 'x', data: { reason: 'RATE_LIMITED' } });
    await run('tools/call', { code: ErrorCode.Timeout, message: 'x', data: { reason: 'TIMEOUT' } });
    await run('resources/read', { code: ErrorCode.InvalidParams, message: 'x' });
    await run('resources/read', { code: ErrorCode.Cancelled, message: 'x', data: { reason: 'CANCELLED' } });
    await run('ping', { code: ErrorCode.InternalError, message: 'x', data: { reason: 'INTERNAL' } });
    const stats = errors.stats();
    expect(stats).toMatchObject({
      total: 6,
      byCategory: { policy: 2, timeout: 1, client_error: 1, cancelled: 1, internal: 1, tool_error: 0 },
      byCode: { '-31001': 2, '-31004': 1, '-32602': 1, '-31009': 1, '-32603': 1 },
      byReason: { RATE_LIMITED: 2, TIMEOUT: 1, CANCELLED: 1, INTERNAL: 1 },
    });
    expect(stats.byMethod['tools/call']).toEqual({
      total: 3,
      byCategory: { client_error: 0, policy: 2, timeout: 1, cancelled: 0, tool_error: 0, internal: 0 },
      byCode: { '-31001': 2, '-31004': 1 },
      byReason: { RATE_LIMITED: 2, TIMEOUT: 1 },
    });
    // stats() hands out copies.
    (stats.byCode as Record<string, number>)['-31001'] = 99;
    expect(errors.stats().byCode['-31001']).toBe(2);
    errors.resetStats();
    expect(errors.stats()).toMatchObject({ total: 0, byCode: {}, byMethod: {} });
  });

  it('stays bounded (maxEntries) and safe with hostile keys', async () => {
    const errors = errorHandling({ mode: 'development', maxEntries: 2 });
    for (let i = 0; i < 50; i++) {
      await runRequest(createChain([errors, answer({ code: -32000 - i, message: 'x', data: { reason: i === 0 ? '__proto__' : `R${i}` } })]), `vendor/m${i}`);
    }
    const stats = errors.stats();
    expect(stats.total).toBe(50);
    expect(Object.keys(stats.byMethod).sort()).toEqual(['other', 'vendor/m0', 'vendor/m1']);
    expect(Object.keys(stats.byCode)).toHaveLength(3);
    expect(Object.keys(stats.byReason)).toHaveLength(3);
    expect(Object.getOwnPropertyNames(stats.byReason)).toContain('__proto__');
    expect(Object.getPrototypeOf(stats.byReason)).toBe(Object.prototype);
  });

  it('counts a request rejected above it', async () => {
    const errors = errorHandling();
    const gate: Interceptor = {
      name: 'gate',
      priority: Priority.Critical,
      onRequest: () => {
        throw new InterceptorError(ErrorCode.PayloadTooLarge, 'Too big', { reason: 'PAYLOAD_TOO_LARGE' });
      },
    };
    await runRequest(createChain([gate, errors]), 'tools/call', { name: 'x' });
    expect(errors.stats()).toMatchObject({ total: 1, byCategory: { policy: 1 }, byReason: { PAYLOAD_TOO_LARGE: 1 } });
  });

  it('ignores an onError that throws', async () => {
    const errors = errorHandling({
      onError: () => {
        throw new Error('hook bug');
      },
    });
    const { response } = await runRequest(createChain([errors, answer({ code: -32603, message: 'x' })]), 'ping');
    expect(response).toMatchObject({ error: { code: -32603, message: 'Internal error' } });
  });
});

describe('categorizeError', () => {
  it.each([
    [-32700, 'client_error'],
    [-32600, 'client_error'],
    [-32601, 'client_error'],
    [-32602, 'client_error'],
    [-32042, 'client_error'],
    [-31001, 'policy'],
    [-31005, 'policy'],
    [-31004, 'timeout'],
    [-32001, 'timeout'],
    [-31009, 'cancelled'],
    [-32603, 'internal'],
    [-32000, 'internal'],
    [-1, 'internal'],
    [undefined, 'tool_error'],
  ] as const)('%s → %s', (code, category) => {
    expect(categorizeError(code)).toBe(category);
  });
});

describe('errorHandling: options', () => {
  it('validates its options at construction', () => {
    expect(() => errorHandling({ mode: 'prod' as never })).toThrow(/errorHandling\.mode must be one of "development", "production"/);
    expect(() => errorHandling({ onError: true as never })).toThrow(/errorHandling\.onError must be a function/);
    expect(() => errorHandling({ exposeCodes: ['-32602'] as never })).toThrow(/errorHandling\.exposeCodes must be an array of integers/);
    expect(() => errorHandling({ maskToolErrors: 'no' as never })).toThrow(/errorHandling\.maskToolErrors must be a boolean/);
    expect(() => errorHandling({ maxEntries: 0 })).toThrow(/errorHandling\.maxEntries must be a positive integer/);
    expect(() => errorHandling({ clock: {} as never })).toThrow(/errorHandling\.clock must be a Clock/);
    expect(() => errorHandling('production' as never)).toThrow(/errorHandling: options must be an object/);
  });

  it('is Critical', () => {
    expect(errorHandling().priority).toBe(Priority.Critical);
  });
});

describe('errorHandling over a real SDK client and server', () => {
  const failingResource = (server: McpServer): unknown =>
    server.registerResource('config', 'config://app', {}, async () => {
      throw new Error('cannot open /etc/app/credentials.json');
    });

  it('production: the fail tool message and a handler exception never reach the client; onError has them', async () => {
    const records: ErrorRecord[] = [];
    const pair = await connectPair({ serverChain: [errorHandling({ mode: 'production', onError: (r) => void records.push(r) }), requestId()], setup: failingResource });
    try {
      const tool = await pair.client.callTool({ name: 'fail', arguments: {} });
      expect(tool.isError).toBe(true);
      const thrown = await pair.client.readResource({ uri: 'config://app' }).catch((e: unknown) => e);
      expect(thrown).toBeInstanceOf(McpError);
      expect(thrown).toMatchObject({ code: ErrorCode.InternalError, data: { reason: 'INTERNAL', requestId: records[1]?.requestId } });
      expect(pair.handlerCalls).toEqual(['fail']);
    } finally {
      await pair.close();
    }
    const received = JSON.stringify(pair.wire.clientReceived);
    expect(received).not.toContain('tool exploded');
    expect(received).not.toContain('credentials.json');
    expect(records.map((r) => [r.method, r.category, r.message, r.masked])).toEqual([
      ['tools/call', 'tool_error', 'tool exploded', true],
      ['resources/read', 'internal', 'cannot open /etc/app/credentials.json', true],
    ]);
  });

  it('development: the client sees the real messages', async () => {
    const pair = await connectPair({ serverChain: [errorHandling({ mode: 'development' })], setup: failingResource });
    try {
      const tool = await pair.client.callTool({ name: 'fail', arguments: {} });
      expect(tool.content).toEqual([{ type: 'text', text: 'tool exploded' }]);
      await expect(pair.client.readResource({ uri: 'config://app' })).rejects.toThrow(/credentials\.json/);
    } finally {
      await pair.close();
    }
  });
});
