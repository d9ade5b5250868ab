// A lightweight cancellation token: what `next(undefined, { cancel })` accepts instead of an AbortSignal. Node's
// AbortController costs microseconds to make and to listen on; this costs an object and a closure.

/** A one-shot cancellation: `aborted`/`reason` read its state, `onAbort` subscribes (and returns the unsubscribe). */
export interface Cancellation {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** Calls `listener` once, with the reason, when cancelled (at once if it already is). Returns the unsubscribe. */
  onAbort(listener: (reason: unknown) => void): () => void;
}

/** A `Cancellation` its maker cancels with `cancel(reason)`; later calls are ignored. */
export interface CancellationSource extends Cancellation {
  cancel(reason?: unknown): void;
}

type Listener = (reason: unknown) => void;
const noop = (): void => {};

class Source implements CancellationSource {
  aborted = false;
  reason: unknown = undefined;
  /** The first listener: most sources have one (the call below), and an array starts with room for 17. */
  private first: Listener | undefined;
  /** Listeners after the first, in the order they subscribed. */
  private more: Listener[] | undefined;

  onAbort(listener: Listener): () => void {
    if (this.aborted) {
      listener(this.reason);
      return noop;
    }
    if (this.first === undefined && this.more === undefined) {
      this.first = listener;
      return () => {
        if (this.first === listener) this.first = undefined;
      };
    }
    (this.more ??= []).push(listener);
    return () => {
      const list = this.more;
      if (list === undefined) return;
      const at = list.indexOf(listener);
      if (at >= 0) list.splice(at, 1);
    };
  }

  cancel(reason: unknown = new Error('aborted')): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const first = this.first;
    const more = this.more;
    this.first = undefined;
    this.more = undefined;
    first?.(reason);
    if (more) for (const listener of more) listener(reason);
  }
}

/**
 * Makes a cancellation to pass to `next(undefined, { cancel })`: cancelling it abandons that downstream call, as
 * aborting a `signal` would, without an AbortController.
 *
 * @example
 * const cancel = createCancellation();
 * const timer = ctx.clock.setTimeout(() => cancel.cancel(new Error('too slow')), 1_000);
 * const response = await next(undefined, { cancel });
 * ctx.clock.clearTimeout(timer);
 */
export function createCancellation(): CancellationSource {
  return new Source();
}

/** Internal: what the chain carries below an `around` — a signal, a cancellation, or neither. */
export type Stop = AbortSignal | Cancellation | undefined;

/** Internal: whether `stop` is a Node AbortSignal (rather than a `Cancellation`). */
export function isAbortSignal(stop: Stop): stop is AbortSignal {
  return typeof AbortSignal !== 'undefined' && stop instanceof AbortSignal;
}

/** Internal: subscribes to either kind; returns the unsubscribe. */
export function onStop(stop: AbortSignal | Cancellation, listener: Listener): () => void {
  if (!isAbortSignal(stop)) return stop.onAbort(listener);
  if (stop.aborted) {
    listener(stop.reason);
    return noop;
  }
  const handler = (): void => listener(stop.reason);
  stop.addEventListener('abort', handler, { once: true });
  return () => stop.removeEventListener('abort', handler);
}

/** Internal: stops when either does, without `AbortSignal.any` (which costs ~20 µs). */
export function anyStop(a: AbortSignal | Cancellation, b: AbortSignal | Cancellation): Cancellation {
  if (a.aborted) return toCancellation(a);
  if (b.aborted) return toCancellation(b);
  const both = new Source();
  // Subscribed lazily: most calls finish before anyone listens.
  return {
    get aborted() {
      return both.aborted || a.aborted || b.aborted;
    },
    get reason() {
      return both.aborted ? both.reason : a.aborted ? a.reason : b.reason;
    },
    onAbort(listener) {
      if (a.aborted) return onStop(a, listener);
      if (b.aborted) return onStop(b, listener);
      const offA = onStop(a, (reason) => both.cancel(reason));
      const offB = onStop(b, (reason) => both.cancel(reason));
      const off = both.onAbort(listener);
      return () => {
        off();
        offA();
        offB();
      };
    },
  };
}

/** Either kind as a `Cancellation` (an AbortSignal is read live, not copied). */
export function toCancellation(stop: AbortSignal | Cancellation): Cancellation {
  if (!isAbortSignal(stop)) return stop;
  return {
    get aborted() {
      return stop.aborted;
    },
    get reason() {
      return stop.reason;
    },
    onAbort: (listener) => onStop(stop, listener),
  };
}
