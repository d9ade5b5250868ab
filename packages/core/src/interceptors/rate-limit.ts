// rateLimit(): token-bucket or sliding-window limits per scope (global, client, method, tool, tenant), several rules
// at once, per-key overrides, state in a pluggable store. Refuses with -31001 RATE_LIMITED and a retryAfterMs.
import type { Clock } from '../clock.js';
import type { Direction, InterceptorContext } from '../context.js';
import { ErrorCode, InterceptorError } from '../errors.js';
import { Priority, type Interceptor } from '../interceptor.js';
import { clock as clockOption } from '../internal/options.js';
import { fn, oneOf, optionsObject, positiveInt, positiveNumber, priority as priorityOption, record } from '../internal/options.js';
import type { JsonRpcRequest } from '../jsonrpc.js';
import { callerKey, directionsOption, isPromise, methodFilter, toolName, type KeyFunction } from '../stores/guard.js';
import { MemoryRateLimitStore, type RateLimit, type RateLimitDecision, type RateLimitStore } from '../stores/rate-limit-store.js';

/**
 * What a rule counts requests per:
 * - `global`: one allowance for everything that passes the chain;
 * - `client`: per caller (`key`, default `ctx.auth?.clientId ?? ctx.session.sessionId ?? 'anonymous'`);
 * - `method`: per JSON-RPC method;
 * - `tool`: per tool, for `tools/call` only (other requests are not counted by the rule);
 * - `tenant`: per the value of a `key` function you give.
 */
export type RateLimitScope = 'global' | 'client' | 'method' | 'tool' | 'tenant';

export const RATE_LIMIT_SCOPES: readonly RateLimitScope[] = Object.freeze(['global', 'client', 'method', 'tool', 'tenant']);

/** Other limits for one key of a rule; fields left out keep the rule's. */
export interface RateLimitOverride {
  readonly rate?: number;
  readonly burst?: number;
  readonly limit?: number;
  readonly windowMs?: number;
}

/**
 * One limit. Give `rate` (and optionally `burst`) for a token bucket, or `limit` and `windowMs` for a sliding
 * window; with neither, a token bucket of 10 per second.
 */
export interface RateLimitRule {
  /** @defaultValue 'client' */
  readonly scope?: RateLimitScope;
  /** Token bucket: tokens added per second (fractions allowed: 0.5 is one every 2 s). @defaultValue 10 (when no `limit`) */
  readonly rate?: number;
  /** Token bucket: the most requests allowed at once after a quiet spell; at least 1. @defaultValue max(1, ceil(rate)) */
  readonly burst?: number;
  /** Sliding window: requests allowed per `windowMs`. */
  readonly limit?: number;
  /** Sliding window: the window length in milliseconds. */
  readonly windowMs?: number;
  /**
   * The key a request counts against (for `client`, `method` and `tool`, replaces the default key; required for
   * `tenant`). Returning `undefined` exempts the request from this rule.
   */
  readonly key?: KeyFunction;
  /** Other limits for some keys, e.g. `{ 'client-a': { rate: 100 } }`. Same algorithm as the rule. */
  readonly overrides?: Readonly<Record<string, RateLimitOverride>>;
  /** Names the rule's keys in the store; keep it stable when many instances share one store. @defaultValue `${index}:${scope}` */
  readonly id?: string;
}

export interface RateLimitOptions extends RateLimitRule {
  /** Several rules, all of which must pass (give either `rules` or one rule's fields at the top level). */
  readonly rules?: readonly RateLimitRule[];
  /** Where the counters live. @defaultValue a new {@link MemoryRateLimitStore} with `maxKeys` */
  readonly store?: RateLimitStore;
  /** Keys the default memory store keeps at most (ignored with `store`). @defaultValue 100_000 */
  readonly maxKeys?: number;
  /** Methods to limit. @defaultValue every method */
  readonly methods?: readonly string[];
  /** Methods never limited. @defaultValue ['initialize', 'ping'] */
  readonly exempt?: readonly string[];
  /**
   * Which requests are limited: `inbound` (received from the peer; a server limiting its clients) and/or `outbound`
   * (sent by this side; a client throttling itself). @defaultValue ['inbound']
   */
  readonly directions?: readonly Direction[];
  /** @defaultValue the chain's clock */
  readonly clock?: Clock;
  /** @defaultValue Priority.High */
  readonly priority?: Priority;
}

/** A rule resolved at construction. */
interface Rule {
  readonly scope: RateLimitScope;
  /** Store-key prefix: the rule id and a separator. */
  readonly prefix: string;
  readonly limit: RateLimit;
  readonly overrides: ReadonlyMap<string, RateLimit> | undefined;
  /** The key, or undefined when the rule does not apply to the request. */
  readonly keyOf: KeyFunction;
  /** Whether the refusal names the key (every scope but global: the caller's own key, never another's). */
  readonly showKey: boolean;
  /** The last key and its store key (see `storeKeyOf`). */
  lastKey: string | undefined;
  lastStoreKey: string;
}

/**
 * `rule.prefix + key`, the same string again while the key repeats (one caller, one tool): a fresh concatenation
 * would be flattened and hashed anew by the store on every request.
 */
function storeKeyOf(rule: Rule, key: string): string {
  if (key !== rule.lastKey) {
    rule.lastKey = key;
    rule.lastStoreKey = rule.prefix + key;
  }
  return rule.lastStoreKey;
}

const RULE_FIELDS = ['scope', 'rate', 'burst', 'limit', 'windowMs', 'key', 'overrides', 'id'] as const;
const COST = 1;
const NAME = 'rate-limit';

/**
 * Limits how often requests pass, per scope, with a token bucket or a sliding window. A refused request is answered
 * with -31001 `RATE_LIMITED` (`data: { retryAfterMs, scope, key? }`) and never reaches the handler. Only requests are
 * counted (`initialize` and `ping` are exempt by default); with several rules, a request counts against each only
 * when all of them allow it.
 *
 * @example
 * const chain = createChain([
 *   rateLimit({
 *     rules: [
 *       { scope: 'client', rate: 5, burst: 10 },
 *       { scope: 'tool', limit: 100, windowMs: 60_000, overrides: { search: { limit: 20 } } },
 *     ],
 *   }),
 * ]);
 */
export function rateLimit(options: RateLimitOptions = {}): Interceptor {
  optionsObject('rateLimit', options);
  const topLevel = RULE_FIELDS.some((field) => options[field] !== undefined);
  let ruleOptions: readonly RateLimitRule[];
  if (options.rules !== undefined) {
    if (!Array.isArray(options.rules) || options.rules.length === 0) throw new TypeError('rateLimit.rules must be a non-empty array of rules');
    if (topLevel) throw new TypeError(`rateLimit: give either rules or one rule's fields (${RULE_FIELDS.join(', ')}) at the top level, not both`);
    ruleOptions = options.rules;
  } else {
    ruleOptions = [options];
  }
  const rules = ruleOptions.map((rule, index) => resolveRule(options.rules === undefined ? 'rateLimit' : `rateLimit.rules[${index}]`, rule, index));
  const ids = new Set<string>();
  for (const rule of rules) {
    if (ids.has(rule.prefix)) throw new TypeError(`rateLimit.rules: two rules share the id ${JSON.stringify(rule.prefix.slice(0, -1))}`);
    ids.add(rule.prefix);
  }
  if (options.store !== undefined && (typeof options.store !== 'object' || options.store === null || typeof options.store.consume !== 'function')) {
    throw new TypeError('rateLimit.store must be a RateLimitStore (an object with consume())');
  }
  const store: RateLimitStore = options.store ?? new MemoryRateLimitStore({ maxKeys: positiveInt('rateLimit.maxKeys', options.maxKeys, 100_000) });
  const applies = methodFilter('rateLimit', options.methods, options.exempt);
  const directions = directionsOption('rateLimit', options.directions, ['inbound']);
  const clock = clockOption('rateLimit.clock', options.clock);
  const single = rules.length === 1 ? rules[0] : undefined;

  const refuse = (rule: Rule, key: string, decision: RateLimitDecision, ctx: InterceptorContext): InterceptorError => {
    ctx.metrics.increment('rate_limit.rejected', { scope: rule.scope, method: ctx.method });
    const retryAfterMs = Number.isFinite(decision.retryAfterMs) ? decision.retryAfterMs : undefined;
    return new InterceptorError(ErrorCode.RateLimited, 'Rate limit exceeded', {
      reason: 'RATE_LIMITED',
      // Named here rather than by the chain, which would otherwise build a second error (and stack) per refusal.
      interceptor: NAME,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      scope: rule.scope,
      ...(rule.showKey ? { key } : {}),
    });
  };

  /** Rules `from` on, once the store answered rule `from` with a promise; `taken` are the rules already counted. */
  const finishAsync = async (req: JsonRpcRequest, ctx: InterceptorContext, now: number, from: number, firstKey: string, first: Promise<RateLimitDecision>, taken: Taken[]): Promise<void> => {
    for (let i = from; i < rules.length; i++) {
      const rule = rules[i] as Rule;
      const key = i === from ? firstKey : rule.keyOf(ctx, req);
      if (key === undefined) continue;
      const limit = rule.overrides?.get(key) ?? rule.limit;
      const decision = await (i === from ? first : store.consume(storeKeyOf(rule, key), COST, limit, now));
      if (!decision.allowed) {
        await refundAll(store, taken, now);
        throw refuse(rule, key, decision, ctx);
      }
      taken.push({ storeKey: storeKeyOf(rule, key), key, limit });
    }
  };

  return {
    name: NAME,
    priority: priorityOption('rateLimit.priority', options.priority, Priority.High),
    onRequest(req, ctx) {
      if (!applies(req.method) || !directions.has(ctx.direction)) return undefined;
      const now = (clock ?? ctx.clock).now();
      if (single !== undefined) {
        // One rule: the common case, without the bookkeeping refunds need.
        const key = single.keyOf(ctx, req);
        if (key === undefined) return undefined;
        const decision = store.consume(storeKeyOf(single, key), COST, single.overrides?.get(key) ?? single.limit, now);
        if (isPromise(decision)) {
          return decision.then((settled) => {
            if (!settled.allowed) throw refuse(single, key, settled, ctx);
          });
        }
        if (!decision.allowed) throw refuse(single, key, decision, ctx);
        return undefined;
      }
      const taken: Taken[] = [];
      for (let i = 0; i < rules.length; i++) {
        const rule = rules[i] as Rule;
        const key = rule.keyOf(ctx, req);
        if (key === undefined) continue;
        const limit = rule.overrides?.get(key) ?? rule.limit;
        const decision = store.consume(storeKeyOf(rule, key), COST, limit, now);
        if (isPromise(decision)) return finishAsync(req, ctx, now, i, key, decision, taken);
        if (!decision.allowed) {
          const refunded = refundAll(store, taken, now);
          if (isPromise(refunded)) {
            return refunded.then(() => {
              throw refuse(rule, key, decision, ctx);
            });
          }
          throw refuse(rule, key, decision, ctx);
        }
        taken.push({ storeKey: storeKeyOf(rule, key), key, limit });
      }
      return undefined;
    },
  };
}

interface Taken {
  readonly storeKey: string;
  readonly key: string;
  readonly limit: RateLimit;
}

/**
 * Gives back what earlier rules took for a request a later rule refused. A refund that fails is ignored: the request
 * is refused either way, and the cost is one request counted twice until the bucket refills.
 */
function refundAll(store: RateLimitStore, taken: readonly Taken[], now: number): void | Promise<void> {
  if (store.refund === undefined || taken.length === 0) return undefined;
  let pending: Promise<unknown>[] | undefined;
  for (const item of taken) {
    try {
      const result = store.refund(item.storeKey, COST, item.limit, now);
      if (isPromise(result)) (pending ??= []).push(result);
    } catch {
      // See above: a failed refund never changes the outcome.
    }
  }
  return pending === undefined ? undefined : Promise.allSettled(pending).then(() => undefined);
}

function resolveRule(where: string, rule: RateLimitRule, index: number): Rule {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) throw new TypeError(`${where} must be an object`);
  const scope = oneOf(`${where}.scope`, rule.scope, RATE_LIMIT_SCOPES, 'client');
  const key = fn<KeyFunction>(`${where}.key`, rule.key);
  if (scope === 'tenant' && key === undefined) throw new TypeError(`${where}.key is required with scope 'tenant' (a function returning the tenant of a request)`);
  if (scope === 'global' && key !== undefined) throw new TypeError(`${where}.key has no use with scope 'global' (every request shares one key)`);
  const limit = resolveLimit(where, rule);
  record(`${where}.overrides`, rule.overrides);
  let overrides: Map<string, RateLimit> | undefined;
  if (rule.overrides !== undefined) {
    if (scope === 'global') throw new TypeError(`${where}.overrides has no use with scope 'global' (there is only one key)`);
    overrides = new Map();
    for (const [name, override] of Object.entries(rule.overrides)) {
      const at = `${where}.overrides[${JSON.stringify(name)}]` as const;
      if (typeof override !== 'object' || override === null || Array.isArray(override)) throw new TypeError(`${at} must be an object`);
      const window = override.limit !== undefined || override.windowMs !== undefined;
      const bucket = override.rate !== undefined || override.burst !== undefined;
      if (limit.algorithm === 'token-bucket' ? window : bucket) {
        throw new TypeError(`${at}: the rule is a ${limit.algorithm}, so override ${limit.algorithm === 'token-bucket' ? 'rate/burst' : 'limit/windowMs'}`);
      }
      // Fields left out keep the rule's own (a burst the rule left to its default follows the override's rate).
      const merged: RateLimitOverride = { rate: override.rate ?? rule.rate, burst: override.burst ?? rule.burst, limit: override.limit ?? rule.limit, windowMs: override.windowMs ?? rule.windowMs };
      overrides.set(name, resolveLimit(at, merged));
    }
  }
  const id = rule.id ?? `${index}:${scope}`;
  if (typeof id !== 'string' || id.length === 0 || id.includes('|')) throw new TypeError(`${where}.id must be a non-empty string without "|", got ${JSON.stringify(id)}`);
  return { scope, prefix: `${id}|`, limit, overrides, keyOf: keyFunction(scope, key), showKey: scope !== 'global', lastKey: undefined, lastStoreKey: '' };
}

function keyFunction(scope: RateLimitScope, key: KeyFunction | undefined): KeyFunction {
  switch (scope) {
    case 'global':
      return () => '';
    case 'client':
      return key ?? callerKey;
    case 'method':
      return key ?? ((_ctx, req) => req.method);
    case 'tool':
      // Only tool calls count against a tool rule, whatever key names them.
      return key === undefined ? (_ctx, req) => toolName(req) : (ctx, req) => (toolName(req) === undefined ? undefined : key(ctx, req));
    case 'tenant':
      return key as KeyFunction;
  }
}

/** The limit a rule's (or an override merged with its rule's) fields describe. */
function resolveLimit(where: string, fields: RateLimitOverride): RateLimit {
  const window = fields.limit !== undefined || fields.windowMs !== undefined;
  if (window) {
    if (fields.rate !== undefined || fields.burst !== undefined) throw new TypeError(`${where}: give rate/burst (token bucket) or limit/windowMs (sliding window), not both`);
    if (fields.limit === undefined || fields.windowMs === undefined) throw new TypeError(`${where}: a sliding window needs both limit and windowMs`);
    return { algorithm: 'sliding-window', limit: positiveInt(`${where}.limit`, fields.limit, 1), windowMs: positiveInt(`${where}.windowMs`, fields.windowMs, 1) };
  }
  const rate = positiveNumber(`${where}.rate`, fields.rate, 10);
  const burst = positiveNumber(`${where}.burst`, fields.burst, Math.max(1, Math.ceil(rate)));
  if (burst < 1) throw new RangeError(`${where}.burst must be at least 1 (a request takes one token), got ${burst}`);
  return { algorithm: 'token-bucket', rate, burst };
}
