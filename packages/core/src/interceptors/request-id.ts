// request-id: one correlation id per exchange, carried in `params._meta` to the far side and echoed back in the
// responses we send, so both chains, the handler and the caller can join the same exchange.
import { v4 as uuidv4 } from 'uuid';
import { REQUEST_ID_META_KEY, type InterceptorContext } from '../context.js';
import { extensibleCopy } from '../internal/copy-frame.js';
import { fillRandom16, formatUuid } from '../internal/uuid.js';
import { boolean, fn, optionsObject } from '../internal/options.js';
import { Priority, type Interceptor } from '../interceptor.js';
import type { JsonObject, JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';

/** What a correlation id may look like: 1–128 characters of `A-Z a-z 0-9 . _ : -` (safe in logs and headers). */
export const REQUEST_ID_PATTERN: RegExp = /^[A-Za-z0-9._:-]{1,128}$/;

// REQUEST_ID_PATTERN as a length check plus a search for one character outside the set: the same test, about
// twice as fast as the anchored, counted pattern, and it runs for every request.
const OUTSIDE_REQUEST_ID_CHARS = /[^A-Za-z0-9._:-]/;

/** True for a string that is safe to use as a correlation id (see {@link REQUEST_ID_PATTERN}). */
export function isValidRequestId(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= 128 && !OUTSIDE_REQUEST_ID_CHARS.test(value);
}

export interface RequestIdOptions {
  /** Makes a new id. It must match {@link REQUEST_ID_PATTERN}; otherwise the request fails with -32603. @defaultValue a UUID v4 (`uuid`'s `v4`, as one flat string) */
  readonly generate?: () => string;
  /** Reuse a valid id the peer sent in `params._meta`, so both sides log the same id. An invalid one is always replaced. @defaultValue true */
  readonly trustInbound?: boolean;
  /** Put the id into the responses we send: `result._meta[REQUEST_ID_META_KEY]`, or `error.data.requestId` when `data` is an object. @defaultValue true */
  readonly echo?: boolean;
}

/**
 * Gives every exchange a correlation id (`ctx.requestId`). Outbound requests carry a fresh one in
 * `params._meta["dev.mcp-interceptors/request-id"]`; an inbound request keeps the peer's id when it is sane
 * (1–128 of `[A-Za-z0-9._:-]`) and gets a fresh one otherwise, written back into its `_meta` for the handler.
 * Responses to inbound requests echo the id. Never rejects a request.
 *
 * @example
 * const chain = createChain([requestId(), logging()]);
 * // client: requestId({ generate: () => `cli-${crypto.randomUUID()}` })
 */
export function requestId(options: RequestIdOptions = {}): Interceptor {
  optionsObject('requestId', options);
  const generate = fn<() => string>('requestId.generate', options.generate, uuidV4);
  const trustInbound = boolean('requestId.trustInbound', options.trustInbound, true);
  const echo = boolean('requestId.echo', options.echo, true);

  // A UUID always has the form: only ids from a user's generator need checking.
  const checked = options.generate !== undefined;
  const fresh = (): string => {
    const id: unknown = generate();
    if (!checked) return id as string;
    if (isValidRequestId(id)) return id;
    throw new TypeError(`requestId.generate must return 1-128 characters of [A-Za-z0-9._:-], got ${typeof id === 'string' ? JSON.stringify(id.slice(0, 40)) : typeof id}`);
  };

  return {
    name: 'request-id',
    priority: Priority.Critical,
    onRequest(request, ctx) {
      let id: string;
      if (ctx.direction === 'inbound') {
        const offered = metaOf(request)?.[REQUEST_ID_META_KEY];
        id = trustInbound && isValidRequestId(offered) ? offered : fresh();
      } else {
        // A gateway passing on the id of the request it serves keeps it; anything else starts a new one.
        const carried = metaOf(request)?.[REQUEST_ID_META_KEY];
        id = isValidRequestId(carried) ? carried : fresh();
      }
      ctx.requestId = id;
      stamp(request, id);
    },
    onResponse: echo
      ? (response, ctx) => {
          if (ctx.direction === 'inbound') echoId(response, ctx);
        }
      : undefined,
  };
}

const random = new Uint8Array(16);
const uuidBytes = new Uint8Array(16);
const V4_OPTIONS = { random };

/**
 * `uuid`'s v4 from our pooled CSPRNG bytes, written as one flat string. Its plain `v4()` returns
 * `crypto.randomUUID()`, whose text is a rope of ~20 concatenations: ~590 bytes of garbage per request, and every
 * later read of the id (the far side's check, logs) flattens it first.
 */
function uuidV4(): string {
  fillRandom16(random);
  uuidv4(V4_OPTIONS, uuidBytes);
  return formatUuid(uuidBytes);
}

function metaOf(request: JsonRpcRequest): JsonObject | undefined {
  const meta = request.params?.['_meta'];
  return typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? (meta as JsonObject) : undefined;
}

/** Writes the id into the chain's copy of `params._meta` (copied one level by the chain, so this stays ours). */
function stamp(request: JsonRpcRequest, id: string): void {
  const params = (request.params ??= {});
  const meta = params['_meta'];
  if (meta === undefined) params['_meta'] = { [REQUEST_ID_META_KEY]: id };
  else if (typeof meta === 'object' && meta !== null && !Array.isArray(meta)) (meta as JsonObject)[REQUEST_ID_META_KEY] = id;
}

/** Replaces (never edits) the nested objects: a short-circuiting interceptor may have handed us a shared response. */
function echoId(response: JsonRpcResponse, ctx: InterceptorContext): void {
  if ('result' in response) {
    const result = response.result;
    const meta = result['_meta'];
    if (meta !== undefined && (typeof meta !== 'object' || meta === null || Array.isArray(meta))) return;
    // Copies that keys are added to are made by extensibleCopy (see there: adding to a spread copy is slow).
    const echoed: JsonObject = meta === undefined ? {} : extensibleCopy(meta as JsonObject);
    echoed[REQUEST_ID_META_KEY] = ctx.requestId;
    const copy = extensibleCopy(result);
    copy['_meta'] = echoed;
    response.result = copy;
    return;
  }
  const data = response.error.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data) || 'requestId' in data) return;
  const echoed = extensibleCopy(data as JsonObject);
  echoed['requestId'] = ctx.requestId;
  const error = { ...response.error };
  error.data = echoed;
  response.error = error;
}
