import { describe, expect, it } from 'vitest';
import { Deferred } from './deferred.js';

describe('Deferred', () => {
  it('settles once, with the first value or reason, each deferred its own promise', async () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    const c = new Deferred<number>();
    expect([a.resolve(1), a.resolve(2), a.reject(new Error('late'))]).toEqual([true, false, false]);
    expect([b.reject(new Error('no')), b.resolve(3)]).toEqual([true, false]);
    expect(c.settled).toBe(false);
    c.resolve(4);
    expect([a.settled, b.settled, c.settled]).toEqual([true, true, true]);
    await expect(a.promise).resolves.toBe(1);
    await expect(b.promise).rejects.toThrow('no');
    await expect(c.promise).resolves.toBe(4);
  });
});
