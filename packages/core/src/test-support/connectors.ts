// Test support: one SDK Client, behind a recording chain, connected to the fixture server over each real transport.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CreateMessageRequestSchema, isInitializeRequest, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { createChain } from '../chain.js';
import { Priority } from '../interceptor.js';
import { requestId } from '../interceptors/request-id.js';
import { intercept, type InterceptedTransport } from '../transport.js';
import { createFixtureServer } from './fixture-server.js';
import { recorder } from './recorder.js';

export type TransportName = 'in-memory' | 'stdio' | 'http';

export interface Inspection {
  hookLog: string[];
  received: JSONRPCMessage[];
  events: string[];
  pending: { outbound: number; inbound: number; live: number } | undefined;
}

export interface Connected {
  readonly name: TransportName;
  readonly client: Client;
  readonly clientTransport: InterceptedTransport;
  /** Hook order on the client's chain. */
  readonly clientLog: string[];
  /** What the client SDK received, after its chain. */
  readonly clientReceived: JSONRPCMessage[];
  /** Reads (and clears) the server side's record through the fixture's `inspect` tool. */
  inspect(): Promise<Inspection>;
  close(): Promise<void>;
}

async function connectClient(name: TransportName, inner: Transport, cleanup: () => Promise<void>): Promise<Connected> {
  const clientLog: string[] = [];
  const clientReceived: JSONRPCMessage[] = [];
  const chain = createChain([requestId(), recorder('cli-inner', Priority.Low, clientLog), recorder('cli-outer', Priority.High, clientLog)]);
  const clientTransport = intercept(inner, chain, { side: 'client' });
  const start = clientTransport.start.bind(clientTransport);
  clientTransport.start = async () => {
    const installed = clientTransport.onmessage;
    clientTransport.onmessage = (message, extra) => {
      clientReceived.push(structuredClone(message));
      installed?.(message, extra);
    };
    await start();
  };
  const client = new Client({ name: 'fixture-client', version: '1.0.0' }, { capabilities: { sampling: {} } });
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    const first = request.params.messages[0]?.content;
    const text = first && 'text' in first ? String(first.text) : '';
    return { role: 'assistant', model: 'test-model', content: { type: 'text', text: `re:${text}` } };
  });
  await client.connect(clientTransport);
  return {
    name,
    client,
    clientTransport,
    clientLog,
    clientReceived,
    async inspect() {
      const result = await client.callTool({ name: 'inspect', arguments: {} });
      const content = result.content as Array<{ type: string; text: string }>;
      return JSON.parse(content[0]?.text ?? '{}') as Inspection;
    },
    async close() {
      await client.close();
      await cleanup();
    },
  };
}

export async function connectInMemory(): Promise<Connected> {
  const [clientInner, serverInner] = InMemoryTransport.createLinkedPair();
  const fixture = createFixtureServer();
  await fixture.connect(serverInner);
  return connectClient('in-memory', clientInner, () => fixture.server.close());
}

export async function connectStdio(): Promise<Connected> {
  const script = fileURLToPath(new URL('./stdio-server.ts', import.meta.url));
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  const inner = new StdioClientTransport({ command: process.execPath, args: ['--import', 'tsx', script], cwd: root, stderr: 'inherit' });
  return connectClient('stdio', inner, async () => {});
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** A stateful Streamable HTTP server on a loopback port: one fixture server per session. */
export async function startHttpFixture(): Promise<{ url: URL; server: Server; close(): Promise<void> }> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const server = createServer((req, res) => {
    void (async () => {
      const sessionId = req.headers['mcp-session-id'];
      const existing = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
      if (req.method === 'POST') {
        const body = await readJson(req);
        if (existing) return existing.handleRequest(req, res, body);
        if (!isInitializeRequest(body)) {
          res.writeHead(400).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'No session' } }));
          return;
        }
        const transport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => void sessions.set(id, transport),
        });
        transport.onclose = () => {
          if (transport.sessionId) sessions.delete(transport.sessionId);
        };
        await createFixtureServer().connect(transport);
        return transport.handleRequest(req, res, body);
      }
      if (existing) return existing.handleRequest(req, res);
      res.writeHead(404).end();
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    server,
    async close() {
      await Promise.all([...sessions.values()].map((t) => t.close()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function connectHttp(): Promise<Connected> {
  const fixture = await startHttpFixture();
  return connectClient('http', new StreamableHTTPClientTransport(fixture.url), () => fixture.close());
}

export const connectors: Record<TransportName, () => Promise<Connected>> = {
  'in-memory': connectInMemory,
  stdio: connectStdio,
  http: connectHttp,
};
