// Option checks for the presets' factories, in the style of core's internal/options.ts (which core does not export):
// each returns the value or its default and throws a TypeError/RangeError naming `factory.option`.
import { Priority } from '@mcp-interceptors/core';

type Where = `${string}.${string}`;

export function optionsObject(factory: string, value: unknown): void {
  if (value !== undefined && !isPlainObject(value)) throw new TypeError(`${factory}: options must be an object, got ${show(value)}`);
}

export function boolean(where: Where, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${where} must be a boolean, got ${show(value)}`);
  return value;
}

export function positiveInt(where: Where, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${where} must be a positive integer, got ${show(value)}`);
  return value;
}

export function priority(where: Where, value: unknown, fallback: Priority): Priority {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < Priority.Critical || value > Priority.Lowest) {
    throw new RangeError(`${where} must be a Priority (Critical=0 … Lowest=4), got ${show(value)}`);
  }
  return value;
}

/** An object with the named methods (a provider, a propagator, a stream). */
export function withMethods<T>(where: Where, value: unknown, methods: readonly string[]): T | undefined {
  if (value === undefined) return undefined;
  const record = value as Record<string, unknown> | null;
  if (typeof record !== 'object' || record === null || methods.some((m) => typeof record[m] !== 'function')) {
    throw new TypeError(`${where} must be an object with ${methods.map((m) => `${m}()`).join(' and ')}, got ${show(value)}`);
  }
  return value as T;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
