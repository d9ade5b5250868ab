// Typed metadata keys: state shared by the interceptors of one exchange, checked at compile time.

/** A typed key. Two keys with the same name are still different keys. */
export interface MetadataKey<T> {
  readonly name: string;
  /** Phantom field carrying the value type; never set. */
  readonly __type?: T;
}

/**
 * Creates a typed metadata key.
 *
 * @example
 * const UserId = createKey<string>('user.id');
 * ctx.metadata.set(UserId, 'u1');
 * ctx.metadata.get(UserId); // string | undefined
 */
export function createKey<T>(name: string): MetadataKey<T> {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('createKey: name must be a non-empty string');
  return Object.freeze({ name }) as MetadataKey<T>;
}

export interface Metadata {
  get<T>(key: MetadataKey<T>): T | undefined;
  set<T>(key: MetadataKey<T>, value: T): void;
  has(key: MetadataKey<unknown>): boolean;
  delete(key: MetadataKey<unknown>): boolean;
  /** `[key name, value]` pairs, for logs and debugging. */
  entries(): Array<[string, unknown]>;
}

/** Keys kept in the flat array before a Map takes over. */
const LISTED = 8;

/**
 * A metadata bag, made empty. An exchange holds a handful of keys (the built-ins set one or two each), so the
 * first `LISTED` sit in one flat array, searched by identity: a Map holding five keys has made ~450 bytes of
 * tables, and every exchange makes a bag. Past that, a Map takes over. Insertion order is kept either way.
 */
export class MetadataBag implements Metadata {
  /** `key, value, key, value, …` in insertion order; the first `count` pairs are in use. */
  private pairs: unknown[] | undefined;
  private count = 0;
  private map: Map<MetadataKey<unknown>, unknown> | undefined;

  get<T>(key: MetadataKey<T>): T | undefined {
    if (this.map !== undefined) return this.map.get(key) as T | undefined;
    const i = this.find(key);
    return i < 0 ? undefined : ((this.pairs as unknown[])[i + 1] as T);
  }

  set<T>(key: MetadataKey<T>, value: T): void {
    if (this.map !== undefined) {
      this.map.set(key, value);
      return;
    }
    const i = this.find(key);
    if (i >= 0) {
      (this.pairs as unknown[])[i + 1] = value;
      return;
    }
    if (this.pairs === undefined) {
      this.pairs = new Array<unknown>(2 * LISTED).fill(undefined);
      this.pairs[0] = key;
      this.pairs[1] = value;
    } else if (this.count < LISTED) {
      this.pairs[2 * this.count] = key;
      this.pairs[2 * this.count + 1] = value;
    } else {
      const map = new Map<MetadataKey<unknown>, unknown>();
      for (let n = 0; n < 2 * this.count; n += 2) map.set(this.pairs[n] as MetadataKey<unknown>, this.pairs[n + 1]);
      map.set(key, value);
      this.map = map;
      this.pairs = undefined;
      this.count = 0;
      return;
    }
    this.count++;
  }

  has(key: MetadataKey<unknown>): boolean {
    return this.map !== undefined ? this.map.has(key) : this.find(key) >= 0;
  }

  delete(key: MetadataKey<unknown>): boolean {
    if (this.map !== undefined) return this.map.delete(key);
    const i = this.find(key);
    if (i < 0) return false;
    const pairs = this.pairs as unknown[];
    const end = 2 * this.count;
    for (let n = i; n < end - 2; n++) pairs[n] = pairs[n + 2];
    pairs[end - 2] = undefined;
    pairs[end - 1] = undefined;
    this.count--;
    return true;
  }

  entries(): Array<[string, unknown]> {
    if (this.map !== undefined) return [...this.map].map(([key, value]) => [key.name, value]);
    const entries: Array<[string, unknown]> = [];
    for (let n = 0; n < 2 * this.count; n += 2) entries.push([(this.pairs?.[n] as MetadataKey<unknown>).name, this.pairs?.[n + 1]]);
    return entries;
  }

  /** The index of `key` in `pairs`, or -1. */
  private find(key: MetadataKey<unknown>): number {
    const pairs = this.pairs;
    if (pairs === undefined) return -1;
    for (let n = 0; n < 2 * this.count; n += 2) if (pairs[n] === key) return n;
    return -1;
  }
}
