import { describe, expect, it } from 'vitest';
import { isoTime } from './iso-time.js';

describe('isoTime', () => {
  it('matches toISOString for times within, across and before millisecond boundaries', () => {
    const times = [0, 0.4, 0.9, 1, 1.5, -0.5, -1, -1.5, -999, -1000, -1001, 9, 10, 99, 100, 999, 1000, 1_700_000_000_000, 1_700_000_000_000.999, 1_700_000_000_001];
    times.push(1_700_000_000_000.5, 1_700_000_000_999, 1_700_000_001_000, 253_402_300_799_999, 253_402_300_800_000, -62_167_219_200_001, 8.64e15, 8.64e15 - 1, -8.64e15, -8.64e15 + 1);
    for (const ms of [...times, ...times.reverse()]) expect([ms, isoTime(ms)]).toEqual([ms, new Date(ms).toISOString()]);
  });

  it('matches toISOString for random times across the range a Date holds', () => {
    for (let n = 0; n < 2000; n++) {
      const ms = (Math.random() * 2 - 1) * (n % 2 ? 8.64e15 : 4e12);
      expect([ms, isoTime(ms)]).toEqual([ms, new Date(ms).toISOString()]);
    }
  });

  it('throws like toISOString for a time a Date cannot hold, every time', () => {
    isoTime(5);
    for (const ms of [Number.NaN, Infinity, 8.64e15 + 1, Number.NaN]) expect(() => isoTime(ms)).toThrow(RangeError);
    expect(isoTime(5)).toBe(new Date(5).toISOString());
  });
});
