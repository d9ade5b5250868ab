// The server half of the OpenTelemetry example: an MCP server on stdio whose spans continue the client's trace.
// Run through main.ts (it starts this file as a child process); see README.md.
import { trace } from '@opentelemetry/api';
import { createChain, intercept } from '@mcp-interceptors/core';
import { production, startTelemetry } from '@mcp-interceptors/presets';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

// First, so the global tracer provider, context manager and propagators exist before any span. With no
// OTEL_EXPORTER_OTLP_ENDPOINT, spans are JSON lines on stderr: stdout carries the protocol.
const telemetry = await startTelemetry({ serviceName: 'weather-server', serviceVersion: '1.0.0' });
const tracer = trace.getTracer('weather-server');

const server = new McpServer({ name: 'weather-server', version: '1.0.0' });
server.registerTool('forecast', { description: 'Weather forecast for a city', inputSchema: { city: z.string() } }, async ({ city }) =>
  // tracing() made the SERVER span active, so this span is its child in the client's trace.
  tracer.startActiveSpan('lookup-forecast', async (span) => {
    span.setAttribute('weather.city', city);
    await new Promise((resolve) => setTimeout(resolve, 20));
    span.end();
    return { content: [{ type: 'text' as const, text: `${city}: sunny, 21°C` }] };
  }),
);

// When the client closes stdin the event loop empties and startTelemetry flushes by itself; a signal needs us.
process.on('SIGTERM', () => void telemetry.shutdown().finally(() => process.exit(0)));

// production() includes tracing(); its logs go to stderr like everything else here (warnings only, to keep it short).
const chain = createChain(production({ side: 'server', logging: { level: 'warn' } }));
await server.connect(intercept(new StdioServerTransport(), chain, { side: 'server' }));
