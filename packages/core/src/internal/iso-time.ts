// ISO 8601 timestamps for log records. `toISOString()` costs more than building the rest of a record, and records
// of one second share all but the milliseconds: the text up to them is made once per second.

let lastSecond = Number.NaN;
let lastPrefix = '';

/** Exactly `new Date(ms).toISOString()` (which throws a RangeError for a time a Date cannot hold). */
export function isoTime(ms: number): string {
  // A Date keeps whole milliseconds, truncated toward zero.
  const whole = Math.trunc(ms);
  if (!(Math.abs(whole) <= 8.64e15)) return new Date(ms).toISOString();
  const second = Math.floor(whole / 1000);
  if (second !== lastSecond) {
    // `2026-11-22T03:25:02.000Z` without the `000Z`; the text of a year past 9999 is longer, and kept as it is.
    lastPrefix = new Date(second * 1000).toISOString().slice(0, -4);
    lastSecond = second;
  }
  const milli = whole - second * 1000;
  return `${lastPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}
