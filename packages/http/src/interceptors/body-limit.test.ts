import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeHandler } from '../adapters/node.js';
import { createMcpHttpHandler } from '../mcp-http-handler.js';
import { connectClient, listen, mcpServerFactory, type Listening } from '../test-support/servers.js';
import { bodyLimit } from './body-limit.js';

const open: Listening[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

const LIMIT = 64 * 1024;

/** A server whose request bytes are counted as they arrive, so we can see how much of a body was ever read. */
async function countingServer(): Promise<{ listening: Listening; received: () => number; calls: string[] }> {
  let received = 0;
  const calls: string[] = [];
  const handler = createMcpHttpHandler({
    server: mcpServerFactory(),
    http: [bodyLimit({ maxBytes: LIMIT }), { name: 'reached', priority: 900, onRequest: (ctx) => void calls.push(ctx.method) }],
  });
  const serve = nodeHandler(handler);
  const listening = await listen((req, res) => {
    req.on('data', (chunk: Buffer) => (received += chunk.length));
    return serve(req, res);
  });
  open.push(listening);
  return { listening, received: () => received, calls };
}

describe('bodyLimit', () => {
  it('refuses an oversized tool call from the SDK client by its Content-Length: 413, the tool never runs', async () => {
    const { listening, calls } = await countingServer();
    const { client } = await connectClient(listening.url);
    const posts = (): number => calls.filter((m) => m === 'POST').length;
    const before = posts();
    await expect(client.callTool({ name: 'echo', arguments: { text: 'x'.repeat(2 * LIMIT) } })).rejects.toThrow(/PAYLOAD_TOO_LARGE/);
    expect(posts()).toBe(before);
    // The session is still usable with a normal call.
    expect((await client.callTool({ name: 'echo', arguments: { text: 'small' } })).content).toEqual([{ type: 'text', text: 'small' }]);
    await client.close();
  });

  it('answers 413 with the JSON-RPC body and closes the connection', async () => {
    const { listening, calls } = await countingServer();
    const response = await fetch(listening.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ pad: 'x'.repeat(LIMIT) }) });
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -31006, message: `Payload too large: the body exceeds ${LIMIT} bytes`, data: { reason: 'PAYLOAD_TOO_LARGE', limit: LIMIT, size: LIMIT + 10, interceptor: 'body-limit' } },
    });
    expect(calls).toEqual([]);
  });

  it('stops a chunked body (no Content-Length) soon after the limit, long before it is complete', async () => {
    const { listening, received, calls } = await countingServer();
    const total = 16 * 1024 * 1024;
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    const result = await new Promise<{ status: number; body: string; written: number }>((resolve, reject) => {
      let written = 0;
      let answered = false;
      const req = httpRequest({ host: '127.0.0.1', port: listening.url.port, path: '/mcp', method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'transfer-encoding': 'chunked' } }, (res) => {
        answered = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, written }));
      });
      req.on('error', (error) => (answered ? undefined : reject(error)));
      const pump = (): void => {
        while (!answered && written < total) {
          written += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (written >= total) req.end();
      };
      pump();
    });
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: -31006, data: { reason: 'PAYLOAD_TOO_LARGE', limit: LIMIT, interceptor: 'body-limit' } } });
    expect(result.written).toBeLessThan(total);
    // What the server ever received: the limit plus what was in flight, nowhere near the 16 MiB sent at it.
    expect(received()).toBeLessThan(4 * 1024 * 1024);
    expect(calls).toEqual(['POST']);
  });

  it.each([
    [{ maxBytes: 0 }, /bodyLimit.maxBytes must be a positive integer/],
    [{ maxBytes: 1.5 }, /bodyLimit.maxBytes must be a positive integer/],
    [{ maxBytes: '1mb' }, /bodyLimit.maxBytes must be a positive integer/],
    [{ priority: 'x' }, /bodyLimit.priority must be a finite number/],
    ['big', /bodyLimit: options must be an object/],
  ])('rejects %j', (options, message) => {
    expect(() => bodyLimit(options as never)).toThrow(message);
  });
});
