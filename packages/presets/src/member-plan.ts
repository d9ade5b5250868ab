// A chain before it exists: named members with their options, turned into interceptors by a registry. Shared by
// the presets, fromEnv() and config files, so the three compose (preset defaults < file < environment).
import { Priority, type Interceptor } from '@mcp-interceptors/core';
import { createRegistry, type InterceptorRegistry } from './registry.js';

export interface MemberPlan {
  /** The registered factory name (`rate-limit`). */
  readonly name: string;
  /** Options for the factory; `undefined` means its defaults. */
  readonly options: Record<string, unknown> | undefined;
  /** Used as it is instead of calling the factory. */
  readonly interceptor?: Interceptor | undefined;
  /** Overrides the interceptor's own priority. */
  readonly priority?: Priority | undefined;
}

/** A factory returned something that is not an interceptor. */
export class NotAnInterceptorError extends TypeError {
  override readonly name = 'NotAnInterceptorError';
}

let builtins: InterceptorRegistry | undefined;

/** Makes the interceptors of a plan, in order. A factory's own validation error is rethrown as it is. */
export function buildMembers(plan: readonly MemberPlan[], where: string, registry: InterceptorRegistry = (builtins ??= createRegistry())): Interceptor[] {
  return plan.map((member) => {
    let interceptor = member.interceptor;
    if (interceptor === undefined) {
      const registration = registry.get(member.name);
      if (registration === undefined) throw new TypeError(`${where}: no interceptor is registered as "${member.name}"`);
      const created: unknown = registration.create(member.options);
      if (typeof created !== 'object' || created === null || typeof (created as Partial<Interceptor>).name !== 'string') {
        throw new NotAnInterceptorError(`the factory registered as "${member.name}" returned ${created === null ? 'null' : typeof created === 'object' ? 'an object without a name' : String(created)}, not an interceptor (an object with a name)`);
      }
      interceptor = created as Interceptor;
    }
    return member.priority !== undefined && member.priority !== interceptor.priority ? withPriority(interceptor, member.priority) : interceptor;
  });
}

/**
 * The same interceptor at another priority. The original is its prototype, so its hooks, state and extra methods
 * (`stats()`, …) are shared.
 *
 * @example
 * const chain = createChain([...production(), withPriority(myAudit(), Priority.Lowest)]);
 */
export function withPriority<T extends Interceptor>(interceptor: T, priority: Priority): T {
  if (!Number.isInteger(priority) || priority < Priority.Critical || priority > Priority.Lowest) {
    throw new RangeError(`withPriority: priority must be a Priority (Critical=0 … Lowest=4), got ${String(priority)}`);
  }
  return Object.create(interceptor, { priority: { value: priority, enumerable: true } }) as T;
}

/** True for an interceptor (a name and at least one hook) as opposed to an options object. */
export function isInterceptor(value: unknown): value is Interceptor {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof Interceptor, unknown>>;
  return typeof candidate.name === 'string' && ['onRequest', 'around', 'onResponse', 'onNotification'].some((hook) => typeof candidate[hook as keyof Interceptor] === 'function');
}

/**
 * `override` over `base`, one level deep; an `undefined` in `override` keeps the base value. For `rate-limit`, an
 * override that picks another algorithm (limit/windowMs over a token bucket's rate/burst, or the reverse, or `rules`
 * over one top-level rule) replaces the base's options of the other, which rateLimit() would refuse beside it.
 */
export function mergeOptions(base: Record<string, unknown> | undefined, override: Record<string, unknown>, member?: string): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  if (member === 'rate-limit') for (const key of rateLimitConflicts(merged, override)) delete merged[key];
  for (const [key, value] of Object.entries(override)) if (value !== undefined) merged[key] = value;
  return merged;
}

/** rateLimit()'s fields of one rule given at the top level (beside them, `rules` is refused). */
const RATE_LIMIT_RULE_FIELDS = ['scope', 'rate', 'burst', 'limit', 'windowMs', 'key', 'overrides', 'id'];

/**
 * The base's rate-limit options that `override` makes conflicting. Switching algorithm drops the base's `overrides`
 * too: they are written for the other algorithm (limit vs rate/burst).
 */
function rateLimitConflicts(base: Record<string, unknown>, override: Record<string, unknown>): string[] {
  const sets = (options: Record<string, unknown>, keys: readonly string[]): boolean => keys.some((key) => options[key] !== undefined);
  if (sets(override, ['rules'])) return RATE_LIMIT_RULE_FIELDS;
  const conflicts: string[] = [];
  if (sets(override, ['rate', 'burst']) && sets(base, ['limit', 'windowMs'])) conflicts.push('limit', 'windowMs', 'overrides');
  if (sets(override, ['limit', 'windowMs']) && sets(base, ['rate', 'burst'])) conflicts.push('rate', 'burst', 'overrides');
  if (sets(override, RATE_LIMIT_RULE_FIELDS)) conflicts.push('rules');
  return conflicts;
}
