import type { LogRecord } from '@mcp-interceptors/core';
import type { HttpLogRecord } from '@mcp-interceptors/http';
import { describe, expect, it } from 'vitest';
import { run } from './main.js';
import { TOKENS } from './server.js';

describe('examples/http-server', () => {
  it('runs: auth reaches the JSON-RPC access policy, and nothing secret is logged', async () => {
    const httpLog: HttpLogRecord[] = [];
    const jsonRpcLog: LogRecord[] = [];
    const clientLog: HttpLogRecord[] = [];
    const printed: string[] = [];
    const result = await run({ sinks: { http: (r) => void httpLog.push(r), jsonRpc: (r) => void jsonRpcLog.push(r) }, clientLog: (r) => void clientLog.push(r), print: (line) => void printed.push(line) });
    expect(result.tools).toEqual(['echo']);
    expect(result.echo).toBe('hello over HTTP (from alice)');
    expect(result.adminDenied).toMatch(/admin_reset/);
    expect(result.noTokenStatus).toBe(401);
    expect(result.health).toEqual({ status: 'ok' });
    expect(printed[0]).toMatch(/^MCP endpoint on http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(httpLog.some((r) => r.status === 401)).toBe(true);
    expect(jsonRpcLog.some((r) => (r as { method?: string }).method === 'tools/call')).toBe(true);
    expect(clientLog.length).toBeGreaterThan(0);
    const everything = JSON.stringify([httpLog, jsonRpcLog, clientLog]);
    expect(everything).not.toContain(TOKENS.alice);
  });
});
