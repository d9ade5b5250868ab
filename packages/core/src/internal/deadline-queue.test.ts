import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import { createManualClock } from '../testing.js';
import { DeadlineQueue } from './deadline-queue.js';

/** A clock whose timers only record what was asked: the test fires them, at whatever time it sets. */
function steppedClock() {
  let now = 0;
  const armed: Array<{ ms: number; fire: () => void }> = [];
  const clock: Clock = {
    now: () => now,
    setTimeout: (fire, ms) => {
      armed.push({ ms, fire });
      return armed.length as unknown as TimerHandle;
    },
    clearTimeout: () => undefined,
  };
  return { clock, armed, set: (ms: number) => (now = ms) };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('DeadlineQueue', () => {
  it('expires deadlines in order with one timer, skips cancelled ones, and stops when none is left', async () => {
    const clock = createManualClock(0);
    const queue = new DeadlineQueue(clock, 100);
    const expired: string[] = [];
    queue.add(() => expired.push(`a@${clock.now()}`));
    await clock.advance(10);
    const b = queue.add(() => expired.push(`b@${clock.now()}`));
    await clock.advance(10);
    queue.add(() => expired.push(`c@${clock.now()}`));
    expect(clock.pendingTimers).toBe(1);
    queue.cancel(b);
    queue.cancel(b); // twice is harmless
    await clock.advance(80);
    expect(expired).toEqual(['a@100']);
    await clock.advance(20);
    expect(expired).toEqual(['a@100', 'c@120']);
    expect(queue.pending).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a timer that fires before now() reaches its deadline (or on a clock whose now() stands still) expires it all the same', () => {
    const { clock, armed, set } = steppedClock();
    const queue = new DeadlineQueue(clock, 100);
    const expired: string[] = [];
    queue.add(() => expired.push('a'));
    set(1);
    queue.add(() => expired.push('b'));
    expect(armed.map((t) => t.ms)).toEqual([100]);
    set(99.4);
    armed[0]?.fire();
    expect(expired).toEqual(['a']);
    // b (due at 101) is not yet: the timer re-arms for it, and its firing is b's deadline even if now() lags.
    expect(armed.map((t) => Number(t.ms.toFixed(1)))).toEqual([100, 1.6]);
    armed[1]?.fire();
    expect(expired).toEqual(['a', 'b']);
    expect(armed).toHaveLength(2);
  });

  it('a deadline added by an expiring callback does not delay the ones already queued', async () => {
    const clock = createManualClock(0);
    const queue = new DeadlineQueue(clock, 100);
    const expired: string[] = [];
    queue.add(() => {
      expired.push(`a@${clock.now()}`);
      queue.add(() => expired.push(`c@${clock.now()}`));
    });
    await clock.advance(5);
    queue.add(() => expired.push(`b@${clock.now()}`));
    await clock.advance(95);
    expect(expired).toEqual(['a@100']);
    await clock.advance(5);
    expect(expired).toEqual(['a@100', 'b@105']);
    await clock.advance(95);
    expect(expired).toEqual(['a@100', 'b@105', 'c@200']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a deadline added by an expiring callback on a clock whose now() stands still waits for the next firing', () => {
    const { clock, armed } = steppedClock();
    const queue = new DeadlineQueue(clock, 100);
    let expiries = 0;
    const again = (): void => {
      expiries++;
      queue.add(again); // a retry that sets a new deadline each time
    };
    queue.add(again);
    armed[0]?.fire();
    expect(expiries).toBe(1);
    armed[1]?.fire();
    expect(expiries).toBe(2);
    expect(armed).toHaveLength(3);
  });

  it('on a clock of its own, the timer is cleared when the last deadline is cancelled', async () => {
    const clock = createManualClock(0);
    const queue = new DeadlineQueue(clock, 100);
    const a = queue.add(() => undefined);
    const b = queue.add(() => undefined);
    queue.cancel(a);
    expect(clock.pendingTimers).toBe(1);
    queue.cancel(b);
    expect(clock.pendingTimers).toBe(0);
    const expired: number[] = [];
    queue.add(() => expired.push(clock.now()));
    await clock.advance(100);
    expect(expired).toEqual([100]);
  });

  it('on the system clock, the unref\'d timer stays armed past the last cancel and stops once it fires with nothing due', () => {
    vi.useFakeTimers();
    try {
      const queue = new DeadlineQueue(systemClock, 100);
      const expired: number[] = [];
      queue.cancel(queue.add(() => expired.push(1)));
      expect(vi.getTimerCount()).toBe(1);
      queue.add(() => expired.push(2));
      expect(vi.getTimerCount()).toBe(1);
      vi.advanceTimersByTime(100);
      expect(expired).toEqual([2]);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a deadline added while the timer is armed for an earlier one waits for it; the timer then re-arms', () => {
    const { clock, armed, set } = steppedClock();
    const queue = new DeadlineQueue(clock, 100);
    const expired: number[] = [];
    const first = queue.add(() => expired.push(1));
    set(40);
    queue.add(() => expired.push(2));
    queue.cancel(first);
    expect(armed).toHaveLength(1);
    set(100);
    armed[0]?.fire();
    expect(expired).toEqual([]);
    expect(armed.map((t) => t.ms)).toEqual([100, 40]);
    set(140);
    armed[1]?.fire();
    expect(expired).toEqual([2]);
  });

  it('a throwing callback is rethrown on its own, and the deadlines after it still expire', () => {
    const rethrown: Array<() => void> = [];
    vi.stubGlobal('queueMicrotask', (task: () => void) => void rethrown.push(task));
    const { clock, armed, set } = steppedClock();
    const queue = new DeadlineQueue(clock, 10);
    const expired: string[] = [];
    queue.add(() => {
      throw new Error('listener bug');
    });
    queue.add(() => expired.push('second'));
    set(10);
    armed[0]?.fire();
    expect(expired).toEqual(['second']);
    expect(rethrown).toHaveLength(1);
    expect(() => rethrown[0]?.()).toThrow('listener bug');
  });
});
