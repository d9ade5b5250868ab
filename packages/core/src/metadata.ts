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

/** A metadata bag whose map is created on the first `set`, so exchanges that share nothing allocate nothing. */
export class MetadataBag implements Metadata {
  private map: Map<MetadataKey<unknown>, unknown> | undefined;

  get<T>(key: MetadataKey<T>): T | undefined {
    return this.map?.get(key) as T | undefined;
  }

  set<T>(key: MetadataKey<T>, value: T): void {
    (this.map ??= new Map()).set(key, value);
  }

  has(key: MetadataKey<unknown>): boolean {
    return this.map?.has(key) ?? false;
  }

  delete(key: MetadataKey<unknown>): boolean {
    return this.map?.delete(key) ?? false;
  }

  entries(): Array<[string, unknown]> {
    return this.map ? [...this.map].map(([key, value]) => [key.name, value]) : [];
  }
}
