// The key of a cache entry: method, identity and params in a canonical form (keys sorted, `_meta` left out),
// so that `{a, b}` and `{b, a}` find the same entry and a correlation id or trace context never splits it.
import type { JsonObject } from '../jsonrpc.js';

/** `method`, `identity` and the params without their `_meta`, joined into one string. */
export function cacheKey(method: string, identity: string, params: JsonObject | undefined): string {
  let key = `${method}\u0000${identity}\u0000`;
  if (params === undefined) return key;
  key += '{';
  let first = true;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    if (name === '_meta' || value === undefined || typeof value === 'function') continue;
    key += `${first ? '' : ','}${JSON.stringify(name)}:${stableStringify(value)}`;
    first = false;
  }
  return `${key}}`;
}

/** JSON with object keys sorted at every depth; `undefined` and functions left out as `JSON.stringify` does. */
export function stableStringify(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined || typeof item === 'function' ? 'null' : stableStringify(item))).join(',')}]`;
  const object = value as JsonObject;
  const parts: string[] = [];
  for (const name of Object.keys(object).sort()) {
    const item = object[name];
    if (item === undefined || typeof item === 'function') continue;
    parts.push(`${JSON.stringify(name)}:${stableStringify(item)}`);
  }
  return `{${parts.join(',')}}`;
}
