import { describe, expect, it } from 'vitest';
import { createChain, type Chain } from '../chain.js';
import { ErrorCode, InterceptorError } from '../errors.js';
import { Priority } from '../interceptor.js';
import type { JsonObject, JsonRpcResponse } from '../jsonrpc.js';
import { MemoryBreakerStore, type BreakerStore } from '../stores/breaker-store.js';
import { connectPair } from '../test-support/pair.js';
import { createManualClock, runRequest, type ManualClock } from '../testing.js';
import { circuitBreaker, type CircuitBreakerOptions, type CircuitStateChange } from './circuit-breaker.js';
import { rateLimit } from './rate-limit.js';
import { retry } from './retry.js';

type Outcome = 'ok' | 'fail' | JsonObject | (() => Promise<JsonObject>);

interface Harness {
  chain: Chain;
  clock: ManualClock;
  changes: Array<Omit<CircuitStateChange, 'at'> & { at: number }>;
  store: MemoryBreakerStore;
  /** Calls tool `name`; the handler fails (throws: -32603), succeeds, or answers with what `outcome` gives. */
  call(outcome: Outcome, name?: string): Promise<JsonRpcResponse>;
  handled: string[];
}

function harness(options: CircuitBreakerOptions = {}): Harness {
  const clock = createManualClock(0);
  const changes: Harness['changes'] = [];
  const store = new MemoryBreakerStore();
  const chain = createChain([circuitBreaker({ failureThreshold: 3, windowMs: 1000, openMs: 5000, probeTimeoutMs: 2000, store, onStateChange: (c) => changes.push(c), ...options })], { clock });
  const handled: string[] = [];
  return {
    chain,
    clock,
    changes,
    store,
    handled,
    call: async (outcome, name = 'search') => {
      const { response } = await runRequest(chain, 'tools/call', { name, arguments: {} }, {
        handler: async () => {
          handled.push(name);
          if (outcome === 'fail') throw new Error('upstream exploded');
          if (outcome === 'ok') return {};
          return typeof outcome === 'function' ? outcome() : outcome;
        },
      });
      return response;
    },
  };
}

const circuitOpen = (retryAfterMs: number, key = 'search'): unknown => ({
  error: { code: -31002, message: 'Circuit open', data: { reason: 'CIRCUIT_OPEN', interceptor: 'circuit-breaker', retryAfterMs, key } },
});

function deferred(): { promise: Promise<JsonObject>; resolve: (value: JsonObject) => void; reject: (error: Error) => void } {
  let resolve!: (value: JsonObject) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<JsonObject>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('circuitBreaker: closed → open', () => {
  it('opens at failureThreshold failures within windowMs and refuses at once, without calling the handler', async () => {
    const h = harness();
    for (let i = 0; i < 3; i++) {
      expect(await h.call('fail')).toMatchObject({ error: { code: ErrorCode.InternalError } });
      await h.clock.advance(100);
    }
    expect(h.changes).toEqual([{ key: 'search', from: 'closed', to: 'open', at: 200 }]);
    expect(await h.call('ok')).toEqual({ jsonrpc: '2.0', id: 1, ...(circuitOpen(4900) as object) });
    expect(h.handled).toHaveLength(3);
    expect(h.store.get('search', h.clock.now())).toEqual({ state: 'open', failures: 0, until: 5200 });
  });

  it('counts failures in a sliding window: old ones fall out', async () => {
    const h = harness();
    await h.call('fail');
    await h.clock.advance(600);
    await h.call('fail');
    await h.clock.advance(600);
    // t=1200: the failure at 0 is out of the window, so 2 within it.
    await h.call('fail');
    expect(h.changes).toEqual([]);
    expect(h.store.get('search', h.clock.now())).toMatchObject({ state: 'closed', failures: 2 });
    await h.clock.advance(100);
    await h.call('fail');
    expect(h.changes).toEqual([{ key: 'search', from: 'closed', to: 'open', at: 1300 }]);
  });

  it('does not forget failures on a success (they are not "consecutive" failures)', async () => {
    const h = harness();
    for (const outcome of ['fail', 'ok', 'fail', 'ok', 'fail'] as const) await h.call(outcome);
    expect(h.changes.map((c) => c.to)).toEqual(['open']);
  });

  it('keeps a circuit per tool, and per method for other requests', async () => {
    const h = harness();
    for (let i = 0; i < 3; i++) await h.call('fail', 'search');
    expect(await h.call('ok', 'fetch')).toMatchObject({ result: {} });
    const { response } = await runRequest(h.chain, 'resources/list');
    expect(response).toMatchObject({ result: {} });
    expect(await h.call('ok', 'search')).toMatchObject({ error: { code: -31002 } });
  });
});

describe('circuitBreaker: open → half-open → closed / open', () => {
  async function opened(options: CircuitBreakerOptions = {}): Promise<Harness> {
    const h = harness(options);
    for (let i = 0; i < 3; i++) await h.call('fail');
    await h.clock.advance(5000);
    return h;
  }

  it('lets the first request after openMs through as the probe; its success closes the circuit', async () => {
    const h = await opened();
    expect(await h.call('ok')).toMatchObject({ result: {} });
    expect(h.changes.map(({ from, to, at }) => [from, to, at])).toEqual([
      ['closed', 'open', 0],
      ['open', 'half-open', 5000],
      ['half-open', 'closed', 5000],
    ]);
    expect(await h.call('ok')).toMatchObject({ result: {} });
    expect(h.store.size).toBe(1);
    expect(h.store.get('search', h.clock.now())).toEqual({ state: 'closed', failures: 0, until: undefined });
  });

  it('a failing probe opens the circuit again for another openMs', async () => {
    const h = await opened();
    await h.call('fail');
    expect(h.changes.map((c) => c.to)).toEqual(['open', 'half-open', 'open']);
    expect(await h.call('ok')).toMatchObject(circuitOpen(5000) as object);
    await h.clock.advance(5000);
    expect(await h.call('ok')).toMatchObject({ result: {} });
    expect(h.changes.map((c) => c.to)).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });

  it('lets exactly one probe out: others are refused until it returns', async () => {
    const h = await opened();
    const slow = deferred();
    const probe = h.call(() => slow.promise);
    await h.clock.advance(500);
    expect(await h.call('ok')).toMatchObject(circuitOpen(1500) as object);
    expect(await h.call('ok')).toMatchObject(circuitOpen(1500) as object);
    expect(h.handled).toHaveLength(4);
    slow.resolve({});
    expect(await probe).toMatchObject({ result: {} });
    expect(await h.call('ok')).toMatchObject({ result: {} });
    expect(h.changes.map((c) => c.to)).toEqual(['open', 'half-open', 'closed']);
  });

  it('releases a probe that never returns after probeTimeoutMs; its late answer is ignored', async () => {
    const h = await opened();
    const stuck = deferred();
    const first = h.call(() => stuck.promise);
    await h.clock.advance(1999);
    expect(await h.call('ok')).toMatchObject(circuitOpen(1) as object);
    await h.clock.advance(1);
    // The lease ran out: this request is the new probe, and it fails.
    const second = deferred();
    const replacement = h.call(() => second.promise);
    await h.clock.advance(10);
    // The first probe's success now comes too late to close the circuit.
    stuck.resolve({});
    await first;
    expect(h.changes.map((c) => c.to)).toEqual(['open', 'half-open']);
    second.reject(new Error('still broken'));
    expect(await replacement).toMatchObject({ error: { code: ErrorCode.InternalError } });
    expect(h.changes.map((c) => c.to)).toEqual(['open', 'half-open', 'open']);
  });

  it('a probe that ends without a verdict (cancelled, refused below) frees the slot and leaves the circuit half-open', async () => {
    const h = await opened();
    const cancelled = new InterceptorError(ErrorCode.Cancelled, 'Request cancelled by the peer', { reason: 'CANCELLED' });
    expect(await h.call(() => Promise.reject(cancelled))).toMatchObject({ error: { code: ErrorCode.Cancelled } });
    expect(h.store.get('search', h.clock.now())).toEqual({ state: 'half-open', failures: 0, until: undefined });
    expect(await h.call('ok')).toMatchObject({ result: {} });
    expect(h.changes.map((c) => c.to)).toEqual(['open', 'half-open', 'closed']);
  });

  it('ignores answers to requests admitted before the circuit opened', async () => {
    const h = harness();
    const late = deferred();
    const old = h.call(() => late.promise);
    for (let i = 0; i < 3; i++) await h.call('fail');
    await h.clock.advance(5000);
    const probe = deferred();
    const probing = h.call(() => probe.promise);
    late.reject(new Error('old failure'));
    await old;
    expect(h.store.get('search', h.clock.now())).toMatchObject({ state: 'half-open' });
    probe.resolve({});
    await probing;
    expect(h.changes.map((c) => c.to)).toEqual(['open', 'half-open', 'closed']);
  });
});

describe('circuitBreaker: what counts as a failure', () => {
  it('never counts its own refusals, nor refusals by other interceptors', async () => {
    const clock = createManualClock(0);
    const changes: string[] = [];
    const chain = createChain([circuitBreaker({ failureThreshold: 1, onStateChange: (c) => changes.push(c.to) }), rateLimit({ scope: 'global', rate: 1, burst: 1, methods: ['tools/list'] })], { clock });
    await runRequest(chain, 'tools/list');
    for (let i = 0; i < 5; i++) expect((await runRequest(chain, 'tools/list')).response).toMatchObject({ error: { code: ErrorCode.RateLimited } });
    // A -31002 from further down (another breaker, or the far side's) is not a failure either.
    const downstream = new InterceptorError(ErrorCode.CircuitOpen, 'Circuit open', { reason: 'CIRCUIT_OPEN', retryAfterMs: 10 });
    const { response } = await runRequest(chain, 'resources/list', undefined, { handler: () => Promise.reject(downstream) });
    expect(response).toMatchObject({ error: { code: -31002 } });
    expect(changes).toEqual([]);
  });

  it('counts timeouts (-31004) from below, and connection losses on outbound requests', async () => {
    const clock = createManualClock(0);
    const changes: string[] = [];
    const chain = createChain([circuitBreaker({ failureThreshold: 2, onStateChange: (c) => changes.push(`${c.key}:${c.to}`) })], { clock });
    const timeout = new InterceptorError(ErrorCode.Timeout, 'Request timed out', { reason: 'TIMEOUT', interceptor: 'timeout' });
    const closed = new InterceptorError(ErrorCode.ConnectionClosed, 'Connection closed', { reason: 'CONNECTION_CLOSED' });
    await runRequest(chain, 'resources/read', { uri: 'a' }, { handler: () => Promise.reject(timeout) });
    await runRequest(chain, 'resources/read', { uri: 'a' }, { direction: 'outbound', side: 'client', handler: () => Promise.reject(closed) });
    expect(changes).toEqual(['resources/read:open']);
  });

  it('does not count a closed connection under an inbound request (the caller left, the handler did not fail)', async () => {
    const clock = createManualClock(0);
    const changes: string[] = [];
    const chain = createChain([circuitBreaker({ failureThreshold: 1, onStateChange: (c) => changes.push(c.to) })], { clock });
    const closed = new InterceptorError(ErrorCode.ConnectionClosed, 'Connection closed', { reason: 'CONNECTION_CLOSED' });
    await runRequest(chain, 'resources/read', { uri: 'a' }, { handler: () => Promise.reject(closed) });
    expect(changes).toEqual([]);
  });

  it('counts other codes as success unless listed in failureCodes', async () => {
    const invalid = new InterceptorError(ErrorCode.InvalidParams, 'Invalid params', { reason: 'INVALID_PARAMS' });
    const byDefault = harness({ failureThreshold: 1 });
    await byDefault.call(() => Promise.reject(invalid));
    expect(byDefault.changes).toEqual([]);
    const strict = harness({ failureThreshold: 1, failureCodes: [ErrorCode.InvalidParams] });
    await strict.call(() => Promise.reject(invalid));
    expect(strict.changes.map((c) => c.to)).toEqual(['open']);
  });

  it('counts tool results with isError: true only with countToolErrors', async () => {
    const toolError = { content: [{ type: 'text', text: 'boom' }], isError: true };
    const lenient = harness({ failureThreshold: 1 });
    await lenient.call(toolError);
    expect(lenient.changes).toEqual([]);
    const strict = harness({ failureThreshold: 1, countToolErrors: true });
    await strict.call(toolError);
    expect(strict.changes.map((c) => c.to)).toEqual(['open']);
  });
});

describe('circuitBreaker over a real client and server', () => {
  it('one probe among concurrent calls; the others get -31002 until it succeeds', async () => {
    const clock = createManualClock(0);
    const changes: string[] = [];
    const breaker = circuitBreaker({ key: () => 'upstream', failureThreshold: 2, openMs: 1000, probeTimeoutMs: 60_000, countToolErrors: true, onStateChange: (c) => changes.push(`${c.from}→${c.to}`) });
    const pair = await connectPair({ serverChain: createChain([breaker], { clock }) });
    try {
      // The SDK turns a throwing tool into an isError result: countToolErrors makes those failures.
      await pair.client.callTool({ name: 'fail', arguments: {} });
      await pair.client.callTool({ name: 'fail', arguments: {} });
      expect(changes).toEqual(['closed→open']);
      await expect(pair.client.callTool({ name: 'echo', arguments: { text: 'refused' } })).rejects.toMatchObject({ code: -31002 });
      expect(pair.wire.clientReceived.at(-1)).toMatchObject(circuitOpen(1000, 'upstream') as object);

      await clock.advance(1000);
      const probe = pair.client.callTool({ name: 'slow', arguments: { ms: 50 } });
      const others = await Promise.allSettled([1, 2, 3].map((i) => pair.client.callTool({ name: 'echo', arguments: { text: `during-${i}` } })));
      expect(others.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
      expect(others.map((o) => (o as PromiseRejectedResult).reason)).toEqual([1, 2, 3].map(() => expect.objectContaining({ code: -31002 })));
      expect(await probe).toMatchObject({ content: [{ type: 'text', text: 'done' }] });
      expect(changes).toEqual(['closed→open', 'open→half-open', 'half-open→closed']);

      await pair.client.callTool({ name: 'echo', arguments: { text: 'after' } });
      expect(pair.handlerCalls).toEqual(['fail', 'fail', 'slow', 'echo:after']);
      // initialize and ping are never guarded.
      await expect(pair.client.ping()).resolves.toEqual({});
    } finally {
      await pair.close();
    }
  });

  it('does not count tool errors by default', async () => {
    const changes: string[] = [];
    const pair = await connectPair({ serverChain: [circuitBreaker({ failureThreshold: 1, onStateChange: (c) => changes.push(c.to) })] });
    try {
      await pair.client.callTool({ name: 'fail', arguments: {} });
      await pair.client.callTool({ name: 'fail', arguments: {} });
      expect(changes).toEqual([]);
      expect(pair.handlerCalls).toEqual(['fail', 'fail']);
    } finally {
      await pair.close();
    }
  });
});

describe('circuitBreaker options and stores', () => {
  it('exempt methods and tools, and a key function returning undefined, are never guarded', async () => {
    const h = harness({ failureThreshold: 1, exempt: ['tools/call'] });
    await h.call('fail');
    await h.call('fail');
    expect(h.changes).toEqual([]);
    const tools = harness({ failureThreshold: 1, exemptTools: ['search'] });
    await tools.call('fail', 'search');
    await tools.call('fail', 'search');
    expect(tools.changes).toEqual([]);
    await tools.call('fail', 'fetch');
    expect(tools.changes.map((c) => `${c.key}:${c.to}`)).toEqual(['fetch:open']);
    const keyed = harness({ failureThreshold: 1, key: (_ctx, req) => (req.params?.['name'] === 'search' ? undefined : 'rest') });
    await keyed.call('fail', 'search');
    expect(keyed.changes).toEqual([]);
  });

  it('guards both directions by default, only the listed ones with directions', async () => {
    const fail = { direction: 'outbound' as const, side: 'client' as const, handler: () => Promise.reject(new Error('server down')) };
    const both = createChain([circuitBreaker({ failureThreshold: 1 })], { clock: createManualClock(0) });
    await runRequest(both, 'tools/list', undefined, fail);
    expect((await runRequest(both, 'tools/list', undefined, fail)).response).toMatchObject({ error: { code: -31002 } });
    const inboundOnly = createChain([circuitBreaker({ failureThreshold: 1, directions: ['inbound'] })], { clock: createManualClock(0) });
    await runRequest(inboundOnly, 'tools/list', undefined, fail);
    expect((await runRequest(inboundOnly, 'tools/list', undefined, fail)).response).toMatchObject({ error: { code: ErrorCode.InternalError } });
  });

  it('counts each attempt of a retry registered before it', async () => {
    const clock = createManualClock(0);
    const changes: string[] = [];
    const chain = createChain([retry({ maxAttempts: 3, random: () => 0 }), circuitBreaker({ failureThreshold: 3, onStateChange: (c) => changes.push(c.to) })], { clock });
    let calls = 0;
    const pending = runRequest(chain, 'tools/list', undefined, { direction: 'outbound', side: 'client', handler: () => (calls++, Promise.reject(new Error('down'))) });
    await clock.advance(1000);
    expect((await pending).response).toMatchObject({ error: { code: ErrorCode.InternalError } });
    expect(calls).toBe(3);
    expect(changes).toEqual(['open']);
  });

  it('an onStateChange that throws does not change the response', async () => {
    const h = harness({ failureThreshold: 1, onStateChange: () => { throw new Error('listener bug'); } });
    expect(await h.call('fail')).toMatchObject({ error: { code: ErrorCode.InternalError, data: { reason: 'INTERNAL' } } });
    expect((await h.call('ok'))).toMatchObject({ error: { code: -31002 } });
  });

  it('records refusals and transitions in the chain metrics', async () => {
    const h = harness({ failureThreshold: 1 });
    await h.call('fail');
    await h.call('ok');
    const counters = h.chain.metrics.snapshot().counters;
    expect(counters).toContainEqual({ name: 'circuit_breaker.transitions', labels: { to: 'open' }, value: 1 });
    expect(counters).toContainEqual({ name: 'circuit_breaker.rejected', labels: { state: 'open', method: 'tools/call' }, value: 1 });
  });

  it('works with a store that answers with promises', async () => {
    const inner = new MemoryBreakerStore();
    const store: BreakerStore = {
      acquire: async (...args) => inner.acquire(...args),
      record: async (...args) => inner.record(...args),
    };
    const h = harness({ failureThreshold: 1, store });
    await h.call('fail');
    expect(await h.call('ok')).toMatchObject(circuitOpen(5000) as object);
    expect(h.changes.map((c) => c.to)).toEqual(['open']);
  });

  it('lets requests through unguarded when the store fails, and counts it', async () => {
    const store: BreakerStore = {
      acquire: () => Promise.reject(new Error('redis down')),
      record: () => {
        throw new Error('redis down');
      },
    };
    const h = harness({ store });
    expect(await h.call('ok')).toMatchObject({ result: {} });
    const sync: BreakerStore = { acquire: () => { throw new Error('down'); }, record: () => Promise.reject(new Error('down')) };
    const h2 = harness({ store: sync });
    expect(await h2.call('ok')).toMatchObject({ result: {} });
    const failing = harness({ store: { acquire: () => ({ allowed: true, ticket: { generation: 1, probe: false } }), record: () => Promise.reject(new Error('down')) } });
    expect(await failing.call('ok')).toMatchObject({ result: {} });
    expect(h.chain.metrics.snapshot().counters).toContainEqual({ name: 'circuit_breaker.store_errors', labels: { method: 'tools/call' }, value: 1 });
    expect(failing.chain.metrics.snapshot().counters).toContainEqual({ name: 'circuit_breaker.store_errors', labels: { method: 'tools/call' }, value: 1 });
  });

  it('the memory store holds nothing for healthy keys and at most maxKeys for failing ones', async () => {
    const store = new MemoryBreakerStore({ maxKeys: 50 });
    const chain = createChain([circuitBreaker({ store, failureThreshold: 2 })], { clock: createManualClock(0) });
    for (let i = 0; i < 100; i++) await runRequest(chain, 'tools/call', { name: `ok-${i}` });
    expect(store.size).toBe(0);
    for (let i = 0; i < 200; i++) await runRequest(chain, 'tools/call', { name: `bad-${i}` }, { handler: () => Promise.reject(new Error('x')) });
    expect(store.size).toBe(50);
    store.reset('bad-199');
    expect(store.size).toBe(49);
    store.clear();
    expect(store.size).toBe(0);
  });

  it('runs at Priority.High unless told otherwise', () => {
    expect(circuitBreaker().priority).toBe(Priority.High);
    expect(circuitBreaker({ priority: Priority.Normal }).priority).toBe(Priority.Normal);
    expect(circuitBreaker().name).toBe('circuit-breaker');
  });

  const cases: Array<[string, unknown, Error]> = [
    ['options', [], new TypeError('circuitBreaker: options must be an object, got an array')],
    ['failureThreshold', { failureThreshold: 0 }, new RangeError('circuitBreaker.failureThreshold must be a positive integer, got 0')],
    ['windowMs', { windowMs: 1.5 }, new RangeError('circuitBreaker.windowMs must be a positive integer, got 1.5')],
    ['openMs', { openMs: -1 }, new RangeError('circuitBreaker.openMs must be a positive integer, got -1')],
    ['probeTimeoutMs', { probeTimeoutMs: '1s' }, new RangeError('circuitBreaker.probeTimeoutMs must be a positive integer, got "1s"')],
    ['failureCodes', { failureCodes: ['-32603'] }, new TypeError('circuitBreaker.failureCodes must be an array of integer error codes')],
    ['failureCodes with a refusal code', { failureCodes: [-32603, -31002] }, new RangeError('circuitBreaker.failureCodes cannot count -31002: interceptor refusals (-31001…-31099 but -31004 Timeout) say nothing about the far side')],
    ['countToolErrors', { countToolErrors: 1 }, new TypeError('circuitBreaker.countToolErrors must be a boolean, got 1')],
    ['key', { key: 'tool' }, new TypeError('circuitBreaker.key must be a function, got "tool"')],
    ['exempt', { exempt: 'ping' }, new TypeError('circuitBreaker.exempt must be an array of strings, got "ping"')],
    ['exemptTools', { exemptTools: [null] }, new TypeError('circuitBreaker.exemptTools must be an array of strings, got an array')],
    ['onStateChange', { onStateChange: true }, new TypeError('circuitBreaker.onStateChange must be a function, got true')],
    ['directions', { directions: [] }, new TypeError('circuitBreaker.directions must be a non-empty array of "inbound" and "outbound", got []')],
    ['store', { store: { acquire: () => undefined } }, new TypeError('circuitBreaker.store must be a BreakerStore (an object with acquire() and record())')],
    ['maxKeys', { maxKeys: 0 }, new RangeError('circuitBreaker.maxKeys must be a positive integer, got 0')],
    ['clock', { clock: { now: () => 0 } }, new TypeError('circuitBreaker.clock must be a Clock (with now, setTimeout and clearTimeout)')],
    ['priority', { priority: -1 }, new RangeError('circuitBreaker.priority must be a Priority (Critical=0 … Lowest=4), got -1')],
  ];
  it.each(cases)('rejects a bad option: %s', (_what, options, error) => {
    expect(() => circuitBreaker(options as CircuitBreakerOptions)).toThrow(error);
  });

  it('rejects a bad MemoryBreakerStore maxKeys', () => {
    expect(() => new MemoryBreakerStore({ maxKeys: -5 })).toThrow(new RangeError('MemoryBreakerStore.maxKeys must be a positive integer, got -5'));
  });
});
