import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListRootsRequestSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { createChain } from '../chain.js';
import { continuationAround } from '../continuation.js';
import { Priority, type Interceptor } from '../interceptor.js';
import { ErrorCode } from '../errors.js';
import { connectPair, recordReceived, type Pair } from '../test-support/pair.js';
import { createManualClock, runRequest } from '../testing.js';
import { intercept } from '../transport.js';
import { timeout } from './timeout.js';

/** `wait` and `wait-long` run until cancelled and record the cancellation (their late result is never wanted). */
function waitingTools(aborted: Array<{ id: string | number; reason: unknown }>) {
  return (server: McpServer): void => {
    for (const name of ['wait', 'wait-long']) {
      server.registerTool(name, {}, async (extra) => {
        await new Promise<void>((resolve) => extra.signal.addEventListener('abort', () => resolve()));
        aborted.push({ id: extra.requestId, reason: extra.signal.reason });
        return { content: [{ type: 'text', text: 'late' }] };
      });
    }
  };
}

const responsesFor = (frames: JSONRPCMessage[], id: string | number) => frames.filter((m) => 'id' in m && m.id === id && !('method' in m));
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const idle = { outbound: 0, inbound: 0, live: 0 };

/** Calls a tool and keeps the rejection as a value (so a deadline passing in `advance` leaves nothing unhandled). */
const callTool = (pair: Pair, name: string) =>
  pair.client.callTool({ name, arguments: {} }).then(
    (result) => ({ result, error: undefined }),
    (error: unknown) => ({ result: undefined, error }),
  );

const lastToolCallId = (pair: Pair): string | number => {
  const request = pair.wire.serverReceived.findLast((m) => 'method' in m && m.method === 'tools/call');
  return (request as { id: string | number }).id;
};

/**
 * After a 1 s deadline on tools/call `id`: the client SDK got exactly the -31004 frame (and nothing later), the
 * server SDK got `notifications/cancelled`, the handler saw its signal abort, and no exchange is left pending.
 */
async function expectTimedOutOnce(pair: Pair, id: string | number, aborted: Array<{ id: string | number }>): Promise<void> {
  const timedOut = { code: ErrorCode.Timeout, message: 'Request timed out after 1000 ms', data: { reason: 'TIMEOUT', interceptor: 'timeout', timeoutMs: 1_000 } };
  expect(responsesFor(pair.wire.clientReceived, id)).toEqual([{ jsonrpc: '2.0', id, error: timedOut }]);
  expect(pair.wire.serverReceived).toContainEqual({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'TIMEOUT' } });
  await settle();
  expect(aborted.map((a) => a.id)).toEqual([id]);
  await settle();
  expect(responsesFor(pair.wire.clientReceived, id)).toHaveLength(1);
  expect(pair.clientTransport.pendingCount).toEqual(idle);
  expect(pair.serverTransport.pendingCount).toEqual(idle);
}

describe('timeout', () => {
  it('on the client chain: answers -31004, cancels the server handler, and the client gets exactly one response', async () => {
    const clock = createManualClock();
    const aborted: Array<{ id: string | number; reason: unknown }> = [];
    const clientChain = createChain([timeout({ defaultMs: 1_000 })], { clock });
    const pair = await connectPair({ clientChain, setup: waitingTools(aborted) });

    const call = callTool(pair, 'wait');
    await clock.advance(999);
    const id = lastToolCallId(pair);
    expect(responsesFor(pair.wire.clientReceived, id)).toEqual([]);
    expect(aborted).toEqual([]);

    await clock.advance(1);
    expect((await call).error).toMatchObject({ code: ErrorCode.Timeout, data: { reason: 'TIMEOUT', timeoutMs: 1_000 } });
    await expectTimedOutOnce(pair, id, aborted);
    expect(clientChain.metrics.snapshot().counters).toContainEqual({ name: 'timeout.expired', labels: { method: 'tools/call' }, value: 1 });
    await pair.close();
  });

  it('on the client chain: the built-in slow tool is cancelled too', async () => {
    const clock = createManualClock();
    const pair = await connectPair({ clientChain: createChain([timeout({ defaultMs: 50 })], { clock }) });
    const started = Date.now();
    const slow = pair.client.callTool({ name: 'slow', arguments: { ms: 60_000 } }).catch((error: unknown) => error);
    await clock.advance(50);
    expect(await slow).toMatchObject({ code: ErrorCode.Timeout });
    expect(pair.handlerCalls).toEqual(['slow']);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(pair.serverTransport.pendingCount).toEqual(idle);
    await pair.close();
  });

  it('on the server chain: the client gets -31004 from the server and the handler is cancelled', async () => {
    const clock = createManualClock();
    const aborted: Array<{ id: string | number; reason: unknown }> = [];
    const pair = await connectPair({ serverChain: createChain([timeout({ defaultMs: 1_000 })], { clock }), setup: waitingTools(aborted) });

    const call = callTool(pair, 'wait');
    await clock.advance(1_000);
    const id = lastToolCallId(pair);
    expect((await call).error).toMatchObject({ code: ErrorCode.Timeout });
    // Here the server's own transport told its Protocol to cancel the handler: the client sent no cancel.
    await expectTimedOutOnce(pair, id, aborted);
    await pair.close();
  });

  it('on the server chain: a server-to-client request (roots/list) the client never answers times out', async () => {
    const clock = createManualClock();
    const pair = await connectPair({ serverChain: createChain([timeout({ defaultMs: 300 })], { clock }) });
    let clientHandlerAborted = false;
    pair.client.setRequestHandler(ListRootsRequestSchema, (_request, extra) => {
      return new Promise((resolve) =>
        extra.signal.addEventListener('abort', () => {
          clientHandlerAborted = true;
          resolve({ roots: [] });
        }),
      );
    });
    // SDK 1.32 ignores `notifications/cancelled` for request id 0 (`if (!requestId) return`): use up id 0 first.
    await pair.server.server.ping();
    const roots = pair.server.server.listRoots().catch((error: unknown) => error);
    await clock.advance(300);
    expect(await roots).toMatchObject({ code: ErrorCode.Timeout, data: { reason: 'TIMEOUT', timeoutMs: 300 } });
    await settle();
    expect(clientHandlerAborted).toBe(true);
    expect(pair.serverTransport.pendingCount).toEqual(idle);
    await pair.close();
  });

  it('drops the response a peer sends after the deadline', async () => {
    const clock = createManualClock();
    const [clientInner, serverInner] = InMemoryTransport.createLinkedPair();
    const peerReceived: JSONRPCMessage[] = [];
    // A bare peer that answers initialize and otherwise only records: it ignores cancellation.
    serverInner.onmessage = (message) => {
      peerReceived.push(message);
      if ('method' in message && message.method === 'initialize' && 'id' in message) {
        void serverInner.send({ jsonrpc: '2.0', id: message.id, result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'bare', version: '1' } } });
      }
    };
    await serverInner.start();
    const clientTransport = intercept(clientInner, createChain([timeout({ defaultMs: 1_000 })], { clock }), { side: 'client' });
    const clientReceived: JSONRPCMessage[] = [];
    recordReceived(clientTransport, clientReceived);
    const client = new Client({ name: 'c', version: '1' });
    const errors: Error[] = [];
    client.onerror = (error) => errors.push(error);
    await client.connect(clientTransport);

    const call = client.callTool({ name: 'anything', arguments: {} }).catch((error: unknown) => error);
    await clock.advance(1_000);
    expect(await call).toMatchObject({ code: ErrorCode.Timeout });
    const request = peerReceived.find((m) => 'method' in m && m.method === 'tools/call') as { id: number };
    expect(peerReceived.at(-1)).toEqual({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: request.id, reason: 'TIMEOUT' } });

    await serverInner.send({ jsonrpc: '2.0', id: request.id, result: { content: [{ type: 'text', text: 'late' }] } });
    await settle();
    expect(responsesFor(clientReceived, request.id)).toEqual([expect.objectContaining({ error: expect.objectContaining({ code: ErrorCode.Timeout }) })]);
    expect(errors).toEqual([]);
    expect(clientTransport.pendingCount).toEqual(idle);
    await client.close();
  });

  it('applies per-tool, then per-method, then default deadlines; 0 means none', async () => {
    const clock = createManualClock();
    const aborted: Array<{ id: string | number; reason: unknown }> = [];
    const options = { defaultMs: 10_000, methods: { 'tools/call': 5_000, 'tools/list': 0 }, tools: { wait: 200 } };
    const pair = await connectPair({ clientChain: createChain([timeout(options)], { clock }), setup: waitingTools(aborted) });

    const short = callTool(pair, 'wait');
    let longDone = false;
    const long = callTool(pair, 'wait-long').finally(() => (longDone = true));
    await clock.advance(200);
    expect((await short).error).toMatchObject({ code: ErrorCode.Timeout, data: { timeoutMs: 200 } });
    await clock.advance(4_799);
    expect(longDone).toBe(false);
    await clock.advance(1);
    expect((await long).error).toMatchObject({ code: ErrorCode.Timeout, data: { timeoutMs: 5_000 } });

    await pair.client.listTools();
    expect(clock.pendingTimers).toBe(0); // tools/list has no deadline: no timer was set
    await pair.close();
  });

  it('clears its timer and passes the response through when it comes in time; that deadline never fires', async () => {
    const clock = createManualClock();
    const chain = createChain([timeout({ defaultMs: 1_000 })], { clock });
    const pair = await connectPair({ clientChain: chain });
    const result = await pair.client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    expect(result.content).toEqual([{ type: 'text', text: 'hi' }]);
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(1_000);
    expect(chain.metrics.snapshot().counters.filter((c) => c.name === 'timeout.expired')).toEqual([]);
    expect(pair.wire.serverReceived.filter((m) => 'method' in m && m.method === 'notifications/cancelled')).toEqual([]);
    await pair.close();
  });

  it('expires overlapping deadlines in order with one timer per duration, re-armed for the next one', async () => {
    const clock = createManualClock(0);
    const chain = createChain([timeout({ defaultMs: 100 })], { clock });
    const expired: string[] = [];
    const run = (uri: string) =>
      runRequest(chain, 'resources/read', { uri }, { handler: () => new Promise(() => {}) }).then(({ response }) => {
        if ('error' in response) expired.push(`${uri}@${clock.now()}`);
      });
    const first = run('a');
    await clock.advance(30);
    const second = run('b');
    const answered = runRequest(chain, 'resources/read', { uri: 'c' }, { handler: () => ({ contents: [] }) });
    expect((await answered).response).toMatchObject({ result: { contents: [] } });
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(70);
    await first;
    expect(expired).toEqual(['a@100']);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(30);
    await second;
    expect(expired).toEqual(['a@100', 'b@130']);
    expect(clock.pendingTimers).toBe(0);
  });

  it("mode 'total' aborts the exchange; mode 'attempt' only abandons the call below", async () => {
    for (const mode of ['total', 'attempt'] as const) {
      const clock = createManualClock();
      const chain = createChain([timeout({ defaultMs: 100, mode })], { clock });
      const run = runRequest(chain, 'resources/read', { uri: 'mem://x' }, { handler: () => new Promise(() => {}) });
      await clock.advance(100);
      const { response, ctx } = await run;
      expect(response).toMatchObject({ error: { code: ErrorCode.Timeout, data: { reason: 'TIMEOUT', interceptor: 'timeout', timeoutMs: 100 } } });
      expect(ctx.isAborted).toBe(mode === 'total');
    }
  });

  it('answers with its own -31004 (seen by onError) even when the call below answers the moment it is cancelled', async () => {
    const clock = createManualClock();
    const errors: string[] = [];
    const observer: Interceptor = { name: 'observer', priority: Priority.Critical, onError: (error) => void errors.push(`${error.code}:${String(error.data.reason)}`) };
    // Below the timeout, an around that answers its attempt as soon as that attempt is cancelled (as the transport does).
    const eager: Interceptor = {
      name: 'eager',
      priority: Priority.Low,
      around: continuationAround((request, _ctx, downstream, upstream) => {
        upstream?.onAbort(() => downstream.respond({ jsonrpc: '2.0', id: request.id, error: { code: -32800, message: 'cancelled below' } }));
        downstream.pass();
      }),
    };
    for (const mode of ['total', 'attempt'] as const) {
      errors.length = 0;
      const chain = createChain([observer, timeout({ defaultMs: 1_000, mode }), eager], { clock });
      const run = runRequest(chain, 'ping', undefined, { id: 1, handler: () => new Promise(() => {}) });
      await clock.advance(1_000);
      const { response } = await run;
      expect(response).toMatchObject({ error: { code: ErrorCode.Timeout, data: { reason: 'TIMEOUT', timeoutMs: 1_000 } } });
      expect(errors).toEqual([`${ErrorCode.Timeout}:TIMEOUT`]);
    }
  });

  it.each([
    [{ defaultMs: -1 }, RangeError, 'timeout.defaultMs'],
    [{ defaultMs: Number.NaN }, RangeError, 'timeout.defaultMs'],
    [{ defaultMs: 2 ** 31 }, RangeError, 'timeout.defaultMs'],
    [{ methods: [] }, TypeError, 'timeout.methods'],
    [{ methods: { 'tools/list': -5 } }, RangeError, 'timeout.methods.tools/list'],
    [{ tools: 'wait' }, TypeError, 'timeout.tools'],
    [{ tools: { wait: '5s' } }, RangeError, 'timeout.tools.wait'],
    [{ mode: 'partial' }, TypeError, 'timeout.mode'],
    [{ clock: Date }, TypeError, 'timeout.clock'],
    [{ priority: -1 }, RangeError, 'timeout.priority'],
  ])('rejects bad options: %j', (options, type, name) => {
    expect(() => timeout(options as never)).toThrow(type);
    expect(() => timeout(options as never)).toThrow(name);
  });

  it('rejects options that are not an object', () => {
    expect(() => timeout(5_000 as never)).toThrow(TypeError);
  });
});
