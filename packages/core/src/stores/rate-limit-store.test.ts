import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { MemoryRateLimitStore, type RateLimit } from './rate-limit-store.js';

const T0 = 1_700_000_000_000;
const bucket = (rate: number, burst: number): RateLimit => ({ algorithm: 'token-bucket', rate, burst });
const window = (limit: number, windowMs: number): RateLimit => ({ algorithm: 'sliding-window', limit, windowMs });

describe('MemoryRateLimitStore: token bucket', () => {
  it('allows a full burst, then refuses with the exact wait for one token', () => {
    const store = new MemoryRateLimitStore();
    const limit = bucket(2, 3);
    expect([1, 2, 3].map(() => store.consume('k', 1, limit, T0))).toEqual([
      { allowed: true, remaining: 2, retryAfterMs: 0 },
      { allowed: true, remaining: 1, retryAfterMs: 0 },
      { allowed: true, remaining: 0, retryAfterMs: 0 },
    ]);
    expect(store.consume('k', 1, limit, T0)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 500 });
    expect(store.consume('k', 1, limit, T0 + 499).allowed).toBe(false);
    expect(store.consume('k', 1, limit, T0 + 500)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
  });

  it('refills continuously, never above the burst', () => {
    const store = new MemoryRateLimitStore();
    const limit = bucket(10, 5);
    for (let i = 0; i < 5; i++) store.consume('k', 1, limit, T0);
    // 250 ms at 10/s is 2.5 tokens: two whole requests, and half a token left over.
    expect(store.consume('k', 1, limit, T0 + 250)).toMatchObject({ allowed: true, remaining: 1 });
    expect(store.consume('k', 1, limit, T0 + 250)).toMatchObject({ allowed: true, remaining: 0 });
    expect(store.consume('k', 1, limit, T0 + 250)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 50 });
    expect(store.consume('k', 1, limit, T0 + 60_000)).toMatchObject({ allowed: true, remaining: 4 });
  });

  it('handles fractional rates (one token every 4 s)', () => {
    const store = new MemoryRateLimitStore();
    const limit = bucket(0.25, 1);
    expect(store.consume('k', 1, limit, T0).allowed).toBe(true);
    expect(store.consume('k', 1, limit, T0 + 1000)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 3000 });
    expect(store.consume('k', 1, limit, T0 + 4000).allowed).toBe(true);
  });

  it('keeps keys apart', () => {
    const store = new MemoryRateLimitStore();
    const limit = bucket(1, 1);
    expect(store.consume('a', 1, limit, T0).allowed).toBe(true);
    expect(store.consume('a', 1, limit, T0).allowed).toBe(false);
    expect(store.consume('b', 1, limit, T0).allowed).toBe(true);
  });

  it('refuses a cost above the burst for good, and stores nothing for it', () => {
    const store = new MemoryRateLimitStore();
    expect(store.consume('k', 5, bucket(1, 2), T0)).toEqual({ allowed: false, remaining: 2, retryAfterMs: Infinity });
    expect(store.size).toBe(0);
  });

  it('refund gives tokens back, up to the burst', () => {
    const store = new MemoryRateLimitStore();
    const limit = bucket(1, 2);
    store.consume('k', 1, limit, T0);
    store.consume('k', 1, limit, T0);
    store.refund('k', 1, limit, T0);
    expect(store.consume('k', 1, limit, T0)).toMatchObject({ allowed: true, remaining: 0 });
    store.refund('k', 5, limit, T0);
    expect(store.consume('k', 1, limit, T0)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('does not let a clock that steps back mint tokens', () => {
    const store = new MemoryRateLimitStore();
    const limit = bucket(1, 1);
    store.consume('k', 1, limit, T0);
    expect(store.consume('k', 1, limit, T0 - 10_000).allowed).toBe(false);
  });
});

describe('MemoryRateLimitStore: sliding window (two-bucket approximation)', () => {
  it('allows `limit` per window and computes when the weighted count leaves room', () => {
    const store = new MemoryRateLimitStore();
    const limit = window(3, 1000);
    for (let i = 0; i < 3; i++) expect(store.consume('k', 1, limit, T0).allowed).toBe(true);
    // The current count (3) must first become the previous window's and shrink to 2 × 1000 / 3 ms into it.
    const refused = store.consume('k', 1, limit, T0);
    expect(refused).toEqual({ allowed: false, remaining: 0, retryAfterMs: 1334 });
    expect(store.consume('k', 1, limit, T0 + 1333).allowed).toBe(false);
    expect(store.consume('k', 1, limit, T0 + 1334)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('weights the previous window by its overlap with the sliding window', () => {
    const store = new MemoryRateLimitStore();
    const limit = window(10, 1000);
    for (let i = 0; i < 10; i++) store.consume('k', 1, limit, T0);
    // 250 ms into the next window: 10 × 0.75 = 7.5 still counted, so 2 more fit.
    expect(store.consume('k', 1, limit, T0 + 1250)).toMatchObject({ allowed: true, remaining: 1 });
    expect(store.consume('k', 1, limit, T0 + 1250)).toMatchObject({ allowed: true, remaining: 0 });
    const refused = store.consume('k', 1, limit, T0 + 1250);
    expect(refused.allowed).toBe(false);
    // Room comes when 10 × (1000 − t) / 1000 + 2 + 1 ≤ 10, i.e. at t = 300: 50 ms from now.
    expect(refused.retryAfterMs).toBe(50);
    expect(store.consume('k', 1, limit, T0 + 1300).allowed).toBe(true);
  });

  it('forgets a window two windows after it started', () => {
    const store = new MemoryRateLimitStore();
    const limit = window(1, 1000);
    expect(store.consume('k', 1, limit, T0).allowed).toBe(true);
    expect(store.consume('k', 1, limit, T0 + 2000)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('refund lowers the current count', () => {
    const store = new MemoryRateLimitStore();
    const limit = window(1, 1000);
    store.consume('k', 1, limit, T0);
    store.refund('k', 1, limit, T0);
    expect(store.consume('k', 1, limit, T0).allowed).toBe(true);
  });
});

describe('MemoryRateLimitStore: memory', () => {
  it('drops a key once its bucket is full again, a little at each insertion, and all at once with sweep()', () => {
    const store = new MemoryRateLimitStore();
    const limit = bucket(10, 10);
    store.consume('a', 1, limit, T0);
    store.consume('b', 1, limit, T0);
    expect(store.size).toBe(2);
    // One token refills in 100 ms: by then a and b carry no state, and the next insertion retires both.
    store.consume('c', 1, limit, T0 + 100);
    expect(store.size).toBe(1);
    expect(store.sweep(T0 + 99)).toBe(0);
    expect(store.sweep(T0 + 200)).toBe(1);
    expect(store.size).toBe(0);
  });

  it('at maxKeys forgets the least recently used key', () => {
    const store = new MemoryRateLimitStore({ maxKeys: 2 });
    const limit = bucket(1, 1);
    store.consume('a', 1, limit, T0);
    store.consume('b', 1, limit, T0);
    // Touch a: b is now the least recently used.
    expect(store.consume('a', 1, limit, T0).allowed).toBe(false);
    store.consume('c', 1, limit, T0);
    expect(store.size).toBe(2);
    expect(store.consume('a', 1, limit, T0).allowed).toBe(false);
    expect(store.consume('b', 1, limit, T0).allowed).toBe(true);
  });

  it('reset() and clear() forget keys', () => {
    const store = new MemoryRateLimitStore();
    const limit = bucket(1, 1);
    store.consume('a', 1, limit, T0);
    store.consume('b', 1, limit, T0);
    store.reset('a');
    expect(store.consume('a', 1, limit, T0).allowed).toBe(true);
    store.clear();
    expect(store.size).toBe(0);
    expect(store.consume('b', 1, limit, T0).allowed).toBe(true);
  });

  it('stays bounded with 1M distinct keys', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const heapBefore = process.memoryUsage().heapUsed;

    // 1M callers, one request each, 1 ms apart: a bucket of 10 at 10/s is full again 100 ms after its request.
    const idle = new MemoryRateLimitStore({ maxKeys: 50_000 });
    const limit = bucket(10, 10);
    let peak = 0;
    let allowed = 0;
    for (let i = 0; i < 1_000_000; i++) {
      if (idle.consume(`client-${i}`, 1, limit, T0 + i).allowed) allowed++;
      if (idle.size > peak) peak = idle.size;
    }
    expect(allowed).toBe(1_000_000);
    // Only the keys of the last 100 ms carry state (and the one inserted at the boundary).
    expect(peak).toBeLessThanOrEqual(102);
    expect(idle.size).toBeLessThanOrEqual(102);

    // 1M callers at the same instant: nothing is idle, so the cap holds.
    const busy = new MemoryRateLimitStore({ maxKeys: 50_000 });
    for (let i = 0; i < 1_000_000; i++) busy.consume(`client-${i}`, 1, window(5, 60_000), T0);
    expect(busy.size).toBe(50_000);

    gc();
    const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 1_048_576;
    // 50k entries with their keys take a few MB; 1M would take well over 100 MB.
    expect(grownMb).toBeLessThan(40);
  });

  it('rejects a bad maxKeys', () => {
    expect(() => new MemoryRateLimitStore({ maxKeys: 0 })).toThrow(new RangeError('MemoryRateLimitStore.maxKeys must be a positive integer, got 0'));
  });
});
