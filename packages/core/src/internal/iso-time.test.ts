import { describe, expect, it } from 'vitest';
import { isoTime } from './iso-time.js';

describe('isoTime', () => {
  it('matches toISOString for times within, across and before millisecond boundaries', () => {
    const times = [0, 0.4, 0.9, 1, 1.5, -0.5, -1, -1.5, 1_700_000_000_000, 1_700_000_000_000.999, 1_700_000_000_001, 1_700_000_000_000.5, 8.64e15, -8.64e15];
    for (const ms of [...times, ...times.reverse()]) expect([ms, isoTime(ms)]).toEqual([ms, new Date(ms).toISOString()]);
  });

  it('throws like toISOString for a time a Date cannot hold, every time', () => {
    isoTime(5);
    for (const ms of [Number.NaN, Infinity, 8.64e15 + 1, Number.NaN]) expect(() => isoTime(ms)).toThrow(RangeError);
    expect(isoTime(5)).toBe(new Date(5).toISOString());
  });
});
