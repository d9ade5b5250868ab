import { describe, expect, it } from 'vitest';
import type { ExchangeContext } from './context.js';
import { createKey } from './metadata.js';
import { testContext } from './test-support/context.js';
import { createManualClock } from './testing.js';

const context = (): ExchangeContext => testContext({ clock: createManualClock() });

describe('ExchangeContext abort listeners', () => {
  it('calls listeners added by listen and onAbort once, in order, unless removed first', () => {
    const ctx = context();
    const calls: string[] = [];
    const a = (reason: unknown): void => void calls.push(`a:${String(reason)}`);
    const b = (reason: unknown): void => void calls.push(`b:${String(reason)}`);
    const c = (reason: unknown): void => void calls.push(`c:${String(reason)}`);
    ctx.listen(a);
    const offB = ctx.onAbort(b);
    ctx.listen(c);
    offB();
    ctx.abort('stop');
    ctx.abort('again');
    expect(calls).toEqual(['a:stop', 'c:stop']);
  });

  it('removes the only listener, or one of several, with offAbort', () => {
    const ctx = context();
    const calls: string[] = [];
    const a = (): void => void calls.push('a');
    const b = (): void => void calls.push('b');
    ctx.listen(a);
    ctx.offAbort(a);
    ctx.listen(b);
    ctx.listen(a);
    ctx.offAbort(a);
    ctx.offAbort(a);
    ctx.abort();
    expect(calls).toEqual(['b']);
  });

  it('calls a listener added after the abort at once, with the reason', () => {
    const ctx = context();
    ctx.abort('gone');
    const reasons: unknown[] = [];
    ctx.listen((reason) => reasons.push(reason));
    ctx.onAbort((reason) => reasons.push(reason))();
    expect(reasons).toEqual(['gone', 'gone']);
    expect(ctx.signal.aborted).toBe(true);
  });
});

describe('ExchangeContext metadata', () => {
  it('is one bag per context, made when first read', () => {
    const key = createKey<number>('n');
    const first = context();
    const second = context();
    first.metadata.set(key, 1);
    expect(first.metadata).toBe(first.metadata);
    expect([first.metadata.get(key), second.metadata.get(key)]).toEqual([1, undefined]);
    expect(first.metadata.entries()).toEqual([['n', 1]]);
  });
});

describe('ExchangeContext as JSON', () => {
  it('shows the exchange identity only (a logger may stringify a context)', () => {
    const ctx = context();
    ctx.requestId = 'req-1';
    ctx.metadata.set(createKey<string>('secret'), 'hidden');
    expect(JSON.parse(JSON.stringify(ctx))).toEqual({ side: 'server', direction: 'inbound', kind: 'request', method: 'ping', jsonrpcId: 1, requestId: 'req-1', startTime: 1_700_000_000_000 });
  });
});
