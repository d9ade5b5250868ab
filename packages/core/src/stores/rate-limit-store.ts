// Where rate-limit state lives: the store interface (shaped so a Redis store can implement it with one Lua script and
// Redis server time) and the in-memory store, bounded by `maxKeys` and dropping keys that carry no state.
import type { Awaitable } from '../interceptor.js';
import { positiveInt } from '../internal/options.js';
import { IdleLru, type IdleEntry } from './idle-lru.js';

/** A limit as the store applies it. */
export type RateLimit =
  /** `rate` tokens per second refill a bucket holding at most `burst`; a request takes `cost` tokens. */
  | { readonly algorithm: 'token-bucket'; readonly rate: number; readonly burst: number }
  /**
   * At most `limit` per `windowMs`, as a two-bucket approximation of a sliding window: windows are aligned to
   * multiples of `windowMs` since the epoch, and the previous window's count is weighted by how much of it still
   * overlaps the sliding window (`previous × (windowMs − elapsed) / windowMs + current`).
   */
  | { readonly algorithm: 'sliding-window'; readonly limit: number; readonly windowMs: number };

/** The store's answer for one key. */
export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Whole requests of cost 1 still allowed right now (after this one, when allowed). */
  readonly remaining: number;
  /** When refused: milliseconds until the same request would be allowed (`Infinity` if never: cost above capacity). 0 when allowed. */
  readonly retryAfterMs: number;
}

/**
 * Rate-limit state for many keys. Every method may return a promise, so a shared store (Redis: one Lua script per
 * call, reading `TIME` on the server instead of `now`) can implement it; the memory store answers synchronously.
 */
export interface RateLimitStore {
  /** Takes `cost` from `key`'s allowance under `limit` if it is there. `now` is the caller's clock (epoch ms). */
  consume(key: string, cost: number, limit: RateLimit, now: number): Awaitable<RateLimitDecision>;
  /** Gives back `cost` taken by an earlier `consume` (when a later rule refused the request). */
  refund?(key: string, cost: number, limit: RateLimit, now: number): Awaitable<void>;
}

export interface MemoryRateLimitStoreOptions {
  /** Keys kept at most; past it the least recently used key is forgotten (and starts afresh). @defaultValue 100_000 */
  readonly maxKeys?: number;
}

/** Token bucket: `a` tokens at time `b`. Sliding window: window start `a`, previous count `b`, current count `c`. */
interface Slot extends IdleEntry {
  a: number;
  b: number;
  c: number;
}

/** Absorbs floating-point error, so waiting exactly `retryAfterMs` is always enough. */
const EPSILON = 1e-9;

/**
 * The in-memory store: O(1) per decision, one small entry per key with state, none for a key whose bucket is full
 * again (or whose window has slid by). Single-process only; use a shared store behind a load balancer.
 *
 * @example
 * const store = new MemoryRateLimitStore({ maxKeys: 50_000 });
 * const chain = createChain([rateLimit({ rate: 5, store })]);
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly slots: IdleLru<Slot>;

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    this.slots = new IdleLru(positiveInt('MemoryRateLimitStore.maxKeys', options.maxKeys, 100_000));
  }

  /** Keys holding state. */
  get size(): number {
    return this.slots.size;
  }

  consume(key: string, cost: number, limit: RateLimit, now: number): RateLimitDecision {
    return limit.algorithm === 'token-bucket' ? this.takeTokens(key, cost, limit.rate, limit.burst, now) : this.countInWindow(key, cost, limit.limit, limit.windowMs, now);
  }

  refund(key: string, cost: number, limit: RateLimit, now: number): void {
    const slot = this.slots.peek(key);
    if (slot === undefined || slot.idleAt <= now) return;
    if (limit.algorithm === 'token-bucket') {
      const perMs = limit.rate / 1000;
      slot.a = Math.min(limit.burst, slot.a + cost);
      slot.idleAt = slot.b + (limit.burst - slot.a) / perMs;
    } else if (slot.a === windowStart(now, limit.windowMs)) {
      slot.c = Math.max(0, slot.c - cost);
    }
  }

  /** Forgets every key that carries no state at `now`; returns how many. Insertions do this a little at a time. */
  sweep(now: number): number {
    return this.slots.sweep(now);
  }

  /** Forgets `key` (it starts afresh). */
  reset(key: string): void {
    this.slots.delete(key);
  }

  clear(): void {
    this.slots.clear();
  }

  private takeTokens(key: string, cost: number, rate: number, burst: number, now: number): RateLimitDecision {
    const perMs = rate / 1000;
    let slot = this.slots.get(key);
    let tokens = burst;
    if (slot !== undefined && slot.idleAt > now) tokens = Math.min(burst, slot.a + Math.max(0, now - slot.b) * perMs);
    if (tokens + EPSILON < cost) {
      const retryAfterMs = cost > burst ? Infinity : Math.max(1, Math.ceil((cost - tokens) / perMs));
      return { allowed: false, remaining: Math.floor(tokens + EPSILON), retryAfterMs };
    }
    tokens = Math.max(0, tokens - cost);
    const idleAt = now + (burst - tokens) / perMs;
    if (slot === undefined) {
      slot = { a: tokens, b: now, c: 0, idleAt, key, older: undefined, newer: undefined };
      this.slots.add(key, slot, now);
    } else {
      slot.a = tokens;
      slot.b = now;
      slot.idleAt = idleAt;
    }
    return { allowed: true, remaining: Math.floor(tokens + EPSILON), retryAfterMs: 0 };
  }

  private countInWindow(key: string, cost: number, limit: number, windowMs: number, now: number): RateLimitDecision {
    const start = windowStart(now, windowMs);
    let slot = this.slots.get(key);
    let previous = 0;
    let current = 0;
    if (slot !== undefined) {
      if (slot.a >= start) {
        // Same window (or a clock that stepped back: keep the counts rather than forgive them).
        previous = slot.b;
        current = slot.c;
      } else if (slot.a === start - windowMs) {
        previous = slot.c;
      }
    }
    const elapsed = now - start;
    const estimate = (previous * (windowMs - elapsed)) / windowMs + current;
    if (estimate + cost > limit + EPSILON) {
      return { allowed: false, remaining: Math.max(0, Math.floor(limit - estimate + EPSILON)), retryAfterMs: slidingRetryAfter(cost, limit, windowMs, elapsed, previous, current) };
    }
    current += cost;
    // Idle once the current window has slid out entirely: two windows after its start.
    const idleAt = start + 2 * windowMs;
    if (slot === undefined) {
      slot = { a: start, b: previous, c: current, idleAt, key, older: undefined, newer: undefined };
      this.slots.add(key, slot, now);
    } else {
      slot.a = start;
      slot.b = previous;
      slot.c = current;
      slot.idleAt = idleAt;
    }
    return { allowed: true, remaining: Math.max(0, Math.floor(limit - estimate - cost + EPSILON)), retryAfterMs: 0 };
  }
}

/** The start of the aligned window holding `now` (exact in floating point: `now % windowMs` is). */
function windowStart(now: number, windowMs: number): number {
  return now - (now % windowMs);
}

/** Milliseconds until `previous × (windowMs − t) / windowMs + current + cost ≤ limit` holds again. */
function slidingRetryAfter(cost: number, limit: number, windowMs: number, elapsed: number, previous: number, current: number): number {
  if (cost > limit) return Infinity;
  const untilNextWindow = windowMs - elapsed;
  const room = limit - cost - current;
  // Enough room in this window once the previous window's weight has shrunk (room ≥ 0 implies previous > 0 here).
  if (room >= 0 && previous > 0) return Math.max(1, Math.ceil(untilNextWindow - (room * windowMs) / previous));
  // Otherwise the current count must first become the previous one, then shrink in turn.
  const later = current > 0 ? Math.max(0, windowMs - ((limit - cost) * windowMs) / current) : 0;
  return Math.max(1, Math.ceil(untilNextWindow + later));
}
