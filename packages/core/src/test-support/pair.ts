// Test support (not published): a real SDK Client and McpServer joined by InMemoryTransport, each behind a chain.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { createChain, type Chain } from '../chain.js';
import type { Interceptor } from '../interceptor.js';
import { intercept, type InterceptedTransport } from '../transport.js';

export interface Pair {
  client: Client;
  server: McpServer;
  clientTransport: InterceptedTransport;
  serverTransport: InterceptedTransport;
  /** Frames as each SDK side sent them and as each received them (after the chains). */
  wire: { clientReceived: JSONRPCMessage[]; serverReceived: JSONRPCMessage[] };
  handlerCalls: string[];
  close(): Promise<void>;
}

export interface PairOptions {
  clientChain?: Chain | Interceptor[];
  serverChain?: Chain | Interceptor[];
  /** Registers extra tools; the default server has `echo`, `slow`, `fail` and `progress`. */
  setup?: (server: McpServer) => void;
  clientCapabilities?: Record<string, unknown>;
  /** Sent with every client frame, so the server's handlers and chain see it as `extra.authInfo` / `ctx.auth`. */
  clientAuth?: AuthInfo;
}

const asChain = (value: Chain | Interceptor[] | undefined): Chain => (Array.isArray(value) || value === undefined ? createChain(value ?? []) : value);

/** A server with a few tools every test can use. */
export function registerDefaultTools(server: McpServer, handlerCalls: string[]): void {
  server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => {
    handlerCalls.push(`echo:${text}`);
    return { content: [{ type: 'text', text }] };
  });
  server.registerTool('slow', { inputSchema: { ms: z.number() } }, async ({ ms }, extra) => {
    handlerCalls.push('slow');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      extra.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return { content: [{ type: 'text', text: extra.signal.aborted ? 'aborted' : 'done' }] };
  });
  server.registerTool('fail', {}, async () => {
    handlerCalls.push('fail');
    throw new Error('tool exploded');
  });
  server.registerTool('progress', { inputSchema: { steps: z.number() } }, async ({ steps }, extra) => {
    handlerCalls.push('progress');
    const token = extra._meta?.progressToken;
    for (let i = 1; i <= steps; i++) {
      if (token !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: steps } });
    }
    return { content: [{ type: 'text', text: `${steps} steps` }] };
  });
}

/** Records what `onmessage` receives on a transport, after any chain (the frames the SDK actually sees). */
export function recordReceived(transport: Transport, into: JSONRPCMessage[]): void {
  const original = transport.start.bind(transport);
  transport.start = async () => {
    const installed = transport.onmessage;
    transport.onmessage = (message, extra) => {
      into.push(structuredClone(message));
      installed?.(message, extra);
    };
    await original();
  };
}

export async function connectPair(options: PairOptions = {}): Promise<Pair> {
  const [clientInner, serverInner] = InMemoryTransport.createLinkedPair();
  const auth = options.clientAuth;
  if (auth !== undefined) {
    const send = clientInner.send.bind(clientInner);
    clientInner.send = (message, sendOptions) => send(message, { ...sendOptions, authInfo: auth });
  }
  const serverTransport = intercept(serverInner, asChain(options.serverChain), { side: 'server' });
  const clientTransport = intercept(clientInner, asChain(options.clientChain), { side: 'client' });
  const wire = { clientReceived: [] as JSONRPCMessage[], serverReceived: [] as JSONRPCMessage[] };
  recordReceived(serverTransport, wire.serverReceived);
  recordReceived(clientTransport, wire.clientReceived);
  const server = new McpServer({ name: 'test-server', version: '1.0.0' }, { capabilities: { logging: {} } });
  const handlerCalls: string[] = [];
  registerDefaultTools(server, handlerCalls);
  options.setup?.(server);
  const client = new Client({ name: 'test-client', version: '1.0.0' }, { capabilities: options.clientCapabilities ?? { sampling: {}, roots: {} } });
  await server.connect(serverTransport);
  await client.connect(clientTransport);
  return {
    client,
    server,
    clientTransport,
    serverTransport,
    wire,
    handlerCalls,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}
