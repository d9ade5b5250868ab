// Test support (not published): an MCP server factory with a few tools, servers on loopback port 0, a capturing sink.
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, type StreamableHTTPClientTransportOptions } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { nodeHandler } from '../adapters/node.js';
import type { HttpLogRecord, HttpLogSink } from '../log-sink.js';
import { createMcpHttpHandler, type McpHttpHandler, type McpHttpHandlerOptions } from '../mcp-http-handler.js';

export interface ServerProbe {
  /** `ctx.auth`/`extra.authInfo` as each `whoami` call saw it. */
  readonly authSeen: unknown[];
  readonly servers: McpServer[];
}

/** A factory of MCP servers with `echo`, `whoami` and `notify` (sends a tools/list_changed on the GET stream). */
export function mcpServerFactory(probe: ServerProbe = { authSeen: [], servers: [] }): () => McpServer {
  return () => {
    const server = new McpServer({ name: 'http-test-server', version: '1.0.0' }, { capabilities: { logging: {}, tools: { listChanged: true } } });
    server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
    server.registerTool('whoami', {}, async (extra) => {
      probe.authSeen.push(extra.authInfo);
      return { content: [{ type: 'text', text: extra.authInfo?.clientId ?? 'anonymous' }] };
    });
    server.registerTool('notify', {}, async () => {
      // No relatedRequestId: the SDK sends it on the session's standalone GET stream.
      server.sendToolListChanged();
      return { content: [{ type: 'text', text: 'sent' }] };
    });
    probe.servers.push(server);
    return server;
  };
}

export interface Listening {
  readonly server: Server;
  readonly url: URL;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1, port 0. */
export async function listen(listener: (req: IncomingMessage, res: ServerResponse) => unknown, path = '/mcp'): Promise<Listening> {
  const server = createServer((req, res) => void listener(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: new URL(`http://127.0.0.1:${port}${path}`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An SDK client over Streamable HTTP. */
export async function connectClient(url: URL, options: StreamableHTTPClientTransportOptions = {}): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(url, options);
  const client = new Client({ name: 'http-test-client', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

/** A sink that keeps records, plus their JSON lines as written. */
export function captureSink(): { sink: HttpLogSink; records: HttpLogRecord[]; lines: string[] } {
  const records: HttpLogRecord[] = [];
  const lines: string[] = [];
  return {
    records,
    lines,
    sink: (record) => {
      records.push(record);
      lines.push(JSON.stringify(record));
    },
  };
}

/** Waits until `predicate` holds (polling the event loop), or fails after `ms`. */
export async function until(predicate: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** An MCP endpoint on a node:http server (loopback, port 0) with the given handler options. */
export async function serveMcp(options: Partial<McpHttpHandlerOptions> = {}): Promise<Listening & { handler: McpHttpHandler }> {
  const handler = createMcpHttpHandler({ server: mcpServerFactory(), ...options });
  const listening = await listen(nodeHandler(handler));
  return {
    ...listening,
    handler,
    close: async () => {
      await handler.close();
      await listening.close();
    },
  };
}

/** Headers of a Streamable HTTP POST. */
export const POST_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/json', accept: 'application/json, text/event-stream' });

export const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A request through node:http, so `Host` and other headers fetch manages can be set by hand. */
export function rawRequest(url: URL, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
