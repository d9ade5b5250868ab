// Option checks for the HTTP factories: each returns the value or its default and throws a TypeError/RangeError naming
// `factory.option`. (Core keeps its own set internal; these follow the same messages.)
type Where = `${string}.${string}`;

export function optionsObject(factory: string, value: unknown): void {
  if (value !== undefined && !isPlainObject(value)) throw new TypeError(`${factory}: options must be an object, got ${show(value)}`);
}

export function positiveInt(where: Where, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${where} must be a positive integer, got ${show(value)}`);
  return value;
}

export function nonNegativeInt(where: Where, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new RangeError(`${where} must be a non-negative integer, got ${show(value)}`);
  return value;
}

export function priority(where: Where, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`${where} must be a finite number, got ${show(value)}`);
  return value;
}

export function boolean(where: Where, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${where} must be a boolean, got ${show(value)}`);
  return value;
}

export function string(where: Where, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${where} must be a non-empty string, got ${show(value)}`);
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

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (value instanceof RegExp) return String(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}
