// error-handling: counts errors per code, reason, category and method, reports each one in full to `onError`, and
// in production mode masks internal errors in the responses we send so no message, stack or cause leaves the process.
import type { Clock } from '../clock.js';
import type { Direction, InterceptorContext } from '../context.js';
import { ErrorCode, type InterceptorError } from '../errors.js';
import { clockOption, endOf, LabelCap, MCP_METHODS, observeRequests, toolNameOf } from '../internal/exchange-end.js';
import { boolean, fn, oneOf, optionsObject, positiveInt } from '../internal/options.js';
import { Priority, type Interceptor } from '../interceptor.js';
import type { JsonObject, JsonRpcId, JsonRpcResponse } from '../jsonrpc.js';
import { createKey } from '../metadata.js';
import type { Side } from '../session.js';

export type ErrorCategory = 'client_error' | 'policy' | 'timeout' | 'cancelled' | 'tool_error' | 'internal';

const CATEGORIES: readonly ErrorCategory[] = ['client_error', 'policy', 'timeout', 'cancelled', 'tool_error', 'internal'];

/** The SDK's own codes: -32001 request timeout, -32042 URL elicitation required (a signal to the client, not a fault). */
const SDK_REQUEST_TIMEOUT = -32001;
const SDK_URL_ELICITATION_REQUIRED = -32042;
const PARSE_ERROR = -32700;

/** Codes sent as they are in production mode, besides policy errors (-31xxx with a `data.reason`). */
export const DEFAULT_EXPOSED_CODES: readonly number[] = Object.freeze([
  PARSE_ERROR,
  ErrorCode.InvalidRequest,
  ErrorCode.MethodNotFound,
  ErrorCode.InvalidParams,
  ErrorCode.ConnectionClosed,
  SDK_REQUEST_TIMEOUT,
  SDK_URL_ELICITATION_REQUIRED,
]);

/**
 * The category of an error: `client_error` (-32700, -32600, -32601, -32602, -32042), `timeout` (-31004, -32001),
 * `cancelled` (-31009), `policy` (other -31xxx codes), `tool_error` (a tool result with `isError`), else `internal`.
 *
 * @example categorizeError(-31001) // 'policy'
 */
export function categorizeError(code: number | undefined): ErrorCategory {
  if (code === undefined) return 'tool_error';
  switch (code) {
    case PARSE_ERROR:
    case ErrorCode.InvalidRequest:
    case ErrorCode.MethodNotFound:
    case ErrorCode.InvalidParams:
    case SDK_URL_ELICITATION_REQUIRED:
      return 'client_error';
    case ErrorCode.Timeout:
    case SDK_REQUEST_TIMEOUT:
      return 'timeout';
    case ErrorCode.Cancelled:
      return 'cancelled';
    default:
      return isPolicyCode(code) ? 'policy' : 'internal';
  }
}

function isPolicyCode(code: number): boolean {
  return code <= -31000 && code > -32000;
}

/** Everything known about one error; given to `onError` in full, whatever was masked on the wire. */
export interface ErrorRecord {
  /** ISO 8601, from the interceptor's clock. */
  readonly time: string;
  readonly side: Side;
  readonly direction: Direction;
  readonly method: string;
  readonly id?: JsonRpcId;
  readonly requestId: string;
  readonly tool?: string;
  readonly category: ErrorCategory;
  /** Undefined for a tool error (a result with `isError: true`). */
  readonly code?: number;
  readonly reason?: string;
  /** The original message (for a tool error, its text content). */
  readonly message: string;
  /** The original `error.data`. */
  readonly data?: unknown;
  /** What a hook of this chain threw, when the error came from one (stack included). */
  readonly cause?: unknown;
  /** True when the response we sent was masked. */
  readonly masked: boolean;
  readonly durationMs: number;
}

export interface ErrorCounts {
  readonly total: number;
  readonly byCategory: Readonly<Record<ErrorCategory, number>>;
  /** By JSON-RPC code (tool errors have none). */
  readonly byCode: Readonly<Record<string, number>>;
  readonly byReason: Readonly<Record<string, number>>;
}

export interface ErrorStats extends ErrorCounts {
  readonly byMethod: Readonly<Record<string, ErrorCounts>>;
}

export interface ErrorHandlingOptions {
  /** `production` masks internal errors in the responses we send; `development` sends them as they are. @defaultValue 'production' */
  readonly mode?: 'development' | 'production';
  /** Called with the full record of every error response (masked or not). Errors it throws are ignored. @defaultValue none */
  readonly onError?: (record: ErrorRecord, ctx: InterceptorContext) => void;
  /** Codes sent unmasked in production, besides policy errors (-31xxx with a `data.reason`). @defaultValue {@link DEFAULT_EXPOSED_CODES} */
  readonly exposeCodes?: readonly number[];
  /** Replace the text of tool error results (`isError: true`, e.g. a tool that threw) too. @defaultValue true in production, false in development */
  readonly maskToolErrors?: boolean;
  /** Distinct methods (besides MCP's), codes and reasons kept in `stats()`; later ones count as `other`. @defaultValue 100 */
  readonly maxEntries?: number;
  /** The time source. @defaultValue the chain's clock (`ctx.clock`) */
  readonly clock?: Clock;
}

/** The error-handling interceptor, with its statistics. */
export interface ErrorHandlingInterceptor extends Interceptor {
  /** A copy of the statistics since creation or the last `resetStats()`. */
  stats(): ErrorStats;
  resetStats(): void;
}

const MASKED_MESSAGE = 'Internal error';

/**
 * Sees the final response of every request (register it first among the `Critical` interceptors so it is
 * outermost), counts each error by code, reason, category and method, and reports it to `onError` with the original
 * message, data and cause. In production mode, a response we send with `-32603` or any code not in `exposeCodes`
 * becomes `{ code: -32603, message: 'Internal error', data: { reason: 'INTERNAL', requestId } }`, and a tool error
 * result's text becomes `Internal error (request <requestId>)`. Policy errors (-31xxx with `data.reason`) and
 * errors the peer sent us pass unchanged.
 *
 * @example
 * const errors = errorHandling({ mode: 'production', onError: (r) => logger.error(r) });
 * const chain = createChain([errors, requestId(), validation()]);
 * errors.stats().byCategory.internal;
 */
export function errorHandling(options: ErrorHandlingOptions = {}): ErrorHandlingInterceptor {
  optionsObject('errorHandling', options);
  const mode = oneOf('errorHandling.mode', options.mode, ['development', 'production'], 'production');
  const onError = fn<NonNullable<ErrorHandlingOptions['onError']>>('errorHandling.onError', options.onError);
  const exposed = new Set(codeList(options.exposeCodes));
  const maskToolErrors = boolean('errorHandling.maskToolErrors', options.maskToolErrors, mode === 'production');
  const maxEntries = positiveInt('errorHandling.maxEntries', options.maxEntries, 100);
  const fixedClock = clockOption('errorHandling.clock', options.clock);
  const masks = mode === 'production';
  const clockOf = (ctx: InterceptorContext): Clock => fixedClock ?? ctx.clock;
  const Raised = createKey<InterceptorError>('error-handling.raised');

  let stats = createStats(maxEntries);

  const shouldMask = (code: number, data: unknown): boolean => {
    if (exposed.has(code)) return false;
    const reason = (data as { reason?: unknown } | null | undefined)?.reason;
    return !(isPolicyCode(code) && typeof data === 'object' && data !== null && typeof reason === 'string');
  };

  const hooks = observeRequests({
    clock: clockOf,
    onEnd(response, ctx, durationMs, started) {
      const end = endOf(response);
      if (end.outcome === 'ok') return;
      const category = categorizeError(end.code);
      stats.count(ctx.method, category, end.code, end.reason);
      // Read before masking: the record keeps the original.
      const original = 'error' in response ? response.error : undefined;
      const message = original?.message ?? (onError === undefined ? '' : toolErrorText(response));
      // Only what we send is masked: an error the peer sent us is the peer's business.
      const masked = masks && ctx.direction === 'inbound' && started.at !== undefined && mask(response, ctx);
      if (onError === undefined) return;
      const tool = toolNameOf(ctx.method, started.request?.params);
      const cause = ctx.metadata.get(Raised)?.cause;
      const record: ErrorRecord = {
        time: new Date(clockOf(ctx).now()).toISOString(),
        side: ctx.side,
        direction: ctx.direction,
        method: ctx.method,
        ...(ctx.jsonrpcId === undefined ? {} : { id: ctx.jsonrpcId }),
        requestId: ctx.requestId,
        ...(tool === undefined ? {} : { tool }),
        category,
        ...(end.code === undefined ? {} : { code: end.code }),
        ...(end.reason === undefined ? {} : { reason: end.reason }),
        message,
        ...(original?.data === undefined ? {} : { data: original.data }),
        ...(cause === undefined ? {} : { cause }),
        masked,
        durationMs,
      };
      try {
        onError(record, ctx);
      } catch {
        // A user hook never breaks a request.
      }
    },
  });

  /** Replaces (never edits) the error or result; returns whether anything was masked. */
  function mask(response: JsonRpcResponse, ctx: InterceptorContext): boolean {
    if ('error' in response) {
      if (!shouldMask(response.error.code, response.error.data)) return false;
      response.error = { code: ErrorCode.InternalError, message: MASKED_MESSAGE, data: { reason: 'INTERNAL', requestId: ctx.requestId } };
      return true;
    }
    if (!maskToolErrors) return false;
    const meta = response.result['_meta'];
    response.result = {
      content: [{ type: 'text', text: `${MASKED_MESSAGE} (request ${ctx.requestId})` }],
      isError: true,
      ...(meta === undefined ? {} : { _meta: meta }),
    };
    return true;
  }

  return {
    name: 'error-handling',
    priority: Priority.Critical,
    onRequest: hooks.onRequest,
    onResponse: hooks.onResponse,
    onError(error, ctx) {
      // Keep what a hook threw (with its cause) for the record; the response only carries code, message and data.
      if (!ctx.metadata.has(Raised)) ctx.metadata.set(Raised, error);
      hooks.onError(error, ctx);
    },
    stats: () => stats.read(),
    resetStats: () => {
      stats = createStats(maxEntries);
    },
  };
}

function codeList(value: unknown): readonly number[] {
  if (value === undefined) return DEFAULT_EXPOSED_CODES;
  if (!Array.isArray(value) || value.some((c) => !Number.isInteger(c))) throw new TypeError('errorHandling.exposeCodes must be an array of integers');
  return value as number[];
}

function toolErrorText(response: JsonRpcResponse): string {
  if (!('result' in response)) return '';
  const content = (response.result as JsonObject)['content'];
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) => (typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : ''))
    .filter((text) => text.length > 0)
    .join('\n');
}

interface MutableCounts {
  total: number;
  byCategory: Record<ErrorCategory, number>;
  // Maps, not objects: codes, reasons and methods come from peers ("__proto__" is a valid reason).
  byCode: Map<string, number>;
  byReason: Map<string, number>;
}

function emptyCounts(): MutableCounts {
  return { total: 0, byCategory: Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<ErrorCategory, number>, byCode: new Map(), byReason: new Map() };
}

function copyCounts(counts: MutableCounts): ErrorCounts {
  return { total: counts.total, byCategory: { ...counts.byCategory }, byCode: Object.fromEntries(counts.byCode), byReason: Object.fromEntries(counts.byReason) };
}

/** Statistics with bounded keys: a peer sending endless distinct methods, codes or reasons cannot grow them. */
function createStats(maxEntries: number): { count(method: string, category: ErrorCategory, code: number | undefined, reason: string | undefined): void; read(): ErrorStats } {
  const methods = new LabelCap(maxEntries, MCP_METHODS);
  const codes = new LabelCap(maxEntries);
  const reasons = new LabelCap(maxEntries);
  const all = emptyCounts();
  const byMethod = new Map<string, MutableCounts>();
  const add = (counts: MutableCounts, category: ErrorCategory, code: string | undefined, reason: string | undefined): void => {
    counts.total++;
    counts.byCategory[category]++;
    if (code !== undefined) counts.byCode.set(code, (counts.byCode.get(code) ?? 0) + 1);
    if (reason !== undefined) counts.byReason.set(reason, (counts.byReason.get(reason) ?? 0) + 1);
  };
  return {
    count(method, category, code, reason) {
      const codeLabel = code === undefined ? undefined : codes.label(String(code));
      const reasonLabel = reason === undefined ? undefined : reasons.label(reason);
      add(all, category, codeLabel, reasonLabel);
      const label = methods.label(method);
      let counts = byMethod.get(label);
      if (counts === undefined) byMethod.set(label, (counts = emptyCounts()));
      add(counts, category, codeLabel, reasonLabel);
    },
    read: () => ({ ...copyCounts(all), byMethod: Object.fromEntries([...byMethod].map(([method, counts]) => [method, copyCounts(counts)])) }),
  };
}
