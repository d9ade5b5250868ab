// The exchanges in flight on a transport, as an intrusive doubly linked list in arrival order: adding and removing
// touch two neighbours and allocate nothing, where a Set hashes the exchange on every add and delete.

/** The links an item carries; they belong to the list. */
export interface Linked<T> {
  prev: T | undefined;
  next: T | undefined;
  /** Whether the item is in a list. */
  linked: boolean;
}

export class LiveList<T extends Linked<T>> {
  private head: T | undefined;
  private tail: T | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Appends `item`, unless it is already in the list. */
  add(item: T): void {
    if (item.linked) return;
    item.linked = true;
    item.prev = this.tail;
    item.next = undefined;
    if (this.tail === undefined) this.head = item;
    else this.tail.next = item;
    this.tail = item;
    this.count++;
  }

  /** Removes `item`, if it is in the list. */
  delete(item: T): void {
    if (!item.linked) return;
    item.linked = false;
    if (item.prev === undefined) this.head = item.next;
    else item.prev.next = item.next;
    if (item.next === undefined) this.tail = item.prev;
    else item.next.prev = item.prev;
    item.prev = undefined;
    item.next = undefined;
    this.count--;
  }

  /** The first item, in arrival order, that `match` accepts. */
  find(match: (item: T) => boolean): T | undefined {
    for (let item = this.head; item !== undefined; item = item.next) if (match(item)) return item;
    return undefined;
  }

  /** The items in arrival order, as an array (safe to act on while the list changes). */
  toArray(): T[] {
    const items: T[] = [];
    for (let item = this.head; item !== undefined; item = item.next) items.push(item);
    return items;
  }
}
