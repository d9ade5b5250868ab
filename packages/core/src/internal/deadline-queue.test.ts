import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Clock, TimerHandle } from '../clock.js';
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

  it('a timer that fires before the clock reaches the deadline re-arms for the rest of it', () => {
    const { clock, armed, set } = steppedClock();
    const queue = new DeadlineQueue(clock, 100);
    let expired = 0;
    queue.add(() => expired++);
    expect(armed.map((t) => t.ms)).toEqual([100]);
    set(99.4);
    armed[0]?.fire();
    expect(expired).toBe(0);
    expect(armed.map((t) => Number(t.ms.toFixed(1)))).toEqual([100, 0.6]);
    set(100);
    armed[1]?.fire();
    expect(expired).toBe(1);
    expect(armed).toHaveLength(2);
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
