import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { context, metrics, propagation, SpanKind, trace } from '@opentelemetry/api';
import { createChain, intercept } from '@mcp-interceptors/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { connectPair } from '../../core/src/test-support/pair.js';
import { startTelemetry, type Telemetry } from './telemetry.js';
import { createTestTracing, registerGlobals } from './test-support/otel.js';
import { attributeMap, startOtlpReceiver, type OtlpReceiver } from './test-support/otlp-receiver.js';
import { tracing } from './tracing.js';

let telemetry: Telemetry | undefined;
let receiver: OtlpReceiver | undefined;
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await receiver?.close();
  receiver = undefined;
  vi.unstubAllEnvs();
  trace.disable();
  metrics.disable();
  context.disable();
  propagation.disable();
});

/** An MCP server on Streamable HTTP (node:http on a loopback port) and a client, each behind tracing() at its defaults. */
async function httpPair(): Promise<Client> {
  const mcp = new McpServer({ name: 'http-server', version: '1.0.0' });
  mcp.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
  const serverTransport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID() });
  await mcp.connect(intercept(serverTransport, createChain([tracing()]), { side: 'server' }));
  const http: Server = createServer((req, res) => void serverTransport.handleRequest(req, res));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`);
  const client = new Client({ name: 'http-client', version: '1.0.0' });
  await client.connect(intercept(new StreamableHTTPClientTransport(url), createChain([tracing()]), { side: 'client' }));
  cleanups.push(async () => {
    await client.close();
    await mcp.close();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
  return client;
}

describe('startTelemetry with OTLP/HTTP', () => {
  it('exports client and server spans of one trace over Streamable HTTP to a real OTLP receiver', async () => {
    receiver = await startOtlpReceiver();
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', receiver.endpoint);
    telemetry = await startTelemetry({ serviceName: 'otlp-test', serviceVersion: '9.9.9' });
    expect(telemetry.exporter).toBe('otlp');

    const client = await httpPair();
    await client.callTool({ name: 'echo', arguments: { text: 'over http' } });
    await telemetry.shutdown();

    const spans = receiver.spans().filter((s) => s.name === 'tools/call echo');
    const clientSpan = spans.find((s) => s.kind === 3); // OTLP SPAN_KIND_CLIENT
    const serverSpan = spans.find((s) => s.kind === 2); // OTLP SPAN_KIND_SERVER
    expect(spans).toHaveLength(2);
    expect(clientSpan?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(clientSpan?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(serverSpan?.traceId).toBe(clientSpan?.traceId);
    expect(serverSpan?.parentSpanId).toBe(clientSpan?.spanId);
    expect(clientSpan?.service).toBe('otlp-test');
    expect(clientSpan?.scope).toEqual({ name: '@mcp-interceptors/presets', version: '0.1.0' });
    const sessionId = attributeMap(serverSpan?.attributes ?? [])['mcp.session.id'];
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(attributeMap(serverSpan?.attributes ?? [])).toEqual({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'echo',
      'gen_ai.operation.name': 'execute_tool',
      'mcp.protocol.version': '2025-11-25',
      'network.transport': 'tcp',
      'network.protocol.name': 'http',
      'jsonrpc.request.id': '1',
      'mcpi.request.id': expect.any(String),
      'mcp.session.id': sessionId,
    });
    expect(attributeMap(clientSpan?.attributes ?? [])['mcp.session.id']).toBe(sessionId);
    expect(BigInt(clientSpan?.endTimeUnixNano ?? 0)).toBeGreaterThan(BigInt(clientSpan?.startTimeUnixNano ?? 0));
    // The resource carries the service version; the metrics went to the same endpoint.
    const resources = receiver.requests.filter((r) => r.path === '/v1/traces').map((r) => JSON.parse(r.body.toString()) as { resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> } }> });
    expect(resources[0]?.resourceSpans[0]?.resource.attributes.find((a) => a.key === 'service.version')?.value.stringValue).toBe('9.9.9');
    expect(receiver.requests.some((r) => r.path === '/v1/metrics')).toBe(true);
  });

  it('exports an error status and its message in OTLP form', async () => {
    receiver = await startOtlpReceiver();
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', receiver.endpoint);
    telemetry = await startTelemetry({ serviceName: 'otlp-errors', metrics: false });
    const setup = (server: McpServer): void => {
      server.registerPrompt('present', {}, () => ({ messages: [] }));
    };
    const pair = await connectPair({ clientChain: [tracing()], setup });
    cleanups.push(() => pair.close());
    await expect(pair.client.getPrompt({ name: 'missing' })).rejects.toMatchObject({ code: -32602 });
    await telemetry.shutdown();
    const span = receiver.spans().find((s) => s.name === 'prompts/get missing');
    expect(span?.status).toEqual({ code: 2, message: 'MCP error -32602: Prompt missing not found' });
    expect(attributeMap(span?.attributes ?? [])).toMatchObject({ 'error.type': '-32602', 'rpc.response.status_code': '-32602' });
    expect(receiver.requests.some((r) => r.path === '/v1/metrics')).toBe(false);
  });
});

describe('startTelemetry on the console', () => {
  it('writes one JSON line per span to the given stream and registers the W3C propagators', async () => {
    const out = new PassThrough();
    const lines: string[] = [];
    out.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    telemetry = await startTelemetry({ serviceName: 'console-test', exporter: 'console', consoleStream: out, metrics: false });
    expect(telemetry.exporter).toBe('console');
    expect(propagation.fields()).toEqual(['traceparent', 'tracestate', 'baggage']);
    const pair = await connectPair({ clientChain: [tracing()] });
    cleanups.push(() => pair.close());
    await pair.client.callTool({ name: 'echo', arguments: { text: 'x' } });
    // The exporter runs once the resource's detected attributes have settled.
    await vi.waitFor(() => expect(lines.some((line) => line.includes('"tools/call echo"'))).toBe(true));
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.find((s) => s['name'] === 'tools/call echo')).toMatchObject({
      service: 'console-test',
      kind: 'CLIENT',
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
      attributes: { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'echo' },
      status: { code: 'UNSET' },
    });
  });

  it('continues the trace in a stdio server child process, whose spans go to stderr and whose stdout stays protocol-only', async () => {
    const undo = registerGlobals();
    cleanups.push(undo);
    const otel = createTestTracing();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', fileURLToPath(new URL('./test-support/stdio-server.ts', import.meta.url))],
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'stdio-client', version: '1.0.0' });
    // The SDK client fails on any stdout line that is not JSON-RPC: connecting proves stdout carries only protocol.
    await client.connect(intercept(transport, createChain([tracing({ tracerProvider: otel.provider })]), { side: 'client' }));
    cleanups.push(() => client.close());
    await client.callTool({ name: 'echo', arguments: { text: 'over stdio' } });
    await vi.waitFor(() => expect(stderr).toContain('"name":"tools/call echo"'), { timeout: 10_000 });

    const clientSpan = otel.span('tools/call echo', SpanKind.CLIENT);
    const serverSpan = stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { name: string; traceId: string; parentSpanId?: string; kind: string; attributes: Record<string, unknown> })
      .find((s) => s.name === 'tools/call echo');
    expect(clientSpan.attributes['network.transport']).toBe('pipe');
    expect(serverSpan).toMatchObject({
      kind: 'SERVER',
      traceId: clientSpan.spanContext().traceId,
      parentSpanId: clientSpan.spanContext().spanId,
      attributes: { 'network.transport': 'pipe', 'mcp.method.name': 'tools/call' },
    });
  });
});

describe('startTelemetry settings', () => {
  it('chooses OTLP when only OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set, console otherwise', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', '');
    vi.stubEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'http://127.0.0.1:9/v1/traces');
    telemetry = await startTelemetry({ serviceName: 's', metrics: false });
    expect(telemetry.exporter).toBe('otlp');
    await telemetry.shutdown();
    trace.disable();
    vi.stubEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', '');
    telemetry = await startTelemetry({ serviceName: 's', metrics: false, consoleStream: new PassThrough() });
    expect(telemetry.exporter).toBe('console');
  });

  it('flushes on beforeExit once, and stops listening after shutdown', async () => {
    const before = process.listenerCount('beforeExit');
    telemetry = await startTelemetry({ serviceName: 's', exporter: 'console', consoleStream: new PassThrough(), metrics: false });
    expect(process.listenerCount('beforeExit')).toBe(before + 1);
    await telemetry.shutdown();
    expect(process.listenerCount('beforeExit')).toBe(before);
    trace.disable();
    telemetry = await startTelemetry({ serviceName: 's', exporter: 'console', consoleStream: new PassThrough(), metrics: false, flushOnExit: false });
    expect(process.listenerCount('beforeExit')).toBe(before);
  });

  it('starts nothing when OTEL_SDK_DISABLED=true or exporter is none', async () => {
    vi.stubEnv('OTEL_SDK_DISABLED', 'true');
    expect((await startTelemetry({ serviceName: 's' })).exporter).toBe('none');
    vi.stubEnv('OTEL_SDK_DISABLED', '');
    expect((await startTelemetry({ serviceName: 's', exporter: 'none' })).exporter).toBe('none');
    expect(propagation.fields()).toEqual([]);
  });

  it.each([
    [undefined, 'startTelemetry: options with a serviceName are required'],
    [{}, 'startTelemetry.serviceName must be a non-empty string, got undefined'],
    [{ serviceName: '' }, 'startTelemetry.serviceName must be a non-empty string, got ""'],
    [{ serviceName: 's', serviceVersion: 1 }, 'startTelemetry.serviceVersion must be a non-empty string, got 1'],
    [{ serviceName: 's', exporter: 'jaeger' }, 'startTelemetry.exporter must be one of "console", "otlp", "none", got "jaeger"'],
    [{ serviceName: 's', consoleStream: 'stdlog' }, 'startTelemetry.consoleStream must be "stdout", "stderr" or a writable stream, got "stdlog"'],
    [{ serviceName: 's', metrics: 'on' }, 'startTelemetry.metrics must be a boolean, got "on"'],
    [{ serviceName: 's', metricExportIntervalMs: -1 }, 'startTelemetry.metricExportIntervalMs must be a positive integer, got -1'],
    [{ serviceName: 's', flushOnExit: 0 }, 'startTelemetry.flushOnExit must be a boolean, got 0'],
  ])('rejects %j', async (options, message) => {
    await expect(startTelemetry(options as never)).rejects.toThrow(message);
  });
});
