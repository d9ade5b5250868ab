// The MCP endpoint's own HTTP answers, worded as the SDK words them (code -32000 / -32001, `id: null`).
import type { HttpContext } from '../http-context.js';
import { jsonRpcErrorBody } from '../http-error.js';

export function answer(ctx: HttpContext, status: number, code: number, message: string, headers?: Record<string, string>): void {
  ctx.respond(status, jsonRpcErrorBody(code, message), headers);
}

export const methodNotAllowed = (ctx: HttpContext, allow: string): void => answer(ctx, 405, -32000, 'Method not allowed.', { allow });
export const sessionNotFound = (ctx: HttpContext): void => answer(ctx, 404, -32001, 'Session not found');
export const noSession = (ctx: HttpContext): void => answer(ctx, 400, -32000, 'Bad Request: No valid session ID provided');
export const notFound = (ctx: HttpContext): void => answer(ctx, 404, -32000, 'Not Found');
export const tooManySessions = (ctx: HttpContext, maxSessions: number): void =>
  ctx.respond(503, jsonRpcErrorBody(-32000, 'Too many sessions', { reason: 'SESSION_LIMIT', maxSessions }));

/** True when a parsed POST body is (or, in a batch, contains) an `initialize` request. */
export function hasInitialize(body: unknown): boolean {
  const isInit = (message: unknown): boolean => typeof message === 'object' && message !== null && (message as { method?: unknown }).method === 'initialize';
  return Array.isArray(body) ? body.some(isInit) : isInit(body);
}
