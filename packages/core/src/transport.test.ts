// The wrapper's own guarantees, over a real SDK Client/McpServer pair on InMemoryTransport (and a raw peer for
// frames no SDK would send): failure policy on every path, malformed frames, close, forwarding and frame hygiene.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { CreateMessageRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { createChain } from './chain.js';
import { REQUEST_ID_META_KEY } from './context.js';
import { Priority, type Interceptor } from './interceptor.js';
import { connectPair, registerDefaultTools } from './test-support/pair.js';
import { requestId } from './interceptors/request-id.js';
import { intercept } from './transport.js';

const throwsOn = (hook: 'onRequest' | 'onResponse' | 'onNotification', when: (method: string) => boolean): Interceptor => ({
  name: 'crashy',
  [hook]: (frame: { method?: string }, ctx: { method: string }) => {
    if (when(frame.method ?? ctx.method)) throw new Error('hook crashed: secret');
  },
});

describe('hook crashes: every request still gets exactly one response', () => {
  it('inbound request (server onRequest throws): the client gets -32603 and the handler never runs', async () => {
    const pair = await connectPair({ serverChain: [throwsOn('onRequest', (m) => m === 'tools/call')] });
    const errors: Error[] = [];
    pair.serverTransport.onerror = (e) => void errors.push(e);
    const call = pair.client.callTool({ name: 'echo', arguments: { text: 'x' } });
    await expect(call).rejects.toMatchObject({ code: -32603, data: { reason: 'INTERNAL', interceptor: 'crashy' } });
    await expect(call).rejects.not.toThrow(/secret/);
    expect(pair.handlerCalls).toEqual([]);
    expect(errors.map((e) => (e.cause as Error).message)).toEqual(['hook crashed: secret']);
    await pair.close();
  });

  it('outbound request (client onRequest throws): the caller rejects at once, nothing is sent', async () => {
    const pair = await connectPair({ clientChain: [throwsOn('onRequest', (m) => m === 'tools/call')] });
    await expect(pair.client.callTool({ name: 'echo', arguments: { text: 'x' } })).rejects.toMatchObject({ code: -32603 });
    expect(pair.wire.serverReceived.some((m) => 'method' in m && m.method === 'tools/call')).toBe(false);
    await pair.close();
  });

  it('outbound response (server onResponse throws): replaced by -32603 with the same id', async () => {
    const pair = await connectPair({ serverChain: [throwsOn('onResponse', (m) => m === 'tools/call')] });
    await expect(pair.client.callTool({ name: 'echo', arguments: { text: 'x' } })).rejects.toMatchObject({ code: -32603 });
    expect(pair.handlerCalls).toEqual(['echo:x']);
    const call = pair.wire.serverReceived.find((m) => 'method' in m && m.method === 'tools/call') as { id: number };
    expect(pair.wire.clientReceived.at(-1)).toEqual({
      jsonrpc: '2.0',
      id: call.id,
      error: { code: -32603, message: 'Internal error', data: { reason: 'INTERNAL', interceptor: 'crashy' } },
    });
    await pair.close();
  });

  it('inbound response (client onResponse throws): the caller rejects now, not after the SDK timeout', async () => {
    const pair = await connectPair({ clientChain: [throwsOn('onResponse', (m) => m === 'tools/call')] });
    const started = Date.now();
    await expect(pair.client.callTool({ name: 'echo', arguments: { text: 'x' } }, undefined, { timeout: 10_000 })).rejects.toMatchObject({ code: -32603 });
    expect(Date.now() - started).toBeLessThan(5_000);
    await pair.close();
  });

  it('server-initiated request (client onRequest throws on the inbound sampling request): the server gets -32603', async () => {
    const pair = await connectPair({ clientChain: [throwsOn('onRequest', (m) => m === 'sampling/createMessage')] });
    pair.client.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: 'assistant', model: 'm', content: { type: 'text', text: 'never' } }));
    await expect(pair.server.server.createMessage({ messages: [], maxTokens: 1 })).rejects.toMatchObject({ code: -32603 });
    await pair.close();
  });

  it('notification (a hook throws): the notification is dropped and reported', async () => {
    const pair = await connectPair({ clientChain: [throwsOn('onNotification', (m) => m === 'notifications/progress')] });
    const errors: Error[] = [];
    pair.clientTransport.onerror = (e) => void errors.push(e);
    const progress: number[] = [];
    const result = await pair.client.callTool({ name: 'progress', arguments: { steps: 2 } }, undefined, { onprogress: (p) => void progress.push(p.progress) });
    expect(result.content).toEqual([{ type: 'text', text: '2 steps' }]);
    expect(progress).toEqual([]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ data: { reason: 'INTERNAL', interceptor: 'crashy' } });
    await pair.close();
  });
});

/** A wrapped McpServer whose peer is a raw in-memory transport: the test writes frames no SDK would send. */
async function rawPeer(serverChain: Interceptor[] = [{ name: 'noop', onRequest: () => {} }]) {
  const [raw, serverInner] = InMemoryTransport.createLinkedPair();
  const server = new McpServer({ name: 's', version: '1' });
  const calls: string[] = [];
  registerDefaultTools(server, calls);
  const transport = intercept(serverInner, createChain(serverChain), { side: 'server' });
  const errors: Error[] = [];
  const sdkErrors: string[] = [];
  server.server.onerror = (e) => void sdkErrors.push(e.message);
  await server.connect(transport);
  transport.onerror = (e) => void errors.push(e);
  const replies: JSONRPCMessage[] = [];
  raw.onmessage = (m) => void replies.push(m);
  await raw.start();
  const send = (frame: unknown): Promise<void> => raw.send(frame as JSONRPCMessage);
  await send({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  await send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  await expect.poll(() => replies.length).toBe(1);
  replies.length = 0;
  return { raw, send, replies, errors, calls, transport, server };
}

describe('malformed frames from the peer', () => {
  it.each([
    ['a string', 'hello', /must be an object, got string/],
    ['null', null, /must be an object, got null/],
    ['a number', 42, /must be an object, got number/],
    ['no method, no result', { jsonrpc: '2.0', id: 1 }, /needs "method"/],
    ['a method that is not a string', { jsonrpc: '2.0', method: 7 }, /"method" must be a non-empty string, got 7/],
    ['params that are an array', { jsonrpc: '2.0', method: 'notifications/x', params: [1] }, /"params" of notifications\/x must be an object/],
  ])('%s: reported through onerror, nothing crashes', async (_label, frame, message) => {
    const peer = await rawPeer();
    await peer.send(frame);
    await expect.poll(() => peer.errors.map((e) => e.message).join('\n')).toMatch(message);
    expect(peer.replies).toEqual([]);
    // The connection still works.
    await peer.send({ jsonrpc: '2.0', id: 2, method: 'ping' });
    await expect.poll(() => peer.replies).toEqual([{ jsonrpc: '2.0', id: 2, result: {} }]);
  });

  it('wrong "jsonrpc" on a request: -32600 with the request id', async () => {
    const peer = await rawPeer();
    await peer.send({ jsonrpc: '1.0', id: 5, method: 'ping' });
    await expect.poll(() => peer.replies).toEqual([
      { jsonrpc: '2.0', id: 5, error: { code: -32600, message: 'Invalid Request: "jsonrpc" must be "2.0", got "1.0"', data: { reason: 'INVALID_REQUEST' } } },
    ]);
  });

  it.each([
    ['an object', { a: 1 }, 'object'],
    ['a boolean', true, 'true'],
    ['a fraction', 1.5, '1.5'],
  ])('an id that is %s: -32600 with id null', async (_label, id, shown) => {
    const peer = await rawPeer();
    await peer.send({ jsonrpc: '2.0', id, method: 'ping' });
    await expect.poll(() => peer.replies).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: `Invalid Request: "id" must be a string or an integer, got ${shown}`, data: { reason: 'INVALID_REQUEST' } } },
    ]);
  });

  it('a request id already in flight: the second gets -32600, the first completes', async () => {
    const peer = await rawPeer();
    await peer.send({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'slow', arguments: { ms: 50 } } });
    await peer.send({ jsonrpc: '2.0', id: 9, method: 'ping' });
    await expect.poll(() => peer.replies.length).toBe(2);
    expect(peer.replies[0]).toMatchObject({ id: 9, error: { code: -32600, data: { reason: 'DUPLICATE_ID' } } });
    expect(peer.replies[1]).toMatchObject({ id: 9, result: { content: [{ type: 'text', text: 'done' }] } });
  });

  it('a 10 MB frame passes through without a crash', async () => {
    const peer = await rawPeer();
    const big = 'x'.repeat(10 * 1024 * 1024);
    await peer.send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo', arguments: { text: big } } });
    await expect.poll(() => peer.replies.length, { timeout: 10_000 }).toBe(1);
    expect((peer.replies[0] as unknown as { result: { content: Array<{ text: string }> } }).result.content[0]?.text.length).toBe(big.length);
  });

  it('"__proto__" keys never pollute prototypes', async () => {
    const seen: unknown[] = [];
    const peer = await rawPeer([{ name: 'look', onRequest: (req) => void seen.push(req.params) }]);
    const frame = JSON.parse('{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"echo","arguments":{"text":"p"},"__proto__":{"polluted":true},"_meta":{"__proto__":{"polluted":true}}}}');
    await peer.send(frame);
    await expect.poll(() => peer.replies.length).toBe(1);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(seen.at(-1))).toBe(Object.prototype);
    expect(Object.getPrototypeOf((seen.at(-1) as { _meta: object })._meta)).toBe(Object.prototype);
    expect(Object.keys(seen.at(-1) as object)).toContain("__proto__");
    expect(peer.replies[0]).toMatchObject({ id: 4, result: { content: [{ type: 'text', text: 'p' }] } });
  });

  it('a response to an unknown id is left to the SDK to report, and nothing breaks', async () => {
    const peer = await rawPeer();
    await peer.send({ jsonrpc: '2.0', id: 77, result: {} });
    await peer.send({ jsonrpc: '2.0', id: 1, method: 'ping' });
    await expect.poll(() => peer.replies).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }]);
  });
});

describe('frame hygiene', () => {
  it('never mutates the objects the peer holds, never adds top-level keys, never changes ids', async () => {
    const mutate: Interceptor = {
      name: 'mutate',
      onRequest: (req) => {
        req.params = { ...req.params, added: true };
        req.params['_meta'] = { ...(req.params['_meta'] as object), 'dev.test/seen': true };
      },
      onResponse: (res) => {
        if ('result' in res) (res.result['_meta'] ??= {}) as object;
        if ('result' in res) (res.result['_meta'] as Record<string, unknown>)['dev.test/out'] = 1;
      },
    };
    const pair = await connectPair({ serverChain: [mutate] });
    const sent: Array<{ ref: JSONRPCMessage; snapshot: JSONRPCMessage }> = [];
    const inner = pair.clientTransport.inner;
    const send = inner.send.bind(inner);
    inner.send = (message, options) => {
      sent.push({ ref: message, snapshot: structuredClone(message) });
      return send(message, options);
    };
    await pair.client.callTool({ name: 'echo', arguments: { text: 'x' } });
    const call = sent.find((s) => 'method' in s.ref && s.ref.method === 'tools/call');
    expect(call?.ref).toEqual(call?.snapshot);
    const received = pair.wire.serverReceived.find((m) => 'method' in m && m.method === 'tools/call') as Record<string, unknown>;
    expect(Object.keys(received).sort()).toEqual(['id', 'jsonrpc', 'method', 'params']);
    expect(received['id']).toBe((call?.ref as { id: number }).id);
    expect(received['params']).toMatchObject({ added: true, _meta: { 'dev.test/seen': true } });
    const response = pair.wire.clientReceived.at(-1) as Record<string, unknown>;
    expect(Object.keys(response).sort()).toEqual(['id', 'jsonrpc', 'result']);
    expect(response['result']).toMatchObject({ _meta: { 'dev.test/out': 1 } });
    await pair.close();
  });
});

describe('correlation id', () => {
  it('is stamped on outbound requests by requestId() and joined by the far side; an id the frame already carries is kept', async () => {
    const seen: string[] = [];
    const look: Interceptor = { name: 'look', onRequest: (req, ctx) => void (req.method === 'tools/call' && seen.push(`${ctx.side}:${ctx.requestId}`)) };
    const pair = await connectPair({ clientChain: [requestId(), look], serverChain: [look] });
    await pair.client.callTool({ name: 'echo', arguments: { text: 'x' } });
    const [client, server] = seen.splice(0);
    expect(client).toMatch(/^client:[0-9a-f-]{36}$/);
    expect(server).toBe(client?.replace('client', 'server'));
    await pair.client.callTool({ name: 'echo', arguments: { text: 'y' }, _meta: { [REQUEST_ID_META_KEY]: 'gateway-42' } });
    expect(seen).toEqual(['client:gateway-42', 'server:gateway-42']);
    await pair.close();
  });
});

describe('forwarding', () => {
  it('forwards send options (relatedRequestId) and extra (authInfo) untouched', async () => {
    const [clientInner, serverInner] = InMemoryTransport.createLinkedPair();
    const options: unknown[] = [];
    const send = serverInner.send.bind(serverInner);
    serverInner.send = (message, opts) => {
      options.push({ method: 'method' in message ? message.method : 'response', opts });
      return send(message, opts);
    };
    const authSeen: unknown[] = [];
    const server = new McpServer({ name: 's', version: '1' });
    registerDefaultTools(server, []);
    server.registerTool('whoami', {}, async (extra) => (authSeen.push(extra.authInfo), { content: [] }));
    await server.connect(intercept(serverInner, createChain([{ name: 'noop', onRequest: () => {} }]), { side: 'server' }));
    const auth = { token: 't', clientId: 'c1', scopes: ['s'] };
    const clientSend = clientInner.send.bind(clientInner);
    clientInner.send = (message, opts) => clientSend(message, { ...opts, authInfo: auth });
    const client = new Client({ name: 'c', version: '1' });
    await client.connect(intercept(clientInner, createChain([{ name: 'noop', onRequest: () => {} }]), { side: 'client' }));
    await client.callTool({ name: 'progress', arguments: { steps: 1 } }, undefined, { onprogress: () => {} });
    await client.callTool({ name: 'whoami', arguments: {} });
    const progress = options.find((o) => (o as { method: string }).method === 'notifications/progress') as { opts: { relatedRequestId: number } };
    expect(progress.opts).toEqual({ relatedRequestId: expect.any(Number) });
    expect(authSeen).toEqual([auth]);
    await client.close();
  });

  it('reads sessionId live and learns the session from initialize on both sides', async () => {
    const sessions: unknown[] = [];
    const look: Interceptor = { name: 'look', onResponse: (_r, ctx) => void sessions.push({ side: ctx.side, v: ctx.session.protocolVersion, client: ctx.session.clientInfo?.name, server: ctx.session.serverInfo?.name }) };
    const pair = await connectPair({ clientChain: [look], serverChain: [look] });
    await pair.client.listTools();
    expect(sessions.slice(-2)).toEqual([
      { side: 'server', v: expect.any(String), client: 'test-client', server: 'test-server' },
      { side: 'client', v: expect.any(String), client: 'test-client', server: 'test-server' },
    ]);
    const inner = pair.clientTransport.inner as { sessionId?: string };
    expect(pair.clientTransport.sessionId).toBeUndefined();
    inner.sessionId = 'later';
    expect(pair.clientTransport.sessionId).toBe('later');
    expect(pair.clientTransport.session.transport).toBe('in-memory');
    await pair.close();
  });
});

describe('a response the inner transport fails to send', () => {
  /** A server whose inner transport refuses to send any response carrying `boom` (initialize still gets through). */
  async function refusingServer(chain: Interceptor[]) {
    const [clientInner, serverInner] = InMemoryTransport.createLinkedPair();
    const send = serverInner.send.bind(serverInner);
    serverInner.send = async (message, options) => {
      if (JSON.stringify(message).includes('boom')) throw new Error('pipe broke');
      return send(message, options);
    };
    const server = new McpServer({ name: 's', version: '1' });
    registerDefaultTools(server, []);
    server.registerTool('boom', {}, async () => ({ content: [{ type: 'text', text: 'boom' }] }));
    const sdkErrors: string[] = [];
    server.server.onerror = (e) => void sdkErrors.push(e.message);
    const transport = intercept(serverInner, createChain(chain), { side: 'server' });
    const transportErrors: Error[] = [];
    await server.connect(transport);
    const client = new Client({ name: 'c', version: '1' });
    await client.connect(clientInner);
    // After connect: Protocol installs its own onerror, which forwards to server.onerror.
    const onerror = transport.onerror;
    transport.onerror = (e) => {
      transportErrors.push(e);
      onerror?.(e);
    };
    return { client, server, sdkErrors, transportErrors };
  }

  it("is reported once, by Protocol (it awaits the send), and the caller's timeout still fires", async () => {
    const { client, server, sdkErrors, transportErrors } = await refusingServer([{ name: 'watch', onResponse: () => undefined }]);
    await expect(client.callTool({ name: 'boom', arguments: {} }, undefined, { timeout: 200 })).rejects.toMatchObject({ code: -32001 });
    expect(sdkErrors).toEqual([expect.stringMatching(/Failed to send response.*pipe broke/)]);
    expect(transportErrors).toEqual([]);
    await client.close();
    await server.close();
  });

  it("with an asynchronous onResponse (the response goes out after Protocol's send() returned): reported once, by Protocol", async () => {
    const later: Interceptor = { name: 'later', onResponse: async () => void (await new Promise((resolve) => setTimeout(resolve, 5))) };
    const { client, server, sdkErrors, transportErrors } = await refusingServer([later]);
    await expect(client.callTool({ name: 'boom', arguments: {} }, undefined, { timeout: 200 })).rejects.toMatchObject({ code: -32001 });
    expect(sdkErrors).toEqual([expect.stringMatching(/Failed to send response.*pipe broke/)]);
    expect(transportErrors).toEqual([]);
    await client.close();
    await server.close();
  });

  it('answered by a hook before Protocol saw the request: reported once, by the wrapper', async () => {
    const refuse: Interceptor = { name: 'refuse', onRequest: (req) => (req.method === 'tools/call' ? { jsonrpc: '2.0', id: req.id, result: { content: [{ type: 'text', text: 'boom' }] } } : undefined) };
    const { client, server, sdkErrors, transportErrors } = await refusingServer([refuse]);
    await expect(client.callTool({ name: 'echo', arguments: { text: 'x' } }, undefined, { timeout: 200 })).rejects.toMatchObject({ code: -32001 });
    expect(transportErrors.map((e) => e.message)).toEqual(['pipe broke']);
    expect(sdkErrors).toEqual(['pipe broke']);
    await client.close();
    await server.close();
  });
});

describe('close', () => {
  it('fires onclose once (InMemoryTransport fires twice) and settles every pending exchange', async () => {
    const ends: string[] = [];
    const watch: Interceptor = { name: 'watch', priority: Priority.Low, onResponse: (res, ctx) => void ends.push(`${ctx.side}:${ctx.method}:${'error' in res ? String(res.error.data && (res.error.data as { reason: string }).reason) : 'ok'}`) };
    const pair = await connectPair({ clientChain: [watch], serverChain: [watch] });
    let clientCloses = 0;
    const onclose = pair.clientTransport.onclose;
    pair.clientTransport.onclose = () => {
      clientCloses++;
      onclose?.();
    };
    const call = pair.client.callTool({ name: 'slow', arguments: { ms: 60_000 } });
    await expect.poll(() => pair.handlerCalls).toContain('slow');
    ends.length = 0;
    await pair.clientTransport.close();
    await expect(call).rejects.toBeInstanceOf(McpError);
    await expect.poll(() => ends.sort()).toEqual(['client:tools/call:CONNECTION_CLOSED', 'server:tools/call:CONNECTION_CLOSED']);
    expect(clientCloses).toBe(1);
    expect(pair.clientTransport.pendingCount).toEqual({ outbound: 0, inbound: 0, live: 0 });
    expect(pair.serverTransport.pendingCount).toEqual({ outbound: 0, inbound: 0, live: 0 });
  });

  it('rejects a transport replaced after wrapping, and bad options', async () => {
    const [a] = InMemoryTransport.createLinkedPair();
    expect(() => intercept(a, createChain([]), { side: 'middle' as 'client' })).toThrow(/options.side must be 'client' or 'server', got "middle"/);
    expect(() => intercept({} as InMemoryTransport, createChain([]), { side: 'client' })).toThrow(/must be an MCP SDK Transport/);
    const wrapped = intercept(a, createChain([]), { side: 'client' });
    a.onmessage = () => {};
    await expect(wrapped.start()).rejects.toThrow(/onmessage was replaced after wrapping/);
  });
});
