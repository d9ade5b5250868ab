// Maps JSON-RPC ids to values. `1` and `"1"` are different ids, so numbers and strings get separate maps
// (no string building per lookup).
import type { JsonRpcId } from '../jsonrpc.js';

export class IdTable<V> {
  private readonly numbers = new Map<number, V>();
  private readonly strings = new Map<string, V>();

  get(id: JsonRpcId): V | undefined {
    return typeof id === 'number' ? this.numbers.get(id) : this.strings.get(id);
  }

  set(id: JsonRpcId, value: V): void {
    if (typeof id === 'number') this.numbers.set(id, value);
    else this.strings.set(id, value);
  }

  has(id: JsonRpcId): boolean {
    return typeof id === 'number' ? this.numbers.has(id) : this.strings.has(id);
  }

  delete(id: JsonRpcId): boolean {
    return typeof id === 'number' ? this.numbers.delete(id) : this.strings.delete(id);
  }

  /** Deletes `id` only while it still maps to `value` (a replay may have re-registered it). */
  deleteIf(id: JsonRpcId, value: V): void {
    if (this.get(id) === value) this.delete(id);
  }

  get size(): number {
    return this.numbers.size + this.strings.size;
  }

  values(): V[] {
    return [...this.numbers.values(), ...this.strings.values()];
  }

  clear(): void {
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
