// The one source of time: every time-based behaviour reads it, so tests can swap in a manual clock.

export type TimerHandle = { readonly __timer: unique symbol } | ReturnType<typeof setTimeout>;

export interface Clock {
  /** Milliseconds since the epoch, monotonic within a process, sub-millisecond precision allowed. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

// `performance.timeOrigin` is a getter that costs about as much as `now()` itself, and clocks are read a dozen
// times per request: it is read again only when `performance` is another object (fake timers install their own).
let originOf: typeof performance | undefined;
let origin = 0;

/** Wall-clock origin plus `performance.now()`: monotonic, and read at call time so fake timers apply. */
export const systemClock: Clock = {
  now: () => {
    const current = performance;
    if (current !== originOf) {
      origin = current.timeOrigin;
      originOf = current;
    }
    return origin + current.now();
  },
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // A pending deadline must never keep a process alive on its own.
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
