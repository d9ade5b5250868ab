import { afterEach, describe, expect, it, vi } from 'vitest';
import { createChain } from '../chain.js';
import { ErrorCode, InterceptorError } from '../errors.js';
import { Priority, type Interceptor } from '../interceptor.js';
import { connectPair } from '../test-support/pair.js';
import { createManualClock, runRequest } from '../testing.js';
import type { LogRecord } from './logging.js';
import { DurationMs, EXCHANGE_DURATION_METRIC, timing, type TimingOptions } from './timing.js';

const START = 1_700_000_000_000;

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs one request whose handler takes `ms` on a manual clock. */
async function timed(ms: number, options: TimingOptions, method = 'tools/call', extra: Interceptor[] = []) {
  const clock = createManualClock(START);
  const chain = createChain([...extra, timing(options)], { clock });
  const run = await runRequest(chain, method, { name: 'search' }, {
    handler: async () => {
      await clock.advance(ms);
      return { content: [] };
    },
  });
  return { ...run, chain };
}

describe('timing', () => {
  it('stores the duration under DurationMs and in the exchange histogram', async () => {
    const { ctx, chain } = await timed(42, { onSlow: () => {} });
    expect(ctx.metadata.get(DurationMs)).toBe(42);
    const [point, ...rest] = chain.metrics.snapshot().histograms;
    expect(rest).toEqual([]);
    expect(point).toMatchObject({ name: EXCHANGE_DURATION_METRIC, labels: { side: 'server', direction: 'inbound', method: 'tools/call' }, count: 1, sum: 42, min: 42, max: 42 });
  });

  it('reports a request slower than the threshold to sink and onSlow, as a warn record', async () => {
    const slow: LogRecord[] = [];
    const sunk: LogRecord[] = [];
    const { ctx } = await timed(150, { slowThresholdMs: 100, onSlow: (r) => void slow.push(r), sink: (r) => void sunk.push(r) });
    expect(slow).toEqual([
      {
        time: new Date(START + 150).toISOString(),
        level: 'warn',
        event: 'slow',
        side: 'server',
        direction: 'inbound',
        kind: 'request',
        method: 'tools/call',
        id: 1,
        requestId: ctx.requestId,
        durationMs: 150,
        thresholdMs: 100,
        outcome: 'ok',
        tool: 'search',
      },
    ]);
    expect(sunk).toEqual(slow);
  });

  it('is quiet at or under the threshold', async () => {
    const slow: LogRecord[] = [];
    await timed(100, { slowThresholdMs: 100, onSlow: (r) => void slow.push(r) });
    await timed(3, { slowThresholdMs: 100, onSlow: (r) => void slow.push(r) });
    expect(slow).toEqual([]);
  });

  it('never warns with an Infinity threshold, and warns for everything above 0 with a 0 threshold', async () => {
    const slow: LogRecord[] = [];
    await timed(1e9, { slowThresholdMs: Infinity, onSlow: (r) => void slow.push(r) });
    expect(slow).toEqual([]);
    await timed(1, { slowThresholdMs: 0, onSlow: (r) => void slow.push(r) });
    expect(slow).toHaveLength(1);
  });

  it('defaults to 1000 ms and writes warnings to stderr when there is no onSlow', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await timed(1000, {});
    expect(stderr).not.toHaveBeenCalled();
    await timed(1001, {});
    expect(stderr).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(stderr.mock.calls[0]?.[0]))).toMatchObject({ level: 'warn', event: 'slow', durationMs: 1001, thresholdMs: 1000 });
  });

  it('writes nothing to stderr when only onSlow is given', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const slow: LogRecord[] = [];
    await timed(5000, { onSlow: (r) => void slow.push(r) });
    expect(slow).toHaveLength(1);
    expect(stderr).not.toHaveBeenCalled();
  });

  it('ignores a throwing onSlow or sink', async () => {
    const { response } = await timed(10, {
      slowThresholdMs: 1,
      onSlow: () => {
        throw new Error('hook bug');
      },
      sink: () => {
        throw new Error('sink bug');
      },
    });
    expect(response).toEqual({ jsonrpc: '2.0', id: 1, result: { content: [] } });
  });

  it('reads options.clock over the chain clock', async () => {
    const own = createManualClock(0);
    const chain = createChain([timing({ clock: own, onSlow: () => {} })], { clock: createManualClock(START) });
    const { ctx } = await runRequest(chain, 'ping', undefined, {
      handler: async () => {
        await own.advance(7);
        return {};
      },
    });
    expect(ctx.metadata.get(DurationMs)).toBe(7);
  });

  it('times a request rejected above it from the start of the exchange', async () => {
    const clock = createManualClock(START);
    const gate: Interceptor = {
      name: 'gate',
      priority: Priority.High,
      onRequest: async () => {
        await clock.advance(30);
        throw new InterceptorError(ErrorCode.ConcurrencyLimited, 'Busy', { reason: 'CONCURRENCY_LIMITED' });
      },
    };
    const slow: LogRecord[] = [];
    const { ctx } = await runRequest(createChain([gate, timing({ slowThresholdMs: 10, onSlow: (r) => void slow.push(r) })], { clock }), 'tools/call', { name: 'x' });
    expect(ctx.metadata.get(DurationMs)).toBe(30);
    expect(slow).toEqual([expect.objectContaining({ durationMs: 30, outcome: 'error' })]);
  });

  it('labels at most maxMethods unknown methods, the rest as other; MCP methods always by name', async () => {
    const clock = createManualClock(START);
    const chain = createChain([timing({ maxMethods: 2, onSlow: () => {} })], { clock });
    for (const method of ['x/a', 'x/b', 'x/c', 'x/d', 'tools/list']) await runRequest(chain, method);
    const methods = chain.metrics.snapshot().histograms.map((h) => h.labels['method']);
    expect(methods.sort()).toEqual(['other', 'tools/list', 'x/a', 'x/b']);
  });

  it('validates its options at construction', () => {
    expect(() => timing({ slowThresholdMs: -1 })).toThrow(/timing\.slowThresholdMs must be a non-negative number/);
    expect(() => timing({ slowThresholdMs: Number.NaN })).toThrow(/timing\.slowThresholdMs/);
    expect(() => timing({ slowThresholdMs: '5' as never })).toThrow(/timing\.slowThresholdMs/);
    expect(() => timing({ onSlow: 'log' as never })).toThrow(/timing\.onSlow must be a function/);
    expect(() => timing({ sink: {} as never })).toThrow(/timing\.sink must be a function/);
    expect(() => timing({ maxMethods: 0 })).toThrow(/timing\.maxMethods must be a positive integer/);
    expect(() => timing({ clock: { now: 1 } as never })).toThrow(/timing\.clock must be a Clock/);
    expect(() => timing(5 as never)).toThrow(/timing: options must be an object/);
  });

  it('is Low priority', () => {
    expect(timing().priority).toBe(Priority.Low);
  });

  it('over a real SDK client and server: times the call on the server and flags it slow', async () => {
    const slow: LogRecord[] = [];
    const durations: Array<number | undefined> = [];
    const read: Interceptor = { name: 'read', priority: Priority.Critical, onResponse: (_res, ctx) => void durations.push(ctx.metadata.get(DurationMs)) };
    const pair = await connectPair({ serverChain: [read, timing({ slowThresholdMs: 40, onSlow: (r) => void slow.push(r) })] });
    try {
      await pair.client.callTool({ name: 'slow', arguments: { ms: 100 } });
      await pair.client.callTool({ name: 'echo', arguments: { text: 'quick' } });
    } finally {
      await pair.close();
    }
    // (The first initialize may be slow too, while modules warm up; it is not what this test is about.)
    const calls = slow.filter((r) => r.method === 'tools/call');
    expect(calls.map((r) => r.tool)).toEqual(['slow']);
    expect(calls[0]?.durationMs).toBeGreaterThanOrEqual(95);
    // initialize, tools/call slow, tools/call echo; each exchange carries its duration.
    expect(durations).toHaveLength(3);
    expect(durations.every((d) => typeof d === 'number' && d >= 0)).toBe(true);
  });
});
