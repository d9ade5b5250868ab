// Which attempt a request is: set by withRetry on the RequestInit, read by withRedactedLogging.

export const ATTEMPT: unique symbol = Symbol('mcp-interceptors.attempt');

export type InitWithAttempt = RequestInit & { [ATTEMPT]?: number };
