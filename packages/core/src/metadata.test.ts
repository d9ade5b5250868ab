import { describe, expect, it } from 'vitest';
import { createKey, MetadataBag, type MetadataKey } from './metadata.js';

describe('MetadataBag', () => {
  it('gets, updates in place, deletes and lists entries in insertion order', () => {
    const bag = new MetadataBag();
    const a = createKey<number>('a');
    const b = createKey<string>('b');
    const twin = createKey<number>('a');
    expect([bag.get(a), bag.has(a), bag.delete(a), bag.entries()]).toEqual([undefined, false, false, []]);
    bag.set(a, 1);
    bag.set(b, 'x');
    bag.set(a, 2);
    expect([bag.get(a), bag.get(b), bag.get(twin), bag.has(twin)]).toEqual([2, 'x', undefined, false]);
    expect(bag.entries()).toEqual([['a', 2], ['b', 'x']]);
    expect(bag.delete(a)).toBe(true);
    bag.set(a, 3);
    expect(bag.entries()).toEqual([['b', 'x'], ['a', 3]]);
  });

  it('keeps order when a key in the middle goes, and when more keys come after', () => {
    const bag = new MetadataBag();
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => createKey<string>(name));
    for (const key of keys.slice(0, 4)) bag.set(key, key.name);
    bag.delete(keys[1] as MetadataKey<string>);
    expect(bag.entries()).toEqual([['a', 'a'], ['c', 'c'], ['d', 'd']]);
    for (const key of keys.slice(4)) bag.set(key, key.name);
    bag.set(keys[1] as MetadataKey<string>, 'B');
    expect(bag.entries()).toEqual([['a', 'a'], ['c', 'c'], ['d', 'd'], ['e', 'e'], ['f', 'f'], ['b', 'B']]);
    expect(keys.map((key) => bag.get(key))).toEqual(['a', 'B', 'c', 'd', 'e', 'f']);
  });

  it('behaves the same with many keys, in order, across the switch to a map', () => {
    const bag = new MetadataBag();
    const keys: Array<MetadataKey<number>> = Array.from({ length: 40 }, (_, i) => createKey<number>(`k${i}`));
    keys.forEach((key, i) => bag.set(key, i));
    bag.set(keys[3] as MetadataKey<number>, 300);
    expect(bag.delete(keys[5] as MetadataKey<number>)).toBe(true);
    expect(bag.delete(keys[5] as MetadataKey<number>)).toBe(false);
    const expected = keys.map((key, i): [string, number] => [key.name, i === 3 ? 300 : i]).filter(([name]) => name !== 'k5');
    expect(bag.entries()).toEqual(expected);
    expect(keys.map((key) => bag.get(key))).toEqual(keys.map((_, i) => (i === 5 ? undefined : i === 3 ? 300 : i)));
    expect(bag.has(keys[39] as MetadataKey<number>)).toBe(true);
  });
});
