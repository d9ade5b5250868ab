// Attempts of one exchange (what an `around` starts with each `next()`): one in flight at a time, every one answered,
// abandoned ones never answered twice on the wire, and the response phase in the async context of the send.
import { AsyncLocalStorage } from 'node:async_hooks';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { createChain } from './chain.js';
import type { Interceptor, Next } from './interceptor.js';
import type { JsonRpcRequest, JsonRpcResponse } from './jsonrpc.js';
import { connectPair } from './test-support/pair.js';
import { intercept } from './transport.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const idOf = (frame: JSONRPCMessage): unknown => (frame as { id?: unknown }).id;
const isToolCall = (frame: JSONRPCMessage): boolean => 'method' in frame && frame.method === 'tools/call';

/** Answers with whichever comes first: the call below, or a fallback after `ms` (it never cancels the call below). */
const fallbackAfter = (ms: number): Interceptor => ({
  name: 'fallback',
  around: (request: JsonRpcRequest, _ctx, next: Next) =>
    Promise.race([next(), sleep(ms).then((): JsonRpcResponse => ({ jsonrpc: '2.0', id: request.id, result: { content: [{ type: 'text', text: 'fallback' }] } }))]),
});

describe('one attempt in flight per exchange', () => {
  it('a second next() while the first is out is answered with CONCURRENT_ATTEMPT; the first completes', async () => {
    const seen: JsonRpcResponse[] = [];
    const hedge: Interceptor = {
      name: 'hedge',
      around: async (_req, _ctx, next) => {
        const [first, second] = await Promise.all([next(), next()]);
        seen.push(first, second);
        return first;
      },
    };
    const pair = await connectPair({ clientChain: [hedge] });
    const errors: Error[] = [];
    pair.clientTransport.onerror = (e) => void errors.push(e);
    const result = await pair.client.callTool({ name: 'echo', arguments: { text: 'x' } });
    expect(result.content).toEqual([{ type: 'text', text: 'x' }]);
    expect(seen[1]).toMatchObject({ error: { code: -32603, data: { reason: 'CONCURRENT_ATTEMPT' } } });
    expect(errors.map((e) => (e as { data?: { reason?: string } }).data?.reason)).toEqual(['CONCURRENT_ATTEMPT']);
    expect(pair.wire.serverReceived.filter(isToolCall)).toHaveLength(1);
    expect(pair.clientTransport.pendingCount).toEqual({ outbound: 0, inbound: 0, live: 0 });
    await pair.close();
  });

  it('a server around that replays runs the handler twice and answers once, with the last attempt', async () => {
    const replay: Interceptor = { name: 'replay', around: async (_req, _ctx, next) => (await next(), next()) };
    const pair = await connectPair({ serverChain: [replay] });
    await pair.client.callTool({ name: 'echo', arguments: { text: 'again' } });
    expect(pair.handlerCalls).toEqual(['echo:again', 'echo:again']);
    const call = pair.wire.serverReceived.find(isToolCall) as JSONRPCMessage;
    expect(pair.wire.clientReceived.filter((m) => idOf(m) === idOf(call))).toHaveLength(1);
    expect(pair.serverTransport.pendingCount).toEqual({ outbound: 0, inbound: 0, live: 0 });
    await pair.close();
  });

  it("every send() of a replayed exchange's responses settles (Protocol never waits forever)", async () => {
    const replay: Interceptor = { name: 'replay', around: async (_req, _ctx, next) => (await next(), next()) };
    const [inner, peer] = InMemoryTransport.createLinkedPair();
    const received: JSONRPCMessage[] = [];
    peer.onmessage = (m) => void received.push(m);
    const server = intercept(inner, createChain([replay]), { side: 'server' });
    const sends: Array<Promise<void>> = [];
    let answers = 0;
    // Protocol's part: answer every request delivered, a little later.
    server.onmessage = (m) => {
      if ('method' in m && 'id' in m) setTimeout(() => sends.push(server.send({ jsonrpc: '2.0', id: m.id, result: { answer: ++answers } })), 1);
    };
    await server.start();
    await peer.start();
    await peer.send({ jsonrpc: '2.0', id: 7, method: 'tools/list' });
    await sleep(30);
    expect(received).toEqual([{ jsonrpc: '2.0', id: 7, result: { answer: 2 } }]);
    expect(sends).toHaveLength(2);
    await expect(Promise.all(sends)).resolves.toEqual([undefined, undefined]);
    await server.close();
  });
});

describe('an around that answers without waiting for its next()', () => {
  it('server: the handler is cancelled and its late response never goes on the wire', async () => {
    const pair = await connectPair({ serverChain: [fallbackAfter(5)] });
    const result = await pair.client.callTool({ name: 'slow', arguments: { ms: 200 } });
    expect(result.content).toEqual([{ type: 'text', text: 'fallback' }]);
    await sleep(50);
    const call = pair.wire.serverReceived.find(isToolCall) as JSONRPCMessage;
    expect(pair.wire.clientReceived.filter((m) => idOf(m) === idOf(call))).toHaveLength(1);
    expect(pair.handlerCalls).toEqual(['slow']);
    expect(pair.serverTransport.pendingCount).toEqual({ outbound: 0, inbound: 0, live: 0 });
    await pair.close();
  });

  it('client: the peer is told to stop, and its late response does not reach Protocol a second time', async () => {
    const pair = await connectPair({ clientChain: [fallbackAfter(5)] });
    const result = await pair.client.callTool({ name: 'slow', arguments: { ms: 200 } });
    expect(result.content).toEqual([{ type: 'text', text: 'fallback' }]);
    const call = pair.wire.serverReceived.find(isToolCall) as JSONRPCMessage;
    await sleep(50);
    expect(pair.wire.serverReceived).toContainEqual({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: idOf(call), reason: 'ABANDONED' } });
    expect(pair.clientTransport.pendingCount).toEqual({ outbound: 0, inbound: 0, live: 0 });
    // The client stays usable: the next call is answered normally.
    await expect(pair.client.callTool({ name: 'echo', arguments: { text: 'after' } })).resolves.toMatchObject({ content: [{ type: 'text', text: 'after' }] });
    await pair.close();
  });
});

describe('async context', () => {
  const als = new AsyncLocalStorage<string>();
  const reader = (seen: Array<string | undefined>): Interceptor => ({ name: 'reader', onResponse: () => void seen.push(als.getStore()) });
  const passThrough: Interceptor = { name: 'pass', around: (_req, _ctx, next) => next() };

  it.each([
    ['without around', [] as Interceptor[]],
    ['below an around', [passThrough]],
  ])('client onResponse hooks run in the context the request was sent in (%s)', async (_label, extra) => {
    const seen: Array<string | undefined> = [];
    const pair = await connectPair({ clientChain: [...extra, reader(seen)] });
    await als.run('caller', () => pair.client.callTool({ name: 'echo', arguments: { text: 'x' } }));
    expect(seen.at(-1)).toBe('caller');
    await pair.close();
  });
});
