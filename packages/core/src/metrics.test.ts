import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from './metrics.js';

describe('metrics registry: frozen labels', () => {
  it('records a reused frozen labels object into the same series as equal unfrozen labels', () => {
    const registry = createMetricsRegistry();
    const frozen = Object.freeze({ method: 'ping', direction: 'inbound' });
    registry.increment('calls', { direction: 'inbound', method: 'ping' });
    registry.increment('calls', frozen);
    registry.increment('calls', frozen, 5);
    registry.add('in_flight', 2, frozen);
    registry.add('in_flight', -1, frozen);
    registry.observe('ms', 3, frozen);
    registry.observe('ms', 30, frozen);
    const snapshot = registry.snapshot();
    expect(snapshot.counters).toEqual([{ name: 'calls', labels: { direction: 'inbound', method: 'ping' }, value: 7 }]);
    expect(snapshot.gauges).toEqual([{ name: 'in_flight', labels: { method: 'ping', direction: 'inbound' }, value: 1 }]);
    expect(snapshot.histograms).toMatchObject([{ name: 'ms', labels: { method: 'ping', direction: 'inbound' }, count: 2, sum: 33, min: 3, max: 30 }]);
  });

  it('keys an unfrozen labels object afresh each time, so changing it between records changes the series', () => {
    const registry = createMetricsRegistry();
    const labels: Record<string, string> = { method: 'ping' };
    registry.increment('calls', labels);
    labels['method'] = 'tools/list';
    registry.increment('calls', labels);
    expect(registry.snapshot().counters).toEqual([
      { name: 'calls', labels: { method: 'ping' }, value: 1 },
      { name: 'calls', labels: { method: 'tools/list' }, value: 1 },
    ]);
  });

  it('keeps a frozen labels object per metric: the same object selects each metric its own series', () => {
    const registry = createMetricsRegistry();
    const labels = Object.freeze({ method: 'ping' });
    registry.increment('a', labels);
    registry.increment('b', labels, 2);
    registry.increment('a', labels);
    expect(registry.snapshot().counters).toEqual([
      { name: 'a', labels: { method: 'ping' }, value: 2 },
      { name: 'b', labels: { method: 'ping' }, value: 2 },
    ]);
  });

  it('counts every record folded into the overflow series, frozen labels included', () => {
    const registry = createMetricsRegistry({ maxSeriesPerMetric: 1 });
    const first = Object.freeze({ method: 'ping' });
    const second = Object.freeze({ method: 'tools/list' });
    registry.increment('calls', first);
    registry.increment('calls', second);
    registry.increment('calls', second);
    registry.increment('calls', first);
    const snapshot = registry.snapshot();
    expect(snapshot.overflowed).toBe(2);
    expect(snapshot.counters).toEqual([
      { name: 'calls', labels: { method: 'ping' }, value: 2 },
      { name: 'calls', labels: { overflow: true }, value: 2 },
    ]);
  });

  it('starts over after reset(), frozen labels included', () => {
    const registry = createMetricsRegistry();
    const labels = Object.freeze({ method: 'ping' });
    registry.increment('calls', labels, 3);
    registry.reset();
    registry.increment('calls', labels);
    expect(registry.snapshot().counters).toEqual([{ name: 'calls', labels: { method: 'ping' }, value: 1 }]);
  });
});
