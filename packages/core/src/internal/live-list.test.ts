import { describe, expect, it } from 'vitest';
import { LiveList, type Linked } from './live-list.js';

interface Item extends Linked<Item> {
  readonly n: number;
}

const item = (n: number): Item => ({ n, liveBefore: undefined, liveAfter: undefined, inLiveList: false });
const ns = (list: LiveList<Item>): number[] => list.toArray().map((i) => i.n);

describe('LiveList', () => {
  it('keeps arrival order and its size through removals at the head, middle and tail', () => {
    const list = new LiveList<Item>();
    const items = [1, 2, 3, 4, 5].map(item);
    for (const i of items) list.add(i);
    expect(ns(list)).toEqual([1, 2, 3, 4, 5]);
    list.delete(items[2] as Item);
    list.delete(items[0] as Item);
    list.delete(items[4] as Item);
    expect(ns(list)).toEqual([2, 4]);
    expect(list.size).toBe(2);
    list.add(items[0] as Item);
    expect(ns(list)).toEqual([2, 4, 1]);
    for (const i of items) list.delete(i);
    expect(ns(list)).toEqual([]);
    expect(list.size).toBe(0);
  });

  it('ignores adding an item twice and removing one that is not in the list', () => {
    const list = new LiveList<Item>();
    const a = item(1);
    list.add(a);
    list.add(a);
    expect(list.size).toBe(1);
    list.delete(a);
    list.delete(a);
    list.delete(item(2));
    expect(list.size).toBe(0);
    list.add(item(3));
    expect(ns(list)).toEqual([3]);
  });

  it('finds the first match in arrival order, and its array is a snapshot', () => {
    const list = new LiveList<Item>();
    const items = [1, 2, 3, 4].map(item);
    for (const i of items) list.add(i);
    expect(list.find((i) => i.n % 2 === 0)?.n).toBe(2);
    expect(list.find((i) => i.n > 9)).toBeUndefined();
    const snapshot = list.toArray();
    for (const i of snapshot) list.delete(i);
    expect(snapshot.map((i) => i.n)).toEqual([1, 2, 3, 4]);
  });
});
