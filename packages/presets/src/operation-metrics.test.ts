import { metrics, type Histogram, type MeterProvider } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { operationHistograms } from './operation-metrics.js';
import { createTestMetrics } from './test-support/otel.js';

afterEach(() => {
  metrics.disable();
});

describe('operationHistograms', () => {
  it('is not live on the API no-op global; once an SDK registers it is, and records there', async () => {
    const histograms = operationHistograms(undefined);
    expect(histograms.live()).toBe(false);
    histograms.record('client', 0.5, { 'mcp.method.name': 'ping' });

    const sdk = createTestMetrics();
    metrics.setGlobalMeterProvider(sdk.provider);
    expect(histograms.live()).toBe(true);
    histograms.record('server', 0.25, { 'mcp.method.name': 'ping' });
    expect((await sdk.histograms()).map((p) => [p.name, p.count, p.sum, p.attributes])).toEqual([['mcp.server.operation.duration', 1, 0.25, { 'mcp.method.name': 'ping' }]]);
  });

  it('counts a provider that hands out one shared instrument as recording (only the API no-op one is skipped)', () => {
    const recorded: unknown[] = [];
    const shared: Histogram = { record: (value, attributes) => void recorded.push([value, attributes]) };
    const provider: MeterProvider = { getMeter: () => ({ createHistogram: () => shared }) as never };
    const histograms = operationHistograms(provider);
    expect(histograms.live()).toBe(true);
    histograms.record('client', 1, { 'mcp.method.name': 'tools/list' });
    expect(recorded).toEqual([[1, { 'mcp.method.name': 'tools/list' }]]);
  });
});
