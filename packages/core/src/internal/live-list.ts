// An intrusive doubly linked list in arrival order (the exchanges in flight on a transport, a timeout's deadlines):
// adding and removing touch two neighbours and allocate nothing, where a Set hashes the item on every add and delete.

/** The links an item carries; they belong to the list. */
export interface Linked<T> {
  liveBefore: T | undefined;
  liveAfter: T | undefined;
  /** Whether the item is in a list. */
  inLiveList: boolean;
}

export class LiveList<T extends Linked<T>> {
  private head: T | undefined;
  private tail: T | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The earliest item in the list. */
  get first(): T | undefined {
    return this.head;
  }

  /** The latest item in the list. */
  get last(): T | undefined {
    return this.tail;
  }

  /** Appends `item`, unless it is already in the list. */
  add(item: T): void {
    if (item.inLiveList) return;
    item.inLiveList = true;
    item.liveBefore = this.tail;
    item.liveAfter = undefined;
    if (this.tail === undefined) this.head = item;
    else this.tail.liveAfter = item;
    this.tail = item;
    this.count++;
  }

  /** Removes `item`, if it is in the list. */
  delete(item: T): void {
    if (!item.inLiveList) return;
    item.inLiveList = false;
    if (item.liveBefore === undefined) this.head = item.liveAfter;
    else item.liveBefore.liveAfter = item.liveAfter;
    if (item.liveAfter === undefined) this.tail = item.liveBefore;
    else item.liveAfter.liveBefore = item.liveBefore;
    item.liveBefore = undefined;
    item.liveAfter = undefined;
    this.count--;
  }

  /** The first item, in arrival order, that `match` accepts. */
  find(match: (item: T) => boolean): T | undefined {
    for (let item = this.head; item !== undefined; item = item.liveAfter) if (match(item)) return item;
    return undefined;
  }

  /** The items in arrival order, as an array (safe to act on while the list changes). */
  toArray(): T[] {
    const items: T[] = [];
    for (let item = this.head; item !== undefined; item = item.liveAfter) items.push(item);
    return items;
  }
}
