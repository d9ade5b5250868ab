import { describe, expect, it } from 'vitest';
import { anyStop, createCancellation, onStop, toCancellation, type Cancellation } from './cancellation.js';
import { createChain } from './chain.js';
import { Priority, type Interceptor } from './interceptor.js';
import { runRequest } from './testing.js';

describe('createCancellation', () => {
  it('calls each listener once with the reason, and at once after cancelling', () => {
    const cancel = createCancellation();
    const seen: unknown[] = [];
    cancel.onAbort((reason) => seen.push(['a', reason]));
    const off = cancel.onAbort((reason) => seen.push(['b', reason]));
    off();
    expect(cancel.aborted).toBe(false);
    cancel.cancel('late');
    cancel.cancel('again');
    expect(cancel.aborted).toBe(true);
    expect(cancel.reason).toBe('late');
    cancel.onAbort((reason) => seen.push(['c', reason]));
    expect(seen).toEqual([
      ['a', 'late'],
      ['c', 'late'],
    ]);
  });

  it('keeps subscription order across unsubscribes, and an unsubscribe only ever removes its own listener', () => {
    const cancel = createCancellation();
    const seen: string[] = [];
    const offA = cancel.onAbort(() => seen.push('a'));
    cancel.onAbort(() => seen.push('b'));
    offA();
    cancel.onAbort(() => seen.push('c'));
    offA();
    const d = (): number => seen.push('d');
    const offD = cancel.onAbort(d);
    cancel.onAbort(d);
    offD();
    cancel.cancel();
    expect(seen).toEqual(['b', 'c', 'd']);
  });

  it('combines with an AbortSignal: either one stops the pair, and unsubscribing leaves neither listened to', () => {
    const controller = new AbortController();
    const cancel = createCancellation();
    const both = anyStop(controller.signal, cancel);
    const seen: unknown[] = [];
    const off = both.onAbort((reason) => seen.push(reason));
    off();
    controller.abort('gone');
    expect(seen).toEqual([]);
    expect(both.aborted).toBe(true);
    expect(both.reason).toBe('gone');

    const other = createCancellation();
    const pair = anyStop(new AbortController().signal, other);
    pair.onAbort((reason) => seen.push(reason));
    other.cancel('cut');
    expect(seen).toEqual(['cut']);
  });

  it('listens to an AbortSignal through onStop, and reads it live through toCancellation', () => {
    const controller = new AbortController();
    const seen: unknown[] = [];
    onStop(controller.signal, (reason) => seen.push(reason));
    const live = toCancellation(controller.signal);
    expect(live.aborted).toBe(false);
    controller.abort('x');
    expect(seen).toEqual(['x']);
    expect(live.aborted).toBe(true);
    expect(live.reason).toBe('x');
  });
});

describe('next(undefined, { cancel })', () => {
  it('hands an inner around the cancellation as its upstream', async () => {
    const cancel = createCancellation();
    let inner: Cancellation | undefined;
    const outer: Interceptor = { name: 'outer', around: (_req, _ctx, next) => next(undefined, { cancel }) };
    const below: Interceptor = {
      name: 'below',
      priority: Priority.Low,
      around: (_req, _ctx, next, upstream) => {
        inner = upstream;
        return next();
      },
    };
    const { response } = await runRequest(createChain([outer, below]), 'ping');
    expect(response).toMatchObject({ result: {} });
    expect(inner?.aborted).toBe(false);
    cancel.cancel('stop');
    expect(inner?.reason).toBe('stop');
  });
});
