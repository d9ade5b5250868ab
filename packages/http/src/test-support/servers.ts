// Test support (not published): an MCP server factory with a few tools, servers on loopback port 0, a capturing sink.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, type StreamableHTTPClientTransportOptions } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { HttpLogRecord, HttpLogSink } from '../log-sink.js';

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
