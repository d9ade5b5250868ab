// @mcp-interceptors/presets: ready-made chains, configuration from the environment and from a file, and OpenTelemetry.
export { chainFromConfig, CONFIG_SCHEMA, loadConfig } from './config.js';
export type { ChainConfig, ChainConfigEntry, ConfigOptions } from './config.js';
export { ConfigError } from './config-error.js';
export { configJsonSchema } from './config-json-schema.js';
export { ENV_VARIABLES, fromEnv } from './env.js';
export type { EnvVariable } from './env.js';
export type { JsonSchema, JsonType, SchemaIssue } from './json-schema.js';
export { JsonLinesMetricExporter, JsonLinesSpanExporter } from './json-lines-exporters.js';
export { withPriority } from './member-plan.js';
export { metaGetter, metaSetter, w3cMetaPropagator } from './meta-propagation.js';
export { development, http, preset, PRESET_NAMES, production, stdio } from './presets.js';
export type { Member, PresetName, PresetOptions } from './presets.js';
export { createRegistry } from './registry.js';
export type { InterceptorFactory, InterceptorRegistry, RegisterOptions, Registration } from './registry.js';
export { startTelemetry } from './telemetry.js';
export type { Telemetry, TelemetryExporter, TelemetryOptions } from './telemetry.js';
export { SpanKey, tracing } from './tracing.js';
export type { TracingOptions } from './tracing.js';
