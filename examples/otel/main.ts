// The client half of the OpenTelemetry example: starts server.ts over stdio and calls a tool inside a span of its
// own, so one trace runs from this process into the server. Run: `pnpm tsx examples/otel/main.ts` (README.md).
import { fileURLToPath } from 'node:url';
import { trace } from '@opentelemetry/api';
import { createChain, intercept } from '@mcp-interceptors/core';
import { production, startTelemetry } from '@mcp-interceptors/presets';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const telemetry = await startTelemetry({ serviceName: 'trip-planner', serviceVersion: '1.0.0' });
const tracer = trace.getTracer('trip-planner');

const transport = new StdioClientTransport({
  command: process.execPath,
  args: ['--import', 'tsx', fileURLToPath(new URL('./server.ts', import.meta.url))],
  // The SDK passes only a minimal environment to the server; OTEL_* must reach it so both export to one place.
  env: Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined)),
  stderr: 'inherit',
});
const client = new Client({ name: 'trip-planner', version: '1.0.0' });
await client.connect(intercept(transport, createChain(production({ side: 'client', logging: { level: 'warn' } })), { side: 'client' }));

await tracer.startActiveSpan('plan-trip', async (span) => {
  // The CLIENT span of this call is a child of plan-trip; its context travels in params._meta.traceparent.
  const result = await client.callTool({ name: 'forecast', arguments: { city: 'Lisbon' } });
  const text = (result.content as Array<{ text?: string }>)[0]?.text;
  console.log(`forecast: ${text}`);
  console.log(`trace id: ${span.spanContext().traceId}`);
  span.end();
});

await client.close();
await telemetry.shutdown();
