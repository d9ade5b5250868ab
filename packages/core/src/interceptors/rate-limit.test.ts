import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { createChain, type Chain } from '../chain.js';
import { ErrorCode } from '../errors.js';
import { Priority } from '../interceptor.js';
import type { JsonObject, JsonRpcResponse } from '../jsonrpc.js';
import { MemoryRateLimitStore, type RateLimitStore } from '../stores/rate-limit-store.js';
import { connectPair } from '../test-support/pair.js';
import { createManualClock, runRequest } from '../testing.js';
import { rateLimit, type RateLimitOptions } from './rate-limit.js';

interface Caller {
  readonly clientId?: string;
  readonly sessionId?: string;
}

/** Runs one request as `caller` (authenticated client id and/or session id); resolves with the response. */
async function call(chain: Chain, method: string, params: JsonObject = {}, caller: Caller = {}): Promise<JsonRpcResponse> {
  const auth = caller.clientId === undefined ? undefined : { token: 'secret-token', clientId: caller.clientId, scopes: [] };
  const { response } = await runRequest(chain, method, params, { ...(auth === undefined ? {} : { auth }), ...(caller.sessionId === undefined ? {} : { sessionId: caller.sessionId }) });
  return response;
}

const tool = (name: string): JsonObject => ({ name, arguments: {} });
const passed = (response: JsonRpcResponse): boolean => 'result' in response;
const refusal = (response: JsonRpcResponse): Record<string, unknown> | undefined => ('error' in response ? (response.error.data as Record<string, unknown>) : undefined);

/** How many of `n` identical calls pass. */
async function passes(chain: Chain, n: number, method: string, params?: JsonObject, caller?: Caller): Promise<number> {
  let count = 0;
  for (let i = 0; i < n; i++) if (passed(await call(chain, method, params, caller))) count++;
  return count;
}

describe('rateLimit over a real client and server', () => {
  it('refuses past the burst with -31001, never calls the handler, and lets the request through after retryAfterMs', async () => {
    const clock = createManualClock();
    const pair = await connectPair({ serverChain: createChain([rateLimit({ rate: 2, burst: 2 })], { clock }) });
    try {
      await pair.client.callTool({ name: 'echo', arguments: { text: 'one' } });
      await pair.client.callTool({ name: 'echo', arguments: { text: 'two' } });
      const error = await pair.client.callTool({ name: 'echo', arguments: { text: 'three' } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(McpError);
      expect(error).toMatchObject({ code: ErrorCode.RateLimited });
      expect(pair.handlerCalls).toEqual(['echo:one', 'echo:two']);
      const response = pair.wire.clientReceived.at(-1);
      expect(response).toMatchObject({
        error: { code: -31001, message: 'Rate limit exceeded', data: { reason: 'RATE_LIMITED', interceptor: 'rate-limit', retryAfterMs: 500, scope: 'client', key: 'anonymous' } },
      });
      // initialize and ping are exempt: they pass even now.
      await expect(pair.client.ping()).resolves.toEqual({});
      await clock.advance(500);
      await pair.client.callTool({ name: 'echo', arguments: { text: 'four' } });
      expect(pair.handlerCalls).toEqual(['echo:one', 'echo:two', 'echo:four']);
    } finally {
      await pair.close();
    }
  });

  it('counts the SDK client’s own housekeeping requests too (tools/list), unless they are exempt', async () => {
    const clock = createManualClock();
    const pair = await connectPair({ serverChain: createChain([rateLimit({ rate: 1, burst: 1, exempt: ['initialize', 'ping', 'tools/list'] })], { clock }) });
    try {
      await pair.client.listTools();
      await pair.client.listTools();
      await pair.client.callTool({ name: 'echo', arguments: { text: 'x' } });
      await expect(pair.client.callTool({ name: 'echo', arguments: { text: 'y' } })).rejects.toMatchObject({ code: -31001 });
    } finally {
      await pair.close();
    }
  });
});

describe('rateLimit scopes', () => {
  it('client: keys on the authenticated client id, else the session id, else one anonymous key', async () => {
    const chain = createChain([rateLimit({ rate: 1, burst: 1 })], { clock: createManualClock() });
    expect(await passes(chain, 3, 'tools/list', {}, { clientId: 'a', sessionId: 's1' })).toBe(1);
    // Same client, other session: the same client key.
    expect(await passes(chain, 1, 'tools/list', {}, { clientId: 'a', sessionId: 's2' })).toBe(0);
    expect(await passes(chain, 1, 'tools/list', {}, { clientId: 'b' })).toBe(1);
    expect(await passes(chain, 2, 'tools/list', {}, { sessionId: 's3' })).toBe(1);
    expect(await passes(chain, 2, 'tools/list', {})).toBe(1);
    const refused = refusal(await call(chain, 'tools/list', {}, { clientId: 'a' }));
    // The caller's own key only: never another client's, never the token.
    expect(refused).toEqual({ reason: 'RATE_LIMITED', interceptor: 'rate-limit', retryAfterMs: 1000, scope: 'client', key: 'a' });
  });

  it('client with a custom key', async () => {
    const chain = createChain([rateLimit({ rate: 1, burst: 1, key: (_ctx, req) => String(req.params?.['user']) })], { clock: createManualClock() });
    expect(await passes(chain, 2, 'tools/list', { user: 'u1' })).toBe(1);
    expect(await passes(chain, 2, 'tools/list', { user: 'u2' })).toBe(1);
  });

  it('global: one allowance shared by everyone, and no key in the refusal', async () => {
    const chain = createChain([rateLimit({ scope: 'global', rate: 1, burst: 2 })], { clock: createManualClock() });
    expect(await passes(chain, 1, 'tools/list', {}, { clientId: 'a' })).toBe(1);
    expect(await passes(chain, 1, 'tools/list', {}, { clientId: 'b' })).toBe(1);
    const response = await call(chain, 'tools/list', {}, { clientId: 'c' });
    expect(refusal(response)).toEqual({ reason: 'RATE_LIMITED', interceptor: 'rate-limit', retryAfterMs: 1000, scope: 'global' });
  });

  it('method: one allowance per method', async () => {
    const chain = createChain([rateLimit({ scope: 'method', rate: 1, burst: 1 })], { clock: createManualClock() });
    expect(await passes(chain, 2, 'tools/list')).toBe(1);
    expect(await passes(chain, 2, 'resources/list')).toBe(1);
    expect(refusal(await call(chain, 'tools/list'))).toMatchObject({ scope: 'method', key: 'tools/list' });
  });

  it('tool: one allowance per tool, and other methods are not counted', async () => {
    const chain = createChain([rateLimit({ scope: 'tool', rate: 1, burst: 1 })], { clock: createManualClock() });
    expect(await passes(chain, 2, 'tools/call', tool('search'))).toBe(1);
    expect(await passes(chain, 2, 'tools/call', tool('fetch'))).toBe(1);
    expect(await passes(chain, 5, 'tools/list')).toBe(5);
    expect(refusal(await call(chain, 'tools/call', tool('search')))).toMatchObject({ scope: 'tool', key: 'search' });
  });

  it('tenant: keyed by the key function; undefined exempts the request', async () => {
    const tenantOf = (ctx: { auth?: { extra?: Record<string, unknown> } }): string | undefined => ctx.auth?.extra?.['tenant'] as string | undefined;
    const chain = createChain([rateLimit({ scope: 'tenant', rate: 1, burst: 1, key: (ctx) => (ctx.auth?.clientId === 'admin' ? undefined : (tenantOf(ctx) ?? ctx.auth?.clientId)) })], {
      clock: createManualClock(),
    });
    expect(await passes(chain, 2, 'tools/list', {}, { clientId: 't1' })).toBe(1);
    expect(await passes(chain, 2, 'tools/list', {}, { clientId: 't2' })).toBe(1);
    expect(await passes(chain, 5, 'tools/list', {}, { clientId: 'admin' })).toBe(5);
    expect(refusal(await call(chain, 'tools/list', {}, { clientId: 't1' }))).toMatchObject({ scope: 'tenant', key: 't1' });
  });
});

describe('rateLimit rules, overrides and algorithms', () => {
  it('several rules must all pass; a refused request is refunded to the rules that had counted it', async () => {
    const chain = createChain([rateLimit({ rules: [{ scope: 'client', rate: 1, burst: 5 }, { scope: 'tool', rate: 1, burst: 1 }] })], { clock: createManualClock() });
    expect(passed(await call(chain, 'tools/call', tool('search'), { clientId: 'a' }))).toBe(true);
    expect(refusal(await call(chain, 'tools/call', tool('search'), { clientId: 'a' }))).toMatchObject({ scope: 'tool', key: 'search', retryAfterMs: 1000 });
    // 5 − 1 = 4 client tokens left: the refused call took none.
    expect(await passes(chain, 5, 'tools/list', {}, { clientId: 'a' })).toBe(4);
    expect(refusal(await call(chain, 'tools/list', {}, { clientId: 'a' }))).toMatchObject({ scope: 'client', key: 'a' });
  });

  it('per-key overrides replace the rule’s limits for that key only', async () => {
    const chain = createChain([rateLimit({ rate: 1, overrides: { vip: { rate: 10 }, batch: { burst: 3 } } })], { clock: createManualClock() });
    expect(await passes(chain, 20, 'tools/list', {}, { clientId: 'vip' })).toBe(10);
    expect(await passes(chain, 5, 'tools/list', {}, { clientId: 'batch' })).toBe(3);
    expect(await passes(chain, 5, 'tools/list', {}, { clientId: 'other' })).toBe(1);
  });

  it('an override keeps the rule’s explicit burst', async () => {
    const chain = createChain([rateLimit({ rate: 1, burst: 2, overrides: { vip: { rate: 10 } } })], { clock: createManualClock() });
    expect(await passes(chain, 5, 'tools/list', {}, { clientId: 'vip' })).toBe(2);
  });

  it('sliding window, with an override', async () => {
    const clock = createManualClock(1_700_000_000_000);
    const chain = createChain([rateLimit({ scope: 'tool', limit: 2, windowMs: 1000, overrides: { search: { limit: 4 } } })], { clock });
    expect(await passes(chain, 5, 'tools/call', tool('fetch'))).toBe(2);
    expect(await passes(chain, 5, 'tools/call', tool('search'))).toBe(4);
    expect(refusal(await call(chain, 'tools/call', tool('fetch')))).toMatchObject({ reason: 'RATE_LIMITED', retryAfterMs: 1500 });
    await clock.advance(1500);
    expect(await passes(chain, 2, 'tools/call', tool('fetch'))).toBe(1);
  });

  it('defaults to 10 per second per client', async () => {
    const clock = createManualClock();
    const chain = createChain([rateLimit()], { clock });
    expect(await passes(chain, 12, 'tools/list')).toBe(10);
    await clock.advance(100);
    expect(await passes(chain, 2, 'tools/list')).toBe(1);
  });

  it('limits only `methods` when given, and no exempt method', async () => {
    const chain = createChain([rateLimit({ rate: 1, burst: 1, methods: ['tools/call', 'ping'] })], { clock: createManualClock() });
    expect(await passes(chain, 3, 'tools/list')).toBe(3);
    expect(await passes(chain, 3, 'ping')).toBe(3);
    expect(await passes(chain, 3, 'tools/call', tool('x'))).toBe(1);
  });

  it('limits inbound requests only, unless directions says otherwise', async () => {
    const server = createChain([rateLimit({ rate: 1, burst: 1 })], { clock: createManualClock() });
    // A server's own requests to its client (sampling, elicitation) are not counted against that client.
    for (let i = 0; i < 3; i++) expect((await runRequest(server, 'sampling/createMessage', {}, { direction: 'outbound' })).response).toMatchObject({ result: {} });
    const clock = createManualClock();
    const pair = await connectPair({ clientChain: createChain([rateLimit({ rate: 1, burst: 1, directions: ['outbound'] })], { clock }) });
    try {
      await pair.client.callTool({ name: 'echo', arguments: { text: 'a' } });
      await expect(pair.client.callTool({ name: 'echo', arguments: { text: 'b' } })).rejects.toMatchObject({ code: -31001 });
      // Refused on the client: the request never left.
      expect(pair.handlerCalls).toEqual(['echo:a']);
    } finally {
      await pair.close();
    }
  });

  it('reads time from options.clock over the chain’s clock', async () => {
    const own = createManualClock();
    const chain = createChain([rateLimit({ rate: 1, burst: 1, clock: own })], { clock: createManualClock() });
    expect(await passes(chain, 2, 'tools/list')).toBe(1);
    await own.advance(1000);
    expect(await passes(chain, 1, 'tools/list')).toBe(1);
  });

  it('records refusals in the chain metrics', async () => {
    const chain = createChain([rateLimit({ rate: 1, burst: 1 })], { clock: createManualClock() });
    await passes(chain, 3, 'tools/list');
    expect(chain.metrics.snapshot().counters).toContainEqual({ name: 'rate_limit.rejected', labels: { scope: 'client', method: 'tools/list' }, value: 2 });
  });

  it('runs at Priority.High unless told otherwise', () => {
    expect(rateLimit().priority).toBe(Priority.High);
    expect(rateLimit({ priority: Priority.Critical }).priority).toBe(Priority.Critical);
    expect(rateLimit().name).toBe('rate-limit');
  });
});

describe('rateLimit stores', () => {
  /** A store answering every call with a promise, as a networked store would. */
  function asyncStore(inner = new MemoryRateLimitStore()): RateLimitStore & { calls: string[] } {
    const calls: string[] = [];
    return {
      calls,
      consume: async (key, cost, limit, now) => (calls.push(`consume ${key}`), inner.consume(key, cost, limit, now)),
      refund: async (key, cost, limit, now) => (calls.push(`refund ${key}`), inner.refund(key, cost, limit, now)),
    };
  }

  it('works with a store that answers with promises, refunds included', async () => {
    const store = asyncStore();
    const chain = createChain([rateLimit({ store, rules: [{ scope: 'global', rate: 1, burst: 3 }, { scope: 'tool', id: 'per-tool', rate: 1, burst: 1 }] })], { clock: createManualClock() });
    expect(passed(await call(chain, 'tools/call', tool('a')))).toBe(true);
    expect(refusal(await call(chain, 'tools/call', tool('a')))).toMatchObject({ scope: 'tool', key: 'a' });
    expect(store.calls).toEqual(['consume 0:global|', 'consume per-tool|a', 'consume 0:global|', 'consume per-tool|a', 'refund 0:global|']);
    // The refund left 2 of the 3 global tokens.
    expect(await passes(chain, 3, 'tools/list')).toBe(2);
  });

  it('a single rule with an async store', async () => {
    const chain = createChain([rateLimit({ store: asyncStore(), rate: 1, burst: 1 })], { clock: createManualClock() });
    expect(await passes(chain, 3, 'tools/list')).toBe(1);
  });

  it('a failing store fails closed: the request is answered with an internal error, not let through', async () => {
    const store: RateLimitStore = {
      consume: () => Promise.reject(new Error('redis down')),
    };
    const { response, handled } = await runRequest(createChain([rateLimit({ store })]), 'tools/list');
    expect(response).toMatchObject({ error: { code: ErrorCode.InternalError, data: { reason: 'INTERNAL', interceptor: 'rate-limit' } } });
    expect(handled).toHaveLength(0);
  });

  it('passes the store the limit and the clock time', async () => {
    const seen: unknown[] = [];
    const store: RateLimitStore = {
      consume: (key, cost, limit, now) => (seen.push({ key, cost, limit, now }), { allowed: true, remaining: 0, retryAfterMs: 0 }),
    };
    const clock = createManualClock(5000);
    await runRequest(createChain([rateLimit({ store, scope: 'method', limit: 3, windowMs: 100 })], { clock }), 'tools/list');
    expect(seen).toEqual([{ key: '0:method|tools/list', cost: 1, limit: { algorithm: 'sliding-window', limit: 3, windowMs: 100 }, now: 5000 }]);
  });
});

describe('rateLimit options', () => {
  const cases: Array<[string, unknown, Error]> = [
    ['options', 'fast', new TypeError('rateLimit: options must be an object, got "fast"')],
    ['rules (empty)', { rules: [] }, new TypeError('rateLimit.rules must be a non-empty array of rules')],
    ['rules (not an array)', { rules: {} }, new TypeError('rateLimit.rules must be a non-empty array of rules')],
    ['rules and top-level fields', { rules: [{ rate: 1 }], rate: 2 }, new TypeError('rateLimit: give either rules or one rule\'s fields (scope, rate, burst, limit, windowMs, key, overrides, id) at the top level, not both')],
    ['a rule that is not an object', { rules: [null] }, new TypeError('rateLimit.rules[0] must be an object')],
    ['scope', { scope: 'user' }, new TypeError('rateLimit.scope must be one of "global", "client", "method", "tool", "tenant", got "user"')],
    ['key', { key: 'clientId' }, new TypeError('rateLimit.key must be a function, got "clientId"')],
    ['tenant without key', { scope: 'tenant' }, new TypeError("rateLimit.key is required with scope 'tenant' (a function returning the tenant of a request)")],
    ['global with key', { scope: 'global', key: () => 'x' }, new TypeError("rateLimit.key has no use with scope 'global' (every request shares one key)")],
    ['rate', { rate: 0 }, new RangeError('rateLimit.rate must be a positive finite number, got 0')],
    ['burst', { rate: 1, burst: Infinity }, new RangeError('rateLimit.burst must be a positive finite number, got Infinity')],
    ['burst below 1', { rate: 1, burst: 0.5 }, new RangeError('rateLimit.burst must be at least 1 (a request takes one token), got 0.5')],
    ['both algorithms', { rate: 1, limit: 5, windowMs: 1000 }, new TypeError('rateLimit: give rate/burst (token bucket) or limit/windowMs (sliding window), not both')],
    ['limit without windowMs', { limit: 5 }, new TypeError('rateLimit: a sliding window needs both limit and windowMs')],
    ['limit', { limit: 1.5, windowMs: 1000 }, new RangeError('rateLimit.limit must be a positive integer, got 1.5')],
    ['windowMs', { limit: 1, windowMs: -1 }, new RangeError('rateLimit.windowMs must be a positive integer, got -1')],
    ['rule fields', { rules: [{ rate: 1 }, { rate: -1 }] }, new RangeError('rateLimit.rules[1].rate must be a positive finite number, got -1')],
    ['overrides', { overrides: [] }, new TypeError('rateLimit.overrides must be an object, got an array')],
    ['an override', { overrides: { a: 5 } }, new TypeError('rateLimit.overrides["a"] must be an object')],
    ['an override of the other algorithm', { rate: 1, overrides: { a: { limit: 2 } } }, new TypeError('rateLimit.overrides["a"]: the rule is a token-bucket, so override rate/burst')],
    ['an override of a window with rate', { limit: 1, windowMs: 10, overrides: { a: { rate: 2 } } }, new TypeError('rateLimit.overrides["a"]: the rule is a sliding-window, so override limit/windowMs')],
    ['an override value', { rate: 1, overrides: { a: { rate: 'x' } } }, new RangeError('rateLimit.overrides["a"].rate must be a positive finite number, got "x"')],
    ['overrides with global', { scope: 'global', overrides: { a: { rate: 2 } } }, new TypeError("rateLimit.overrides has no use with scope 'global' (there is only one key)")],
    ['id', { id: 'a|b' }, new TypeError('rateLimit.id must be a non-empty string without "|", got "a|b"')],
    ['duplicate ids', { rules: [{ id: 'x' }, { id: 'x', scope: 'global' }] }, new TypeError('rateLimit.rules: two rules share the id "x"')],
    ['store', { store: {} }, new TypeError('rateLimit.store must be a RateLimitStore (an object with consume())')],
    ['maxKeys', { maxKeys: 0 }, new RangeError('rateLimit.maxKeys must be a positive integer, got 0')],
    ['methods', { methods: 'tools/call' }, new TypeError('rateLimit.methods must be an array of strings, got "tools/call"')],
    ['exempt', { exempt: [1] }, new TypeError('rateLimit.exempt must be an array of strings, got an array')],
    ['directions', { directions: ['in'] }, new TypeError('rateLimit.directions must be a non-empty array of "inbound" and "outbound", got ["in"]')],
    ['clock', { clock: Date }, new TypeError('rateLimit.clock must be a Clock (with now, setTimeout and clearTimeout)')],
    ['priority', { priority: 9 }, new RangeError('rateLimit.priority must be a Priority (Critical=0 … Lowest=4), got 9')],
  ];
  it.each(cases)('rejects a bad option: %s', (_what, options, error) => {
    expect(() => rateLimit(options as RateLimitOptions)).toThrow(error);
  });
});
