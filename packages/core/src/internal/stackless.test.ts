import { afterEach, describe, expect, it } from 'vitest';
import { enterStackless, leaveStackless, pauseStackless, resumeStackless } from './stackless.js';

const DEFAULT_LIMIT = Error.stackTraceLimit;
afterEach(() => {
  leaveStackless();
  Error.stackTraceLimit = DEFAULT_LIMIT;
});

describe('stackless stretches', () => {
  it('enter sets the limit to 0 and leave puts back the one that was set', () => {
    Error.stackTraceLimit = 17;
    expect(enterStackless()).toBe(true);
    expect(Error.stackTraceLimit).toBe(0);
    expect(new Error('x').stack).toBe('Error: x');
    leaveStackless();
    expect(Error.stackTraceLimit).toBe(17);
  });

  it('a nested enter returns false and leaves restoring to the outer stretch', () => {
    expect(enterStackless()).toBe(true);
    expect(enterStackless()).toBe(false);
    expect(Error.stackTraceLimit).toBe(0);
    leaveStackless();
    expect(Error.stackTraceLimit).toBe(DEFAULT_LIMIT);
  });

  it('a pause turns stacks back on until resumed; a nested stretch inside the pause restores the pause', () => {
    enterStackless();
    const paused = pauseStackless();
    expect(Error.stackTraceLimit).toBe(DEFAULT_LIMIT);
    expect(new Error('x').stack).toContain('\n    at ');
    expect(enterStackless()).toBe(true);
    leaveStackless();
    expect(Error.stackTraceLimit).toBe(DEFAULT_LIMIT);
    resumeStackless(paused);
    expect(Error.stackTraceLimit).toBe(0);
    leaveStackless();
    expect(Error.stackTraceLimit).toBe(DEFAULT_LIMIT);
  });

  it('pause and resume outside a stretch change nothing', () => {
    Error.stackTraceLimit = 12;
    const paused = pauseStackless();
    expect(paused).toBe(false);
    resumeStackless(paused);
    expect(Error.stackTraceLimit).toBe(12);
  });

  it('a limit that is not a number is left alone', () => {
    (Error as { stackTraceLimit: unknown }).stackTraceLimit = undefined;
    expect(enterStackless()).toBe(false);
    expect(Error.stackTraceLimit).toBeUndefined();
  });
});
