// Option checks for the HTTP factories: core's (`@mcp-interceptors/core/options`) plus the few the HTTP layer needs
// of its own. Each returns the value or its default and throws a TypeError/RangeError naming `factory.option`.
import { show, string } from '@mcp-interceptors/core/options';

export { boolean, isPlainObject, nonNegativeInt, optionsObject, positiveInt, show, string, timerMs } from '@mcp-interceptors/core/options';

type Where = `${string}.${string}`;

export function priority(where: Where, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`${where} must be a finite number, got ${show(value)}`);
  return value;
}

export function path(where: Where, value: unknown, fallback: string): string {
  const result = string(where, value, fallback);
  if (!result.startsWith('/')) throw new TypeError(`${where} must start with "/", got ${show(value)}`);
  return result;
}

export function stringList(where: Where, value: unknown, fallback: readonly string[]): readonly string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length === 0)) throw new TypeError(`${where} must be an array of non-empty strings, got ${show(value)}`);
  return value as string[];
}

export function fn<F extends (...args: never[]) => unknown>(where: Where, value: unknown): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new TypeError(`${where} must be a function, got ${show(value)}`);
  return value as F;
}

