import { describe, expect, it } from 'vitest';
import { createChain } from '../chain.js';
import { ErrorCode, InterceptorError } from '../errors.js';
import { Priority, type Interceptor } from '../interceptor.js';
import { DEFAULT_DURATION_BUCKETS_MS, type MetricsSnapshot } from '../metrics.js';
import { connectPair } from '../test-support/pair.js';
import { createManualClock, runNotification, runRequest } from '../testing.js';
import {
  ERRORS_METRIC,
  IN_FLIGHT_METRIC,
  metrics,
  metricsSummary,
  NOTIFICATIONS_METRIC,
  REQUEST_DURATION_METRIC,
  REQUESTS_METRIC,
  successRate,
  type MetricsOptions,
} from './metrics.js';

const counter = (snapshot: MetricsSnapshot, name: string, labels: Record<string, unknown>): number | undefined =>
  snapshot.counters.find((c) => c.name === name && JSON.stringify(Object.entries(c.labels).sort()) === JSON.stringify(Object.entries(labels).sort()))?.value;

const failing = (code: number, reason: string): Interceptor => ({
  name: 'failing',
  priority: Priority.Lowest,
  onRequest: (req) => {
    if (req.params?.['name'] === 'bad') throw new InterceptorError(code, 'no', { reason });
  },
});

function setup(options: MetricsOptions = {}, extra: Interceptor[] = []) {
  const clock = createManualClock();
  const chain = createChain([metrics(options), ...extra], { clock });
  const call = (name: string, ms = 0, isError = false) =>
    runRequest(chain, 'tools/call', { name }, {
      handler: async () => {
        await clock.advance(ms);
        return isError ? { content: [], isError: true } : { content: [] };
      },
    });
  return { chain, clock, call };
}

describe('metrics', () => {
  it('counts requests per method, direction, outcome and tool, and errors per code', async () => {
    const { chain, call } = setup({}, [failing(ErrorCode.RateLimited, 'RATE_LIMITED')]);
    await call('search');
    await call('search');
    await call('bad');
    await call('broken', 0, true);
    await runRequest(chain, 'ping');
    const snapshot = chain.metrics.snapshot();
    expect(counter(snapshot, REQUESTS_METRIC, { method: 'tools/call', direction: 'inbound', outcome: 'ok', tool: 'search' })).toBe(2);
    expect(counter(snapshot, REQUESTS_METRIC, { method: 'tools/call', direction: 'inbound', outcome: 'error', tool: 'bad' })).toBe(1);
    expect(counter(snapshot, REQUESTS_METRIC, { method: 'tools/call', direction: 'inbound', outcome: 'error', tool: 'broken' })).toBe(1);
    expect(counter(snapshot, REQUESTS_METRIC, { method: 'ping', direction: 'inbound', outcome: 'ok' })).toBe(1);
    expect(counter(snapshot, ERRORS_METRIC, { method: 'tools/call', direction: 'inbound', code: ErrorCode.RateLimited })).toBe(1);
    expect(counter(snapshot, ERRORS_METRIC, { method: 'tools/call', direction: 'inbound', code: 'tool_error' })).toBe(1);
  });

  it('records latency into fixed buckets, from the clock', async () => {
    const { chain, call } = setup();
    await call('search', 30);
    await call('search', 700);
    const h = chain.metrics.snapshot().histograms.find((p) => p.name === REQUEST_DURATION_METRIC);
    expect(h).toMatchObject({ labels: { method: 'tools/call', direction: 'inbound', outcome: 'ok' }, count: 2, sum: 730, min: 30, max: 700 });
    expect(h?.bounds).toEqual(DEFAULT_DURATION_BUCKETS_MS);
    const expected = new Array<number>(DEFAULT_DURATION_BUCKETS_MS.length + 1).fill(0);
    expected[DEFAULT_DURATION_BUCKETS_MS.indexOf(50)] = 1; // 30 ms lands in (25, 50]
    expected[DEFAULT_DURATION_BUCKETS_MS.indexOf(1000)] = 1; // 700 ms lands in (500, 1000]
    expect(h?.counts).toEqual(expected);
  });

  it('keeps an in-flight gauge per method', async () => {
    const clock = createManualClock();
    const chain = createChain([metrics()], { clock });
    let during: number | undefined;
    await runRequest(chain, 'tools/list', undefined, {
      handler: () => {
        during = chain.metrics.snapshot().gauges.find((g) => g.name === IN_FLIGHT_METRIC)?.value;
        return { tools: [] };
      },
    });
    expect(during).toBe(1);
    expect(chain.metrics.snapshot().gauges).toEqual([{ name: IN_FLIGHT_METRIC, labels: { method: 'tools/list', direction: 'inbound' }, value: 0 }]);
  });

  it('counts a request rejected above it without touching the gauge', async () => {
    const gate: Interceptor = {
      name: 'gate',
      priority: Priority.High,
      onRequest: () => {
        throw new InterceptorError(ErrorCode.Unauthenticated, 'Who?', { reason: 'UNAUTHENTICATED' });
      },
    };
    const chain = createChain([gate, metrics()]);
    await runRequest(chain, 'tools/list');
    const snapshot = chain.metrics.snapshot();
    expect(counter(snapshot, REQUESTS_METRIC, { method: 'tools/list', direction: 'inbound', outcome: 'error' })).toBe(1);
    expect(counter(snapshot, ERRORS_METRIC, { method: 'tools/list', direction: 'inbound', code: ErrorCode.Unauthenticated })).toBe(1);
    expect(snapshot.gauges).toEqual([]);
  });

  it('counts notifications', async () => {
    const chain = createChain([metrics()]);
    await runNotification(chain, 'notifications/initialized');
    await runNotification(chain, 'notifications/initialized');
    expect(counter(chain.metrics.snapshot(), NOTIFICATIONS_METRIC, { method: 'notifications/initialized', direction: 'inbound' })).toBe(2);
  });

  it('stays bounded with 10,000 distinct tool names: at most maxTools + 1 series', async () => {
    const { chain, call } = setup({ maxTools: 50 });
    for (let i = 0; i < 10_000; i++) await call(`tool-${i}`);
    const snapshot = chain.metrics.snapshot();
    const series = snapshot.counters.filter((c) => c.name === REQUESTS_METRIC);
    expect(series.length).toBeLessThanOrEqual(51);
    expect(series.find((c) => c.labels['tool'] === 'other')?.value).toBe(10_000 - 50);
    expect(series.reduce((n, c) => n + c.value, 0)).toBe(10_000);
    expect(snapshot.overflowed).toBe(0);
  });

  it('counts each of many distinct error codes under its own code', async () => {
    const codes = Array.from({ length: 40 }, (_, i) => -33000 - i);
    const byCode: Interceptor = {
      name: 'by-code',
      priority: Priority.Lowest,
      onRequest: (req) => {
        throw new InterceptorError(req.params?.['code'] as number, 'no', { reason: 'NO' });
      },
    };
    const chain = createChain([metrics(), byCode]);
    for (const code of [...codes, ...codes, codes[0] as number]) await runRequest(chain, 'vendor/op', { code });
    const snapshot = chain.metrics.snapshot();
    for (const code of codes) expect(counter(snapshot, ERRORS_METRIC, { method: 'vendor/op', direction: 'inbound', code })).toBe(code === codes[0] ? 3 : 2);
    expect(counter(snapshot, REQUESTS_METRIC, { method: 'vendor/op', direction: 'inbound', outcome: 'error' })).toBe(81);
  });

  it('records into the registry of each chain it is in', async () => {
    const shared = metrics();
    const first = createChain([shared]);
    const second = createChain([shared]);
    await runRequest(first, 'ping');
    await runRequest(second, 'ping');
    await runRequest(second, 'ping');
    expect(counter(first.metrics.snapshot(), REQUESTS_METRIC, { method: 'ping', direction: 'inbound', outcome: 'ok' })).toBe(1);
    expect(counter(second.metrics.snapshot(), REQUESTS_METRIC, { method: 'ping', direction: 'inbound', outcome: 'ok' })).toBe(2);
  });

  it('labels at most maxMethods non-MCP methods, the rest as other; MCP methods always by name', async () => {
    const chain = createChain([metrics({ maxMethods: 1 })]);
    for (const method of ['vendor/a', 'vendor/b', 'vendor/c', 'resources/list']) await runRequest(chain, method);
    const methods = chain.metrics.snapshot().counters.filter((c) => c.name === REQUESTS_METRIC).map((c) => [c.labels['method'], c.value]);
    expect(methods).toEqual([['vendor/a', 1], ['other', 2], ['resources/list', 1]]);
  });

  it('validates its options at construction', () => {
    expect(() => metrics({ maxMethods: 0 })).toThrow(/metrics\.maxMethods must be a positive integer/);
    expect(() => metrics({ maxTools: 1.5 })).toThrow(/metrics\.maxTools must be a positive integer/);
    expect(() => metrics({ clock: 'now' as never })).toThrow(/metrics\.clock must be a Clock/);
    expect(() => metrics(null as never)).toThrow(/metrics: options must be an object/);
  });

  it('is Low priority', () => {
    expect(metrics().priority).toBe(Priority.Low);
  });
});

describe('successRate and metricsSummary', () => {
  it('compute ok / (ok + error), leaving cancellations out', async () => {
    const { chain, call } = setup({}, [failing(ErrorCode.Cancelled, 'CANCELLED')]);
    expect(successRate(chain.metrics.snapshot())).toBeUndefined();
    await call('a', 10);
    await call('a', 20);
    await call('a', 30);
    await call('x', 40, true);
    await call('bad');
    await runRequest(chain, 'ping');
    const snapshot = chain.metrics.snapshot();
    expect(successRate(snapshot)).toBe(4 / 5);
    expect(successRate(snapshot, { method: 'tools/call' })).toBe(3 / 4);
    expect(successRate(snapshot, { method: 'ping', direction: 'inbound' })).toBe(1);
    expect(successRate(snapshot, { direction: 'outbound' })).toBeUndefined();

    expect(metricsSummary(snapshot)).toEqual({
      requests: 6,
      ok: 4,
      errors: 1,
      cancelled: 1,
      inFlight: 0,
      successRate: 4 / 5,
      methods: [
        { method: 'tools/call', direction: 'inbound', requests: 5, ok: 3, errors: 1, cancelled: 1, successRate: 3 / 4, meanMs: 20, maxMs: 40 },
        { method: 'ping', direction: 'inbound', requests: 1, ok: 1, errors: 0, cancelled: 0, successRate: 1, meanMs: 0, maxMs: 0 },
      ],
    });
  });
});

describe('metrics over a real SDK client and server', () => {
  it('counts the same calls on both sides, outbound on the client and inbound on the server', async () => {
    const client = createChain([metrics()]);
    const server = createChain([metrics()]);
    const pair = await connectPair({ clientChain: client, serverChain: server });
    try {
      await pair.client.callTool({ name: 'echo', arguments: { text: 'a' } });
      await pair.client.callTool({ name: 'echo', arguments: { text: 'b' } });
      await pair.client.callTool({ name: 'fail', arguments: {} });
    } finally {
      await pair.close();
    }
    for (const [chain, direction] of [[client, 'outbound'], [server, 'inbound']] as const) {
      const snapshot = chain.metrics.snapshot();
      expect(counter(snapshot, REQUESTS_METRIC, { method: 'tools/call', direction, outcome: 'ok', tool: 'echo' })).toBe(2);
      expect(counter(snapshot, REQUESTS_METRIC, { method: 'tools/call', direction, outcome: 'error', tool: 'fail' })).toBe(1);
      expect(counter(snapshot, REQUESTS_METRIC, { method: 'initialize', direction, outcome: 'ok' })).toBe(1);
      expect(successRate(snapshot, { method: 'tools/call' })).toBe(2 / 3);
      expect(metricsSummary(snapshot).inFlight).toBe(0);
    }
  });
});
