// Option checks for the presets' factories: core's (`@mcp-interceptors/core/options`) plus `withMethods`.
// Each returns the value or its default and throws a TypeError/RangeError naming `factory.option`.
import { show } from '@mcp-interceptors/core/options';

export { boolean, isPlainObject, optionsObject, positiveInt, priority, show } from '@mcp-interceptors/core/options';

type Where = `${string}.${string}`;

/** An object with the named methods (a provider, a propagator, a stream). */
export function withMethods<T>(where: Where, value: unknown, methods: readonly string[]): T | undefined {
  if (value === undefined) return undefined;
  const record = value as Record<string, unknown> | null;
  if (typeof record !== 'object' || record === null || methods.some((m) => typeof record[m] !== 'function')) {
    throw new TypeError(`${where} must be an object with ${methods.map((m) => `${m}()`).join(' and ')}, got ${show(value)}`);
  }
  return value as T;
}

