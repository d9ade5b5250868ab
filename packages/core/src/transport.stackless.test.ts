// Stackless dispatch (InterceptOptions.stacklessDispatch): the SDK's synchronous dispatch of an inbound request or
// notification runs with Error.stackTraceLimit = 0; handlers, responses, task frames and our sends keep stacks.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { EmptyResultSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createChain } from './chain.js';
import type { Interceptor } from './interceptor.js';
import { intercept, type InterceptOptions } from './transport.js';

const DEFAULT_LIMIT = Error.stackTraceLimit;
afterEach(() => {
  Error.stackTraceLimit = DEFAULT_LIMIT;
});

const passThrough: Interceptor = { name: 'pass', onRequest: () => undefined };
const frameLines = (error: unknown): number => String((error as Error).stack).split('\n').filter((line) => line.trimStart().startsWith('at ')).length;

interface Observed {
  /** Error.stackTraceLimit while the SDK dispatched each frame, by method (or "response"). */
  dispatch: [string, number][];
  /** Inside the tool handler: the limit and how many frames a new Error got. */
  handler: { limit: number; frames: number }[];
}

/** Records the limit as the SDK's own onmessage (installed at connect) is entered. */
function observeDispatch(transport: Transport, into: Observed['dispatch']): void {
  const sdk = transport.onmessage as NonNullable<Transport['onmessage']>;
  transport.onmessage = (message: JSONRPCMessage, extra) => {
    into.push(['method' in message ? message.method : 'response', Error.stackTraceLimit]);
    sdk(message, extra);
  };
}

async function serverBehind(options: Partial<InterceptOptions>, interceptors: Interceptor[] = [passThrough]) {
  const [clientInner, serverInner] = InMemoryTransport.createLinkedPair();
  const observed: Observed = { dispatch: [], handler: [] };
  const server = new McpServer({ name: 's', version: '1' });
  server.registerTool('probe', { inputSchema: { text: z.string() } }, async ({ text }) => {
    observed.handler.push({ limit: Error.stackTraceLimit, frames: frameLines(new Error('probe')) });
    return { content: [{ type: 'text', text }] };
  });
  const serverTransport = intercept(serverInner, createChain(interceptors), { side: 'server', ...options });
  await server.connect(serverTransport);
  observeDispatch(serverTransport, observed.dispatch);
  // A bare client: whatever it builds from our replies is built inside our server's send.
  const client = new Client({ name: 'c', version: '1' }, { capabilities: { roots: { listChanged: true } } });
  await client.connect(clientInner);
  return { client, observed, close: () => client.close() };
}

describe('stackless dispatch', () => {
  it.each([
    ['a chain', [passThrough]],
    ['an empty chain', []],
  ])('with %s, a request and a notification are dispatched with limit 0, and the handler runs with stacks', async (_name, interceptors) => {
    const { client, observed, close } = await serverBehind({}, interceptors);
    await client.callTool({ name: 'probe', arguments: { text: 'x' } });
    await client.sendRootsListChanged();
    expect(observed.dispatch.filter(([method]) => method === 'tools/call' || method === 'notifications/roots/list_changed')).toEqual([
      ['tools/call', 0],
      ['notifications/roots/list_changed', 0],
    ]);
    expect(observed.handler).toEqual([{ limit: DEFAULT_LIMIT, frames: expect.any(Number) }]);
    expect(observed.handler[0]?.frames).toBeGreaterThan(0);
    expect(Error.stackTraceLimit).toBe(DEFAULT_LIMIT);
    await close();
  });

  it('the limit the application set is the one put back, and the one handlers see', async () => {
    Error.stackTraceLimit = 23;
    const { client, observed, close } = await serverBehind({});
    await client.callTool({ name: 'probe', arguments: { text: 'x' } });
    expect(observed.dispatch.find(([method]) => method === 'tools/call')).toEqual(['tools/call', 0]);
    expect(observed.handler[0]?.limit).toBe(23);
    expect(Error.stackTraceLimit).toBe(23);
    await close();
  });

  it('a reply sent during the dispatch (Method not found) reaches an in-memory peer with stacks on', async () => {
    const { client, close } = await serverBehind({});
    // The server SDK replies inside its dispatch; the bare client builds its McpError inside that send.
    const error = await client.request({ method: 'no/such/method' }, EmptyResultSchema).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: -32601 });
    expect(frameLines(error)).toBeGreaterThan(0);
    expect(Error.stackTraceLimit).toBe(DEFAULT_LIMIT);
    await close();
  });

  it('responses are dispatched with stacks: the error a caller gets has its frames', async () => {
    const [clientInner, serverInner] = InMemoryTransport.createLinkedPair();
    const server = new McpServer({ name: 's', version: '1' });
    await server.connect(serverInner);
    const clientTransport = intercept(clientInner, createChain([passThrough]), { side: 'client' });
    const client = new Client({ name: 'c', version: '1' });
    await client.connect(clientTransport);
    const dispatch: Observed['dispatch'] = [];
    observeDispatch(clientTransport, dispatch);
    const error = await client.request({ method: 'no/such/method' }, EmptyResultSchema).catch((e: unknown) => e);
    expect(dispatch).toEqual([['response', DEFAULT_LIMIT]]);
    expect(frameLines(error)).toBeGreaterThan(0);
    await client.close();
  });

  it('a frame of a task keeps stacks (the SDK calls the task store while it dispatches it)', async () => {
    const { client, observed, close } = await serverBehind({});
    const meta = { 'io.modelcontextprotocol/related-task': { taskId: 't-1' } };
    await client.callTool({ name: 'probe', arguments: { text: 'x' }, _meta: meta });
    expect(observed.dispatch.find(([method]) => method === 'tools/call')).toEqual(['tools/call', DEFAULT_LIMIT]);
    await close();
  });

  it('stacklessDispatch: false leaves the limit alone', async () => {
    const { client, observed, close } = await serverBehind({ stacklessDispatch: false });
    await client.callTool({ name: 'probe', arguments: { text: 'x' } });
    expect(observed.dispatch.find(([method]) => method === 'tools/call')).toEqual(['tools/call', DEFAULT_LIMIT]);
    await close();
  });

  it('a throw inside the dispatch is reported through onerror once the limit is back', async () => {
    const [peer, serverInner] = InMemoryTransport.createLinkedPair();
    const transport = intercept(serverInner, createChain([passThrough]), { side: 'server' });
    const reported: [string, number][] = [];
    transport.onerror = (error) => void reported.push([error.message, Error.stackTraceLimit]);
    transport.onmessage = () => {
      throw new TypeError('dispatch bug');
    };
    await transport.start();
    await peer.start();
    await peer.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(reported).toEqual([['dispatch bug', DEFAULT_LIMIT]]);
    expect(Error.stackTraceLimit).toBe(DEFAULT_LIMIT);
  });

  it.each([
    ['an extra top-level key', { jsonrpc: '2.0', id: 7, method: 'tools/list', extra: true }],
    ['a fractional progress token', { jsonrpc: '2.0', id: 7, method: 'tools/list', params: { _meta: { progressToken: 0.5 } } }],
  ])('a frame the SDK rejects (%s) keeps stacks: the SDK reports it to the application at once', async (_name, frame) => {
    const [peer, serverInner] = InMemoryTransport.createLinkedPair();
    const server = new McpServer({ name: 's', version: '1' });
    const reported: [string, number, number][] = [];
    server.server.onerror = (error) => void reported.push([error.message.slice(0, 20), Error.stackTraceLimit, frameLines(error)]);
    await server.connect(intercept(serverInner, createChain([passThrough]), { side: 'server' }));
    await peer.start();
    await peer.send(frame as JSONRPCMessage);
    await new Promise((resolve) => setImmediate(resolve));
    expect(reported).toEqual([['Unknown message type', DEFAULT_LIMIT, expect.any(Number)]]);
    expect(reported[0]?.[2]).toBeGreaterThan(0);
    await server.close();
  });

  it('a limit that cannot be set (frozen intrinsics) leaves stacks on and everything working', async () => {
    const descriptor = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit') as PropertyDescriptor;
    Object.defineProperty(Error, 'stackTraceLimit', { ...descriptor, writable: false });
    try {
      const { client, observed, close } = await serverBehind({});
      await client.callTool({ name: 'probe', arguments: { text: 'x' } });
      expect(observed.dispatch.find(([method]) => method === 'tools/call')).toEqual(['tools/call', DEFAULT_LIMIT]);
      expect(observed.handler[0]?.frames).toBeGreaterThan(0);
      await close();
    } finally {
      Object.defineProperty(Error, 'stackTraceLimit', descriptor);
    }
  });

  it('rejects a stacklessDispatch that is not a boolean, naming it', () => {
    const [, serverInner] = InMemoryTransport.createLinkedPair();
    expect(() => intercept(serverInner, createChain([]), { side: 'server', stacklessDispatch: 'yes' as never })).toThrow(/stacklessDispatch must be a boolean, got "yes"/);
  });
});
