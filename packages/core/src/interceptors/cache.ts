// cache: answers repeated list/read requests (and chosen tools) from memory, per caller identity, with a TTL,
// LRU bound, single-flight misses, and invalidation by the list_changed / updated notifications.
import type { Clock } from '../clock.js';
import type { InterceptorContext } from '../context.js';
import * as check from '../internal/options.js';
import { Priority, type Interceptor } from '../interceptor.js';
import { isErrorResponse, type JsonObject, type JsonRpcRequest, type JsonRpcResponse } from '../jsonrpc.js';
import { createKey, type MetadataKey } from '../metadata.js';
import type { SessionInfo } from '../session.js';
import { cacheKey } from './cache-key.js';
import { clock as clockOption } from '../internal/options.js';

/** Methods whose results may be cached (they read and change nothing). */
export type CacheableMethod = 'tools/list' | 'prompts/list' | 'prompts/get' | 'resources/list' | 'resources/templates/list' | 'resources/read';

export interface CacheOptions {
  /** Time to live of an entry of a cached method, in milliseconds. @defaultValue 60_000 */
  readonly ttlMs?: number;
  /**
   * TTL per method, ahead of `ttlMs`; 0 turns a method off. `tools/list`, `prompts/list`, `resources/list`,
   * `resources/templates/list` and `resources/read` are cached by default, `prompts/get` only when given here.
   * @defaultValue `{}`
   */
  readonly methods?: Readonly<Partial<Record<CacheableMethod, number>>>;
  /** `tools/call` results to cache, as tool name → TTL in milliseconds (keyed by name and arguments). @defaultValue `{}` */
  readonly tools?: Readonly<Record<string, number>>;
  /** Entries kept at most; the least recently used goes first. @defaultValue 1000 */
  readonly maxEntries?: number;
  /**
   * Who is asking: entries are never shared between identities. Make it return the user when your server answers
   * differently per user. @defaultValue `auth.clientId` with its scopes, else the session id, else one key per connection
   */
  readonly identity?: (ctx: InterceptorContext) => string;
  /** Reads the time for TTLs. @defaultValue the chain's clock (`ctx.clock`) */
  readonly clock?: Clock;
  /** @defaultValue Priority.Normal */
  readonly priority?: Priority;
}

export interface CacheStats {
  /** Answered from memory. */
  readonly hits: number;
  /** Sent on (and stored when the answer was a success). */
  readonly misses: number;
  /** Answered by joining an identical request already in flight (single-flight). */
  readonly coalesced: number;
  /** Entries pushed out by `maxEntries`. */
  readonly evictions: number;
  /** Entries removed by a notification (or `clear()`). */
  readonly invalidations: number;
  /** Entries held now (expired ones dropped). */
  readonly size: number;
}

export interface CacheInterceptor extends Interceptor {
  stats(): CacheStats;
  /** Drops every entry (counted as invalidations). */
  clear(): void;
}

/** How `cache()` answered an exchange: from memory, by a call below, or by joining an identical call in flight. */
export const CacheStatusKey: MetadataKey<'hit' | 'miss' | 'coalesced'> = createKey<'hit' | 'miss' | 'coalesced'>('cache.status');

const CACHEABLE: readonly CacheableMethod[] = ['tools/list', 'prompts/list', 'prompts/get', 'resources/list', 'resources/templates/list', 'resources/read'];
const OFF_BY_DEFAULT: ReadonlySet<string> = new Set(['prompts/get']);

/** What each notification makes stale, in either direction. */
const INVALIDATES: ReadonlyMap<string, readonly string[]> = new Map([
  ['notifications/tools/list_changed', ['tools/list', 'tools/call']],
  ['notifications/prompts/list_changed', ['prompts/list', 'prompts/get']],
  ['notifications/resources/list_changed', ['resources/list', 'resources/templates/list', 'resources/read']],
  ['notifications/resources/updated', ['resources/read']],
]);

interface Entry {
  readonly method: string;
  readonly uri: string | undefined;
  readonly result: JsonObject;
  readonly expiresAt: number;
}

interface Flight {
  readonly method: string;
  readonly uri: string | undefined;
  /** The stored copy of a cacheable answer, or undefined when the call failed (followers then call on their own). */
  readonly done: Promise<JsonObject | undefined>;
  /** Set by an invalidation while in flight: the answer may predate the change, so it is not stored. */
  stale: boolean;
}

/**
 * Answers repeated requests from memory: `tools/list`, `prompts/list`, `resources/list`,
 * `resources/templates/list`, `resources/read` (and `prompts/get` and chosen tools when configured). Keyed by
 * method, params (key order and `_meta` ignored) and caller identity. Errors and `isError` tool results are never
 * stored; `notifications/*\/list_changed` and `notifications/resources/updated` passing either way drop what they
 * make stale. A hit is a fresh copy carrying the current request's id; identical misses in flight share one call.
 *
 * @example
 * const results = cache({ ttlMs: 30_000, tools: { 'get-weather': 60_000 } });
 * const chain = createChain([results]);
 * // later: results.stats() → { hits, misses, coalesced, evictions, invalidations, size }
 */
export function cache(options: CacheOptions = {}): CacheInterceptor {
  check.optionsObject('cache', options);
  const ttlMs = check.nonNegativeNumber('cache.ttlMs', options.ttlMs, 60_000);
  check.record('cache.methods', options.methods);
  const ttls = new Map<string, number>();
  for (const method of CACHEABLE) if (!OFF_BY_DEFAULT.has(method)) ttls.set(method, ttlMs);
  for (const [method, ms] of Object.entries(options.methods ?? {})) {
    if (!(CACHEABLE as readonly string[]).includes(method)) {
      const hint = method === 'tools/call' ? ' (cache tool results with cache.tools)' : '';
      throw new TypeError(`cache.methods: ${JSON.stringify(method)} cannot be cached; allowed: ${CACHEABLE.join(', ')}${hint}`);
    }
    if (ms !== undefined) ttls.set(method, check.nonNegativeNumber(`cache.methods.${method}`, ms, 0));
  }
  check.record('cache.tools', options.tools);
  const toolTtls = new Map<string, number>();
  for (const [tool, ms] of Object.entries(options.tools ?? {})) {
    if (ms !== undefined) toolTtls.set(tool, check.nonNegativeNumber(`cache.tools.${tool}`, ms, 0));
  }
  for (const table of [ttls, toolTtls]) for (const [name, ms] of table) if (ms === 0) table.delete(name);
  const maxEntries = check.positiveInt('cache.maxEntries', options.maxEntries, 1000);
  const identity = check.fn<(ctx: InterceptorContext) => string>('cache.identity', options.identity, defaultIdentity());
  const fixedClock = clockOption('cache.clock', options.clock);
  const priority = check.priority('cache.priority', options.priority, Priority.Normal);

  /** Insertion order is recency order: a hit moves its entry to the end, eviction takes from the front. */
  const entries = new Map<string, Entry>();
  const inflight = new Map<string, Flight>();
  let hits = 0;
  let misses = 0;
  let coalesced = 0;
  let evictions = 0;
  let invalidations = 0;
  /** The clock TTLs were last read from, so `stats()` can leave out expired entries. */
  let lastClock = fixedClock;

  function ttlFor(request: JsonRpcRequest): number | undefined {
    if (request.method !== 'tools/call') return ttls.get(request.method);
    const name = request.params?.['name'];
    return typeof name === 'string' ? toolTtls.get(name) : undefined;
  }

  function store(key: string, entry: Entry): void {
    entries.delete(key);
    while (entries.size >= maxEntries) {
      entries.delete(entries.keys().next().value as string);
      evictions++;
    }
    entries.set(key, entry);
  }

  function invalidate(methods: readonly string[], uri: string | undefined): void {
    for (const [key, entry] of entries) {
      if (methods.includes(entry.method) && (uri === undefined || entry.uri === uri)) {
        entries.delete(key);
        invalidations++;
      }
    }
    for (const [key, flight] of inflight) {
      if (methods.includes(flight.method) && (uri === undefined || flight.uri === uri)) {
        flight.stale = true;
        inflight.delete(key);
      }
    }
  }

  const answer = (request: JsonRpcRequest, result: JsonObject): JsonRpcResponse => ({ jsonrpc: '2.0', id: request.id, result: structuredClone(result) });

  return {
    name: 'cache',
    priority,
    shouldExecute: (ctx) => (ctx.kind === 'notification' ? INVALIDATES.has(ctx.method) : ctx.method === 'tools/call' ? toolTtls.size > 0 : ttls.has(ctx.method)),
    async around(request, ctx, next) {
      const ttl = ttlFor(request);
      if (ttl === undefined) return next();
      let who: unknown;
      try {
        who = identity(ctx);
      } catch {
        who = undefined;
      }
      if (typeof who !== 'string') {
        // Without an identity an entry could reach the wrong caller: do not cache.
        ctx.metrics.increment('cache.identity_failures', { method: request.method });
        return next();
      }
      const key = cacheKey(request.method, who, request.params);
      const clock = fixedClock ?? ctx.clock;
      lastClock = clock;
      const entry = entries.get(key);
      if (entry !== undefined) {
        entries.delete(key);
        if (entry.expiresAt > clock.now()) {
          entries.set(key, entry);
          hits++;
          record(ctx, request.method, 'hit');
          return answer(request, entry.result);
        }
      }
      const joined = inflight.get(key);
      if (joined !== undefined) {
        const result = await joined.done;
        if (result !== undefined) {
          coalesced++;
          record(ctx, request.method, 'coalesced');
          return answer(request, result);
        }
      }

      misses++;
      record(ctx, request.method, 'miss');
      let finish!: (result: JsonObject | undefined) => void;
      const uri = request.method === 'resources/read' ? uriOf(request.params) : undefined;
      const flight: Flight = { method: request.method, uri, done: new Promise((resolve) => (finish = resolve)), stale: false };
      if (!inflight.has(key)) inflight.set(key, flight);
      const response = await next();
      let kept: JsonObject | undefined;
      if (!isErrorResponse(response) && response.result['isError'] !== true) {
        kept = structuredClone(response.result);
        if (!flight.stale) store(key, { method: request.method, uri, result: kept, expiresAt: clock.now() + ttl });
      }
      if (inflight.get(key) === flight) inflight.delete(key);
      finish(kept);
      return response;
    },
    onNotification(notification) {
      const methods = INVALIDATES.get(notification.method);
      if (methods === undefined) return;
      invalidate(methods, notification.method === 'notifications/resources/updated' ? uriOf(notification.params) : undefined);
    },
    stats() {
      return { hits, misses, coalesced, evictions, invalidations, size: liveSize() };
    },
    clear() {
      invalidations += entries.size;
      entries.clear();
      for (const flight of inflight.values()) flight.stale = true;
      inflight.clear();
    },
  };

  function liveSize(): number {
    if (lastClock === undefined) return entries.size;
    const now = lastClock.now();
    let size = 0;
    for (const entry of entries.values()) if (entry.expiresAt > now) size++;
    return size;
  }
}

function record(ctx: InterceptorContext, method: string, status: 'hit' | 'miss' | 'coalesced'): void {
  ctx.metadata.set(CacheStatusKey, status);
  ctx.metrics.increment('cache.lookups', { method, status });
}

function uriOf(params: JsonObject | undefined): string | undefined {
  const uri = params?.['uri'];
  return typeof uri === 'string' ? uri : undefined;
}

/** auth.clientId (+ scopes) for authenticated callers, else the session id, else one key per connection. */
function defaultIdentity(): (ctx: InterceptorContext) => string {
  const connections = new WeakMap<SessionInfo, string>();
  let next = 0;
  return (ctx) => {
    const auth = ctx.auth;
    if (auth !== undefined) return `client:${auth.clientId}:${[...auth.scopes].sort().join(' ')}`;
    const sessionId = ctx.session.sessionId;
    if (sessionId !== undefined) return `session:${sessionId}`;
    let id = connections.get(ctx.session);
    if (id === undefined) {
      id = `connection:${++next}`;
      connections.set(ctx.session, id);
    }
    return id;
  };
}
