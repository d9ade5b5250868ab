// A key table for per-key limiter state: at most `maxKeys` entries in least-recently-used order, and entries that say
// when they stop carrying state (`idleAt`), so idle keys are dropped on the way and memory follows the live keys.

/**
 * An entry of the table. From `idleAt` on it is indistinguishable from a fresh one and may be dropped. The other
 * fields belong to the table (an intrusive list, so touching a key costs two pointer swaps and no allocation).
 */
export interface IdleEntry {
  idleAt: number;
  key: string;
  older: IdleEntry | undefined;
  newer: IdleEntry | undefined;
}

/** How many idle entries each insertion retires from the cold end: more than one, so retiring outpaces inserting. */
const RETIRE_PER_INSERT = 2;

export class IdleLru<E extends IdleEntry> {
  private readonly map = new Map<string, E>();
  private oldest: E | undefined;
  private newest: E | undefined;

  constructor(readonly maxKeys: number) {}

  get size(): number {
    return this.map.size;
  }

  /** The entry for `key`, now the most recently used. */
  get(key: string): E | undefined {
    const entry = this.map.get(key);
    if (entry !== undefined && entry !== this.newest) {
      this.unlink(entry);
      this.append(entry);
    }
    return entry;
  }

  /** The entry for `key`, without touching its place. */
  peek(key: string): E | undefined {
    return this.map.get(key);
  }

  /** Adds an entry for a key not in the table: idle entries go first, then, at the cap, the least recently used. */
  add(key: string, entry: E, now: number): void {
    for (let retire = RETIRE_PER_INSERT; retire > 0 && this.oldest !== undefined && this.oldest.idleAt <= now; retire--) this.remove(this.oldest);
    if (this.map.size >= this.maxKeys && this.oldest !== undefined) this.remove(this.oldest);
    entry.key = key;
    this.append(entry);
    this.map.set(key, entry);
  }

  delete(key: string): boolean {
    const entry = this.map.get(key);
    if (entry === undefined) return false;
    this.remove(entry);
    return true;
  }

  /** Drops every idle entry; returns how many. */
  sweep(now: number): number {
    let dropped = 0;
    let entry = this.oldest;
    while (entry !== undefined) {
      const newer = entry.newer as E | undefined;
      if (entry.idleAt <= now) {
        this.remove(entry);
        dropped++;
      }
      entry = newer;
    }
    return dropped;
  }

  /** Every entry, least recently used first. */
  *entries(): IterableIterator<E> {
    for (let entry = this.oldest; entry !== undefined; entry = entry.newer as E | undefined) yield entry;
  }

  clear(): void {
    this.map.clear();
    this.oldest = undefined;
    this.newest = undefined;
  }

  private remove(entry: E): void {
    this.unlink(entry);
    this.map.delete(entry.key);
  }

  private unlink(entry: E): void {
    if (entry.older === undefined) this.oldest = entry.newer as E | undefined;
    else entry.older.newer = entry.newer;
    if (entry.newer === undefined) this.newest = entry.older as E | undefined;
    else entry.newer.older = entry.older;
    entry.older = undefined;
    entry.newer = undefined;
  }

  private append(entry: E): void {
    entry.older = this.newest;
    if (this.newest === undefined) this.oldest = entry;
    else this.newest.newer = entry;
    this.newest = entry;
  }
}
