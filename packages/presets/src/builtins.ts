// The built-in interceptors by name, for presets and config files: each factory with the schema of the options a
// JSON file can set (functions, stores and clocks can only be given in code). The factories still validate values.
import {
  accessPolicy,
  cache,
  circuitBreaker,
  concurrency,
  errorHandling,
  logging,
  metrics,
  payloadLimit,
  PROMPT_INJECTION_FIELDS,
  promptInjectionGuard,
  rateLimit,
  redaction,
  REDACTION_DETECTORS,
  requestId,
  retry,
  timeout,
  timing,
  validation,
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
  type RateLimitRule,
  type RedactionOptions,
  type RequestIdOptions,
  type RetryOptions,
  type TimeoutOptions,
  type TimingOptions,
  type ValidationOptions,
} from '@mcp-interceptors/core';
import type { JsonSchema } from './json-schema.js';
import { tracing, type TracingOptions } from './tracing.js';

export interface Builtin {
  /** The interceptor's name (kebab-case), used in config files and `describe()`. */
  readonly name: string;
  /** The factory's name, used as the key of preset options (`production({ rateLimit: … })`). */
  readonly key: string;
  readonly create: (options: never) => Interceptor;
  /** The options a config file may set. */
  readonly options: JsonSchema;
}

type Schemas<O> = { readonly [K in Exclude<keyof O, 'priority'>]?: JsonSchema };

/** An options schema checked against the factory's options type: a key the factory does not know fails to compile. */
const options = <O>(properties: Schemas<O>): JsonSchema => ({ type: 'object', properties: properties as Record<string, JsonSchema>, additionalProperties: false });

const bool: JsonSchema = { type: 'boolean' };
const str: JsonSchema = { type: 'string', minLength: 1 };
const strings: JsonSchema = { type: 'array', items: { type: 'string' } };
const integers: JsonSchema = { type: 'array', items: { type: 'integer' } };
const count: JsonSchema = { type: 'integer', minimum: 1 };
const ms: JsonSchema = { type: 'number', minimum: 0 };
const msByName: JsonSchema = { type: 'object', additionalProperties: ms };
const oneOf = (...values: string[]): JsonSchema => ({ enum: values });
const directions: JsonSchema = { type: 'array', items: oneOf('inbound', 'outbound') };

const rateLimitRule: Schemas<RateLimitRule> = {
  scope: oneOf('global', 'client', 'method', 'tool', 'tenant'),
  rate: { type: 'number', exclusiveMinimum: 0 },
  burst: { type: 'number', minimum: 1 },
  limit: count,
  windowMs: { type: 'number', exclusiveMinimum: 0 },
  overrides: { type: 'object', additionalProperties: { type: 'object' } },
  id: str,
};

export const BUILTINS: readonly Builtin[] = [
  { name: 'request-id', key: 'requestId', create: requestId, options: options<RequestIdOptions>({ trustInbound: bool, echo: bool }) },
  {
    name: 'validation',
    key: 'validation',
    create: validation,
    options: options<ValidationOptions>({ strict: bool, maxDepth: count, maxMethodLength: count, directions }),
  },
  {
    name: 'error-handling',
    key: 'errorHandling',
    create: errorHandling,
    options: options<ErrorHandlingOptions>({ mode: oneOf('development', 'production'), exposeCodes: integers, maskToolErrors: bool, maxEntries: count }),
  },
  {
    name: 'payload-limit',
    key: 'payloadLimit',
    create: payloadLimit,
    options: options<PayloadLimitOptions>({ maxRequestBytes: count, maxResponseBytes: count, methods: strings }),
  },
  {
    name: 'tracing',
    key: 'tracing',
    create: tracing,
    options: options<TracingOptions>({ metrics: bool, notifications: bool, recordPayloads: bool, maxPayloadLength: count, resourceUriAsTarget: bool, activateContext: bool }),
  },
  {
    name: 'rate-limit',
    key: 'rateLimit',
    create: rateLimit,
    options: options<RateLimitOptions>({
      ...rateLimitRule,
      rules: { type: 'array', minItems: 1, items: { type: 'object', properties: rateLimitRule as Record<string, JsonSchema>, additionalProperties: false } },
      maxKeys: count,
      methods: strings,
      exempt: strings,
      directions,
    }),
  },
  {
    name: 'access-policy',
    key: 'accessPolicy',
    create: accessPolicy,
    options: options<AccessPolicyOptions>({
      rules: {
        type: 'array',
        items: {
          type: 'object',
          required: ['effect'],
          properties: { effect: oneOf('allow', 'deny'), tools: strings, resources: strings, prompts: strings, roles: strings, scopes: strings },
          additionalProperties: false,
        },
      },
      defaultEffect: { anyOf: [oneOf('allow', 'deny'), { type: 'object', properties: { tool: oneOf('allow', 'deny'), resource: oneOf('allow', 'deny'), prompt: oneOf('allow', 'deny') }, additionalProperties: false }] },
      directions,
    }),
  },
  {
    name: 'circuit-breaker',
    key: 'circuitBreaker',
    create: circuitBreaker,
    options: options<CircuitBreakerOptions>({
      failureThreshold: count,
      windowMs: { type: 'number', exclusiveMinimum: 0 },
      openMs: { type: 'number', exclusiveMinimum: 0 },
      probeTimeoutMs: { type: 'number', exclusiveMinimum: 0 },
      failureCodes: integers,
      countToolErrors: bool,
      exempt: strings,
      exemptTools: strings,
      directions,
      maxKeys: count,
    }),
  },
  {
    name: 'concurrency',
    key: 'concurrency',
    create: concurrency,
    options: options<ConcurrencyOptions>({
      maxConcurrent: count,
      maxQueue: { type: 'integer', minimum: 0 },
      acquireTimeoutMs: ms,
      overrides: { type: 'object', additionalProperties: { type: 'object', properties: { maxConcurrent: count, maxQueue: { type: 'integer', minimum: 0 } }, additionalProperties: false } },
      methods: strings,
      exempt: strings,
      directions,
    }),
  },
  {
    name: 'timeout',
    key: 'timeout',
    create: timeout,
    options: options<TimeoutOptions>({ defaultMs: ms, methods: msByName, tools: msByName, mode: oneOf('total', 'attempt') }),
  },
  {
    name: 'retry',
    key: 'retry',
    create: retry,
    options: options<RetryOptions>({ maxAttempts: count, baseDelayMs: ms, maxDelayMs: ms, maxRetryAfterMs: ms, codes: integers, tools: strings, maxLearnedTools: count }),
  },
  {
    name: 'cache',
    key: 'cache',
    create: cache,
    options: options<CacheOptions>({ ttlMs: ms, methods: msByName, tools: msByName, maxEntries: count }),
  },
  {
    name: 'redaction',
    key: 'redaction',
    create: redaction,
    options: options<RedactionOptions>({
      mode: oneOf('mask', 'hash', 'tokenize'),
      salt: str,
      detectors: { type: 'array', items: { enum: [...REDACTION_DETECTORS] } },
      sensitiveKeys: { anyOf: [strings, { enum: [false] }] },
      allowTools: strings,
      allowFields: strings,
      directions: { type: 'array', items: oneOf('request', 'response') },
      methods: strings,
      keepCardLast4: bool,
      vaultSize: count,
    }),
  },
  {
    name: 'prompt-injection-guard',
    key: 'promptInjectionGuard',
    create: promptInjectionGuard,
    options: options<PromptInjectionGuardOptions>({
      rules: {
        type: 'array',
        items: { type: 'object', required: ['id', 'pattern', 'weight'], properties: { id: str, pattern: str, weight: { type: 'number' } }, additionalProperties: false },
      },
      disableRules: strings,
      threshold: { type: 'number', exclusiveMinimum: 0 },
      action: oneOf('block', 'sanitize'),
      allowedUrlHosts: strings,
      fields: { type: 'array', items: { enum: Object.keys(PROMPT_INJECTION_FIELDS) } },
    }),
  },
  {
    name: 'logging',
    key: 'logging',
    create: logging,
    options: options<LoggingOptions>({ level: oneOf('debug', 'info', 'warn', 'error'), includePayloads: bool, maxPayloadLength: count, sensitiveKeys: strings, notifications: bool }),
  },
  { name: 'timing', key: 'timing', create: timing, options: options<TimingOptions>({ slowThresholdMs: { type: 'number', minimum: 0 }, maxMethods: count }) },
  { name: 'metrics', key: 'metrics', create: metrics, options: options<MetricsOptions>({ maxMethods: count, maxTools: count }) },
];
