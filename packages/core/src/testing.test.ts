import { describe, expect, it } from 'vitest';
import { createChain } from './chain.js';
import type { InterceptorContext } from './context.js';
import { connectPair } from './test-support/pair.js';
import { createManualClock, runNotification, runRequest } from './testing.js';

describe('createManualClock', () => {
  it('runs due timers in time order only when advanced, and never runs cleared ones', async () => {
    const clock = createManualClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    const cleared = clock.setTimeout(() => fired.push('never'), 5);
    clock.clearTimeout(cleared);
    await clock.advance(9);
    expect(fired).toEqual([]);
    await clock.advance(11);
    expect(fired).toEqual(['a@1010', 'b@1020']);
    expect(clock.now()).toBe(1020);
    expect(clock.pendingTimers).toBe(0);
  });

  it('runs a timer set by a timer within the same advance', async () => {
    const clock = createManualClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 5);
    }, 5);
    await clock.advance(10);
    expect(fired).toEqual([5, 10]);
  });
});

describe('runRequest / runNotification', () => {
  it('give the chain a context with the side, direction, auth and session asked for', async () => {
    const seen: Array<Partial<InterceptorContext>> = [];
    const chain = createChain([{ name: 'look', onRequest: (_r, ctx) => void seen.push({ side: ctx.side, direction: ctx.direction, auth: ctx.auth, method: ctx.method }), onNotification: (_n, ctx) => void seen.push({ method: ctx.method, direction: ctx.direction }) }]);
    const auth = { token: 't', clientId: 'c', scopes: ['read'] };
    const { response, handled, ctx } = await runRequest(chain, 'tools/list', { cursor: 'x' }, { side: 'client', direction: 'outbound', auth, sessionId: 's1', handler: () => ({ tools: [] }) });
    expect(response).toEqual({ jsonrpc: '2.0', id: 1, result: { tools: [] } });
    expect(handled).toEqual([{ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { cursor: 'x' } }]);
    expect(ctx.session.sessionId).toBe('s1');
    await runNotification(chain, 'notifications/initialized', undefined, { direction: 'outbound' });
    expect(seen).toEqual([
      { side: 'client', direction: 'outbound', auth, method: 'tools/list' },
      { method: 'notifications/initialized', direction: 'outbound' },
    ]);
  });
});

describe('connectPair clientAuth', () => {
  it('reaches the server chain as ctx.auth', async () => {
    const seen: unknown[] = [];
    const auth = { token: 't', clientId: 'c9', scopes: [] };
    const pair = await connectPair({ clientAuth: auth, serverChain: [{ name: 'look', onRequest: (req, ctx) => void (req.method === 'tools/list' && seen.push(ctx.auth)) }] });
    await pair.client.listTools();
    expect(seen).toEqual([auth]);
    await pair.close();
  });
});
