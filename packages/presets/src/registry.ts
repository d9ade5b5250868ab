// A registry of interceptor factories by name: the built-ins, plus the user's own, so a config file can name them.
import type { Interceptor } from '@mcp-interceptors/core';
import { BUILTINS } from './builtins.js';
import { unsupportedInSchema, type JsonSchema } from './json-schema.js';

/** Makes an interceptor from the options a config file gave (`undefined` when it gave none). */
export type InterceptorFactory = (options: Record<string, unknown> | undefined) => Interceptor;

export interface RegisterOptions {
  /** Checks `options` before the factory sees them, so a mistake is reported at its JSON path. @defaultValue any object */
  readonly options?: JsonSchema;
  /** Replace an existing registration (a built-in included) instead of failing. @defaultValue false */
  readonly replace?: boolean;
}

export interface Registration {
  readonly name: string;
  readonly create: InterceptorFactory;
  readonly options: JsonSchema;
}

export interface InterceptorRegistry {
  /** Adds a factory under a kebab-case name. Throws if the name is taken, unless `replace` is set. */
  register(name: string, factory: InterceptorFactory, options?: RegisterOptions): InterceptorRegistry;
  get(name: string): Registration | undefined;
  /** Every registered name, sorted. */
  names(): string[];
}

const ANY_OPTIONS: JsonSchema = { type: 'object' };
const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Creates a registry holding the built-in interceptors (request-id, validation, error-handling, tracing, rate-limit,
 * access-policy, timeout, retry, cache, redaction, logging, timing, metrics, …) under their names.
 *
 * @example
 * const registry = createRegistry().register('tenant-header', (options) => tenantHeader(options));
 * const chain = createChain(chainFromConfig(json, { registry }));
 */
export function createRegistry(): InterceptorRegistry {
  const entries = new Map<string, Registration>();
  for (const builtin of BUILTINS) entries.set(builtin.name, { name: builtin.name, create: builtin.create as InterceptorFactory, options: builtin.options });
  const registry: InterceptorRegistry = {
    register(name, factory, options = {}) {
      if (typeof name !== 'string' || !KEBAB.test(name)) throw new TypeError(`registry.register: name must be kebab-case, got ${JSON.stringify(name)}`);
      if (typeof factory !== 'function') throw new TypeError(`registry.register: the factory of "${name}" must be a function`);
      if (entries.has(name) && options.replace !== true) throw new TypeError(`registry.register: "${name}" is already registered; pass { replace: true } to replace it`);
      if (options.options !== undefined && (typeof options.options !== 'object' || options.options === null)) throw new TypeError(`registry.register: options of "${name}" must be a JSON schema object`);
      const unsupported = options.options === undefined ? [] : unsupportedInSchema(options.options);
      if (unsupported.length > 0) throw new TypeError(`registry.register: the options schema of "${name}" uses what the config validator does not check, so values it forbids would pass:\n  ${unsupported.join('\n  ')}`);
      entries.set(name, { name, create: factory, options: options.options ?? ANY_OPTIONS });
      return registry;
    },
    get: (name) => entries.get(name),
    names: () => [...entries.keys()].sort(),
  };
  return registry;
}
