import { describe, expect, it } from 'vitest';
import { createChain, type Chain } from '../chain.js';
import { ErrorCode, InterceptorError } from '../errors.js';
import { Priority, type Interceptor } from '../interceptor.js';
import type { JsonObject, JsonRpcResponse } from '../jsonrpc.js';
import { connectPair } from '../test-support/pair.js';
import { createManualClock, runRequest, type ManualClock } from '../testing.js';
import { concurrency, type ConcurrencyInterceptor, type ConcurrencyOptions } from './concurrency.js';

interface Gate {
  readonly promise: Promise<JsonObject>;
  open(): void;
}

function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<JsonObject>((resolve) => {
    open = () => resolve({});
  });
  return { promise, open };
}

interface Harness {
  limiter: ConcurrencyInterceptor;
  chain: Chain;
  clock: ManualClock;
  started: string[];
  /** Calls tool `name`; its handler runs until `until` opens. */
  call(label: string, until?: Gate, name?: string): Promise<JsonRpcResponse>;
}

function harness(options: ConcurrencyOptions = {}, below: Interceptor[] = []): Harness {
  const clock = createManualClock(0);
  const limiter = concurrency({ maxConcurrent: 1, maxQueue: 2, acquireTimeoutMs: 1000, ...options });
  const chain = createChain([limiter, ...below], { clock });
  const started: string[] = [];
  return {
    limiter,
    chain,
    clock,
    started,
    call: async (label, until, name = 'report') => {
      const { response } = await runRequest(chain, 'tools/call', { name, arguments: { label } }, {
        handler: () => {
          started.push(label);
          return until?.promise ?? {};
        },
      });
      return response;
    },
  };
}

/** Lets queued promise work run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const limited = (key: string, queued?: true): unknown => ({
  error: { code: -31003, message: 'Concurrency limit reached', data: { reason: 'CONCURRENCY_LIMITED', interceptor: 'concurrency', key, ...(queued ? { queued } : {}) } },
});

describe('concurrency over a real client and server', () => {
  it('runs maxConcurrent at once, queues maxQueue, refuses the rest with -31003', async () => {
    const limiter = concurrency({ maxConcurrent: 1, maxQueue: 1 });
    const pair = await connectPair({ serverChain: [limiter] });
    try {
      const first = pair.client.callTool({ name: 'slow', arguments: { ms: 80 } });
      const second = pair.client.callTool({ name: 'slow', arguments: { ms: 10 } });
      const third = pair.client.callTool({ name: 'slow', arguments: { ms: 10 } }).catch((e: unknown) => e);
      expect(await third).toMatchObject({ code: ErrorCode.ConcurrencyLimited });
      expect(pair.wire.clientReceived.at(-1)).toMatchObject(limited('slow') as object);
      expect(limiter.state('slow')).toEqual({ active: 1, queued: 1 });
      // Other tools have their own bulkhead.
      await pair.client.callTool({ name: 'echo', arguments: { text: 'other tool' } });
      await Promise.all([first, second]);
      expect(pair.handlerCalls).toEqual(['slow', 'echo:other tool', 'slow']);
      expect(limiter.size).toBe(0);
    } finally {
      await pair.close();
    }
  });

  it('a queued request cancelled by the client leaves the queue and frees no slot it did not hold', async () => {
    const limiter = concurrency({ maxConcurrent: 1, maxQueue: 5 });
    const pair = await connectPair({ serverChain: [limiter] });
    try {
      const holder = new AbortController();
      const first = pair.client.callTool({ name: 'slow', arguments: { ms: 10_000 } }, undefined, { signal: holder.signal }).catch((e: unknown) => e);
      const waiting = new AbortController();
      const second = pair.client.callTool({ name: 'slow', arguments: { ms: 1 } }, undefined, { signal: waiting.signal }).catch((e: unknown) => e);
      await settle();
      expect(limiter.state('slow')).toEqual({ active: 1, queued: 1 });
      waiting.abort(new Error('user gave up'));
      await second;
      await settle();
      expect(limiter.state('slow')).toEqual({ active: 1, queued: 0 });
      // Still one slot in use: a new call waits rather than running beside the first.
      const third = pair.client.callTool({ name: 'slow', arguments: { ms: 1 } });
      await settle();
      expect(limiter.state('slow')).toEqual({ active: 1, queued: 1 });
      expect(pair.handlerCalls).toEqual(['slow']);
      holder.abort(new Error('done holding'));
      await first;
      await third;
      expect(pair.handlerCalls).toEqual(['slow', 'slow']);
      expect(limiter.size).toBe(0);
    } finally {
      await pair.close();
    }
  });
});

describe('concurrency queueing', () => {
  it('grants slots to waiters first come, first served', async () => {
    const h = harness({ maxQueue: 3 });
    const gates = [gate(), gate(), gate(), gate()];
    const calls = gates.map((g, i) => h.call(`c${i}`, g));
    await settle();
    expect(h.started).toEqual(['c0']);
    expect(h.limiter.state('report')).toEqual({ active: 1, queued: 3 });
    for (let i = 0; i < gates.length; i++) {
      gates[i]?.open();
      await settle();
    }
    await Promise.all(calls);
    expect(h.started).toEqual(['c0', 'c1', 'c2', 'c3']);
    expect(h.limiter.size).toBe(0);
  });

  it('refuses a request that waited acquireTimeoutMs, with queued: true', async () => {
    const h = harness();
    const holder = gate();
    const first = h.call('first', holder);
    const second = h.call('second');
    await h.clock.advance(999);
    expect(h.limiter.state('report')).toEqual({ active: 1, queued: 1 });
    await h.clock.advance(1);
    expect(await second).toMatchObject(limited('report', true) as object);
    expect(h.started).toEqual(['first']);
    expect(h.limiter.state('report')).toEqual({ active: 1, queued: 0 });
    holder.open();
    await first;
    expect(h.limiter.size).toBe(0);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('refuses at once when the queue is full, or with maxQueue 0 or acquireTimeoutMs 0', async () => {
    for (const options of [{ maxQueue: 0 }, { acquireTimeoutMs: 0 }]) {
      const h = harness(options);
      const holder = gate();
      const first = h.call('first', holder);
      expect(await h.call('second')).toMatchObject(limited('report') as object);
      holder.open();
      await first;
    }
    const full = harness({ maxQueue: 1 });
    const holder = gate();
    const calls = [full.call('a', holder), full.call('b')];
    expect(await full.call('c')).toMatchObject(limited('report') as object);
    holder.open();
    await Promise.all(calls);
    expect(full.started).toEqual(['a', 'b']);
  });

  it('a waiter whose exchange is aborted leaves with the abort reason', async () => {
    const h = harness();
    const holder = gate();
    const first = h.call('first', holder);
    const closed = new InterceptorError(ErrorCode.ConnectionClosed, 'Connection closed', { reason: 'CONNECTION_CLOSED' });
    const pending = runRequest(h.chain, 'tools/call', { name: 'report' });
    await settle();
    expect(h.limiter.state('report')).toEqual({ active: 1, queued: 1 });
    // runRequest exposes no ctx before it settles; abort through a second request's own context instead.
    const ctxHolder: { abort?: (reason: unknown) => void } = {};
    const spy: Interceptor = { name: 'spy', priority: Priority.Critical, onRequest: (_req, ctx) => void (ctxHolder.abort = (reason) => ctx.abort(reason)) };
    const chain = createChain([spy, h.limiter], { clock: h.clock });
    const third = runRequest(chain, 'tools/call', { name: 'report' });
    await settle();
    expect(h.limiter.state('report')).toEqual({ active: 1, queued: 2 });
    ctxHolder.abort?.(closed);
    expect((await third).response).toMatchObject({ error: { code: ErrorCode.ConnectionClosed, data: { reason: 'CONNECTION_CLOSED' } } });
    expect(h.limiter.state('report')).toEqual({ active: 1, queued: 1 });
    holder.open();
    await first;
    expect((await pending).response).toMatchObject({ result: {} });
    expect(h.limiter.size).toBe(0);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('a request already aborted when it would queue never joins the queue', async () => {
    const h = harness();
    const holder = gate();
    const first = h.call('first', holder);
    const early: Interceptor = { name: 'early', priority: Priority.Critical, onRequest: (_req, ctx) => ctx.abort() };
    const { response } = await runRequest(createChain([early, h.limiter], { clock: h.clock }), 'tools/call', { name: 'report' });
    expect(response).toMatchObject({ error: { code: ErrorCode.Cancelled, data: { reason: 'CANCELLED' } } });
    expect(h.limiter.state('report')).toEqual({ active: 1, queued: 0 });
    holder.open();
    await first;
  });
});

describe('concurrency releases the slot on every path', () => {
  it('when a later interceptor answers, refuses, or crashes, and when the handler fails', async () => {
    const answer: Interceptor = { name: 'answer', onRequest: (req) => (req.params?.['name'] === 'cached' ? { jsonrpc: '2.0', id: req.id, result: { cached: true } } : undefined) };
    const refuse: Interceptor = {
      name: 'refuse',
      onRequest: (req) => {
        if (req.params?.['name'] === 'denied') throw new InterceptorError(ErrorCode.AccessDenied, 'Access denied', { reason: 'ACCESS_DENIED' });
      },
    };
    const crash: Interceptor = {
      name: 'crash',
      onRequest: (req) => {
        if (req.params?.['name'] === 'crash') throw new Error('bug');
      },
    };
    const h = harness({ key: () => 'all', maxQueue: 0 }, [answer, refuse, crash]);
    expect(await h.call('x', undefined, 'cached')).toMatchObject({ result: { cached: true } });
    expect(await h.call('x', undefined, 'denied')).toMatchObject({ error: { code: ErrorCode.AccessDenied } });
    expect(await h.call('x', undefined, 'crash')).toMatchObject({ error: { code: ErrorCode.InternalError } });
    const failing = await runRequest(h.chain, 'tools/call', { name: 'boom' }, { handler: () => Promise.reject(new Error('handler failed')) });
    expect(failing.response).toMatchObject({ error: { code: ErrorCode.InternalError } });
    expect(h.limiter.size).toBe(0);
    // With maxQueue 0, any leaked slot would refuse this call.
    expect(await h.call('last')).toMatchObject({ result: {} });
  });

  it('when the running exchange is abandoned while its handler never answers', async () => {
    const limiter = concurrency({ maxConcurrent: 1, maxQueue: 0 });
    const pair = await connectPair({
      serverChain: [limiter],
      setup: (server) => server.registerTool('hang', {}, () => new Promise(() => undefined)),
    });
    try {
      const cancel = new AbortController();
      const hung = pair.client.callTool({ name: 'hang', arguments: {} }, undefined, { signal: cancel.signal }).catch((e: unknown) => e);
      await settle();
      expect(limiter.state('hang')).toEqual({ active: 1, queued: 0 });
      cancel.abort(new Error('gave up'));
      await hung;
      await settle();
      // The handler is still stuck, but the exchange is over: its slot is free.
      expect(limiter.size).toBe(0);
    } finally {
      await pair.close();
    }
  });
});

describe('concurrency bookkeeping', () => {
  it('counts only bulkheads in use, and keys reused after going idle (past the idle cap) still enforce their limit', async () => {
    const h = harness({ maxQueue: 1 });
    // 300 keys busy at once, then all idle: more than the 256 idle keys kept, so the idle ones are forgotten.
    const gates = Array.from({ length: 300 }, () => gate());
    const calls = gates.map((g, i) => h.call(`k${i}`, g, `tool-${i}`));
    await settle();
    expect(h.limiter.size).toBe(300);
    for (const g of gates) g.open();
    await Promise.all(calls);
    expect(h.limiter.size).toBe(0);
    for (const key of ['tool-0', 'tool-299']) {
      const held = gate();
      const first = h.call(`${key}-a`, held, key);
      const second = h.call(`${key}-b`, undefined, key);
      const third = h.call(`${key}-c`, undefined, key);
      await settle();
      expect(h.limiter.state(key)).toEqual({ active: 1, queued: 1 });
      expect(h.limiter.size).toBe(1);
      expect(await third).toEqual({ jsonrpc: '2.0', id: 1, ...(limited(key) as object) });
      held.open();
      await Promise.all([first, second]);
      expect(h.limiter.state(key)).toEqual({ active: 0, queued: 0 });
      expect(h.limiter.size).toBe(0);
    }
  });
});

describe('concurrency keys and options', () => {
  it('keys by tool, by method otherwise, or by a key function (undefined: unlimited)', async () => {
    const h = harness({ maxQueue: 0 });
    const holder = gate();
    const first = h.call('a', holder, 'report');
    expect(await h.call('b', undefined, 'other')).toMatchObject({ result: {} });
    expect((await runRequest(h.chain, 'resources/list')).response).toMatchObject({ result: {} });
    expect(await h.call('c', undefined, 'report')).toMatchObject(limited('report') as object);
    holder.open();
    await first;

    const tenants = harness({ maxQueue: 0, key: (_ctx, req) => (req.params?.['name'] === 'free' ? undefined : 'tenant-1') });
    const held = gate();
    const running = tenants.call('a', held, 'x');
    expect(await tenants.call('b', undefined, 'y')).toMatchObject(limited('tenant-1') as object);
    expect(await tenants.call('c', undefined, 'free')).toMatchObject({ result: {} });
    held.open();
    await running;
  });

  it('per-key overrides', async () => {
    const h = harness({ maxQueue: 0, overrides: { wide: { maxConcurrent: 3 } } });
    const g = gate();
    const calls = [1, 2, 3].map((i) => h.call(`w${i}`, g, 'wide'));
    await settle();
    expect(h.limiter.state('wide')).toEqual({ active: 3, queued: 0 });
    expect(await h.call('w4', undefined, 'wide')).toMatchObject(limited('wide') as object);
    g.open();
    await Promise.all(calls);
  });

  it('limits only `methods` when given, never exempt ones', async () => {
    const h = harness({ maxQueue: 0, methods: ['resources/read'] });
    const g = gate();
    const calls = [h.call('a', g), h.call('b', g)];
    await settle();
    expect(h.started).toEqual(['a', 'b']);
    g.open();
    await Promise.all(calls);
    const pings = harness({ maxQueue: 0, key: () => 'all' });
    const never = gate();
    const busy = pings.call('a', never);
    expect((await runRequest(pings.chain, 'ping')).response).toMatchObject({ result: {} });
    never.open();
    await busy;
  });

  it('limits only the listed directions', async () => {
    const h = harness({ maxQueue: 0, directions: ['outbound'] });
    const g = gate();
    const inbound = [h.call('a', g), h.call('b', g)];
    await settle();
    expect(h.started).toEqual(['a', 'b']);
    const outbound = runRequest(h.chain, 'tools/call', { name: 'report' }, { direction: 'outbound', side: 'client', handler: () => g.promise });
    await settle();
    expect((await runRequest(h.chain, 'tools/call', { name: 'report' }, { direction: 'outbound', side: 'client' })).response).toMatchObject(limited('report') as object);
    g.open();
    await Promise.all([...inbound, outbound]);
  });

  it('defaults and priority', () => {
    const limiter = concurrency();
    expect(limiter.name).toBe('concurrency');
    expect(limiter.priority).toBe(Priority.High);
    expect(concurrency({ priority: Priority.Low }).priority).toBe(Priority.Low);
  });

  const cases: Array<[string, unknown, Error]> = [
    ['options', 3, new TypeError('concurrency: options must be an object, got 3')],
    ['maxConcurrent', { maxConcurrent: 0 }, new RangeError('concurrency.maxConcurrent must be a positive integer, got 0')],
    ['maxQueue', { maxQueue: -1 }, new RangeError('concurrency.maxQueue must be a non-negative integer, got -1')],
    ['acquireTimeoutMs', { acquireTimeoutMs: 0.5 }, new RangeError('concurrency.acquireTimeoutMs must be a non-negative integer, got 0.5')],
    ['acquireTimeoutMs above a timer', { acquireTimeoutMs: 2 ** 31 }, new RangeError('concurrency.acquireTimeoutMs must be at most 2147483647 ms (what a timer can hold), got 2147483648')],
    ['key', { key: 'tenant' }, new TypeError('concurrency.key must be a function, got "tenant"')],
    ['overrides', { overrides: 'x' }, new TypeError('concurrency.overrides must be an object, got "x"')],
    ['an override', { overrides: { a: null } }, new TypeError('concurrency.overrides["a"] must be an object')],
    ['an override value', { overrides: { a: { maxConcurrent: 0 } } }, new RangeError('concurrency.overrides["a"].maxConcurrent must be a positive integer, got 0')],
    ['an override queue', { overrides: { a: { maxQueue: 'x' } } }, new RangeError('concurrency.overrides["a"].maxQueue must be a non-negative integer, got "x"')],
    ['methods', { methods: [1] }, new TypeError('concurrency.methods must be an array of strings, got an array')],
    ['exempt', { exempt: 'ping' }, new TypeError('concurrency.exempt must be an array of strings, got "ping"')],
    ['directions', { directions: 'inbound' }, new TypeError('concurrency.directions must be an array of strings, got "inbound"')],
    ['clock', { clock: {} }, new TypeError('concurrency.clock must be a Clock (with now, setTimeout and clearTimeout)')],
    ['priority', { priority: 1.5 }, new RangeError('concurrency.priority must be a Priority (Critical=0 … Lowest=4), got 1.5')],
  ];
  it.each(cases)('rejects a bad option: %s', (_what, options, error) => {
    expect(() => concurrency(options as ConcurrencyOptions)).toThrow(error);
  });
});
