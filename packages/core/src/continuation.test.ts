import { describe, expect, it } from 'vitest';
import { createChain } from './chain.js';
import { createCancellation, type Cancellation } from './cancellation.js';
import { continuationAround } from './continuation.js';
import { ErrorCode, InterceptorError } from './errors.js';
import { Priority, type Interceptor } from './interceptor.js';
import type { JsonObject, JsonRpcResponse } from './jsonrpc.js';
import { runRequest } from './testing.js';
import { testContext } from './test-support/context.js';

const step = (name: string, log: string[], priority: Priority): Interceptor => ({
  name,
  priority,
  onRequest: () => void log.push(`${name}>`),
  onResponse: () => void log.push(`<${name}`),
});

describe('continuationAround in a chain', () => {
  it('wraps what lies below: onRequest, then the body, then the steps below, the body again, and onResponse', async () => {
    const log: string[] = [];
    const wrapper: Interceptor = {
      name: 'wrapper',
      priority: Priority.High,
      onRequest: () => void log.push('wrapper>'),
      around: continuationAround((_request, _ctx, downstream) => {
        log.push('around>');
        downstream.next(undefined, (response) => {
          log.push('<around');
          downstream.respond({ ...response, result: { ...(response as { result: object }).result, wrapped: true } });
        });
      }),
      onResponse: () => void log.push('<wrapper'),
    };
    const chain = createChain([step('outer', log, Priority.Critical), wrapper, step('inner', log, Priority.Low)]);
    const { response, handled } = await runRequest(chain, 'tools/list', undefined, { id: 4, handler: () => (log.push('handler'), { tools: [] }) });
    expect(log).toEqual(['outer>', 'wrapper>', 'around>', 'inner>', 'handler', '<inner', '<around', '<wrapper', '<outer']);
    expect(response).toEqual({ jsonrpc: '2.0', id: 4, result: { tools: [], wrapped: true } });
    expect(handled).toHaveLength(1);
  });

  it('answers without going below; only the interceptors above see the answer, and a second answer is ignored', async () => {
    const log: string[] = [];
    const gate: Interceptor = {
      name: 'gate',
      priority: Priority.Normal,
      around: continuationAround((request, _ctx, downstream) => {
        downstream.respond({ jsonrpc: '2.0', id: request.id, result: { gated: true } });
        downstream.respond({ jsonrpc: '2.0', id: request.id, result: { gated: 'twice' } });
        downstream.fail(new Error('late'));
      }),
    };
    const chain = createChain([step('outer', log, Priority.Critical), gate, step('inner', log, Priority.Low)]);
    const { response, handled } = await runRequest(chain, 'ping', undefined, { id: 9 });
    expect(response).toEqual({ jsonrpc: '2.0', id: 9, result: { gated: true } });
    expect(handled).toHaveLength(0);
    expect(log).toEqual(['outer>', '<outer']);
  });

  it('fail(InterceptorError) answers with that error; a thrown body answers -32603 naming the interceptor', async () => {
    const refusing = createChain([
      {
        name: 'refuse',
        around: continuationAround((_request, _ctx, downstream) => downstream.fail(new InterceptorError(ErrorCode.RateLimited, 'Slow down', { reason: 'RATE_LIMITED' }))),
      },
    ]);
    const refused = await runRequest(refusing, 'ping', undefined, { id: 1 });
    expect(refused.response).toEqual({ jsonrpc: '2.0', id: 1, error: { code: ErrorCode.RateLimited, message: 'Slow down', data: { reason: 'RATE_LIMITED', interceptor: 'refuse' } } });

    const crashing = createChain([
      {
        name: 'crash',
        around: continuationAround(() => {
          throw new Error('boom');
        }),
      },
    ]);
    const crashed = await runRequest(crashing, 'ping', undefined, { id: 2 });
    expect(crashed.handled).toHaveLength(0);
    expect('error' in crashed.response && crashed.response.error).toMatchObject({ code: ErrorCode.InternalError, data: { interceptor: 'crash' } });
  });

  it('a body whose response callback throws still answers the exchange (-32603), never leaving it hanging', async () => {
    const chain = createChain([
      {
        name: 'fragile',
        around: continuationAround((_request, _ctx, downstream) => {
          downstream.next(undefined, () => {
            throw new Error('bad callback');
          });
        }),
      },
    ]);
    const { response, handled } = await runRequest(chain, 'ping', undefined, { id: 3 });
    expect(handled).toHaveLength(1);
    expect('error' in response && response.error).toMatchObject({ code: ErrorCode.InternalError, data: { interceptor: 'fragile' } });
  });

  it('with replays: true every next() sends the request as the around received it, with the same id', async () => {
    const chain = createChain([
      {
        name: 'twice',
        priority: Priority.High,
        around: continuationAround(
          (_request, _ctx, downstream) => {
            downstream.next(undefined, () => downstream.next(undefined, downstream.respond));
          },
          { replays: true },
        ),
      },
      {
        name: 'mutator',
        priority: Priority.Low,
        onRequest: (request) => {
          const params = request.params as { n: number };
          params.n += 1;
        },
      },
    ]);
    const { handled, response } = await runRequest(chain, 'tools/call', { n: 1 }, { id: 'r1' });
    expect(handled.map((r) => [r.id, r.params])).toEqual([
      ['r1', { n: 2 }],
      ['r1', { n: 2 }],
    ]);
    expect(response).toMatchObject({ id: 'r1', result: {} });
  });
});

describe('Downstream.pass', () => {
  it('runs what lies below and answers with its response, after the observer has seen it', async () => {
    const log: string[] = [];
    const watcher: Interceptor = {
      name: 'watcher',
      priority: Priority.High,
      around: continuationAround((_request, _ctx, downstream) => {
        log.push('around>');
        downstream.pass(undefined, (response) => void log.push(`saw ${JSON.stringify('result' in response ? response.result : response.error)}`));
      }),
    };
    const chain = createChain([step('outer', log, Priority.Critical), watcher, step('inner', log, Priority.Low)]);
    const { response, handled } = await runRequest(chain, 'tools/list', undefined, { id: 5, handler: () => (log.push('handler'), { tools: [] }) });
    expect(log).toEqual(['outer>', 'around>', 'inner>', 'handler', '<inner', 'saw {"tools":[]}', '<outer']);
    expect(response).toEqual({ jsonrpc: '2.0', id: 5, result: { tools: [] } });
    expect(handled).toHaveLength(1);
  });

  it('without an observer it only passes through, and its options reach the steps below', async () => {
    const cancel = createCancellation();
    let below: Cancellation | undefined;
    const chain = createChain([
      { name: 'outer', priority: Priority.High, around: continuationAround((_request, _ctx, downstream) => downstream.pass({ cancel })) },
      {
        name: 'inner',
        priority: Priority.Low,
        around: continuationAround((_request, _ctx, downstream, upstream) => {
          below = upstream;
          downstream.pass();
        }),
      },
    ]);
    const { response, handled } = await runRequest(chain, 'tools/list', undefined, { id: 6, handler: () => ({ tools: [] }) });
    expect(response).toEqual({ jsonrpc: '2.0', id: 6, result: { tools: [] } });
    expect(handled).toHaveLength(1);
    expect(below?.aborted).toBe(false);
    cancel.cancel(new Error('stop'));
    expect(below?.aborted).toBe(true);
  });

  it('a next() callback that passes again answers with the second response, whether the layer below is async or not', async () => {
    for (const handler of [async (n: number) => ({ n }), (n: number) => ({ n })]) {
      let calls = 0;
      const chain = createChain([
        {
          name: 'again',
          around: continuationAround(
            (_request, _ctx, downstream) => {
              downstream.next(undefined, (first) => {
                if ('result' in first && first.result['n'] === 1) downstream.pass();
                else downstream.respond(first);
              });
            },
            { replays: true },
          ),
        },
      ]);
      const { response } = await runRequest(chain, 'tools/call', { name: 'count' }, { id: 10, handler: () => handler(++calls) });
      expect(calls).toBe(2);
      expect(response).toEqual({ jsonrpc: '2.0', id: 10, result: { n: 2 } });
    }
  });

  it('an observer that throws turns the answer into -32603 naming the interceptor', async () => {
    const chain = createChain([
      {
        name: 'clumsy',
        around: continuationAround((_request, _ctx, downstream) => {
          downstream.pass(undefined, () => {
            throw new Error('cleanup failed');
          });
        }),
      },
    ]);
    const { response, handled } = await runRequest(chain, 'ping', undefined, { id: 7 });
    expect(handled).toHaveLength(1);
    expect('error' in response && response.error).toMatchObject({ code: ErrorCode.InternalError, data: { interceptor: 'clumsy' } });
  });

  it('a response that comes after the body answered is seen by the observer and dropped', async () => {
    let release: (() => void) | undefined;
    const seen: unknown[] = [];
    const chain = createChain([
      {
        name: 'impatient',
        around: continuationAround((request, _ctx, downstream) => {
          downstream.pass(undefined, (response) => void seen.push('result' in response ? response.result : response.error));
          // Answers first, detached, as a timer callback would.
          const respond = downstream.respond;
          respond({ jsonrpc: '2.0', id: request.id, result: { early: true } });
        }),
      },
    ]);
    const run = runRequest(chain, 'ping', undefined, { id: 8, handler: () => new Promise<JsonObject>((resolve) => (release = () => resolve({ late: true }))) });
    const { response } = await run;
    expect(response).toEqual({ jsonrpc: '2.0', id: 8, result: { early: true } });
    release?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([{ late: true }]);
  });
});

describe('continuationAround called as a plain around', () => {
  it('runs the same body behind a promise: next() goes below, respond() resolves, fail() rejects', async () => {
    const body = continuationAround((request, _ctx, downstream) => {
      if (request.method === 'ping') downstream.fail(new InterceptorError(ErrorCode.Timeout, 'late', { reason: 'TIMEOUT' }));
      else downstream.next(undefined, (response) => downstream.respond({ ...response, id: 'seen' }));
    });
    const ctx = testContext();
    const below: JsonRpcResponse = { jsonrpc: '2.0', id: 1, result: { ok: true } };
    const calls: unknown[] = [];
    const next = (request?: unknown, options?: unknown): Promise<JsonRpcResponse> => {
      calls.push([request, options]);
      return Promise.resolve(below);
    };
    await expect(body({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, ctx, next)).resolves.toEqual({ jsonrpc: '2.0', id: 'seen', result: { ok: true } });
    expect(calls).toEqual([[undefined, undefined]]);
    await expect(body({ jsonrpc: '2.0', id: 2, method: 'ping' }, ctx, next)).rejects.toMatchObject({ code: ErrorCode.Timeout, data: { reason: 'TIMEOUT' } });
  });

  it('pass() goes below and resolves with the response once the observer has seen it; fail detached rejects', async () => {
    const seen: unknown[] = [];
    const body = continuationAround((request, _ctx, downstream) => {
      if (request.method === 'ping') Promise.reject(new InterceptorError(ErrorCode.Timeout, 'late', { reason: 'TIMEOUT' })).catch(downstream.fail);
      else downstream.pass(undefined, (response) => void seen.push(response.id));
    });
    const below: JsonRpcResponse = { jsonrpc: '2.0', id: 3, result: { ok: true } };
    const next = (): Promise<JsonRpcResponse> => Promise.resolve(below);
    await expect(body({ jsonrpc: '2.0', id: 3, method: 'tools/list' }, testContext(), next)).resolves.toBe(below);
    expect(seen).toEqual([3]);
    await expect(body({ jsonrpc: '2.0', id: 4, method: 'ping' }, testContext(), next)).rejects.toMatchObject({ code: ErrorCode.Timeout });
  });

  it('rejects a body that is not a function', () => {
    expect(() => continuationAround(42 as never)).toThrow('continuationAround: body must be a function');
  });
});
