// Test support: the MCP server every transport test runs — the same tools in-process, in a stdio child, and over HTTP.
// Its chain records hook order; the `inspect` tool hands that record (and what the SDK received) back to the test.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { createChain, type Chain } from '../chain.js';
import { Priority } from '../interceptor.js';
import { intercept, type InterceptedTransport } from '../transport.js';
import { recorder } from './recorder.js';

export interface Fixture {
  server: McpServer;
  chain: Chain;
  hookLog: string[];
  received: JSONRPCMessage[];
  events: string[];
  connect(inner: Transport): Promise<InterceptedTransport>;
}



export function createFixtureServer(): Fixture {
  const hookLog: string[] = [];
  const received: JSONRPCMessage[] = [];
  const events: string[] = [];
  const chain = createChain([recorder('srv-inner', Priority.Low, hookLog), recorder('srv-outer', Priority.High, hookLog)]);
  const server = new McpServer({ name: 'fixture', version: '1.0.0' });
  let wrapped: InterceptedTransport | undefined;

  server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text }] }));

  // Waits until cancelled (or `ms`), announcing its start with a progress notification so the test can cancel it.
  server.registerTool('slow', { inputSchema: { ms: z.number() } }, async ({ ms }, extra) => {
    const token = extra._meta?.progressToken;
    if (token !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: 0 } });
    await new Promise<void>((resolve) => {
      // Over in-memory the cancellation can arrive while the progress notification is still being sent.
      if (extra.signal.aborted) return resolve();
      const timer = setTimeout(resolve, ms);
      extra.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    events.push(extra.signal.aborted ? 'slow:aborted' : 'slow:done');
    return { content: [{ type: 'text', text: 'done' }] };
  });

  server.registerTool('progress', { inputSchema: { steps: z.number() } }, async ({ steps }, extra) => {
    const token = extra._meta?.progressToken;
    for (let i = 1; i <= steps; i++) {
      if (token !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: steps } });
    }
    return { content: [{ type: 'text', text: `${steps} steps` }] };
  });

  // Asks the client to sample `n` messages at once: server→client requests numbered from 0, like the client's own.
  server.registerTool('ask', { inputSchema: { prompt: z.string(), n: z.number().optional() } }, async ({ prompt, n }) => {
    const count = n ?? 1;
    const answers = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        server.server.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: `${prompt}#${i}` } }], maxTokens: 10 }),
      ),
    );
    return { content: answers.map((a) => ({ type: 'text' as const, text: a.content.type === 'text' ? a.content.text : '?' })) };
  });

  server.registerTool('inspect', {}, async () => {
    const snapshot = { hookLog: [...hookLog], received: [...received], events: [...events], pending: wrapped?.pendingCount };
    hookLog.length = 0;
    received.length = 0;
    events.length = 0;
    return { content: [{ type: 'text', text: JSON.stringify(snapshot) }] };
  });

  return {
    server,
    chain,
    hookLog,
    received,
    events,
    async connect(inner) {
      wrapped = intercept(inner, chain, { side: 'server' });
      const start = wrapped.start.bind(wrapped);
      wrapped.start = async () => {
        const installed = wrapped?.onmessage;
        if (wrapped) {
          wrapped.onmessage = (message, extra) => {
            const m = message as { method?: string; params?: { name?: string } };
            if (!(m.method === 'tools/call' && m.params?.name === 'inspect')) received.push(structuredClone(message));
            installed?.(message, extra);
          };
        }
        await start();
      };
      await server.connect(wrapped);
      return wrapped;
    },
  };
}


