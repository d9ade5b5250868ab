import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { createChain, type Chain } from '../chain.js';
import type { Clock } from '../clock.js';
import { ErrorCode, InterceptorError } from '../errors.js';
import { Priority, type Interceptor } from '../interceptor.js';
import { connectPair, type Pair } from '../test-support/pair.js';
import { createManualClock, runRequest, type ManualClock } from '../testing.js';
import { retry, RetryAttemptsKey, type RetryRecord } from './retry.js';
import { timeout } from './timeout.js';

/** A failure a tool raises as a JSON-RPC error (McpServer would turn a plain throw into an `isError` result). */
interface Failure {
  readonly code: number;
  readonly data?: Record<string, unknown>;
}

interface Attempt {
  readonly tool: string;
  readonly id: string | number;
  readonly at: number;
  /** Calls of this tool running when this one started (0: attempts never overlap). */
  readonly overlapping: number;
}

/**
 * Registers `lookup` (readOnlyHint), `upsert` (idempotentHint), `charge` (no hints) and `hang` (readOnlyHint; its
 * first call waits until cancelled), and answers `tools/call` with a low-level handler that raises each tool's
 * planned failures as JSON-RPC errors, then succeeds.
 */
function flakyTools(plan: Record<string, Failure[]>, attempts: Attempt[], clock: Clock, aborted: string[] = []) {
  return (server: McpServer): void => {
    server.registerTool('lookup', { annotations: { readOnlyHint: true } }, async () => ({ content: [] }));
    server.registerTool('upsert', { annotations: { idempotentHint: true } }, async () => ({ content: [] }));
    server.registerTool('charge', { annotations: { readOnlyHint: false } }, async () => ({ content: [] }));
    server.registerTool('hang', { annotations: { readOnlyHint: true } }, async () => ({ content: [] }));
    const running = new Map<string, number>();
    server.server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      const tool = request.params.name;
      attempts.push({ tool, id: extra.requestId, at: clock.now(), overlapping: running.get(tool) ?? 0 });
      running.set(tool, (running.get(tool) ?? 0) + 1);
      try {
        await Promise.resolve();
        if (tool === 'hang' && attempts.filter((a) => a.tool === 'hang').length === 1) {
          await new Promise<void>((resolve) => extra.signal.addEventListener('abort', () => resolve()));
          aborted.push(tool);
        }
        const failure = plan[tool]?.shift();
        if (failure !== undefined) throw new McpError(failure.code, `${tool} failed`, failure.data);
        return { content: [{ type: 'text', text: `${tool} ok` }] };
      } finally {
        running.set(tool, (running.get(tool) ?? 1) - 1);
      }
    });
  };
}

/** Records, on the client chain above retry, what retry noted for each tools/call. */
function noteRecords(into: Array<RetryRecord | undefined>): Interceptor {
  return { name: 'note-records', priority: Priority.Critical, onResponse: (_res, ctx) => void into.push(ctx.metadata.get(RetryAttemptsKey)) };
}

async function setUp(plan: Record<string, Failure[]>, interceptors: (clock: ManualClock) => Interceptor[]) {
  const clock = createManualClock();
  const attempts: Attempt[] = [];
  const aborted: string[] = [];
  const clientChain = createChain(interceptors(clock), { clock });
  const pair = await connectPair({ clientChain, setup: flakyTools(plan, attempts, clock, aborted) });
  return { clock, attempts, aborted, clientChain, pair };
}

const failures = (count: number, failure: Failure = { code: ErrorCode.InternalError }): Failure[] => Array.from({ length: count }, () => failure);

/** Responses (not requests) the client SDK received with this id. */
const responsesFor = (pair: Pair, id: string | number) => pair.wire.clientReceived.filter((m) => 'id' in m && m.id === id && !('method' in m));

const counter = (chain: Chain, name: string) => chain.metrics.snapshot().counters.filter((c) => c.name === name);

describe('retry', () => {
  it('retries a tool learned as readOnlyHint from tools/list until it succeeds: same id, one attempt at a time, full-jitter backoff', async () => {
    const records: Array<RetryRecord | undefined> = [];
    const { clock, attempts, clientChain, pair } = await setUp({ lookup: failures(2) }, () => [noteRecords(records), retry({ baseDelayMs: 100, random: () => 0.5 })]);
    await pair.client.listTools();
    const start = clock.now();

    const call = pair.client.callTool({ name: 'lookup', arguments: {} });
    await clock.advance(49);
    expect(attempts).toHaveLength(1);
    await clock.advance(1); // first retry after 0.5 × 100 ms
    expect(attempts).toHaveLength(2);
    await clock.advance(100); // second retry after 0.5 × 200 ms
    const result = await call;

    expect(result.content).toEqual([{ type: 'text', text: 'lookup ok' }]);
    expect(attempts.map((a) => a.at - start)).toEqual([0, 50, 150]);
    expect(new Set(attempts.map((a) => a.id)).size).toBe(1);
    expect(attempts.every((a) => a.tool === 'lookup' && a.overlapping === 0)).toBe(true);
    expect(responsesFor(pair, attempts[0]!.id)).toHaveLength(1);
    expect(records.at(-1)).toEqual({ attempts: 3 });
    expect(counter(clientChain, 'retry.retries')).toEqual([{ name: 'retry.retries', labels: { method: 'tools/call', code: ErrorCode.InternalError }, value: 2 }]);
    expect(counter(clientChain, 'retry.recovered')).toEqual([{ name: 'retry.recovered', labels: { method: 'tools/call' }, value: 1 }]);
    await pair.close();
  });

  it('retries a tool marked idempotentHint', async () => {
    const { clock, attempts, pair } = await setUp({ upsert: failures(1) }, () => [retry({ random: () => 0 })]);
    await pair.client.listTools();
    const result = await pair.client.callTool({ name: 'upsert', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'upsert ok' }]);
    expect(attempts.map((a) => a.tool)).toEqual(['upsert', 'upsert']);
    expect(clock.pendingTimers).toBe(0);
    await pair.close();
  });

  it('never retries a tool without read-only or idempotent hints', async () => {
    const records: Array<RetryRecord | undefined> = [];
    const { clock, attempts, pair } = await setUp({ charge: failures(1) }, () => [noteRecords(records), retry({ random: () => 0 })]);
    await pair.client.listTools();
    await expect(pair.client.callTool({ name: 'charge', arguments: {} })).rejects.toMatchObject({ code: ErrorCode.InternalError });
    await clock.advance(60_000);
    expect(attempts.map((a) => a.tool)).toEqual(['charge']);
    expect(records.at(-1)).toBeUndefined();
    await pair.close();
  });

  it('does not retry a hinted tool before tools/list was seen, and retries one allow-listed with `tools`', async () => {
    const { attempts, pair } = await setUp({ lookup: failures(1), charge: failures(1) }, () => [retry({ random: () => 0, tools: ['charge'] })]);
    await expect(pair.client.callTool({ name: 'lookup', arguments: {} })).rejects.toMatchObject({ code: ErrorCode.InternalError });
    const result = await pair.client.callTool({ name: 'charge', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'charge ok' }]);
    expect(attempts.map((a) => a.tool)).toEqual(['lookup', 'charge', 'charge']);
    await pair.close();
  });

  it('forgets learned hints when notifications/tools/list_changed arrives', async () => {
    const { attempts, pair } = await setUp({ lookup: failures(2) }, () => [retry({ random: () => 0 })]);
    await pair.client.listTools();
    pair.server.sendToolListChanged();
    await new Promise((resolve) => setImmediate(resolve));
    await expect(pair.client.callTool({ name: 'lookup', arguments: {} })).rejects.toMatchObject({ code: ErrorCode.InternalError });
    expect(attempts).toHaveLength(1);
    await pair.client.listTools();
    expect((await pair.client.callTool({ name: 'lookup', arguments: {} })).content).toEqual([{ type: 'text', text: 'lookup ok' }]);
    expect(attempts).toHaveLength(3);
    await pair.close();
  });

  it('retries an idempotent method (resources/read) and keeps the id', async () => {
    const clock = createManualClock();
    const reads: Array<string | number> = [];
    let failuresLeft = 2;
    const pair = await connectPair({
      clientChain: createChain([retry({ random: () => 0 })], { clock }),
      setup: (server) =>
        server.registerResource('config', 'mem://config', {}, async (uri, extra) => {
          reads.push(extra.requestId);
          if (failuresLeft-- > 0) throw new Error('disk busy'); // the SDK answers -32603
          return { contents: [{ uri: uri.href, text: 'v1' }] };
        }),
    });
    const result = await pair.client.readResource({ uri: 'mem://config' });
    expect(result.contents).toEqual([{ uri: 'mem://config', text: 'v1' }]);
    expect(reads).toHaveLength(3);
    expect(new Set(reads).size).toBe(1);
    await pair.close();
  });

  it('waits at least retryAfterMs before the next attempt', async () => {
    const { clock, attempts, pair } = await setUp({ lookup: failures(1, { code: ErrorCode.RateLimited, data: { reason: 'RATE_LIMITED', retryAfterMs: 500 } }) }, () => [
      retry({ baseDelayMs: 10, random: () => 0.5 }),
    ]);
    await pair.client.listTools();
    const start = clock.now();
    const call = pair.client.callTool({ name: 'lookup', arguments: {} });
    await clock.advance(499);
    expect(attempts).toHaveLength(1);
    await clock.advance(1);
    expect((await call).content).toEqual([{ type: 'text', text: 'lookup ok' }]);
    expect(attempts.map((a) => a.at - start)).toEqual([0, 500]);
    await pair.close();
  });

  it('gives up at once when retryAfterMs exceeds maxRetryAfterMs', async () => {
    const records: Array<RetryRecord | undefined> = [];
    const { clock, attempts, clientChain, pair } = await setUp(
      { lookup: failures(1, { code: ErrorCode.CircuitOpen, data: { reason: 'CIRCUIT_OPEN', retryAfterMs: 30_000 } }) },
      () => [noteRecords(records), retry({ maxDelayMs: 10_000, maxRetryAfterMs: 5_000 })],
    );
    await pair.client.listTools();
    await expect(pair.client.callTool({ name: 'lookup', arguments: {} })).rejects.toMatchObject({ code: ErrorCode.CircuitOpen, data: { retryAfterMs: 30_000 } });
    expect(attempts).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
    expect(records.at(-1)).toEqual({ attempts: 1, gaveUp: 'RETRY_AFTER_TOO_LONG' });
    expect(counter(clientChain, 'retry.gave_up')[0]).toMatchObject({ labels: { method: 'tools/call', reason: 'RETRY_AFTER_TOO_LONG' }, value: 1 });
    await pair.close();
  });

  it('stops after maxAttempts and answers with the last error', async () => {
    const records: Array<RetryRecord | undefined> = [];
    const { attempts, pair } = await setUp({ lookup: failures(5, { code: ErrorCode.ConcurrencyLimited, data: { reason: 'CONCURRENCY_LIMITED' } }) }, () => [
      noteRecords(records),
      retry({ maxAttempts: 3, random: () => 0 }),
    ]);
    await pair.client.listTools();
    await expect(pair.client.callTool({ name: 'lookup', arguments: {} })).rejects.toMatchObject({ code: ErrorCode.ConcurrencyLimited });
    expect(attempts).toHaveLength(3);
    expect(records.at(-1)).toEqual({ attempts: 3, gaveUp: 'MAX_ATTEMPTS' });
    await pair.close();
  });

  it('does not retry codes it was not configured for (invalid params)', async () => {
    const { attempts, pair } = await setUp({ lookup: failures(1, { code: ErrorCode.InvalidParams }) }, () => [retry({ random: () => 0 })]);
    await pair.client.listTools();
    await expect(pair.client.callTool({ name: 'lookup', arguments: {} })).rejects.toMatchObject({ code: ErrorCode.InvalidParams });
    expect(attempts).toHaveLength(1);
    await pair.close();
  });

  it('stops waiting the moment the caller cancels during a backoff, and never sends another attempt', async () => {
    const records: Array<RetryRecord | undefined> = [];
    const { clock, attempts, pair } = await setUp({ lookup: failures(3) }, () => [noteRecords(records), retry({ baseDelayMs: 1_000, random: () => 0.9 })]);
    await pair.client.listTools();
    const controller = new AbortController();
    const call = pair.client.callTool({ name: 'lookup', arguments: {} }, undefined, { signal: controller.signal });
    await clock.advance(100);
    expect(attempts).toHaveLength(1);
    expect(clock.pendingTimers).toBe(1);

    controller.abort('user gave up');
    await expect(call).rejects.toBeDefined();
    await clock.advance(0);
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(60_000);
    expect(attempts).toHaveLength(1);
    expect(records.at(-1)).toEqual({ attempts: 1, gaveUp: 'CANCELLED' });
    expect(pair.clientTransport.pendingCount).toEqual({ outbound: 0, inbound: 0, live: 0 });
    await pair.close();
  });

  it('registered before timeout({ mode: "attempt" }): a timed-out attempt is cancelled on the server and retried', async () => {
    const { clock, attempts, aborted, pair } = await setUp({}, (c) => [retry({ random: () => 0 }), timeout({ defaultMs: 1_000, mode: 'attempt', clock: c })]);
    await pair.client.listTools();
    const call = pair.client.callTool({ name: 'hang', arguments: {} });
    await clock.advance(1_000);
    expect((await call).content).toEqual([{ type: 'text', text: 'hang ok' }]);
    expect(aborted).toEqual(['hang']);
    expect(attempts.map((a) => a.tool)).toEqual(['hang', 'hang']);
    expect(attempts[0]!.id).toBe(attempts[1]!.id);
    await pair.close();
  });

  it('never retries an exchange that timeout({ mode: "total" }) aborted', async () => {
    const { clock, attempts, pair } = await setUp({}, () => [retry({ random: () => 0 }), timeout({ defaultMs: 1_000, mode: 'total' })]);
    await pair.client.listTools();
    const call = pair.client.callTool({ name: 'hang', arguments: {} }).then(
      () => undefined,
      (error: unknown) => error,
    );
    await clock.advance(1_000);
    expect(await call).toMatchObject({ code: ErrorCode.Timeout, data: { reason: 'TIMEOUT', interceptor: 'timeout' } });
    await clock.advance(60_000);
    expect(attempts).toHaveLength(1);
    await pair.close();
  });

  it('registered after timeout({ mode: "attempt" }): the outer deadline also ends the retrying (no spinning)', async () => {
    const records: Array<RetryRecord | undefined> = [];
    const { clock, attempts, pair } = await setUp({}, (c) => [noteRecords(records), timeout({ defaultMs: 1_000, mode: 'attempt', clock: c }), retry({ random: () => 0, maxAttempts: 5 })]);
    await pair.client.listTools();
    const call = pair.client.callTool({ name: 'hang', arguments: {} }).then(
      () => undefined,
      (error: unknown) => error,
    );
    await clock.advance(1_000);
    expect(await call).toMatchObject({ code: ErrorCode.Timeout, data: { reason: 'TIMEOUT' } });
    await clock.advance(60_000);
    // One attempt reached the server, and the aborted deadline stopped retry instead of 4 instantly aborted replays.
    expect(attempts).toHaveLength(1);
    expect(records.at(-1)).toEqual({ attempts: 1, gaveUp: 'CANCELLED' });
    await pair.close();
  });

  it('leaves requests it received alone (inbound)', async () => {
    const chain = createChain([retry({ random: () => 0 }), failingBelow(2)]);
    const { response, handled } = await runRequest(chain, 'tools/list', {}, { direction: 'inbound' });
    expect(response).toMatchObject({ error: { code: ErrorCode.InternalError, data: { reason: 'INTERNAL', interceptor: 'failing-below' } } });
    expect(handled).toHaveLength(0);
  });

  it('caps the backoff at maxDelayMs and doubles it from baseDelayMs', async () => {
    const clock = createManualClock();
    const seen: number[] = [];
    const chain = createChain(
      [retry({ maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 300, random: () => 0.999 }), failingBelow(4, () => seen.push(clock.now()))],
      { clock },
    );
    const run = runRequest(chain, 'ping', undefined, { direction: 'outbound', side: 'client' });
    await clock.advance(10_000);
    const { response, handled } = await run;
    expect(response).toMatchObject({ result: {} });
    expect(handled).toHaveLength(1);
    const gaps = seen.slice(1).map((at, i) => Math.round(at - seen[i]!));
    expect(gaps).toEqual([100, 200, 300, 300]);
  });

  it('replays the request as it was first sent, not as an inner interceptor left it', async () => {
    const bodies: unknown[] = [];
    let calls = 0;
    const mutator: Interceptor = {
      name: 'mutator',
      priority: Priority.Low,
      onRequest(req) {
        bodies.push(structuredClone(req.params));
        req.params = { ...req.params, touched: true };
        if (++calls < 2) throw new InterceptorError(ErrorCode.RateLimited, 'busy', { reason: 'RATE_LIMITED' });
      },
    };
    const { response } = await runRequest(createChain([retry({ random: () => 0 }), mutator]), 'prompts/get', { name: 'p' }, { direction: 'outbound', side: 'client' });
    expect(response).toMatchObject({ result: {} });
    expect(bodies).toEqual([{ name: 'p' }, { name: 'p' }]);
  });

  it.each([
    [{ maxAttempts: 0 }, RangeError, 'retry.maxAttempts'],
    [{ maxAttempts: 1.5 }, RangeError, 'retry.maxAttempts'],
    [{ baseDelayMs: -1 }, RangeError, 'retry.baseDelayMs'],
    [{ maxDelayMs: Number.NaN }, RangeError, 'retry.maxDelayMs'],
    [{ maxDelayMs: 2 ** 31 }, RangeError, 'retry.maxDelayMs'],
    [{ baseDelayMs: 500, maxDelayMs: 100 }, RangeError, 'retry.maxDelayMs'],
    [{ maxRetryAfterMs: -5 }, RangeError, 'retry.maxRetryAfterMs'],
    [{ maxDelayMs: 1_000, maxRetryAfterMs: 2_000 }, RangeError, 'retry.maxRetryAfterMs'],
    [{ codes: [-32603, 'x'] }, TypeError, 'retry.codes'],
    [{ codes: -32603 }, TypeError, 'retry.codes'],
    [{ tools: 'lookup' }, TypeError, 'retry.tools'],
    [{ maxLearnedTools: 0 }, RangeError, 'retry.maxLearnedTools'],
    [{ random: 0.5 }, TypeError, 'retry.random'],
    [{ clock: { now: () => 0 } }, TypeError, 'retry.clock'],
    [{ priority: 9 }, RangeError, 'retry.priority'],
  ])('rejects bad options: %j', (options, type, name) => {
    expect(() => retry(options as never)).toThrow(type);
    expect(() => retry(options as never)).toThrow(name);
  });

  it('rejects options that are not an object', () => {
    expect(() => retry('fast' as never)).toThrow(TypeError);
  });
});

/** Below retry: answers the first `count` requests with -32603 (a crash), then lets them through. */
function failingBelow(count: number, onAttempt?: () => void): Interceptor {
  let failed = 0;
  return {
    name: 'failing-below',
    priority: Priority.Lowest,
    onRequest() {
      onAttempt?.();
      if (failed++ < count) throw new Error('flaky');
    },
  };
}
