import { describe, expect, it } from 'vitest';
import { createChain } from '../chain.js';
import type { ExchangeContext } from '../context.js';
import { ErrorCode, InterceptorError } from '../errors.js';
import { Priority, type Interceptor } from '../interceptor.js';
import type { JsonRpcResponse } from '../jsonrpc.js';
import { testContext } from '../test-support/context.js';
import { runRequest } from '../testing.js';

// The chain's runner (run.ts), with hooks that answer synchronously, with promises,
// and with other thenables, mixed: the order and the outcome must be the same either way.
const later = <T>(value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), 1));
const thenable = <T>(value: T): PromiseLike<T> => ({ then: (onFulfilled) => Promise.resolve(onFulfilled?.(value)) as never });

function tracer(name: string, log: string[], priority: Priority, wrap: (v: undefined) => unknown): Interceptor {
  return {
    name,
    priority,
    onRequest: () => (log.push(`${name}>`), wrap(undefined)) as undefined,
    onResponse: () => (log.push(`<${name}`), wrap(undefined)) as undefined,
  };
}

describe('the runner', () => {
  it('keeps the onion order whether hooks return nothing, promises or thenables', async () => {
    const log: string[] = [];
    const chain = createChain([
      tracer('sync', log, Priority.Critical, (v) => v),
      tracer('promise', log, Priority.High, (v) => later(v)),
      tracer('thenable', log, Priority.Normal, (v) => thenable(v)),
      tracer('sync-2', log, Priority.Low, (v) => v),
    ]);
    const { response, handled } = await runRequest(chain, 'ping', undefined, { handler: async () => (log.push('handler'), later({ ok: 1 })) });
    expect(log).toEqual(['sync>', 'promise>', 'thenable>', 'sync-2>', 'handler', '<sync-2', '<thenable', '<promise', '<sync']);
    expect(response).toEqual({ jsonrpc: '2.0', id: 1, result: { ok: 1 } });
    expect(handled).toHaveLength(1);
  });

  it('an answer resolved by a promise short-circuits like a returned one, and is copied', async () => {
    const log: string[] = [];
    const kept: JsonRpcResponse = { jsonrpc: '2.0', id: 1, result: { cached: true } };
    const chain = createChain([
      { name: 'outer', priority: Priority.High, onResponse: (res) => void (log.push('<outer'), 'result' in res && (res.result['touched'] = true)) },
      { name: 'answer', priority: Priority.Normal, onRequest: () => later(kept), onResponse: () => void log.push('<answer') },
      { name: 'inner', priority: Priority.Low, onRequest: () => void log.push('inner>') },
    ]);
    const { response, handled } = await runRequest(chain, 'tools/list');
    expect(response).toEqual({ jsonrpc: '2.0', id: 1, result: { cached: true, touched: true } });
    expect(kept).toEqual({ jsonrpc: '2.0', id: 1, result: { cached: true } });
    expect(log).toEqual(['<outer']);
    expect(handled).toHaveLength(0);
  });

  it('turns rejections of hooks and of the terminal into error responses seen by the hooks outside', async () => {
    const seen: unknown[] = [];
    const outer: Interceptor = { name: 'outer', priority: Priority.Critical, onResponse: async (res) => void seen.push('error' in res ? res.error.data : 'ok') };
    const refuse: Interceptor = { name: 'refuse', priority: Priority.Normal, onRequest: () => Promise.reject(new InterceptorError(ErrorCode.RateLimited, 'no', { reason: 'RATE_LIMITED' })) };
    const first = await runRequest(createChain([outer, refuse]), 'ping');
    expect(first.response).toMatchObject({ id: 1, error: { code: ErrorCode.RateLimited, data: { reason: 'RATE_LIMITED', interceptor: 'refuse' } } });
    expect(first.handled).toHaveLength(0);

    const second = await runRequest(createChain([outer]), 'ping', undefined, { handler: async () => {
      await later(undefined);
      throw new Error('down');
    } });
    expect(second.response).toMatchObject({ id: 1, error: { code: ErrorCode.InternalError, data: { reason: 'INTERNAL' } } });

    const failingResponse: Interceptor = { name: 'failing', priority: Priority.Low, onResponse: () => later(undefined).then(() => Promise.reject(new Error('late'))) };
    const third = await runRequest(createChain([outer, failingResponse]), 'ping');
    expect(third.response).toMatchObject({ id: 1, error: { code: ErrorCode.InternalError, data: { reason: 'INTERNAL', interceptor: 'failing' } } });
    expect(seen).toEqual([
      { reason: 'RATE_LIMITED', interceptor: 'refuse' },
      { reason: 'INTERNAL' },
      { reason: 'INTERNAL', interceptor: 'failing' },
    ]);
  });

  it('answers with -32603 naming the interceptor when a promise resolves to something that is not a response', async () => {
    const chain = createChain([{ name: 'odd', onRequest: () => later({ nope: true }) as never }]);
    const { response, handled } = await runRequest(chain, 'ping');
    expect(response).toMatchObject({ id: 1, error: { code: ErrorCode.InternalError, data: { interceptor: 'odd' } } });
    expect(handled).toHaveLength(0);
  });
});

describe('dispatch (the callback form transports use)', () => {
  const request = { jsonrpc: '2.0' as const, id: 5, method: 'ping' };
  const contextFor = (chain: ReturnType<typeof createChain>): ExchangeContext => testContext({ jsonrpcId: request.id, clock: chain.clock, metrics: chain.metrics });

  it('with synchronous hooks and terminal, answers in the same tick, in onion order', () => {
    const log: string[] = [];
    const chain = createChain([tracer('outer', log, Priority.High, (v) => v), tracer('inner', log, Priority.Low, (v) => v)]);
    let answered: JsonRpcResponse | undefined;
    chain.dispatch(request, contextFor(chain), (req, _ctx, _stop, attempt) => void (log.push('terminal'), attempt.resume({ jsonrpc: '2.0', id: req.id, result: {} })), undefined, (response) => {
      answered = response;
    });
    expect(answered).toEqual({ jsonrpc: '2.0', id: 5, result: {} });
    expect(log).toEqual(['outer>', 'inner>', 'terminal', '<inner', '<outer']);
  });

  it('an attempt answers once: a second resume or fail is ignored', () => {
    const chain = createChain([tracer('only', [], Priority.Normal, (v) => v)]);
    const answers: JsonRpcResponse[] = [];
    chain.dispatch(request, contextFor(chain), (req, _ctx, _stop, attempt) => {
      expect(attempt.resume({ jsonrpc: '2.0', id: req.id, result: { first: true } })).toBe(true);
      expect(attempt.resume({ jsonrpc: '2.0', id: req.id, result: { second: true } })).toBe(false);
      expect(attempt.fail(new Error('late'))).toBe(false);
    }, undefined, (response) => void answers.push(response));
    expect(answers).toEqual([{ jsonrpc: '2.0', id: 5, result: { first: true } }]);
  });

  it('a throwing done is reported, not thrown into the caller', () => {
    const chain = createChain([tracer('only', [], Priority.Normal, (v) => v)]);
    const reported: InterceptorError[] = [];
    expect(() =>
      chain.dispatch(request, contextFor(chain), (req, _ctx, _stop, attempt) => void attempt.resume({ jsonrpc: '2.0', id: req.id, result: {} }), (error) => void reported.push(error), () => {
        throw new Error('done broke');
      }),
    ).not.toThrow();
    expect(reported.map((e) => (e.cause as Error).message)).toEqual(['done broke']);
  });
});
