// The demo (`npm run demo`): an embedded MCP server and client, in one process over InMemoryTransport, each behind a
// small chain. It prints the resolved chains, then what each interceptor did for a few calls, then the metrics.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolResultSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import {
  createChain,
  createKey,
  errorHandling,
  intercept,
  logging,
  metrics,
  metricsSummary,
  Priority,
  rateLimit,
  requestId,
  timing,
  validation,
  type Chain,
  type Interceptor,
  type LogRecord,
} from '@mcp-interceptors/core';

const print = (line: string): void => void process.stdout.write(`${line}\n`);

/** A log sink that prints one readable line per record, with the secret-free payloads logging produced. */
const printRecords =
  (side: string) =>
  (record: LogRecord): void => {
    const what = record.tool ? `${record.method} ${record.tool}` : record.method;
    const outcome = record.outcome === 'error' ? ['error', record.errorCode, record.errorReason].filter((part) => part !== undefined).join(' ') : (record.outcome ?? '');
    const duration = record.durationMs === undefined ? '' : ` ${record.durationMs.toFixed(2)} ms`;
    const params = record.params ? ` params=${record.params}` : '';
    print(`  [${side} logging] ${record.event} ${record.direction} ${what} → ${outcome}${duration}${params}`);
  };

/** A custom interceptor: tags each tool call with the caller's plan, and says so. */
const Plan = createKey<string>('demo.plan');
const planTagger: Interceptor = {
  name: 'plan-tagger',
  priority: Priority.Normal,
  onRequest(request, ctx) {
    if (request.method !== 'tools/call') return;
    ctx.metadata.set(Plan, 'free');
    print(`  [server plan-tagger] ${String(request.params?.['name'])} call ${ctx.requestId.slice(0, 8)}… tagged plan=free`);
  },
};

function describe(title: string, chain: Chain): void {
  print(title);
  for (const entry of chain.describe()) print(`  ${entry.position + 1}. ${entry.name.padEnd(16)} ${entry.priorityName.padEnd(8)} ${entry.hooks.join(', ')}`);
}

async function main(): Promise<void> {
  const serverChain = createChain([
    requestId(),
    validation({ strict: true }),
    rateLimit({ scope: 'tool', rate: 1, burst: 3 }),
    planTagger,
    errorHandling({ mode: 'production' }),
    logging({ sink: printRecords('server'), includePayloads: true }),
    metrics(),
  ]);
  const clientChain = createChain([requestId(), timing({ slowThresholdMs: 1_000, sink: printRecords('client') }), logging({ sink: printRecords('client') })]);
  describe('Server chain (requests run top to bottom, responses come back bottom to top):', serverChain);
  describe('Client chain:', clientChain);

  const server = new McpServer({ name: 'demo-server', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echoes text', inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
  server.registerTool('login', { inputSchema: { user: z.string(), password: z.string() } }, async ({ user }) => ({ content: [{ type: 'text', text: `welcome ${user}` }] }));
  server.registerTool('crash', {}, async () => {
    throw new Error('database password is hunter2');
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(intercept(serverSide, serverChain, { side: 'server' }));
  const client = new Client({ name: 'demo-client', version: '1.0.0' });
  await client.connect(intercept(clientSide, clientChain, { side: 'client' }));

  const step = async (title: string, run: () => Promise<string>): Promise<void> => {
    print(`\n▶ ${title}`);
    try {
      print(`  = ${await run()}`);
    } catch (error) {
      const data = error instanceof McpError ? JSON.stringify(error.data) : '';
      print(`  = rejected: ${error instanceof Error ? error.message : String(error)} ${data}`);
    }
  };
  const text = (result: Record<string, unknown>): string => ((result['content'] as Array<{ text?: string }> | undefined)?.[0]?.text ?? '');

  await step('echo "hello": passes every interceptor on both sides', async () => text(await client.callTool({ name: 'echo', arguments: { text: 'hello' } })));
  await step('login with a password: logged with payloads, the password redacted', async () => text(await client.callTool({ name: 'login', arguments: { user: 'ada', password: 'correct-horse' } })));
  await step('a tool that throws: production mode masks the message on the wire (kept in logs)', async () => text(await client.callTool({ name: 'crash', arguments: {} })));
  await step('a tools/call without a name: strict validation answers -32602 before the handler', async () =>
    JSON.stringify(await client.request({ method: 'tools/call', params: { arguments: {} } } as never, CallToolResultSchema)),
  );
  print('\n▶ 4 more quick echo calls: the tool allows a burst of 3 (the first echo spent one), then 1 per second');
  for (let i = 1; i <= 4; i++) {
    try {
      await client.callTool({ name: 'echo', arguments: { text: `burst ${i}` } });
      print(`  = burst ${i}: ok`);
    } catch (error) {
      print(`  = burst ${i}: rejected ${error instanceof McpError ? `${error.code} ${JSON.stringify(error.data)}` : String(error)}`);
    }
  }

  print('\nServer metrics (per method, from chain.metrics.snapshot()):');
  for (const row of metricsSummary(serverChain.metrics.snapshot()).methods) {
    print(`  ${row.direction.padEnd(8)} ${row.method.padEnd(12)} requests=${row.requests} ok=${row.ok} errors=${row.errors} mean=${row.meanMs?.toFixed(2) ?? '-'} ms`);
  }
  await client.close();
  await server.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
