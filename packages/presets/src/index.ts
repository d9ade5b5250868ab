// @mcp-interceptors/presets: ready-made chains, configuration from the environment and from a file, and OpenTelemetry.
export { JsonLinesMetricExporter, JsonLinesSpanExporter } from './json-lines-exporters.js';
export { metaGetter, metaSetter, w3cMetaPropagator } from './meta-propagation.js';
export { SpanKey, tracing } from './tracing.js';
export type { TracingOptions } from './tracing.js';
export { startTelemetry } from './telemetry.js';
export type { Telemetry, TelemetryExporter, TelemetryOptions } from './telemetry.js';
