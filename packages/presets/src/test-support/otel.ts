// Test support (not published): an in-memory span exporter behind a real tracer provider, a pull metric reader, and
// the global context manager + W3C propagators an application's SDK would register.
import { context, propagation, trace, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { AggregationTemporality, DataPointType, MeterProvider, MetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

export interface TestTracing {
  readonly exporter: InMemorySpanExporter;
  readonly provider: BasicTracerProvider;
  spans(): ReadableSpan[];
  /** The one finished span with this name and kind; fails the test when there is not exactly one. */
  span(name: string, kind?: number): ReadableSpan;
}

export function createTestTracing(): TestTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return {
    exporter,
    provider,
    spans: () => exporter.getFinishedSpans(),
    span(name, kind) {
      const found = exporter.getFinishedSpans().filter((s) => s.name === name && (kind === undefined || s.kind === kind));
      if (found.length !== 1) throw new Error(`expected one span "${name}"${kind === undefined ? '' : ` of kind ${kind}`}, found ${found.length}: ${exporter.getFinishedSpans().map((s) => `${s.name}/${s.kind}`).join(', ')}`);
      return found[0] as ReadableSpan;
    },
  };
}

/** Registers what NodeSDK would: AsyncLocalStorage context and W3C trace-context + baggage propagation. Returns the undo. */
export function registerGlobals(): () => void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  return () => {
    context.disable();
    propagation.disable();
    trace.disable();
  };
}

class PullReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface HistogramPoint {
  readonly name: string;
  readonly unit: string;
  readonly boundaries: number[];
  readonly attributes: Attributes;
  readonly count: number;
  readonly sum: number | undefined;
}

export interface TestMetrics {
  readonly provider: MeterProvider;
  /** Every histogram data point collected now. */
  histograms(): Promise<HistogramPoint[]>;
}

export function createTestMetrics(): TestMetrics {
  const reader = new PullReader();
  const provider = new MeterProvider({ readers: [reader] });
  return {
    provider,
    async histograms() {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics.scopeMetrics.flatMap((scope) =>
        scope.metrics
          .filter((metric): metric is HistogramMetricData => metric.dataPointType === DataPointType.HISTOGRAM)
          .flatMap((metric) =>
            metric.dataPoints.map((point) => ({
              name: metric.descriptor.name,
              unit: metric.descriptor.unit,
              boundaries: point.value.buckets.boundaries,
              attributes: point.attributes,
              count: point.value.count,
              sum: point.value.sum,
            })),
          ),
      );
    },
  };
}
