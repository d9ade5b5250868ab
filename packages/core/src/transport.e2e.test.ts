// The same scenarios over every real transport: a real SDK Client and McpServer, each behind a recording chain.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REQUEST_ID_META_KEY } from './context.js';
import { connectors, type Connected, type TransportName } from './test-support/connectors.js';

const transports = Object.keys(connectors) as TransportName[];

describe.each(transports)('over %s', (name) => {
  let c: Connected;
  beforeEach(async () => {
    c = await connectors[name]();
    await c.inspect(); // clears the initialize handshake from the server's record
    c.clientLog.length = 0;
    c.clientReceived.length = 0;
  });
  afterEach(async () => {
    await c.close();
  });

  it('runs a tool call through both chains in onion order and delivers exact frames', async () => {
    const result = await c.client.callTool({ name: 'echo', arguments: { text: 'hello' } });

    expect(result).toEqual({ content: [{ type: 'text', text: 'hello' }] });
    expect(c.clientLog).toEqual(['cli-outer:req:out:tools/call', 'cli-inner:req:out:tools/call', 'cli-inner:res:out:tools/call', 'cli-outer:res:out:tools/call']);
    const callResponse = c.clientReceived.find((m) => 'result' in m && !('method' in m));
    expect(callResponse).toEqual({ jsonrpc: '2.0', id: expect.any(Number), result: { content: [{ type: 'text', text: 'hello' }] } });

    const server = await c.inspect();
    expect(server.hookLog).toEqual(['srv-outer:req:in:tools/call', 'srv-inner:req:in:tools/call', 'srv-inner:res:in:tools/call', 'srv-outer:res:in:tools/call']);
    expect(server.received).toEqual([
      {
        jsonrpc: '2.0',
        id: (callResponse as { id: number }).id,
        method: 'tools/call',
        params: { name: 'echo', arguments: { text: 'hello' }, _meta: { [REQUEST_ID_META_KEY]: expect.stringMatching(/^[0-9a-f-]{36}$/) } },
      },
    ]);
  });

  it('runs a server-initiated sampling request through both chains as outbound/inbound exchanges', async () => {
    const result = await c.client.callTool({ name: 'ask', arguments: { prompt: 'why' } });

    expect(result).toEqual({ content: [{ type: 'text', text: 're:why#0' }] });
    expect(c.clientLog).toEqual([
      'cli-outer:req:out:tools/call',
      'cli-inner:req:out:tools/call',
      'cli-outer:req:in:sampling/createMessage',
      'cli-inner:req:in:sampling/createMessage',
      'cli-inner:res:in:sampling/createMessage',
      'cli-outer:res:in:sampling/createMessage',
      'cli-inner:res:out:tools/call',
      'cli-outer:res:out:tools/call',
    ]);
    const sampling = c.clientReceived.find((m) => 'method' in m && m.method === 'sampling/createMessage');
    expect(sampling).toMatchObject({
      jsonrpc: '2.0',
      id: 0,
      method: 'sampling/createMessage',
      params: { messages: [{ role: 'user', content: { type: 'text', text: 'why#0' } }], maxTokens: 10 },
    });
    const server = await c.inspect();
    expect(server.hookLog).toEqual([
      'srv-outer:req:in:tools/call',
      'srv-inner:req:in:tools/call',
      'srv-outer:req:out:sampling/createMessage',
      'srv-inner:req:out:sampling/createMessage',
      'srv-inner:res:out:sampling/createMessage',
      'srv-outer:res:out:sampling/createMessage',
      'srv-inner:res:in:tools/call',
      'srv-outer:res:in:tools/call',
    ]);
    expect(server.received.find((m) => 'result' in m)).toEqual({
      jsonrpc: '2.0',
      id: 0,
      // The client's requestId() echoes the correlation id of the request it answered.
      result: { role: 'assistant', model: 'test-model', content: { type: 'text', text: 're:why#0' }, _meta: { [REQUEST_ID_META_KEY]: expect.any(String) } },
    });
  });

  it('delivers progress notifications in order, before the response, linked to their request', async () => {
    const seen: number[] = [];
    const result = await c.client.callTool({ name: 'progress', arguments: { steps: 3 } }, undefined, { onprogress: (p) => void seen.push(p.progress) });

    expect(seen).toEqual([1, 2, 3]);
    expect(result).toEqual({ content: [{ type: 'text', text: '3 steps' }] });
    expect(c.clientLog).toEqual([
      'cli-outer:req:out:tools/call',
      'cli-inner:req:out:tools/call',
      // Notifications pass interceptors in request order (High before Low).
      'cli-outer:note:in:notifications/progress<tools/call',
      'cli-inner:note:in:notifications/progress<tools/call',
      'cli-outer:note:in:notifications/progress<tools/call',
      'cli-inner:note:in:notifications/progress<tools/call',
      'cli-outer:note:in:notifications/progress<tools/call',
      'cli-inner:note:in:notifications/progress<tools/call',
      'cli-inner:res:out:tools/call',
      'cli-outer:res:out:tools/call',
    ]);
    const kinds = c.clientReceived.map((m) => ('method' in m ? m.method : 'response'));
    expect(kinds).toEqual(['notifications/progress', 'notifications/progress', 'notifications/progress', 'response']);
    const server = await c.inspect();
    expect(server.hookLog.filter((l) => l.includes('note'))).toEqual([
      'srv-outer:note:out:notifications/progress<tools/call',
      'srv-inner:note:out:notifications/progress<tools/call',
      'srv-outer:note:out:notifications/progress<tools/call',
      'srv-inner:note:out:notifications/progress<tools/call',
      'srv-outer:note:out:notifications/progress<tools/call',
      'srv-inner:note:out:notifications/progress<tools/call',
    ]);
  });

  it('cancels a request: the server handler aborts, both chains settle the exchange, no response is sent', async () => {
    const controller = new AbortController();
    const call = c.client.callTool({ name: 'slow', arguments: { ms: 30_000 } }, undefined, {
      signal: controller.signal,
      onprogress: () => controller.abort('user gave up'),
    });

    await expect(call).rejects.toThrow();
    // The client chain saw its exchange end as cancelled (-31009); nothing for it ever reached the client SDK.
    await expect.poll(() => c.clientLog).toContain('cli-outer:res:out:tools/call:-31009');
    expect(c.clientReceived.filter((m) => 'id' in m && !('method' in m))).toEqual([]);

    let server = await c.inspect();
    const log = [...server.hookLog];
    const events = [...server.events];
    await expect
      .poll(async () => {
        server = await c.inspect();
        log.push(...server.hookLog);
        events.push(...server.events);
        return events;
      })
      .toEqual(['slow:aborted']);
    expect(log).toContain('srv-outer:note:in:notifications/cancelled<tools/call');
    expect(log).toContain('srv-outer:res:in:tools/call:-31009');
    expect(c.clientTransport.pendingCount).toEqual({ outbound: 0, inbound: 0, live: 0 });
  });

  it('handles 200 concurrent calls in both directions at once with colliding ids', async () => {
    const n = 200;
    const clientCalls = Array.from({ length: n }, (_, i) => c.client.callTool({ name: 'echo', arguments: { text: `m${i}` } }));
    const serverCalls = c.client.callTool({ name: 'ask', arguments: { prompt: 'q', n } });
    const [echoes, asked] = await Promise.all([Promise.all(clientCalls), serverCalls]);

    expect(echoes.map((r) => (r.content as Array<{ text: string }>)[0]?.text)).toEqual(Array.from({ length: n }, (_, i) => `m${i}`));
    expect((asked.content as Array<{ text: string }>).map((p) => p.text)).toEqual(Array.from({ length: n }, (_, i) => `re:q#${i}`));
    // Ids 0..n-1 were live in both directions at once.
    const inboundIds = c.clientReceived.filter((m) => 'method' in m && m.method === 'sampling/createMessage').map((m) => (m as { id: number }).id);
    expect(new Set(inboundIds).size).toBe(n);
    expect(Math.min(...inboundIds)).toBe(0);
    expect(c.clientLog.filter((l) => l === 'cli-outer:res:out:tools/call')).toHaveLength(n + 1);
    expect(c.clientLog.filter((l) => l === 'cli-outer:res:in:sampling/createMessage')).toHaveLength(n);
    const server = await c.inspect();
    expect(server.hookLog.filter((l) => l === 'srv-outer:res:out:sampling/createMessage')).toHaveLength(n);
    expect(server.pending).toEqual({ outbound: 0, inbound: 1, live: 1 }); // only the inspect call itself
    expect(c.clientTransport.pendingCount).toEqual({ outbound: 0, inbound: 0, live: 0 });
  });
});
