// bench/http-overhead: what the default server HTTP chain costs per call over real loopback HTTP, against the bare
// SDK's StreamableHTTPServerTransport. Target (issue 5): ≤ 1.05× bare time per call. Sequential calls, one process,
// alternating bare and chained rounds so both see the same machine conditions.
//   npx tsx bench/http-overhead.ts [--calls 200] [--rounds 30]
import { randomUUID } from 'node:crypto';
import { once, setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { createMcpHttpHandler, defaultServerInterceptors, nodeHandler } from '@mcp-interceptors/http';
import { median, quick, runBench } from './harness.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const CALLS = arg('calls', quick() ? 100 : 200);
const ROUNDS = arg('rounds', quick() ? 8 : 30);
const WARMUP = 500;
const TARGET = 1.05;

function echoServer(): McpServer {
  const server = new McpServer({ name: 'bench', version: '1.0.0' });
  server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
  return server;
}

/** The SDK's own stateful pattern (examples/server/simpleStreamableHttp): a session map in front of the transport. */
function bareListener(): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  return async (req, res) => {
    const sessionId = req.headers['mcp-session-id'] as string | undefined;
    let transport = sessionId === undefined ? undefined : sessions.get(sessionId);
    let body: unknown;
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    }
    if (transport === undefined && isInitializeRequest(body)) {
      const created = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (id) => void sessions.set(id, created) });
      created.onclose = () => void (created.sessionId && sessions.delete(created.sessionId));
      await echoServer().connect(created);
      transport = created;
    }
    if (transport === undefined) {
      res.writeHead(400).end();
      return;
    }
    await transport.handleRequest(req, res, body);
  };
}

/** The default server HTTP chain; the logger formats every record as JSON and drops it (stderr would flood). */
function chainedListener(): (req: IncomingMessage, res: ServerResponse) => void {
  let lines = 0;
  const handler = createMcpHttpHandler({
    server: echoServer,
    http: defaultServerInterceptors({ logger: { sink: (record) => void (lines += JSON.stringify(record).length > 0 ? 1 : 0) } }),
  });
  return nodeHandler(handler);
}

interface Target {
  readonly name: string;
  readonly server: Server;
  readonly client: Client;
}

async function start(name: string, listener: (req: IncomingMessage, res: ServerResponse) => unknown): Promise<Target> {
  const server = createServer((req, res) => void listener(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
  const client = new Client({ name: 'bench-client', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url));
  return { name, server, client };
}

/** Sequential calls; resolves wall-clock and CPU (user + system, this process: client and server) milliseconds. */
async function drive(target: Target, calls: number): Promise<{ wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < calls; i++) await target.client.callTool({ name: 'echo', arguments: { text: 'hello' } });
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
}


export async function main(): Promise<boolean> {
  // undici's fetch adds an abort listener per request to the SDK client's long-lived AbortSignal and removes it only
  // when the request is garbage-collected; past 1500 Node prints a stack-traced warning per request, inside the timed
  // region of whichever setup happens to collect less often. The warning is about the client, not the server measured.
  setMaxListeners(0);
  const bare = await start('bare StreamableHTTPServerTransport', bareListener());
  const chained = await start('default HTTP chain (nodeHandler)', chainedListener());
  const targets = [bare, chained];
  for (const target of targets) await drive(target, WARMUP);
  const samples: number[][] = [[], []];
  const cpuSamples: number[][] = [[], []];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) {
      const { wall, cpu } = await drive(targets[i] as Target, CALLS);
      (samples[i] as number[]).push(wall / CALLS);
      (cpuSamples[i] as number[]).push(cpu / CALLS);
    }
  }
  const ms = samples.map(median) as [number, number];
  const cpu = cpuSamples.map(median) as [number, number];
  console.log(`\nHTTP overhead: ${ROUNDS} alternating rounds × ${CALLS} sequential tools/call over loopback (median per round)`);
  targets.forEach((target, i) => {
    const perCall = ms[i] as number;
    console.log(`  ${target.name.padEnd(38)} ${(1000 / perCall).toFixed(0).padStart(6)} calls/s  ${(perCall * 1000).toFixed(1).padStart(7)} µs/call  ${((cpu[i] as number) * 1000).toFixed(1).padStart(7)} µs CPU/call (client + server)`);
  });
  const ratio = ms[1] / ms[0];
  console.log(`  ratio chained / bare: ${ratio.toFixed(3)}×  (target ≤ ${TARGET.toFixed(2)}× ${ratio <= TARGET ? 'met' : 'MISSED'}); CPU ratio ${(cpu[1] / cpu[0]).toFixed(3)}×`);
  for (const target of targets) {
    await target.client.close();
    target.server.closeAllConnections();
    target.server.close();
  }
  return ratio <= TARGET;
}

runBench(import.meta.url, main);
