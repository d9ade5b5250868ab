// Stackless dispatch: the SDK's Protocol tells a message's kind by trying zod schemas in turn (response? error
// response? request?), and each failed `safeParse` builds a ZodError, which captures a stack trace. An inbound
// request costs two of them, a notification three, all discarded at once; capturing them is about a quarter of the
// SDK's CPU per call. While the SDK dispatches an inbound request or notification (synchronously: the kind checks,
// the handler lookup, scheduling the handler in a microtask), `Error.stackTraceLimit` is 0. Handlers run later, with
// stacks; so do our own sends made during the dispatch (a "Method not found" reply reaching an in-memory peer).

/** The limit to put back while a stackless dispatch runs; undefined outside one. */
let suspended: number | undefined;

/** Starts a stackless stretch; false when one is already running (the outer one restores the limit) or none can. */
export function enterStackless(): boolean {
  const limit = Error.stackTraceLimit;
  // A limit someone removed or made odd is theirs: leave it alone.
  if (suspended !== undefined || typeof limit !== 'number') return false;
  if (!setLimit(0)) return false;
  suspended = limit;
  return true;
}

/** Ends the stretch `enterStackless()` started (only when it returned true). */
export function leaveStackless(): void {
  if (suspended === undefined) return;
  setLimit(suspended);
  suspended = undefined;
}

/** Stacks back on for work whose errors someone keeps; true when a stretch was paused (pass it to `resumeStackless`). */
export function pauseStackless(): boolean {
  const limit = suspended;
  if (limit === undefined) return false;
  suspended = undefined;
  setLimit(limit);
  return true;
}

/** Ends a pause: the stretch that was running goes on, to put back the limit as it is now. */
export function resumeStackless(paused: boolean): void {
  if (!paused) return;
  const current = Error.stackTraceLimit;
  if (typeof current === 'number' && setLimit(0)) suspended = current;
}

/**
 * False when the limit cannot be set: `node --frozen-intrinsics`, a frozen `Error`, hardened JavaScript. Stacks
 * then stay as they are; nothing else changes.
 */
function setLimit(limit: number): boolean {
  try {
    Error.stackTraceLimit = limit;
    return true;
  } catch {
    return false;
  }
}
