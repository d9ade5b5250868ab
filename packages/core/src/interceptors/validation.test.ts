import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { createChain } from '../chain.js';
import { ErrorCode } from '../errors.js';
import { Priority, type Interceptor } from '../interceptor.js';
import type { JsonObject, JsonRpcRequest } from '../jsonrpc.js';
import { connectPair } from '../test-support/pair.js';
import { runNotification, runRequest } from '../testing.js';
import { VALIDATION_DROPPED_METRIC, VALIDATION_REJECTED_METRIC, validation, type ValidationOptions } from './validation.js';

/** Rewrites the frame before validation sees it (the transport already refuses most malformed frames). */
const tamper = (edit: (req: Record<string, unknown>) => void): Interceptor => ({
  name: 'tamper',
  priority: Priority.Critical,
  onRequest: (req: JsonRpcRequest) => void edit(req as unknown as Record<string, unknown>),
});

async function check(method: string, params: unknown, options: ValidationOptions = {}, before: Interceptor[] = []) {
  const chain = createChain([...before, validation(options)]);
  const run = await runRequest(chain, method, params as JsonObject);
  return { ...run, chain };
}

const invalidRequest = (...problems: string[]) => ({
  error: { code: ErrorCode.InvalidRequest, data: { reason: 'INVALID_REQUEST', interceptor: 'validation', problems: expect.arrayContaining(problems) } },
});
const invalidParams = (...problems: string[]) => ({
  error: { code: ErrorCode.InvalidParams, data: { reason: 'INVALID_PARAMS', interceptor: 'validation', problems } },
});

describe('validation: JSON-RPC shape', () => {
  it('passes a well-formed request on', async () => {
    const { response, handled } = await check('tools/call', { name: 'echo', arguments: { text: 'hi' } }, { strict: true });
    expect(handled).toHaveLength(1);
    expect(response).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
  });

  it.each([
    ['whitespace', 'tools/ call', 'method must not contain whitespace or control characters'],
    ['a control character', 'tools/call\u0000', 'method must not contain whitespace or control characters'],
    ['a C1 control character', 'ping\u0085', 'method must not contain whitespace or control characters'],
    ['the reserved rpc. prefix', 'rpc.discover', 'method names beginning with "rpc." are reserved by JSON-RPC 2.0'],
    ['nothing', '', 'method must be a non-empty string'],
  ])('rejects a method with %s: -32600 INVALID_REQUEST, handler not reached', async (_label, method, problem) => {
    const { response, handled } = await check(method, undefined);
    expect(response).toMatchObject(invalidRequest(problem));
    expect(handled).toHaveLength(0);
  });

  it('rejects a method longer than maxMethodLength', async () => {
    const { response } = await check('tools/list', undefined, { maxMethodLength: 5 });
    expect(response).toMatchObject(invalidRequest('method must be at most 5 characters'));
  });

  it('rejects a wrong jsonrpc version, a bad id and a non-string method, all listed', async () => {
    const { response } = await check('ping', undefined, {}, [
      tamper((req) => {
        req['jsonrpc'] = '1.0';
        req['id'] = 1.5;
        req['method'] = 7;
      }),
    ]);
    expect(response).toMatchObject(invalidRequest('jsonrpc must be "2.0"', 'id must be a string or an integer', 'method must be a non-empty string'));
  });

  it('rejects params that are not an object with -32602 INVALID_PARAMS', async () => {
    for (const [params, got] of [[[1, 2], 'an array'], ['text', 'string'], [null, 'null']] as const) {
      const { response } = await check('tools/call', undefined, {}, [tamper((req) => void (req['params'] = params))]);
      expect(response).toMatchObject(invalidParams(`params must be an object, got ${got}`));
    }
  });

  it('rejects params nested deeper than maxDepth, and accepts exactly maxDepth', async () => {
    const nest = (levels: number): JsonObject => (levels <= 1 ? { leaf: 1 } : { child: nest(levels - 1) });
    expect((await check('tools/call', nest(3), { maxDepth: 3 })).handled).toHaveLength(1);
    expect((await check('tools/call', { list: [[[1]]] }, { maxDepth: 3 })).response).toMatchObject(invalidParams('params must not be nested deeper than 3 levels'));
    expect((await check('tools/call', nest(4), { maxDepth: 3 })).response).toMatchObject(invalidParams('params must not be nested deeper than 3 levels'));
  });

  it('measures depth through mixed arrays and objects, past shallow siblings, own members only', async () => {
    const wide = { a: 1, b: [1, 'x', null, { c: [2] }], d: { e: { f: null } }, g: [] };
    expect((await check('tools/call', wide, { maxDepth: 4 })).handled).toHaveLength(1);
    expect((await check('tools/call', wide, { maxDepth: 3 })).response).toMatchObject(invalidParams('params must not be nested deeper than 3 levels'));
    const inherited = Object.assign(Object.create({ deep: { deeper: { deepest: {} } } }) as JsonObject, { own: 1 });
    expect((await check('tools/call', inherited, { maxDepth: 1 })).handled).toHaveLength(1);
  });

  it('measures nesting past a few hundred levels exactly, and walks 100,000 levels under a larger maxDepth', async () => {
    const nest = (levels: number): JsonObject => {
      let node: JsonObject = { leaf: 1 };
      for (let i = 1; i < levels; i++) node = i % 2 ? { child: node } : ({ list: [node] } as JsonObject);
      return node;
    };
    expect((await check('tools/call', { wrap: [nest(499)] }, { maxDepth: 500 + 500 })).handled).toHaveLength(1);
    const deep = nest(1001);
    expect((await check('tools/call', deep, { maxDepth: 1500 })).response).toMatchObject(invalidParams('params must not be nested deeper than 1500 levels'));
    expect((await check('tools/call', nest(700), { maxDepth: 1049 })).handled).toHaveLength(1);
    expect((await check('tools/call', nest(700), { maxDepth: 1048 })).response).toMatchObject(invalidParams('params must not be nested deeper than 1048 levels'));
    let huge: JsonObject = {};
    for (let i = 0; i < 100_000; i++) huge = { d: huge };
    expect((await check('tools/call', huge, { maxDepth: 1_000_000 })).handled).toHaveLength(1);
  });

  it('survives a params object nested far beyond the stack limit', async () => {
    let deep: JsonObject = {};
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    const { response } = await check('tools/call', deep);
    expect(response).toMatchObject(invalidParams('params must not be nested deeper than 64 levels'));
  });

  it('counts rejected requests with bounded method labels', async () => {
    const chain = createChain([validation({ strict: true })]);
    await runRequest(chain, 'tools/ list');
    await runRequest(chain, 'tools/call', {});
    await runRequest(chain, 'vendor/x', [] as unknown as JsonObject);
    await runRequest(chain, 'vendor/y', [] as unknown as JsonObject);
    expect(chain.metrics.snapshot().counters).toEqual([
      { name: VALIDATION_REJECTED_METRIC, labels: { method: 'invalid', reason: 'INVALID_REQUEST' }, value: 1 },
      { name: VALIDATION_REJECTED_METRIC, labels: { method: 'tools/call', reason: 'INVALID_PARAMS' }, value: 1 },
      { name: VALIDATION_REJECTED_METRIC, labels: { method: 'other', reason: 'INVALID_PARAMS' }, value: 2 },
    ]);
  });
});

describe('validation: strict MCP params', () => {
  it.each([
    ['tools/call', {}, ['params.name must be a string']],
    ['tools/call', { name: 3, arguments: [1] }, ['params.name must be a string', 'params.arguments must be an object when present']],
    ['tools/call', { name: 'x', arguments: null }, ['params.arguments must be an object when present']],
    ['resources/read', { uri: 42 }, ['params.uri must be a string']],
    ['prompts/get', { arguments: {} }, ['params.name must be a string']],
    ['initialize', { protocolVersion: 1, capabilities: {}, clientInfo: { name: 'c' } }, ['params.protocolVersion must be a string', 'params.clientInfo.version must be a string']],
    ['initialize', { protocolVersion: '2025-11-25' }, ['params.capabilities must be an object', 'params.clientInfo must be an object with a string name and version']],
  ])('%s %j → -32602 naming each field', async (method, params, problems) => {
    const { response, handled } = await check(method, params, { strict: true });
    expect(response).toMatchObject(invalidParams(...problems));
    expect(handled).toHaveLength(0);
  });

  it('checks a request without params as empty params', async () => {
    const { response } = await check('resources/read', undefined, { strict: true });
    expect(response).toMatchObject(invalidParams('params.uri must be a string'));
  });

  it('leaves MCP params to the SDK when not strict', async () => {
    const { handled } = await check('tools/call', { arguments: [] });
    expect(handled).toHaveLength(1);
  });

  it('rejects unknown top-level members in strict mode only', async () => {
    const extra = tamper((req) => void (req['extra'] = true));
    expect((await check('ping', undefined, { strict: true }, [extra])).response).toMatchObject(invalidRequest('unknown top-level member "extra"'));
    expect((await check('ping', undefined, {}, [extra])).handled).toHaveLength(1);
  });

  it('passes methods it has no rules for', async () => {
    expect((await check('vendor/custom', { anything: [1] }, { strict: true })).handled).toHaveLength(1);
  });
});

describe('validation: notifications', () => {
  it.each([
    ['notifications/progress', { progressToken: 't', progress: 'half' }],
    ['notifications/progress', { progress: 1 }],
    ['notifications/progress', { progressToken: 1, progress: 1, total: 'all' }],
    ['notifications/cancelled', { reason: 'no id' }],
  ])('drops an invalid %s and counts it', async (method, params) => {
    const chain = createChain([validation({ strict: true })]);
    const { kept } = await runNotification(chain, method, params);
    expect(kept).toBe(false);
    expect(chain.metrics.snapshot().counters).toContainEqual({ name: VALIDATION_DROPPED_METRIC, labels: { method, reason: 'INVALID_PARAMS' }, value: 1 });
  });

  it('keeps valid notifications', async () => {
    const chain = createChain([validation({ strict: true })]);
    expect((await runNotification(chain, 'notifications/progress', { progressToken: 't', progress: 0.5, total: 1 })).kept).toBe(true);
    expect((await runNotification(chain, 'notifications/cancelled', { requestId: 3, reason: 'user' })).kept).toBe(true);
    expect((await runNotification(chain, 'notifications/initialized')).kept).toBe(true);
  });

  it('drops a notification with a bad method, labelled "invalid"', async () => {
    const chain = createChain([validation()]);
    expect((await runNotification(chain, 'notifications/\nprogress')).kept).toBe(false);
    expect(chain.metrics.snapshot().counters).toContainEqual({ name: VALIDATION_DROPPED_METRIC, labels: { method: 'invalid', reason: 'INVALID_REQUEST' }, value: 1 });
  });
});

describe('validation: directions and options', () => {
  it('checks only inbound traffic unless told otherwise', async () => {
    const lax = createChain([validation({ strict: true })]);
    expect((await runRequest(lax, 'tools/call', {}, { direction: 'outbound' })).handled).toHaveLength(1);
    const both = createChain([validation({ strict: true, directions: ['inbound', 'outbound'] })]);
    expect((await runRequest(both, 'tools/call', {}, { direction: 'outbound' })).response).toMatchObject(invalidParams('params.name must be a string'));
  });

  it('validates its options at construction', () => {
    expect(() => validation({ strict: 'yes' as unknown as boolean })).toThrow(/validation\.strict must be a boolean/);
    expect(() => validation({ maxDepth: 0 })).toThrow(/validation\.maxDepth must be a positive integer/);
    expect(() => validation({ maxMethodLength: 2.5 })).toThrow(/validation\.maxMethodLength must be a positive integer/);
    expect(() => validation({ directions: ['sideways'] as unknown as ['inbound'] })).toThrow(/validation\.directions/);
    expect(() => validation({ directions: [] })).toThrow(/validation\.directions/);
    expect(() => validation([] as unknown as ValidationOptions)).toThrow(/validation: options must be an object/);
  });

  it('is Critical', () => {
    expect(validation().priority).toBe(Priority.Critical);
  });
});

describe('validation over a real SDK client and server', () => {
  it('answers a tools/call without a string name with -32602 naming the field; the handler never runs', async () => {
    const pair = await connectPair({ serverChain: [validation({ strict: true })] });
    try {
      const error = await pair.client.callTool({ name: 5 as unknown as string, arguments: {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(McpError);
      expect(error).toMatchObject({ code: ErrorCode.InvalidParams, data: { reason: 'INVALID_PARAMS', interceptor: 'validation', problems: ['params.name must be a string'] } });
      expect(pair.handlerCalls).toEqual([]);
      expect(pair.wire.serverReceived.some((m) => 'method' in m && m.method === 'tools/call')).toBe(false);
      // A valid call on the same connection still works.
      expect(await pair.client.callTool({ name: 'echo', arguments: { text: 'ok' } })).toMatchObject({ content: [{ type: 'text', text: 'ok' }] });
    } finally {
      await pair.close();
    }
  });
});
