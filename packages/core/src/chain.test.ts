import { describe, expect, it } from 'vitest';
import { createChain } from './chain.js';
import { ErrorCode, InterceptorError } from './errors.js';
import { DROP, Priority, type Interceptor } from './interceptor.js';
import type { JsonRpcResponse } from './jsonrpc.js';
import { createKey } from './metadata.js';
import { runNotification, runRequest } from './testing.js';

const tracer = (name: string, log: string[], priority?: Priority, extra: Partial<Interceptor> = {}): Interceptor => ({
  name,
  ...(priority === undefined ? {} : { priority }),
  onRequest: () => void log.push(`${name}>`),
  onResponse: () => void log.push(`<${name}`),
  ...extra,
});

describe('createChain ordering', () => {
  it('runs requests in ascending priority and responses in reverse (onion)', async () => {
    const log: string[] = [];
    const chain = createChain([tracer('low', log, Priority.Low), tracer('critical', log, Priority.Critical), tracer('normal', log), tracer('lowest', log, Priority.Lowest), tracer('high', log, Priority.High)]);
    const { handled } = await runRequest(chain, 'tools/list', undefined, { handler: () => (log.push('handler'), {}) });
    expect(log).toEqual(['critical>', 'high>', 'normal>', 'low>', 'lowest>', 'handler', '<lowest', '<low', '<normal', '<high', '<critical']);
    expect(handled).toHaveLength(1);
  });

  it('keeps registration order among equal priorities', async () => {
    const log: string[] = [];
    const chain = createChain([tracer('a', log, Priority.High), tracer('b', log, Priority.High), tracer('c', log, Priority.High)]);
    await runRequest(chain, 'ping');
    expect(log).toEqual(['a>', 'b>', 'c>', '<c', '<b', '<a']);
    expect(chain.describe().map((e) => e.name)).toEqual(['a', 'b', 'c']);
  });

  it('an empty chain sends the request straight on', async () => {
    const chain = createChain([]);
    expect(chain.isEmpty).toBe(true);
    const { response, handled } = await runRequest(chain, 'ping', undefined, { id: 7 });
    expect(response).toEqual({ jsonrpc: '2.0', id: 7, result: {} });
    expect(handled).toHaveLength(1);
  });

  it('describe() lists the resolved order with priority names and hooks', () => {
    const chain = createChain([
      { name: 'logger', priority: Priority.Low, onResponse: () => {} },
      { name: 'guard', priority: Priority.Critical, onRequest: () => {}, shouldExecute: () => true },
    ]);
    expect(chain.describe()).toEqual([
      { position: 0, name: 'guard', priority: 0, priorityName: 'Critical', hooks: ['shouldExecute', 'onRequest'] },
      { position: 1, name: 'logger', priority: 3, priorityName: 'Low', hooks: ['onResponse'] },
    ]);
  });
});

describe('short-circuit', () => {
  it('a response from onRequest skips the rest and passes back through the interceptors before it', async () => {
    const log: string[] = [];
    const answer: Interceptor = {
      name: 'answer',
      priority: Priority.Normal,
      onRequest: (req) => (log.push('answer>'), { jsonrpc: '2.0', id: req.id, result: { cached: true } }),
      onResponse: () => void log.push('<answer'),
    };
    const chain = createChain([tracer('outer', log, Priority.High), answer, tracer('inner', log, Priority.Low)]);
    const { response, handled } = await runRequest(chain, 'tools/list', undefined, { id: 3 });
    expect(response).toEqual({ jsonrpc: '2.0', id: 3, result: { cached: true } });
    expect(handled).toEqual([]);
    expect(log).toEqual(['outer>', 'answer>', '<outer']);
  });

  it('an InterceptorError becomes an error response with data.interceptor, seen by outer onResponse', async () => {
    const seen: JsonRpcResponse[] = [];
    const deny: Interceptor = {
      name: 'deny',
      onRequest: () => {
        throw new InterceptorError(ErrorCode.AccessDenied, 'Access denied', { reason: 'ACCESS_DENIED' });
      },
    };
    const chain = createChain([deny, { name: 'outer', priority: Priority.Critical, onResponse: (res) => void seen.push(structuredClone(res)) }]);
    const { response, handled } = await runRequest(chain, 'tools/call', { name: 'x' }, { id: 'abc' });
    const expected = { jsonrpc: '2.0', id: 'abc', error: { code: -31005, message: 'Access denied', data: { reason: 'ACCESS_DENIED', interceptor: 'deny' } } };
    expect(response).toEqual(expected);
    expect(seen).toEqual([expected]);
    expect(handled).toEqual([]);
  });

  it('the id of a short-circuit response is always the request id', async () => {
    const chain = createChain([{ name: 'liar', onRequest: () => ({ jsonrpc: '2.0', id: 999, result: {} }) }]);
    const { response } = await runRequest(chain, 'ping', undefined, { id: 1 });
    expect(response).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
  });
});

describe('failures become values', () => {
  it('a plain throw becomes -32603 with a generic message; the cause goes to the reporter and onError', async () => {
    const reported: InterceptorError[] = [];
    const observed: string[] = [];
    const chain = createChain([
      { name: 'broken', onRequest: () => { throw new Error('secret detail'); } },
      { name: 'watcher', priority: Priority.Critical, onError: (err) => void observed.push(`${err.data.reason}:${String(err.data.interceptor)}`) },
    ]);
    const request = { jsonrpc: '2.0' as const, id: 5, method: 'tools/call', params: { name: 'x' } };
    const { ctx } = await runRequest(chain, 'ping');
    const response = await chain.handleRequest(request, ctx, async () => ({ jsonrpc: '2.0', id: 5, result: {} }), (err) => void reported.push(err));
    expect(response).toEqual({ jsonrpc: '2.0', id: 5, error: { code: -32603, message: 'Internal error', data: { reason: 'INTERNAL', interceptor: 'broken' } } });
    expect(JSON.stringify(response)).not.toContain('secret detail');
    expect(reported).toHaveLength(1);
    expect((reported[0]?.cause as Error).message).toBe('secret detail');
    expect(observed).toEqual(['INTERNAL:broken', 'INTERNAL:broken']);
  });

  it('a throwing onResponse replaces the response with an error carrying the same id', async () => {
    const chain = createChain([{ name: 'bad-response', onResponse: () => Promise.reject(new Error('boom')) }]);
    const { response, handled } = await runRequest(chain, 'ping', undefined, { id: 9 });
    expect(handled).toHaveLength(1);
    expect(response).toMatchObject({ id: 9, error: { code: -32603, data: { reason: 'INTERNAL', interceptor: 'bad-response' } } });
  });

  it('a terminal that throws still yields a response', async () => {
    const chain = createChain([{ name: 'noop', onRequest: () => {} }]);
    const { ctx } = await runRequest(chain, 'ping');
    const response = await chain.handleRequest({ jsonrpc: '2.0', id: 2, method: 'ping' }, ctx, () => Promise.reject(new Error('wire down')));
    expect(response).toMatchObject({ id: 2, error: { code: -32603, data: { reason: 'INTERNAL' } } });
  });

  it('an onError observer that throws changes nothing', async () => {
    const chain = createChain([
      { name: 'deny', onRequest: () => { throw new InterceptorError(-31005, 'no', { reason: 'ACCESS_DENIED' }); } },
      { name: 'clumsy', onError: () => { throw new Error('observer bug'); } },
    ]);
    const { response } = await runRequest(chain, 'ping');
    expect(response).toMatchObject({ error: { code: -31005, data: { reason: 'ACCESS_DENIED' } } });
  });
});

describe('shouldExecute', () => {
  it('is decided once per exchange and skips both hooks', async () => {
    const log: string[] = [];
    let asked = 0;
    const chain = createChain([tracer('only-tools', log, Priority.Normal, { shouldExecute: (ctx) => (asked++, ctx.method.startsWith('tools/')) })]);
    await runRequest(chain, 'prompts/list');
    await runRequest(chain, 'tools/list');
    expect(log).toEqual(['only-tools>', '<only-tools']);
    expect(asked).toBe(2);
  });

  it('a predicate that throws answers with -32603 naming the interceptor', async () => {
    const chain = createChain([{ name: 'picky', shouldExecute: () => { throw new Error('bad predicate'); }, onRequest: () => {} }]);
    const { response, handled } = await runRequest(chain, 'ping');
    expect(response).toMatchObject({ error: { code: -32603, data: { reason: 'INTERNAL', interceptor: 'picky' } } });
    expect(handled).toEqual([]);
  });
});

describe('around', () => {
  it('replays start from the request as around received it', async () => {
    const seen: unknown[] = [];
    const chain = createChain([
      { name: 'replay', priority: Priority.High, around: async (req, _ctx, next) => (await next(), next()) },
      { name: 'stamp', priority: Priority.Low, onRequest: (req) => { seen.push(structuredClone(req.params)); req.params = { ...req.params, stamped: ((req.params?.['stamped'] as number) ?? 0) + 1 }; } },
    ]);
    const { handled } = await runRequest(chain, 'tools/list', { cursor: 'c' });
    expect(seen).toEqual([{ cursor: 'c' }, { cursor: 'c' }]);
    expect(handled.map((r) => r.params)).toEqual([{ cursor: 'c', stamped: 1 }, { cursor: 'c', stamped: 1 }]);
  });

  it('can answer without calling next, and its response still passes outer onResponse', async () => {
    const log: string[] = [];
    const chain = createChain([tracer('outer', log, Priority.High), { name: 'memo', around: async (req) => ({ jsonrpc: '2.0', id: req.id, result: { from: 'memory' } }) }]);
    const { response, handled } = await runRequest(chain, 'tools/list', undefined, { id: 4 });
    expect(response).toEqual({ jsonrpc: '2.0', id: 4, result: { from: 'memory' } });
    expect(handled).toEqual([]);
    expect(log).toEqual(['outer>', '<outer']);
  });

  it('runs onRequest, then around, then onResponse of the same interceptor', async () => {
    const log: string[] = [];
    const chain = createChain([{ name: 'all', onRequest: () => void log.push('req'), around: async (_r, _c, next) => (log.push('around'), next()), onResponse: () => void log.push('res') }]);
    await runRequest(chain, 'ping');
    expect(log).toEqual(['req', 'around', 'res']);
  });
});

describe('context', () => {
  it('shares typed metadata between the hooks of one exchange only', async () => {
    const UserId = createKey<string>('user.id');
    const seen: Array<string | undefined> = [];
    const chain = createChain([
      { name: 'set', priority: Priority.High, onRequest: (_r, ctx) => (seen.push(ctx.metadata.get(UserId)), ctx.metadata.set(UserId, 'u1')) },
      { name: 'get', priority: Priority.Low, onResponse: (_r, ctx) => void seen.push(ctx.metadata.get(UserId)) },
    ]);
    await runRequest(chain, 'ping');
    await runRequest(chain, 'ping');
    expect(seen).toEqual([undefined, 'u1', undefined, 'u1']);
  });

  it('aggregates ctx.metrics in the chain registry', async () => {
    const chain = createChain([{ name: 'count', onResponse: (_r, ctx) => ctx.metrics.increment('calls', { method: ctx.method }) }]);
    await runRequest(chain, 'ping');
    await runRequest(chain, 'ping');
    await runRequest(chain, 'tools/list');
    expect(chain.metrics.snapshot().counters).toEqual([
      { name: 'calls', labels: { method: 'ping' }, value: 2 },
      { name: 'calls', labels: { method: 'tools/list' }, value: 1 },
    ]);
  });

  it('keeps concurrent exchanges independent', async () => {
    const Key = createKey<number>('n');
    const chain = createChain([
      {
        name: 'slowly',
        onRequest: async (req, ctx) => {
          ctx.metadata.set(Key, req.id as number);
          await new Promise((r) => setTimeout(r, 5 - (req.id as number)));
        },
        onResponse: (res, ctx) => {
          if ('result' in res) res.result['n'] = ctx.metadata.get(Key);
        },
      },
    ]);
    const results = await Promise.all([1, 2, 3, 4].map((id) => runRequest(chain, 'ping', undefined, { id })));
    expect(results.map((r) => r.response)).toEqual([1, 2, 3, 4].map((id) => ({ jsonrpc: '2.0', id, result: { n: id } })));
  });
});

describe('notifications', () => {
  it('pass interceptors in priority order and stop at DROP', async () => {
    const log: string[] = [];
    const chain = createChain([
      { name: 'late', priority: Priority.Low, onNotification: () => void log.push('late') },
      { name: 'dropper', priority: Priority.Normal, onNotification: (n) => (log.push('dropper'), n.method === 'notifications/message' ? DROP : undefined) },
      { name: 'early', priority: Priority.High, onNotification: () => void log.push('early') },
    ]);
    expect((await runNotification(chain, 'notifications/progress')).kept).toBe(true);
    expect((await runNotification(chain, 'notifications/message')).kept).toBe(false);
    expect(log).toEqual(['early', 'dropper', 'late', 'early', 'dropper']);
  });

  it('a failing notification hook drops the notification', async () => {
    const chain = createChain([{ name: 'bad', onNotification: () => { throw new Error('nope'); } }]);
    expect((await runNotification(chain, 'notifications/initialized')).kept).toBe(false);
  });
});

describe('validation of interceptors', () => {
  it.each([
    [[null], /index 0 must be an object/],
    [[{ name: 'Not Kebab' }], /kebab-case "name"/],
    [[{ name: 'ok', priority: 7 }], /priority must be a Priority/],
    [[{ name: 'ok', onRequest: 'yes' }], /onRequest must be a function/],
  ])('rejects %j', (list, message) => {
    expect(() => createChain(list as Interceptor[])).toThrow(message);
  });

  it('rejects a non-array', () => {
    expect(() => createChain({} as Interceptor[])).toThrow(TypeError);
  });
});

describe('chains with and without around share one semantics', () => {
  // A pass-through `around` in the chain must not change what the other hooks see or what the caller gets.
  const passThrough: Interceptor = { name: 'pass-through', priority: Priority.Lowest, around: (_req, _ctx, next) => next() };
  const variants: Array<[string, Interceptor[]]> = [
    ['without around', []],
    ['with a pass-through around', [passThrough]],
  ];

  it.each(variants)('%s: onion order, short-circuit and failures', async (_mode, extra) => {
    const log: string[] = [];
    const answer: Interceptor = { name: 'answer', priority: Priority.Normal, onRequest: (req) => (req.method === 'cached' ? { jsonrpc: '2.0', id: req.id, result: { hit: true } } : undefined) };
    const broken: Interceptor = { name: 'broken', priority: Priority.Low, onResponse: (_res, ctx) => { if (ctx.method === 'explode') throw new Error('x'); } };
    const chain = createChain([tracer('outer', log, Priority.High), answer, broken, ...extra]);

    const plain = await runRequest(chain, 'ping', undefined, { id: 1 });
    expect(plain.response).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
    expect(log.splice(0)).toEqual(['outer>', '<outer']);

    const cached = await runRequest(chain, 'cached', undefined, { id: 2 });
    expect(cached.response).toEqual({ jsonrpc: '2.0', id: 2, result: { hit: true } });
    expect(cached.handled).toEqual([]);

    const exploded = await runRequest(chain, 'explode', undefined, { id: 3 });
    expect(exploded.handled).toHaveLength(1);
    expect(exploded.response).toMatchObject({ id: 3, error: { code: -32603, data: { interceptor: 'broken' } } });
    expect(log).toEqual(['outer>', '<outer', 'outer>', '<outer']);
  });
});

describe('short-circuit responses are copied', () => {
  it('outer hooks mutating the answer never touch the object the interceptor returned', async () => {
    const stored = { jsonrpc: '2.0' as const, id: 1, result: { items: ['a'], _meta: { source: 'memory' } } };
    const chain = createChain([
      { name: 'mutator', priority: Priority.High, onResponse: (res) => { if ('result' in res) { res.result['extra'] = true; (res.result['_meta'] as Record<string, unknown>)['seen'] = 1; } } },
      { name: 'memo', onRequest: () => stored },
    ]);
    const { response } = await runRequest(chain, 'tools/list', undefined, { id: 1 });
    expect(response).toEqual({ jsonrpc: '2.0', id: 1, result: { items: ['a'], extra: true, _meta: { source: 'memory', seen: 1 } } });
    expect(stored).toEqual({ jsonrpc: '2.0', id: 1, result: { items: ['a'], _meta: { source: 'memory' } } });
  });
});
