// Runs the HTTP example: the endpoint on 127.0.0.1, an SDK client through the fetch middleware, and what happens to
// a caller without a token or without the admin scope.   npx tsx examples/http-server/main.ts   (PORT=3000 to pin it)
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createClientFetch, nodeHandler, type HttpLogSink } from '@mcp-interceptors/http';
import { createExampleHandler, TOKENS, type ExampleSinks } from './server.js';

export interface ExampleRun {
  readonly tools: string[];
  readonly echo: string;
  readonly adminDenied: string;
  readonly noTokenStatus: number;
  readonly health: unknown;
}

export async function run(options: { port?: number; sinks?: ExampleSinks; clientLog?: HttpLogSink; print?: (line: string) => void } = {}): Promise<ExampleRun> {
  const print = options.print ?? ((line: string) => console.log(line));
  const handler = createExampleHandler(options.sinks);
  const server = createServer(nodeHandler(handler));
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = new URL('/mcp', base);
  print(`MCP endpoint on ${url}`);

  // Alice: a token from an async provider (a refreshed token would be picked up per request), traced, logged redacted.
  const client = new Client({ name: 'http-example-client', version: '1.0.0' });
  const fetch = createClientFetch({
    headers: async () => ({ authorization: `Bearer ${TOKENS.alice}` }),
    logging: options.clientLog === undefined ? true : { sink: options.clientLog },
  });
  const transport = new StreamableHTTPClientTransport(url, { fetch });
  await client.connect(transport);

  const tools = (await client.listTools()).tools.map((tool) => tool.name);
  print(`alice sees tools: ${tools.join(', ')}`);
  const echoed = await client.callTool({ name: 'echo', arguments: { text: 'hello over HTTP' } });
  const echo = (echoed.content as Array<{ text: string }>)[0]?.text ?? '';
  print(`echo → ${echo}`);
  const denied = await client.callTool({ name: 'admin_reset', arguments: {} }).catch((error: unknown) => error);
  const adminDenied = denied instanceof Error ? denied.message : JSON.stringify(denied);
  print(`admin_reset → ${adminDenied}`);

  const anonymous = await globalThis.fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'anon', version: '0' } } }),
  });
  print(`without a token → HTTP ${anonymous.status}, ${anonymous.headers.get('www-authenticate')}`);
  const health = await (await globalThis.fetch(new URL('/healthz', base))).json();
  print(`/healthz → ${JSON.stringify(health)}`);

  await transport.terminateSession();
  await client.close();
  await handler.close();
  server.closeAllConnections();
  server.close();
  return { tools, echo, adminDenied, noTokenStatus: anonymous.status, health };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await run({ port: process.env['PORT'] === undefined ? 0 : Number(process.env['PORT']) });
}
