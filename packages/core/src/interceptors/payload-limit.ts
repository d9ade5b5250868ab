// payloadLimit(): caps the UTF-8 size of the JSON of request/notification `params` and of response `result`.
// Over the cap: -31006 PAYLOAD_TOO_LARGE (a request is answered at once; an oversized result is replaced).
import { ErrorCode, InterceptorError } from '../errors.js';
import { Priority, type Interceptor } from '../interceptor.js';
import { optionsObject, positiveInt, priority as priorityOption, stringList } from '../internal/options.js';
import type { JsonObject } from '../jsonrpc.js';

export interface PayloadLimitOptions {
  /**
   * Most bytes of `params` (UTF-8 JSON) a request or notification may carry. The default matches the SDK's HTTP
   * server transports, which refuse larger bodies. @defaultValue 4_194_304 (4 MiB)
   */
  readonly maxRequestBytes?: number;
  /** Most bytes of `result` (UTF-8 JSON) a response may carry. @defaultValue 16_777_216 (16 MiB) */
  readonly maxResponseBytes?: number;
  /** Methods to check (a response is checked by its request's method). @defaultValue every method */
  readonly methods?: readonly string[];
  /** @defaultValue Priority.Critical */
  readonly priority?: Priority;
}

export type PayloadPart = 'params' | 'result';

const NAME = 'payload-limit';

/**
 * Refuses messages whose `params` or `result` is larger than a limit, measured as the UTF-8 bytes of its JSON. A
 * request over `maxRequestBytes` is answered with -31006 `PAYLOAD_TOO_LARGE` (`data: { limit, size, part: 'params' }`)
 * and never reaches the handler; a notification over it is dropped (and reported); a response whose result is over
 * `maxResponseBytes` is replaced by that error (`part: 'result'`), with the same id. Error responses are not measured.
 *
 * Runs at `Priority.Critical`, so a request is measured before any other interceptor works on it and a result after
 * every other interceptor has (on the way back, Critical is last).
 *
 * @example
 * const chain = createChain([payloadLimit({ maxRequestBytes: 1_000_000, maxResponseBytes: 8_000_000 })]);
 */
export function payloadLimit(options: PayloadLimitOptions = {}): Interceptor {
  optionsObject('payloadLimit', options);
  const maxRequestBytes = positiveInt('payloadLimit.maxRequestBytes', options.maxRequestBytes, 4_194_304);
  const maxResponseBytes = positiveInt('payloadLimit.maxResponseBytes', options.maxResponseBytes, 16_777_216);
  const methods = options.methods === undefined ? undefined : new Set(stringList('payloadLimit.methods', options.methods, []));

  const check = (value: JsonObject | undefined, limit: number, part: PayloadPart, method: string): void => {
    if (value === undefined || (methods !== undefined && !methods.has(method))) return;
    const size = oversize(value, limit);
    if (size === undefined) return;
    throw new InterceptorError(ErrorCode.PayloadTooLarge, 'Payload too large', { reason: 'PAYLOAD_TOO_LARGE', interceptor: NAME, limit, size, part });
  };

  return {
    name: NAME,
    priority: priorityOption('payloadLimit.priority', options.priority, Priority.Critical),
    onRequest(req) {
      check(req.params, maxRequestBytes, 'params', req.method);
    },
    onNotification(notification) {
      check(notification.params, maxRequestBytes, 'params', notification.method);
    },
    onResponse(res, ctx) {
      if ('result' in res) check(res.result, maxResponseBytes, 'result', ctx.method);
    },
  };
}

/**
 * The UTF-8 size of `value`'s JSON when it is over `limit`, else undefined. Serialises once, and skips counting bytes
 * when the length settles it: a UTF-16 unit takes at most 3 UTF-8 bytes (a surrogate pair 4 for its 2 units).
 */
function oversize(value: JsonObject, limit: number): number | undefined {
  // Most payloads are far below the cap: an upper bound on their size, found without serialising, proves it.
  if (boundWithin(value, limit, 0) >= 0) return undefined;
  const json = JSON.stringify(value);
  if (json.length * 3 <= limit) return undefined;
  const size = Buffer.byteLength(json, 'utf8');
  return size > limit ? size : undefined;
}

/** Bytes one UTF-16 unit of a string can take in UTF-8 JSON, at most (a control character: `\u001f`). */
const PER_UNIT = 6;
/** Characters a JSON number can take, at most (e.g. `-1.2345678901234567e-308`). */
const NUMBER_MAX = 25;

/**
 * What is left of `budget` after an upper bound on the UTF-8 JSON size of `value`, or -1 once it is spent or
 * the value is not plain data (a `toJSON`, a bigint, nesting past 64 levels): the caller then serialises.
 */
function boundWithin(value: unknown, budget: number, depth: number): number {
  switch (typeof value) {
    case 'string':
      budget -= value.length * PER_UNIT + 2;
      break;
    case 'number':
      budget -= NUMBER_MAX;
      break;
    case 'boolean':
      budget -= 5;
      break;
    case 'undefined':
    case 'function':
    case 'symbol':
      budget -= 4;
      break;
    case 'object': {
      if (value === null) {
        budget -= 4;
        break;
      }
      if (depth > 64 || typeof (value as { toJSON?: unknown }).toJSON === 'function') return -1;
      if (Array.isArray(value)) {
        budget -= 2;
        for (const item of value) {
          budget = boundWithin(item, budget - 1, depth + 1);
          if (budget < 0) return -1;
        }
        break;
      }
      budget -= 2;
      const record = value as Record<string, unknown>;
      for (const key in record) {
        if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
        budget = boundWithin(record[key], budget - key.length * PER_UNIT - 4, depth + 1);
        if (budget < 0) return -1;
      }
      break;
    }
    default:
      return -1;
  }
  return budget < 0 ? -1 : budget;
}
