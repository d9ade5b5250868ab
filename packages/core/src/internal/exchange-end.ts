// How an exchange ended (ok, error or cancelled, with the error's code and reason), and hooks that report each
// exchange's end exactly once, including a request rejected by an interceptor above the observer before it ran.
import type { Clock } from '../clock.js';
import type { InterceptorContext } from '../context.js';
import { ErrorCode, type InterceptorError } from '../errors.js';
import type { Interceptor } from '../interceptor.js';
import type { JsonObject, JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';
import { createKey } from '../metadata.js';

export type Outcome = 'ok' | 'error' | 'cancelled';

export interface ExchangeEnd {
  readonly outcome: Outcome;
  /** The JSON-RPC error code; undefined for a result (a tool error included). */
  readonly code: number | undefined;
  /** `error.data.reason`, or `TOOL_ERROR` for a `tools/call` result with `isError: true`. */
  readonly reason: string | undefined;
}

const OK: ExchangeEnd = Object.freeze({ outcome: 'ok', code: undefined, reason: undefined });
const TOOL_ERROR: ExchangeEnd = Object.freeze({ outcome: 'error', code: undefined, reason: 'TOOL_ERROR' });

/** Classifies a response. A tool result with `isError: true` is an error (MCP reports tool failures that way). */
export function endOf(response: JsonRpcResponse): ExchangeEnd {
  if ('result' in response) return (response.result as JsonObject | undefined)?.['isError'] === true ? TOOL_ERROR : OK;
  const error = response.error;
  const data = error.data as { reason?: unknown } | null | undefined;
  const reason = typeof data === 'object' && data !== null && typeof data.reason === 'string' ? data.reason : undefined;
  return { outcome: error.code === ErrorCode.Cancelled ? 'cancelled' : 'error', code: error.code, reason };
}

/** The tool a `tools/call` request names, if any. */
export function toolNameOf(method: string, params: JsonObject | undefined): string | undefined {
  if (method !== 'tools/call') return undefined;
  const name = params?.['name'];
  return typeof name === 'string' ? name : undefined;
}

/** Checks a `clock` option: undefined (use the chain's) or an object with `now()`. */
export function clockOption(where: `${string}.${string}`, value: unknown): Clock | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || typeof (value as Partial<Clock>).now !== 'function') {
    throw new TypeError(`${where} must be a Clock (an object with now()), got ${value === null ? 'null' : typeof value}`);
  }
  return value as Clock;
}

/** What an observer kept from the start of an exchange. */
export interface Started {
  /** When the request reached the observer; undefined when an interceptor above rejected it first. */
  readonly at: number | undefined;
  /** The request as the observer saw it; undefined when it never did. */
  readonly request: JsonRpcRequest | undefined;
}

export interface ExchangeObserver {
  /** The observer's time source (usually `options.clock ?? ctx.clock`). */
  clock(ctx: InterceptorContext): Clock;
  onStart?(request: JsonRpcRequest, ctx: InterceptorContext): void;
  /** Called once per request exchange, with how long it took below the observer (or since the exchange began). */
  onEnd(response: JsonRpcResponse, ctx: InterceptorContext, durationMs: number, started: Started): void;
}

/**
 * The request hooks of an observing interceptor (logging, timing, metrics, error statistics). An interceptor above
 * the observer may reject a request before the observer's `onRequest` runs; the chain still tells every interceptor
 * through `onError`, so the observer reports that exchange too, timed from the start of the exchange.
 */
export function observeRequests(observer: ExchangeObserver): Required<Pick<Interceptor, 'onRequest' | 'onResponse' | 'onError'>> {
  // One key per observer: each interceptor instance tracks whether it has seen and reported the exchange.
  const state = createKey<{ at: number | undefined; request: JsonRpcRequest | undefined; ended: boolean }>('exchange-end.observer');
  return {
    onRequest(request, ctx) {
      ctx.metadata.set(state, { at: observer.clock(ctx).now(), request, ended: false });
      observer.onStart?.(request, ctx);
    },
    onResponse(response, ctx) {
      const started = ctx.metadata.get(state);
      if (started === undefined || started.ended || started.at === undefined) return;
      started.ended = true;
      observer.onEnd(response, ctx, Math.max(0, observer.clock(ctx).now() - started.at), started);
    },
    onError(error: InterceptorError, ctx) {
      if (ctx.kind !== 'request' || ctx.metadata.has(state) || ctx.jsonrpcId === undefined) return;
      // Rejected above us: this observer never saw the request and will not see the response.
      const started = { at: undefined, request: undefined, ended: true };
      ctx.metadata.set(state, started);
      observer.onEnd(error.toResponse(ctx.jsonrpcId), ctx, Math.max(0, ctx.elapsed()), started);
    },
  };
}

/** The methods of MCP 2025-11-25; a method label for them never counts against a cap. */
export const MCP_METHODS: ReadonlySet<string> = new Set([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'sampling/createMessage',
  'elicitation/create',
  'roots/list',
  'tasks/get',
  'tasks/result',
  'tasks/list',
  'tasks/cancel',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/message',
  'notifications/resources/updated',
  'notifications/resources/list_changed',
  'notifications/tools/list_changed',
  'notifications/prompts/list_changed',
  'notifications/roots/list_changed',
  'notifications/elicitation/complete',
  'notifications/tasks/status',
]);

/**
 * Keeps a label's distinct values bounded: values in `always` and the first `max` others are kept, every later
 * one reads as `other`. Memory stays bounded however many distinct methods or tools a peer sends.
 */
export class LabelCap {
  static readonly OTHER = 'other';
  private readonly seen = new Set<string>();

  constructor(
    private readonly max: number,
    private readonly always: ReadonlySet<string> = new Set(),
  ) {}

  label(value: string): string {
    if (this.always.has(value) || this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return LabelCap.OTHER;
    this.seen.add(value);
    return value;
  }
}
