// A lazily allocated typed-metadata bag for HTTP contexts (keys come from core's `createKey`).
import type { Metadata, MetadataKey } from '@mcp-interceptors/core';

export class HttpMetadata implements Metadata {
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
