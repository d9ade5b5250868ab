// ISO 8601 timestamps for log records, formatted once per millisecond: `toISOString()` costs more than building
// the rest of a record, and records of one busy millisecond share the same text.

let lastMs = Number.NaN;
let lastText = '';

/** Exactly `new Date(ms).toISOString()` (which throws a RangeError for a time a Date cannot hold). */
export function isoTime(ms: number): string {
  // A Date keeps whole milliseconds, truncated toward zero.
  const whole = Math.trunc(ms);
  if (whole !== lastMs) {
    lastText = new Date(ms).toISOString();
    lastMs = whole;
  }
  return lastText;
}
