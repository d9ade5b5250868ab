// Console exporters for startTelemetry(): one JSON object per line on a chosen stream. Unlike the SDK's console
// exporters (console.dir, always stdout) they can write to stderr, which a stdio MCP server must use: its stdout
// carries the protocol.
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

type Done = Parameters<SpanExporter['export']>[1];
type Writable = Pick<NodeJS.WritableStream, 'write'>;

const SUCCESS = 0; // ExportResultCode.SUCCESS
const KIND = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS = ['UNSET', 'OK', 'ERROR'];

const hrToMs = ([seconds, nanos]: [number, number]): number => seconds * 1e3 + nanos / 1e6;

/** Writes each finished span as one JSON line: ids, name, kind, times, attributes, status, events and links. */
export class JsonLinesSpanExporter implements SpanExporter {
  constructor(private readonly stream: Writable) {}

  export(spans: ReadableSpan[], done: Done): void {
    for (const span of spans) {
      const context = span.spanContext();
      const line = {
        service: span.resource.attributes['service.name'],
        traceId: context.traceId,
        spanId: context.spanId,
        parentSpanId: span.parentSpanContext?.spanId,
        name: span.name,
        kind: KIND[span.kind],
        start: new Date(hrToMs(span.startTime)).toISOString(),
        durationMs: Math.round(hrToMs(span.duration) * 1000) / 1000,
        attributes: span.attributes,
        status: { code: STATUS[span.status.code], ...(span.status.message ? { message: span.status.message } : {}) },
        ...(span.events.length ? { events: span.events.map((e) => ({ name: e.name, attributes: e.attributes })) } : {}),
        ...(span.links.length ? { links: span.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId })) } : {}),
      };
      this.stream.write(`${JSON.stringify(line)}\n`);
    }
    done({ code: SUCCESS });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** Writes each collected metric as one JSON line with its data points (histograms: count, sum, bucket counts). */
export class JsonLinesMetricExporter implements PushMetricExporter {
  constructor(private readonly stream: Writable) {}

  export(metrics: ResourceMetrics, done: Done): void {
    for (const scope of metrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        const points = (metric.dataPoints as Array<{ attributes: unknown; value: unknown }>).map((point) => ({ attributes: point.attributes, value: point.value }));
        this.stream.write(`${JSON.stringify({ metric: metric.descriptor.name, unit: metric.descriptor.unit, scope: scope.scope.name, points })}\n`);
      }
    }
    done({ code: SUCCESS });
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
