import { describe, expect, it } from 'vitest';
import { IdTable, RecentIds } from './id-table.js';

describe('IdTable', () => {
  it('keeps 1 and "1" apart, and ids that share a slot apart', () => {
    const table = new IdTable<string>();
    table.set(1, 'one');
    table.set('1', 'string one');
    table.set(65, 'sixty-five');
    table.set(129, 'one-twenty-nine');
    expect([table.get(1), table.get('1'), table.get(65), table.get(129), table.get(193)]).toEqual(['one', 'string one', 'sixty-five', 'one-twenty-nine', undefined]);
    expect(table.size).toBe(4);
    expect(table.delete(1)).toBe(true);
    expect(table.delete(1)).toBe(false);
    expect([table.get(1), table.get(65), table.has(65), table.has(1)]).toEqual([undefined, 'sixty-five', true, false]);
    // 65 was stored aside while 1 held the slot; setting it again updates that entry rather than adding another.
    table.set(65, 'again');
    expect([table.get(65), table.size]).toEqual(['again', 3]);
    expect(table.delete(65)).toBe(true);
    expect([table.get(65), table.has(65), table.size]).toEqual([undefined, false, 2]);
  });

  it('holds ids that are not small integers', () => {
    const table = new IdTable<string>();
    const ids = [-1, 0, 2 ** 31, 2 ** 40 + 1, Number.MAX_SAFE_INTEGER, 1.5, Number.NaN, 'x', ''];
    ids.forEach((id, n) => table.set(id, `v${n}`));
    expect(ids.map((id) => table.get(id))).toEqual(ids.map((_, n) => `v${n}`));
    expect(table.size).toBe(ids.length);
    for (const id of ids) expect(table.delete(id)).toBe(true);
    expect(table.size).toBe(0);
  });

  it('deletes only while the id still maps to the value, and clears', () => {
    const table = new IdTable<object>();
    const a = {};
    const b = {};
    table.set(3, a);
    table.set(3, b);
    table.deleteIf(3, a);
    expect(table.get(3)).toBe(b);
    table.deleteIf(3, b);
    expect(table.has(3)).toBe(false);
    table.set(4, a);
    table.set(68, b);
    table.set('s', a);
    expect(table.values()).toEqual([a, b, a]);
    table.clear();
    expect([table.size, table.get(4), table.get(68), table.get('s')]).toEqual([0, undefined, undefined, undefined]);
  });

  it('keeps thousands of ids in flight at once', () => {
    const table = new IdTable<number>();
    for (let id = 0; id < 5000; id++) table.set(id, id * 2);
    expect(table.size).toBe(5000);
    for (let id = 0; id < 5000; id += 2) table.delete(id);
    for (let id = 0; id < 5000; id++) expect(table.get(id)).toBe(id % 2 === 0 ? undefined : id * 2);
    expect(table.size).toBe(2500);
  });
});

describe('RecentIds', () => {
  it('remembers the most recent ids, each taken once', () => {
    const recent = new RecentIds(2);
    recent.add(1);
    recent.add('1');
    recent.add(65);
    expect([recent.take(1), recent.take('1'), recent.take('1'), recent.take(65)]).toEqual([false, true, false, true]);
    expect(recent.size).toBe(0);
  });
});
