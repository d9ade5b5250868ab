// startTelemetry(): the OpenTelemetry Node SDK set up for an MCP process in one call. Console (JSON lines) by default,
// on stderr whenever stdout may carry the protocol; OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { boolean, isPlainObject, optionsObject, positiveInt, show } from './internal/options.js';
import { JsonLinesMetricExporter, JsonLinesSpanExporter } from './json-lines-exporters.js';

export type TelemetryExporter = 'console' | 'otlp' | 'none';

export interface TelemetryOptions {
  /** `service.name` of every span and metric. */
  readonly serviceName: string;
  /** `service.version`. @defaultValue not set */
  readonly serviceVersion?: string;
  /**
   * Where telemetry goes. `otlp` uses OTLP/HTTP to `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`),
   * with `OTEL_EXPORTER_OTLP_HEADERS` and the other standard variables; `console` writes JSON lines to `consoleStream`.
   * @defaultValue `otlp` when one of those endpoint variables is set, else `console`
   */
  readonly exporter?: TelemetryExporter;
  /**
   * The console exporter's stream. A stdio MCP server's stdout carries the protocol, so anything but a terminal on
   * stdout means stderr.
   * @defaultValue `process.stderr`, or `process.stdout` when stdout is a terminal (then it cannot be a stdio server)
   */
  readonly consoleStream?: 'stdout' | 'stderr' | NodeJS.WritableStream;
  /** Export the MCP operation-duration histograms (and any other metric) too. @defaultValue true */
  readonly metrics?: boolean;
  /** How often metrics are exported, in milliseconds. @defaultValue 60000 */
  readonly metricExportIntervalMs?: number;
  /**
   * Call `shutdown()` when the event loop empties (`beforeExit`), e.g. when a stdio server's stdin ends, so the last
   * spans are not lost. Signals are the application's to handle.
   * @defaultValue true
   */
  readonly flushOnExit?: boolean;
}

export interface Telemetry {
  /** What was set up: `none` when `OTEL_SDK_DISABLED=true` or `exporter: 'none'`. */
  readonly exporter: TelemetryExporter;
  /** Flushes every pending span and metric, then stops the SDK. Safe to call more than once. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry Node SDK: registers the global tracer and meter providers, the AsyncLocalStorage context
 * manager and the W3C trace-context + baggage propagators, so `tracing()` with no options traces into it. Loads the
 * SDK only when called. Call it before connecting transports; call `shutdown()` before exiting.
 *
 * @example
 * const telemetry = await startTelemetry({ serviceName: 'weather-server' });
 * process.on('SIGTERM', () => void telemetry.shutdown().finally(() => process.exit(0)));
 */
export async function startTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  optionsObject('startTelemetry', options);
  if (!isPlainObject(options)) throw new TypeError('startTelemetry: options with a serviceName are required');
  const serviceName = options.serviceName;
  if (typeof serviceName !== 'string' || serviceName.length === 0) throw new TypeError(`startTelemetry.serviceName must be a non-empty string, got ${show(serviceName)}`);
  if (options.serviceVersion !== undefined && (typeof options.serviceVersion !== 'string' || options.serviceVersion.length === 0)) {
    throw new TypeError(`startTelemetry.serviceVersion must be a non-empty string, got ${show(options.serviceVersion)}`);
  }
  const env = process.env;
  const exporter = resolveExporter(options.exporter, env);
  const stream = resolveStream(options.consoleStream);
  const withMetrics = boolean('startTelemetry.metrics', options.metrics, true);
  const interval = positiveInt('startTelemetry.metricExportIntervalMs', options.metricExportIntervalMs, 60_000);
  const flushOnExit = boolean('startTelemetry.flushOnExit', options.flushOnExit, true);
  if (exporter === 'none' || /^true$/i.test(env['OTEL_SDK_DISABLED']?.trim() ?? '')) return { exporter: 'none', shutdown: () => Promise.resolve() };

  const { NodeSDK, metrics: sdkMetrics, tracing: sdkTrace, resources } = await import('@opentelemetry/sdk-node');
  const spanProcessors: SpanProcessor[] = [];
  let metricReaders: MetricReader[] | undefined;
  if (exporter === 'otlp') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    spanProcessors.push(new sdkTrace.BatchSpanProcessor(new OTLPTraceExporter()));
    // Undefined: the SDK builds its OTLP metric reader from the same OTEL_EXPORTER_OTLP_* variables.
    metricReaders = withMetrics ? undefined : [];
  } else {
    spanProcessors.push(new sdkTrace.SimpleSpanProcessor(new JsonLinesSpanExporter(stream)));
    metricReaders = withMetrics ? [new sdkMetrics.PeriodicExportingMetricReader({ exporter: new JsonLinesMetricExporter(stream), exportIntervalMillis: interval })] : [];
  }
  const sdk = new NodeSDK({
    serviceName,
    ...(options.serviceVersion ? { resource: resources.defaultResource().merge(resources.resourceFromAttributes({ 'service.version': options.serviceVersion })) } : {}),
    spanProcessors,
    ...(metricReaders ? { metricReaders } : {}),
    // No log pipeline: this helper is about traces and metrics, and an unset one would default to OTLP.
    logRecordProcessors: [],
  });
  sdk.start();
  let stopping: Promise<void> | undefined;
  const onBeforeExit = (): void => void shutdown();
  const shutdown = (): Promise<void> => {
    process.off('beforeExit', onBeforeExit);
    return (stopping ??= sdk.shutdown());
  };
  if (flushOnExit) process.once('beforeExit', onBeforeExit);
  return { exporter, shutdown };
}

function resolveExporter(value: unknown, env: NodeJS.ProcessEnv): TelemetryExporter {
  if (value === undefined) return env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] ? 'otlp' : 'console';
  if (value !== 'console' && value !== 'otlp' && value !== 'none') throw new TypeError(`startTelemetry.exporter must be one of "console", "otlp", "none", got ${show(value)}`);
  return value;
}

function resolveStream(value: unknown): NodeJS.WritableStream {
  if (value === undefined) return process.stdout.isTTY ? process.stdout : process.stderr;
  if (value === 'stdout') return process.stdout;
  if (value === 'stderr') return process.stderr;
  if (typeof (value as { write?: unknown } | null)?.write !== 'function') {
    throw new TypeError(`startTelemetry.consoleStream must be "stdout", "stderr" or a writable stream, got ${show(value)}`);
  }
  return value as NodeJS.WritableStream;
}
