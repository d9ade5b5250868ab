// The MCP operation-duration histograms (`mcp.client.operation.duration`, `mcp.server.operation.duration`), in
// seconds with the semconv buckets, through the metrics API only. The meter provider is looked up per exchange, so a
// chain built before the SDK starts still records once it has.
import { metrics, type Attributes, type Histogram, type MeterProvider } from '@opentelemetry/api';
import {
  MCP_OPERATION_DURATION_BUCKETS,
  METRIC_MCP_CLIENT_OPERATION_DURATION,
  METRIC_MCP_SERVER_OPERATION_DURATION,
} from './semconv.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

export interface OperationHistograms {
  /** Records one finished operation: `client` for a request we sent, `server` for one we received. */
  record(role: 'client' | 'server', seconds: number, attributes: Attributes): void;
}

/** Histograms on `provider`, or on the global meter provider as it is when each operation ends. */
export function operationHistograms(provider: MeterProvider | undefined): OperationHistograms {
  let resolvedFrom: MeterProvider | undefined;
  let client: Histogram | undefined;
  let server: Histogram | undefined;
  const advice = { explicitBucketBoundaries: [...MCP_OPERATION_DURATION_BUCKETS] };
  return {
    record(role, seconds, attributes) {
      const current = provider ?? metrics.getMeterProvider();
      if (current !== resolvedFrom) {
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
      }
      (role === 'client' ? client : server)?.record(seconds, attributes);
    },
  };
}
