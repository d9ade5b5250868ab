// Test support (not published): an MCP server over stdio with tracing() and startTelemetry() at their defaults, run
// as a child process by the tests. Its spans go to stderr as JSON lines; its stdout must carry nothing but protocol.
import { createChain, intercept } from '@mcp-interceptors/core';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { startTelemetry } from '../telemetry.js';
import { tracing } from '../tracing.js';

const telemetry = await startTelemetry({ serviceName: 'stdio-test-server' });
const server = new McpServer({ name: 'stdio-test-server', version: '1.0.0' });
server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
server.server.onclose = () => void telemetry.shutdown();
await server.connect(intercept(new StdioServerTransport(), createChain([tracing()]), { side: 'server' }));
