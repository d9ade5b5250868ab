// Option checks for factories: each returns the value or its default, and throws a TypeError/RangeError that
// names the factory and the option. Defaults are resolved field by field, so an explicit `undefined` means default.
import type { Clock } from '../clock.js';
import { Priority } from '../interceptor.js';

type Where = `${string}.${string}`;

export function positiveInt(where: Where, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${where} must be a positive integer, got ${show(value)}`);
  }
  return value;
}

export function nonNegativeInt(where: Where, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${where} must be a non-negative integer, got ${show(value)}`);
  }
  return value;
}

export function positiveNumber(where: Where, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${where} must be a positive finite number, got ${show(value)}`);
  }
  return value;
}

export function nonNegativeNumber(where: Where, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${where} must be a non-negative finite number, got ${show(value)}`);
  }
  return value;
}

export function ratio(where: Where, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new RangeError(`${where} must be a number from 0 to 1, got ${show(value)}`);
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

export function stringList(where: Where, value: unknown, fallback: readonly string[]): readonly string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new TypeError(`${where} must be an array of strings, got ${show(value)}`);
  return value as string[];
}

export function oneOf<T extends string>(where: Where, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new TypeError(`${where} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${show(value)}`);
  }
  return value as T;
}

export function fn<F extends (...args: never[]) => unknown>(where: Where, value: unknown, fallback: F): F;
export function fn<F extends (...args: never[]) => unknown>(where: Where, value: unknown, fallback?: undefined): F | undefined;
export function fn<F extends (...args: never[]) => unknown>(where: Where, value: unknown, fallback?: F): F | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'function') throw new TypeError(`${where} must be a function, got ${show(value)}`);
  return value as F;
}

export function priority(where: Where, value: unknown, fallback: Priority): Priority {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < Priority.Critical || value > Priority.Lowest) {
    throw new RangeError(`${where} must be a Priority (Critical=0 … Lowest=4), got ${show(value)}`);
  }
  return value;
}

export function record(where: Where, value: unknown): void {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new TypeError(`${where} must be an object, got ${show(value)}`);
  }
}

/** Checks the options argument itself. */
export function optionsObject(factory: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new TypeError(`${factory}: options must be an object, got ${show(value)}`);
  }
}

/** True for a plain object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns the clock, or undefined when none was given; throws a TypeError naming `where` when it is not a Clock. */
export function clock(where: Where, value: unknown): Clock | undefined {
  if (value === undefined) return undefined;
  const candidate = value as Partial<Clock> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.now !== 'function' || typeof candidate.setTimeout !== 'function' || typeof candidate.clearTimeout !== 'function') {
    throw new TypeError(`${where} must be a Clock (with now, setTimeout and clearTimeout)`);
  }
  return candidate as Clock;
}

/** The longest delay `setTimeout` honours (2^31 - 1 ms, about 24.8 days); a longer one would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A non-negative number of milliseconds that a timer can hold; `fallback` when undefined. */
export function timerMs(where: Where, value: unknown, fallback: number): number {
  const ms = nonNegativeNumber(where, value, fallback);
  if (ms > MAX_TIMER_MS) throw new RangeError(`${where} must be at most ${MAX_TIMER_MS} ms (what a timer can hold), got ${ms}`);
  return ms;
}

/** How a bad value is named in messages: strings quoted, objects and arrays by kind. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (value instanceof RegExp) return String(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}
