// The MCP operation-duration histograms (`mcp.client.operation.duration`, `mcp.server.operation.duration`), in
// seconds with the semconv buckets, through the metrics API only. The meter provider is looked up per exchange, so a
// chain built before the SDK starts still records once it has.
import { createNoopMeter, metrics, type Attributes, type Histogram, type MeterProvider } from '@opentelemetry/api';
import {
  MCP_OPERATION_DURATION_BUCKETS,
  METRIC_MCP_CLIENT_OPERATION_DURATION,
  METRIC_MCP_SERVER_OPERATION_DURATION,
} from './semconv.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

const NOOP_HISTOGRAM = createNoopMeter().createHistogram('noop');

export interface OperationHistograms {
  /**
   * Whether a recording meter provider is there now: false for the API's no-op one (what the global is until an SDK
   * registers), so an exchange need not gather attributes nothing will record.
   */
  live(): boolean;
  /** Records one finished operation: `client` for a request we sent, `server` for one we received. */
  record(role: 'client' | 'server', seconds: number, attributes: Attributes): void;
}

/** Histograms on `provider`, or on the global meter provider as it is when each operation ends. */
export function operationHistograms(provider: MeterProvider | undefined): OperationHistograms {
  let resolvedFrom: MeterProvider | undefined;
  let client: Histogram | undefined;
  let server: Histogram | undefined;
  let recording = false;
  const advice = { explicitBucketBoundaries: [...MCP_OPERATION_DURATION_BUCKETS] };
  const resolve = (): void => {
    const current = provider ?? metrics.getMeterProvider();
    if (current === resolvedFrom) return;
    resolvedFrom = current;
    const meter = current.getMeter(PACKAGE_NAME, PACKAGE_VERSION);
    client = meter.createHistogram(METRIC_MCP_CLIENT_OPERATION_DURATION, {
      description: 'Duration of an MCP request as seen by its sender, until the response arrives.',
      unit: 's',
      advice,
    });
    server = meter.createHistogram(METRIC_MCP_SERVER_OPERATION_DURATION, {
      description: 'Duration of an MCP request as seen by its receiver, until the response is sent.',
      unit: 's',
      advice,
    });
    // The API's no-op meter (the global one until an SDK registers) hands out one shared no-op instrument.
    recording = client !== NOOP_HISTOGRAM;
  };
  return {
    live() {
      resolve();
      return recording;
    },
    record(role, seconds, attributes) {
      resolve();
      if (recording) (role === 'client' ? client : server)?.record(seconds, attributes);
    },
  };
}
