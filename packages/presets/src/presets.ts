// The four presets: stdio(), http(), development(), production(). Each is a documented list of members (built-in
// interceptors with preset defaults) per side; every member's options can be overridden, and any member removed
// (`false`) or replaced (an interceptor).
import {
  stderrSink,
  type AccessPolicyOptions,
  type CacheOptions,
  type CircuitBreakerOptions,
  type ConcurrencyOptions,
  type ErrorHandlingOptions,
  type Interceptor,
  type LoggingOptions,
  type MetricsOptions,
  type PayloadLimitOptions,
  type PromptInjectionGuardOptions,
  type RateLimitOptions,
  type RedactionOptions,
  type RequestIdOptions,
  type RetryOptions,
  type Side,
  type TimeoutOptions,
  type TimingOptions,
  type ValidationOptions,
} from '@mcp-interceptors/core';
import { BUILTINS } from './builtins.js';
import { isPlainObject, optionsObject, show } from './internal/options.js';
import { buildMembers, isInterceptor, mergeOptions, type MemberPlan } from './member-plan.js';
import type { TracingOptions } from './tracing.js';

export type PresetName = 'stdio' | 'http' | 'development' | 'production';
export const PRESET_NAMES: readonly PresetName[] = ['stdio', 'http', 'development', 'production'];

/** A member's setting: options merged onto the preset's defaults, `false` to remove it, or an interceptor to use instead. */
export type Member<O> = O | false | Interceptor;

export interface PresetOptions {
  /** Which end of the connection the chain is for: members and defaults differ. @defaultValue 'server' */
  readonly side?: Side;
  readonly requestId?: Member<RequestIdOptions>;
  readonly validation?: Member<ValidationOptions>;
  readonly errorHandling?: Member<ErrorHandlingOptions>;
  readonly payloadLimit?: Member<PayloadLimitOptions>;
  readonly tracing?: Member<TracingOptions>;
  readonly rateLimit?: Member<RateLimitOptions>;
  readonly accessPolicy?: Member<AccessPolicyOptions>;
  readonly circuitBreaker?: Member<CircuitBreakerOptions>;
  readonly concurrency?: Member<ConcurrencyOptions>;
  readonly timeout?: Member<TimeoutOptions>;
  readonly retry?: Member<RetryOptions>;
  readonly cache?: Member<CacheOptions>;
  readonly redaction?: Member<RedactionOptions>;
  readonly promptInjectionGuard?: Member<PromptInjectionGuardOptions>;
  readonly logging?: Member<LoggingOptions>;
  readonly timing?: Member<TimingOptions>;
  readonly metrics?: Member<MetricsOptions>;
}

type Definition = (side: Side) => MemberPlan[];
const m = (name: string, options?: Record<string, unknown>): MemberPlan => ({ name, options });

/** What a server takes from its peers: per client, only requests it receives (never its own to the client). */
const SERVER_RATE_LIMIT = { scope: 'client', rate: 50, burst: 100, directions: ['inbound'] };
/** A server's bulkhead per tool (or method) and its breaker per tool, both over the requests it receives. */
const SERVER_CONCURRENCY = { maxConcurrent: 10, maxQueue: 100, directions: ['inbound'] };
const SERVER_BREAKER = { directions: ['inbound'] };
/** A client's breaker: fail fast while the server keeps failing a tool. */
const CLIENT_BREAKER = { directions: ['outbound'] };

/**
 * The members shared by stdio(), http() and production(), in their order. Each preset switches parts on: the
 * network limits (payload, rate, bulkhead) on a server, tracing and breakers in production, stderr sinks on stdio.
 */
function standard(side: Side, parts: { readonly limits: boolean; readonly tracing: boolean; readonly breaker: boolean; readonly sink?: unknown }): MemberPlan[] {
  const server = side === 'server';
  const limits = parts.limits && server;
  const sink = parts.sink === undefined ? {} : { sink: parts.sink };
  return [
    m('error-handling', { mode: 'production' }),
    m('request-id'),
    ...(parts.tracing ? [m('tracing')] : []),
    ...(limits ? [m('payload-limit')] : []),
    m('validation'),
    ...(limits ? [m('rate-limit', SERVER_RATE_LIMIT)] : []),
    // A client retries outside its breaker and its per-attempt deadline, so a timed-out attempt is tried again.
    ...(server ? [] : [m('retry', { maxAttempts: 3 })]),
    ...(parts.breaker ? [m('circuit-breaker', server ? SERVER_BREAKER : CLIENT_BREAKER)] : []),
    ...(limits ? [m('concurrency', SERVER_CONCURRENCY)] : []),
    m('timeout', server ? { defaultMs: 30_000 } : { defaultMs: 30_000, mode: 'attempt' }),
    m('logging', { level: 'info', ...sink }),
    m('timing', { slowThresholdMs: 5_000, ...sink }),
    m('metrics'),
  ];
}

const DEFINITIONS: Record<PresetName, Definition> = {
  // A local process talking over stdin/stdout: one trusted peer, and stdout is the protocol's, so every sink is stderr.
  stdio: (side) => standard(side, { limits: false, tracing: false, breaker: false, sink: stderrSink }),
  // Reachable over the network: limits on what peers may send (size, rate, concurrency per tool).
  http: (side) => standard(side, { limits: true, tracing: false, breaker: false }),
  // Everything visible: internal errors unmasked, payloads logged, strict validation, slow calls flagged early.
  development: () => [
    m('error-handling', { mode: 'development' }),
    m('request-id'),
    m('tracing'),
    m('validation', { strict: true }),
    m('logging', { level: 'debug', includePayloads: true }),
    m('timing', { slowThresholdMs: 1_000 }),
    m('metrics'),
  ],
  // http() plus tracing and circuit breakers (per tool, or per method).
  production: (side) => standard(side, { limits: true, tracing: true, breaker: true }),
};

const KEY_TO_NAME = new Map(BUILTINS.map((b) => [b.key, b.name]));
const NAME_TO_KEY = new Map(BUILTINS.map((b) => [b.name, b.key]));

/** The members of a preset for a side, with their default options, before any override. */
export function presetPlan(name: PresetName, side: Side = 'server'): MemberPlan[] {
  return DEFINITIONS[name](side).map((member) => ({ ...member, options: member.options && { ...member.options } }));
}

/** Applies `PresetOptions` (member settings) to a plan: merge, remove or replace; a setting for a non-member adds it. */
export function applyPresetOptions(plan: MemberPlan[], options: PresetOptions, where: string): MemberPlan[] {
  const result = [...plan];
  for (const [key, setting] of Object.entries(options)) {
    if (key === 'side' || setting === undefined) continue;
    const name = KEY_TO_NAME.get(key);
    if (name === undefined) throw new TypeError(`${where}: unknown member "${key}"; members are ${[...KEY_TO_NAME.keys()].join(', ')}`);
    const index = result.findIndex((member) => member.name === name);
    const current = result[index];
    if (setting === false) {
      if (current !== undefined) result.splice(index, 1);
    } else if (isInterceptor(setting)) {
      const replaced: MemberPlan = { name, options: undefined, interceptor: setting };
      if (current === undefined) result.push(replaced);
      else result[index] = replaced;
    } else if (isPlainObject(setting)) {
      if (current === undefined) result.push({ name, options: { ...setting } });
      else result[index] = { ...current, options: mergeOptions(current.options, setting, name), interceptor: undefined };
    } else {
      throw new TypeError(`${where}.${key} must be options (an object), false or an interceptor, got ${show(setting)}`);
    }
  }
  return result;
}

function build(name: PresetName, options: PresetOptions = {}): Interceptor[] {
  optionsObject(name, options);
  const side = options.side ?? 'server';
  if (side !== 'server' && side !== 'client') throw new TypeError(`${name}.side must be "server" or "client", got ${show(side)}`);
  return buildMembers(applyPresetOptions(presetPlan(name, side), options, name), name);
}

/**
 * The stdio preset: error-handling, request-id, validation, timeout, (client: retry), logging, timing and metrics,
 * every sink on stderr: a stdio server's stdout carries the protocol, and nothing else is ever written to it.
 *
 * @example
 * await server.connect(intercept(new StdioServerTransport(), createChain(stdio({ logging: { level: 'warn' } })), { side: 'server' }));
 */
export function stdio(options?: PresetOptions): Interceptor[] {
  return build('stdio', options);
}

/**
 * The HTTP preset: stdio()'s members plus, on a server, a payload limit, a per-client rate limit (50/s, burst 100)
 * and a bulkhead per tool (10 at once, 100 waiting); on a client, retries with a per-attempt deadline.
 *
 * @example
 * const chain = createChain(http({ rateLimit: { rate: 200, burst: 400 } }));
 */
export function http(options?: PresetOptions): Interceptor[] {
  return build('http', options);
}

/**
 * The development preset: internal errors unmasked, strict validation, debug logs with payloads, tracing, slow
 * requests flagged from 1 s. Never for a server others can reach.
 *
 * @example
 * const chain = createChain(process.env.NODE_ENV === 'production' ? production() : development());
 */
export function development(options?: PresetOptions): Interceptor[] {
  return build('development', options);
}

/**
 * The production preset: http() plus tracing (spans and duration histograms through the OpenTelemetry API) and a
 * circuit breaker per tool (or method).
 *
 * @example
 * const chain = createChain(production({ side: 'client', retry: { maxAttempts: 5 }, logging: false }));
 */
export function production(options?: PresetOptions): Interceptor[] {
  return build('production', options);
}

/** One of the presets by name (for names read from configuration). */
export function preset(name: PresetName, options?: PresetOptions): Interceptor[] {
  if (!PRESET_NAMES.includes(name)) throw new TypeError(`preset: name must be one of ${PRESET_NAMES.map((n) => JSON.stringify(n)).join(', ')}, got ${show(name)}`);
  return build(name, options);
}

/** The preset-options key of a member name (`rate-limit` → `rateLimit`), for messages. */
export function memberKey(name: string): string | undefined {
  return NAME_TO_KEY.get(name);
}
