// Maps JSON-RPC ids to values. `1` and `"1"` are different ids, so numbers and strings are kept apart
// (no string building per lookup).
import type { JsonRpcId } from '../jsonrpc.js';

/**
 * Direct-mapped slots for small-integer ids, by `id & (SLOTS - 1)`. Peers number their requests 0, 1, 2…, so the
 * few in flight almost always sit in distinct slots and a request costs no hash-table insert and delete (a Map
 * whose last entry is deleted rebuilds its table: ~150 bytes and ~150 ns per request). Other ids, and an id whose
 * slot is taken, go to the maps.
 */
const SLOTS = 64;

export class IdTable<V> {
  private readonly slotIds: Array<number | undefined> = new Array<number | undefined>(SLOTS).fill(undefined);
  private readonly slotValues: Array<V | undefined> = new Array<V | undefined>(SLOTS).fill(undefined);
  private inSlots = 0;
  private readonly numbers = new Map<number, V>();
  private readonly strings = new Map<string, V>();

  get(id: JsonRpcId): V | undefined {
    if (typeof id !== 'number') return this.strings.get(id);
    const i = id & (SLOTS - 1);
    return this.slotIds[i] === id ? this.slotValues[i] : this.numbers.get(id);
  }

  set(id: JsonRpcId, value: V): void {
    if (typeof id !== 'number') {
      this.strings.set(id, value);
      return;
    }
    const i = id & (SLOTS - 1);
    const slotId = this.slotIds[i];
    if (slotId === id) {
      this.slotValues[i] = value;
    } else if (this.numbers.size > 0 && this.numbers.has(id)) {
      this.numbers.set(id, value);
    } else if (slotId === undefined && (id | 0) === id) {
      // Only int32 values: `===` would never find NaN again, and the mask folds larger ones anyway.
      this.slotIds[i] = id;
      this.slotValues[i] = value;
      this.inSlots++;
    } else {
      this.numbers.set(id, value);
    }
  }

  has(id: JsonRpcId): boolean {
    if (typeof id !== 'number') return this.strings.has(id);
    return this.slotIds[id & (SLOTS - 1)] === id || this.numbers.has(id);
  }

  delete(id: JsonRpcId): boolean {
    if (typeof id !== 'number') return this.strings.delete(id);
    const i = id & (SLOTS - 1);
    if (this.slotIds[i] !== id) return this.numbers.delete(id);
    this.slotIds[i] = undefined;
    this.slotValues[i] = undefined;
    this.inSlots--;
    return true;
  }

  /** Deletes `id` only while it still maps to `value` (a replay may have re-registered it). */
  deleteIf(id: JsonRpcId, value: V): void {
    if (this.get(id) === value) this.delete(id);
  }

  get size(): number {
    return this.inSlots + this.numbers.size + this.strings.size;
  }

  /** The values: slotted numeric ids first (by slot), then the other numeric ids, then string ids. */
  values(): V[] {
    const values: V[] = [];
    for (let i = 0; i < SLOTS; i++) if (this.slotIds[i] !== undefined) values.push(this.slotValues[i] as V);
    return [...values, ...this.numbers.values(), ...this.strings.values()];
  }

  clear(): void {
    this.slotIds.fill(undefined);
    this.slotValues.fill(undefined);
    this.inSlots = 0;
    this.numbers.clear();
    this.strings.clear();
  }
}

/** A bounded set of ids: remembers the most recent `capacity`, forgetting the oldest first. */
export class RecentIds {
  private readonly ids = new IdTable<true>();
  private readonly order: JsonRpcId[] = [];

  constructor(private readonly capacity: number) {}

  add(id: JsonRpcId): void {
    if (this.ids.has(id)) return;
    this.ids.set(id, true);
    this.order.push(id);
    if (this.order.length > this.capacity) this.ids.delete(this.order.shift() as JsonRpcId);
  }

  /** True once per remembered id: a dropped late response removes it. */
  take(id: JsonRpcId): boolean {
    if (!this.ids.delete(id)) return false;
    const i = this.order.indexOf(id);
    if (i >= 0) this.order.splice(i, 1);
    return true;
  }

  get size(): number {
    return this.ids.size;
  }

  clear(): void {
    this.ids.clear();
    this.order.length = 0;
  }
}
