import { createManualClock } from '@mcp-interceptors/core/testing';
import { describe, expect, it } from 'vitest';
import { createHttpChain } from './http-chain.js';
import { HttpError } from './http-error.js';
import type { HttpInterceptor } from './http-interceptor.js';
import { runChain } from './test-support/run-chain.js';

const URL_ = 'http://127.0.0.1/mcp';

function rec(name: string, priority: number | undefined, log: string[], extra: Partial<HttpInterceptor> = {}): HttpInterceptor {
  return {
    name,
    ...(priority === undefined ? {} : { priority }),
    onRequest: () => void log.push(`${name}:req`),
    onResponse: (ctx) => void log.push(`${name}:res:${ctx.response.status}`),
    ...extra,
  };
}

describe('createHttpChain order', () => {
  it('runs requests in ascending priority and responses in reverse (onion)', async () => {
    const log: string[] = [];
    const chain = createHttpChain([rec('c', 300, log), rec('a', 100, log), rec('b', 200, log)]);
    const run = await runChain(chain, URL_, (ctx) => {
      log.push('terminal');
      ctx.respond(201, { ok: true });
    });
    expect(log).toEqual(['a:req', 'b:req', 'c:req', 'terminal', 'c:res:201', 'b:res:201', 'a:res:201']);
    expect(run.status).toBe(201);
    expect(chain.describe()).toEqual([
      { position: 0, name: 'a', priority: 100, hooks: ['onRequest', 'onResponse'] },
      { position: 1, name: 'b', priority: 200, hooks: ['onRequest', 'onResponse'] },
      { position: 2, name: 'c', priority: 300, hooks: ['onRequest', 'onResponse'] },
    ]);
  });

  it('keeps registration order for equal priorities and puts unprioritised ones at Normal (1000)', async () => {
    const log: string[] = [];
    const chain = createHttpChain([rec('late', undefined, log), rec('first', 5, log), rec('second', 5, log)]);
    await runChain(chain, URL_);
    expect(log.filter((l) => l.endsWith(':req'))).toEqual(['first:req', 'second:req', 'late:req']);
    expect(chain.describe().map((e) => e.priority)).toEqual([5, 5, 1000]);
  });

  it('sends an early answer back through the onResponse of the interceptors before it only', async () => {
    const log: string[] = [];
    const chain = createHttpChain([
      rec('outer', 1, log),
      rec('answers', 2, log, { onRequest: (ctx) => ctx.respond(204, null, { 'x-by': 'answers' }) }),
      rec('inner', 3, log),
    ]);
    const run = await runChain(chain, URL_);
    expect(run.terminalCalls).toBe(0);
    expect(log).toEqual(['outer:req', 'outer:res:204']);
    expect(run.headers.get('x-by')).toBe('answers');
  });

  it('turns a thrown HttpError into its status and a JSON-RPC error body naming the interceptor', async () => {
    const log: string[] = [];
    const chain = createHttpChain([
      rec('outer', 1, log),
      { name: 'gate', priority: 2, onRequest: () => { throw new HttpError(429, -31001, 'Slow down', { reason: 'RATE_LIMITED', retryAfterMs: 1000 }, { 'retry-after': '1' }); } },
    ]);
    const run = await runChain(chain, URL_);
    expect(run.status).toBe(429);
    expect(run.headers.get('retry-after')).toBe('1');
    expect(run.headers.get('content-type')).toBe('application/json');
    expect(run.json()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -31001, message: 'Slow down', data: { reason: 'RATE_LIMITED', retryAfterMs: 1000, interceptor: 'gate' } } });
    expect(log).toEqual(['outer:req', 'outer:res:429']);
  });

  it('turns any other failure into a 500 with a generic body and reports the cause', async () => {
    const reports: Array<{ interceptor: unknown; cause: unknown }> = [];
    const log: string[] = [];
    const chain = createHttpChain(
      [rec('outer', 1, log), { name: 'buggy', priority: 2, onRequest: () => { throw new Error('secret detail'); } }],
      { onError: (error) => void reports.push({ interceptor: error.data.interceptor, cause: (error.cause as Error).message }) },
    );
    const run = await runChain(chain, URL_);
    expect(run.status).toBe(500);
    expect(run.json()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32603, message: 'Internal error', data: { reason: 'INTERNAL', interceptor: 'buggy' } } });
    expect(run.text).not.toContain('secret detail');
    expect(reports).toEqual([{ interceptor: 'buggy', cause: 'secret detail' }]);
    expect(log).toEqual(['outer:req', 'outer:res:500']);
  });

  it('replaces the response with a 500 when an onResponse hook fails, and keeps going outwards', async () => {
    const log: string[] = [];
    const chain = createHttpChain(
      [rec('outer', 1, log), { name: 'broken-after', priority: 2, onResponse: () => { throw new Error('boom'); } }],
      { onError: () => undefined },
    );
    const run = await runChain(chain, URL_);
    expect(run.status).toBe(500);
    expect(run.json()).toMatchObject({ error: { code: -32603, data: { interceptor: 'broken-after' } } });
    expect(log).toEqual(['outer:req', 'outer:res:500']);
  });

  it('reports an endpoint failure as a 500 naming the endpoint', async () => {
    const chain = createHttpChain([], { onError: () => undefined });
    const run = await runChain(chain, URL_, () => {
      throw new Error('endpoint exploded');
    });
    expect(run.status).toBe(500);
    expect(run.json()).toMatchObject({ error: { data: { reason: 'INTERNAL', interceptor: 'endpoint' } } });
    const silent = await runChain(chain, URL_, () => undefined);
    expect(silent.status).toBe(500);
  });

  it('decides shouldExecute once and skips a declined interceptor in both directions', async () => {
    const log: string[] = [];
    let asked = 0;
    const chain = createHttpChain([rec('a', 1, log), rec('skipped', 2, log, { shouldExecute: (ctx) => (asked++, ctx.path !== '/mcp') }), rec('c', 3, log)]);
    await runChain(chain, URL_);
    expect(asked).toBe(1);
    expect(log).toEqual(['a:req', 'c:req', 'c:res:200', 'a:res:200']);
  });

  it('answers 500 when a shouldExecute throws', async () => {
    const chain = createHttpChain([{ name: 'bad-predicate', shouldExecute: () => { throw new Error('x'); }, onRequest: () => undefined }], { onError: () => undefined });
    const run = await runChain(chain, URL_);
    expect(run.status).toBe(500);
    expect(run.terminalCalls).toBe(0);
    expect(run.json()).toMatchObject({ error: { data: { interceptor: 'bad-predicate' } } });
  });

  it('gives each context the chain clock', async () => {
    const clock = createManualClock(1000);
    const chain = createHttpChain([{ name: 'slow', onRequest: () => clock.advance(25) }], { clock });
    const run = await runChain(chain, URL_);
    expect(run.ctx.startTime).toBe(1000);
    expect(run.ctx.elapsed()).toBe(25);
  });

  it('collects the routes interceptors answer themselves', () => {
    const chain = createHttpChain([{ name: 'probe', routes: ['/healthz', '/readyz'] }, { name: 'other' }]);
    expect([...chain.routes]).toEqual(['/healthz', '/readyz']);
  });
});

describe('HttpError', () => {
  it('takes only error statuses', () => {
    expect(() => new HttpError(200, -32000, 'fine', { reason: 'X' })).toThrow(/HttpError: status must be an HTTP error status \(400-599\), got 200/);
  });
});

describe('createHttpChain validation', () => {
  it.each([
    [[{ name: 'Not Kebab' }], TypeError, /kebab-case "name"/],
    [[{ name: 'x', priority: Number.NaN }], RangeError, /priority must be a finite number/],
    [[{ name: 'x', priority: '1' }], RangeError, /priority must be a finite number/],
    [[{ name: 'x', onRequest: 'nope' }], TypeError, /onRequest must be a function/],
    [[{ name: 'x', routes: ['healthz'] }], TypeError, /routes must be an array of paths/],
    [[null], TypeError, /must be an object/],
  ])('rejects %j', (list, type, message) => {
    expect(() => createHttpChain(list as never)).toThrow(type);
    expect(() => createHttpChain(list as never)).toThrow(message);
  });

  it('rejects a non-array and bad options', () => {
    expect(() => createHttpChain({} as never)).toThrow(/interceptors must be an array/);
    expect(() => createHttpChain([], 'x' as never)).toThrow(/createHttpChain: options must be an object/);
    expect(() => createHttpChain([], { maxBodyBytes: 0 })).toThrow(RangeError);
    expect(() => createHttpChain([], { maxBodyBytes: 0 })).toThrow(/createHttpChain.maxBodyBytes/);
  });
});
