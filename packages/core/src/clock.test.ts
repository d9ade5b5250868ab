import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from './clock.js';

const real = globalThis.performance;

afterEach(() => {
  globalThis.performance = real;
});

describe('systemClock', () => {
  it('reads the time origin plus performance.now(), monotonic and close to Date.now()', () => {
    const first = systemClock.now();
    const second = systemClock.now();
    expect(second).toBeGreaterThanOrEqual(first);
    expect(Math.abs(first - Date.now())).toBeLessThan(1000);
    expect(first).toBeCloseTo(real.timeOrigin + real.now(), -1);
  });

  it('follows a performance object swapped in (as fake timers do) and the real one once it is back', () => {
    systemClock.now();
    globalThis.performance = { timeOrigin: 1000, now: () => 5 } as unknown as typeof performance;
    expect(systemClock.now()).toBe(1005);
    globalThis.performance = { timeOrigin: 2000, now: () => 7 } as unknown as typeof performance;
    expect(systemClock.now()).toBe(2007);
    globalThis.performance = real;
    expect(Math.abs(systemClock.now() - Date.now())).toBeLessThan(1000);
  });
});
