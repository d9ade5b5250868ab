// Checks the time options of the time-based built-ins (timeout, retry, cache): a `clock`, and a delay a timer can hold.
import type { Clock } from '../clock.js';
import { nonNegativeNumber } from '../internal/options.js';

/** Returns the clock, or undefined when none was given; throws a TypeError naming `where` when it is not a Clock. */
export function clockOption(where: `${string}.${string}`, value: unknown): Clock | undefined {
  if (value === undefined) return undefined;
  const clock = value as Partial<Clock> | null;
  if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function' || typeof clock.setTimeout !== 'function' || typeof clock.clearTimeout !== 'function') {
    throw new TypeError(`${where} must be a Clock (with now, setTimeout and clearTimeout)`);
  }
  return clock as Clock;
}

/** The longest delay `setTimeout` honours (2^31 - 1 ms, about 24.8 days); a longer one would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A non-negative number of milliseconds that a timer can hold; `fallback` when undefined. */
export function timerMs(where: `${string}.${string}`, value: unknown, fallback: number): number {
  const ms = nonNegativeNumber(where, value, fallback);
  if (ms > MAX_TIMER_MS) throw new RangeError(`${where} must be at most ${MAX_TIMER_MS} ms (what a timer can hold), got ${ms}`);
  return ms;
}
