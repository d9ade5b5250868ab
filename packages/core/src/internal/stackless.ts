// Stackless dispatch: the SDK's Protocol tells a message's kind by trying zod schemas in turn (response? error
// response? request?), and each failed `safeParse` builds a ZodError, which captures a stack trace. An inbound
// request costs two of them, a notification three, all discarded at once; capturing them is about a quarter of the
// SDK's CPU per call. While the SDK dispatches an inbound request or notification (synchronously: the kind checks,
// the handler lookup, scheduling the handler in a microtask), `Error.stackTraceLimit` is 0. Handlers run later, with
// stacks; so do our own sends made during the dispatch (a "Method not found" reply reaching an in-memory peer).

/** The limit to put back while a stackless dispatch runs; undefined outside one. */
let suspended: number | undefined;

/** Starts a stackless stretch; false when one is already running (the outer one restores the limit). */
export function enterStackless(): boolean {
  // A limit someone removed or made odd is theirs: leave it alone.
  if (suspended !== undefined || typeof Error.stackTraceLimit !== 'number') return false;
  suspended = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  return true;
}

/** Ends the stretch `enterStackless()` started (only when it returned true). */
export function leaveStackless(): void {
  if (suspended === undefined) return;
  Error.stackTraceLimit = suspended;
  suspended = undefined;
}

/** Stacks back on for work whose errors someone keeps; returns what `resumeStackless` needs (undefined: nothing to do). */
export function pauseStackless(): number | undefined {
  const limit = suspended;
  if (limit === undefined) return undefined;
  suspended = undefined;
  Error.stackTraceLimit = limit;
  return limit;
}

/** Ends a pause: the stretch that was running goes on. */
export function resumeStackless(limit: number | undefined): void {
  if (limit === undefined) return;
  suspended = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
}
