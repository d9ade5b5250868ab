import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createChain } from '../chain.js';
import { ErrorCode, InterceptorError } from '../errors.js';
import { Priority, type Interceptor } from '../interceptor.js';
import { connectPair } from '../test-support/pair.js';
import { requestId } from './request-id.js';
import { createManualClock, runNotification, runRequest } from '../testing.js';
import { TRUNCATION_MARKER } from '../sensitive-keys.js';
import { jsonLinesSink, logging, nullSink, stderrSink, type LogRecord, type LoggingOptions } from './logging.js';

const START = 1_700_000_000_000;

function collect(options: Omit<LoggingOptions, 'sink'> = {}): { records: LogRecord[]; interceptor: Interceptor } {
  const records: LogRecord[] = [];
  return { records, interceptor: logging({ ...options, sink: (r) => void records.push(r) }) };
}

const reject = (priority: Priority, code: number, reason: string, data: Record<string, unknown> = {}): Interceptor => ({
  name: 'gate',
  priority,
  onRequest: () => {
    throw new InterceptorError(code, 'Rejected', { reason, ...data });
  },
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('logging: records', () => {
  it('writes one record per finished request with time, duration and outcome from the clock', async () => {
    const clock = createManualClock(START);
    const { records, interceptor } = collect();
    const chain = createChain([interceptor], { clock });
    const { ctx } = await runRequest(chain, 'tools/call', { name: 'search', arguments: { q: 'x' } }, {
      id: 9,
      handler: async () => {
        await clock.advance(25);
        return { content: [] };
      },
    });
    expect(records).toEqual([
      {
        time: new Date(START + 25).toISOString(),
        level: 'info',
        event: 'exchange',
        side: 'server',
        direction: 'inbound',
        kind: 'request',
        method: 'tools/call',
        id: 9,
        requestId: ctx.requestId,
        durationMs: 25,
        outcome: 'ok',
        tool: 'search',
      },
    ]);
  });

  it('uses options.clock over the chain clock', async () => {
    const own = createManualClock(START + 1000);
    const { records, interceptor } = collect({ clock: own });
    await runRequest(createChain([interceptor], { clock: createManualClock(0) }), 'ping');
    expect(records[0]?.time).toBe(new Date(START + 1000).toISOString());
  });

  it('logs error responses at error level with code and reason', async () => {
    const { records, interceptor } = collect();
    await runRequest(createChain([interceptor, reject(Priority.Lowest, ErrorCode.AccessDenied, 'ACCESS_DENIED')]), 'tools/call', { name: 'rm' });
    expect(records).toEqual([expect.objectContaining({ level: 'error', outcome: 'error', errorCode: ErrorCode.AccessDenied, errorReason: 'ACCESS_DENIED', tool: 'rm' })]);
  });

  it('logs a tool result with isError as an error with reason TOOL_ERROR', async () => {
    const { records, interceptor } = collect();
    await runRequest(createChain([interceptor]), 'tools/call', { name: 'fail' }, { handler: () => ({ content: [{ type: 'text', text: 'boom' }], isError: true }) });
    expect(records[0]).toMatchObject({ level: 'error', outcome: 'error', errorReason: 'TOOL_ERROR', tool: 'fail' });
    expect(records[0]).not.toHaveProperty('errorCode');
  });

  it('logs a cancelled request as cancelled, at info', async () => {
    const { records, interceptor } = collect();
    await runRequest(createChain([interceptor, reject(Priority.Lowest, ErrorCode.Cancelled, 'CANCELLED')]), 'tools/call', { name: 'slow' });
    expect(records[0]).toMatchObject({ level: 'info', outcome: 'cancelled', errorCode: ErrorCode.Cancelled });
  });

  it('still logs a request rejected by an interceptor above it (it never saw the request)', async () => {
    const clock = createManualClock(START);
    const { records, interceptor } = collect({ includePayloads: true });
    const chain = createChain([reject(Priority.High, ErrorCode.RateLimited, 'RATE_LIMITED', { retryAfterMs: 100 }), interceptor], { clock });
    const { handled } = await runRequest(chain, 'tools/call', { name: 'x' });
    expect(handled).toHaveLength(0);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: 'error', errorCode: ErrorCode.RateLimited, errorReason: 'RATE_LIMITED', durationMs: 0 });
    expect(JSON.parse(records[0]?.error ?? '')).toEqual({ code: ErrorCode.RateLimited, message: 'Rejected', data: { reason: 'RATE_LIMITED', retryAfterMs: 100, interceptor: 'gate' } });
  });

  it('logs notifications it passes', async () => {
    const { records, interceptor } = collect({ includePayloads: true });
    await runNotification(createChain([interceptor]), 'notifications/progress', { progressToken: 1, progress: 2 });
    expect(records).toEqual([
      expect.objectContaining({ event: 'notification', kind: 'notification', level: 'info', method: 'notifications/progress', outcome: 'ok', params: '{"progressToken":1,"progress":2}' }),
    ]);
    expect(records[0]).not.toHaveProperty('id');
  });

  it('logs a notification that failed above it as an error', async () => {
    const { records, interceptor } = collect();
    const broken: Interceptor = {
      name: 'broken',
      priority: Priority.Critical,
      onNotification: () => {
        throw new Error('hook bug');
      },
    };
    const { kept } = await runNotification(createChain([broken, interceptor]), 'notifications/initialized');
    expect(kept).toBe(false);
    expect(records).toEqual([expect.objectContaining({ kind: 'notification', level: 'error', outcome: 'error' })]);
  });

  it('skips notifications when notifications is false', async () => {
    const { records, interceptor } = collect({ notifications: false });
    await runNotification(createChain([interceptor]), 'notifications/initialized');
    expect(records).toEqual([]);
  });
});

describe('logging: level', () => {
  it('writes only records at or above the level', async () => {
    const { records, interceptor } = collect({ level: 'error' });
    const chain = createChain([interceptor]);
    await runRequest(chain, 'ping');
    await runNotification(chain, 'notifications/initialized');
    await runRequest(chain, 'tools/call', { name: 'f' }, { handler: () => ({ content: [], isError: true }) });
    expect(records.map((r) => [r.level, r.method])).toEqual([['error', 'tools/call']]);
  });

  it('does not hook notifications at all above info', () => {
    expect(logging({ level: 'warn', sink: nullSink }).onNotification).toBeUndefined();
    expect(logging({ level: 'debug', sink: nullSink }).onNotification).toBeTypeOf('function');
  });
});

describe('logging: payloads', () => {
  it('leaves payloads out unless includePayloads', async () => {
    const { records, interceptor } = collect();
    await runRequest(createChain([interceptor]), 'tools/call', { name: 'a', arguments: { q: 1 } }, { handler: () => ({ content: [] }) });
    expect(records[0]).not.toHaveProperty('params');
    expect(records[0]).not.toHaveProperty('result');
  });

  it('includes params and result as redacted JSON', async () => {
    const { records, interceptor } = collect({ includePayloads: true, sensitiveKeys: ['tenant_pin'] });
    await runRequest(createChain([interceptor]), 'tools/call', { name: 'a', arguments: { q: 1, password: 'p', tenantPin: '1234' } }, { handler: () => ({ content: [], token: 't' }) });
    expect(JSON.parse(records[0]?.params ?? '')).toEqual({ name: 'a', arguments: { q: 1, password: '[REDACTED]', tenantPin: '[REDACTED]' } });
    expect(JSON.parse(records[0]?.result ?? '')).toEqual({ content: [], token: '[REDACTED]' });
  });

  it('truncates payloads at maxPayloadLength with a marker', async () => {
    const { records, interceptor } = collect({ includePayloads: true, maxPayloadLength: 40 });
    await runRequest(createChain([interceptor]), 'resources/read', { uri: 'file:///big' }, { handler: () => ({ contents: [{ text: 'z'.repeat(100_000) }] }) });
    expect(records[0]?.result).toHaveLength(40 + TRUNCATION_MARKER.length);
    expect(records[0]?.result?.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(records[0]?.params).toBe('{"uri":"file:///big"}');
  });
});

describe('logging: sinks', () => {
  it('never lets a throwing or rejecting sink break a request', async () => {
    const throwing = createChain([logging({ sink: () => { throw new Error('disk full'); } })]);
    expect((await runRequest(throwing, 'ping')).response).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
    const rejecting = createChain([logging({ sink: () => Promise.reject(new Error('network')) })]);
    expect((await runRequest(rejecting, 'ping')).response).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
  });

  it('writes JSON lines to stderr by default, never to stdout', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write');
    await runRequest(createChain([logging()]), 'ping', undefined, { id: 3 });
    expect(stdout).not.toHaveBeenCalled();
    expect(stderr).toHaveBeenCalledTimes(1);
    const line = String(stderr.mock.calls[0]?.[0]);
    expect(line.endsWith('\n')).toBe(true);
    expect(JSON.parse(line)).toMatchObject({ method: 'ping', id: 3, outcome: 'ok' });
    expect(stderrSink).toBeTypeOf('function');
  });

  it('jsonLinesSink writes one JSON object per line to any stream', () => {
    const chunks: string[] = [];
    const sink = jsonLinesSink({ write: (chunk: string) => chunks.push(chunk) });
    void sink({ time: 't', level: 'info', event: 'notification', side: 'client', direction: 'inbound', kind: 'notification', method: 'm' });
    expect(chunks).toEqual(['{"time":"t","level":"info","event":"notification","side":"client","direction":"inbound","kind":"notification","method":"m"}\n']);
    expect(() => jsonLinesSink({} as never)).toThrow(TypeError);
  });
});

describe('logging: options', () => {
  it('validates its options at construction', () => {
    expect(() => logging({ sink: 'stderr' as never })).toThrow(/logging\.sink must be a function/);
    expect(() => logging({ level: 'verbose' as never })).toThrow(/logging\.level must be one of/);
    expect(() => logging({ includePayloads: 'yes' as never })).toThrow(/logging\.includePayloads must be a boolean/);
    expect(() => logging({ maxPayloadLength: 0 })).toThrow(/logging\.maxPayloadLength must be a positive integer/);
    expect(() => logging({ sensitiveKeys: 'token' as never })).toThrow(/logging\.sensitiveKeys must be an array of strings/);
    expect(() => logging({ notifications: 1 as never })).toThrow(/logging\.notifications must be a boolean/);
    expect(() => logging({ clock: {} as never })).toThrow(/logging\.clock must be a Clock/);
    expect(() => logging('info' as never)).toThrow(/logging: options must be an object/);
  });

  it('is Low priority', () => {
    expect(logging({ sink: nullSink }).priority).toBe(Priority.Low);
  });
});

describe('logging over a real SDK client and server', () => {
  it('never writes a planted secret, from params, _meta, tool arguments, results or error data, on either side', async () => {
    const secrets = ['SECRET-META-AUTH', 'SECRET-ARG-PASSWORD', 'SECRET-ARG-APIKEY', 'SECRET-RESULT-TOKEN', 'SECRET-RESULT-META', 'SECRET-ERROR-DATA', 'SECRET-ERROR-COOKIE'];
    const client = collect({ includePayloads: true, maxPayloadLength: 100_000 });
    const server = collect({ includePayloads: true, maxPayloadLength: 100_000 });
    const vault: Interceptor = {
      name: 'vault',
      priority: Priority.Lowest,
      onRequest: (req) => {
        if (req.params?.['name'] !== 'vault') return;
        throw new InterceptorError(ErrorCode.AccessDenied, 'Denied', { reason: 'ACCESS_DENIED', client_secret: 'SECRET-ERROR-DATA', hints: [{ 'Set-Cookie': 'SECRET-ERROR-COOKIE' }] });
      },
    };
    const pair = await connectPair({
      clientChain: [requestId(), client.interceptor],
      serverChain: [server.interceptor, vault],
      setup: (s) => {
        s.registerTool('login', { inputSchema: { user: z.string(), password: z.string(), apiKey: z.string() } }, async ({ user }) => ({
          content: [{ type: 'text', text: `welcome ${user}` }],
          structuredContent: { user, session: { access_token: 'SECRET-RESULT-TOKEN' } },
          _meta: { 'session-token': 'SECRET-RESULT-META' },
        }));
        s.registerTool('vault', {}, async () => ({ content: [] }));
      },
    });
    try {
      const login = await pair.client.callTool({
        name: 'login',
        arguments: { user: 'ada', password: 'SECRET-ARG-PASSWORD', apiKey: 'SECRET-ARG-APIKEY' },
        _meta: { Authorization: 'Bearer SECRET-META-AUTH' },
      });
      // The secrets really travelled: only the logs are redacted.
      expect(JSON.stringify(login)).toContain('SECRET-RESULT-TOKEN');
      await expect(pair.client.callTool({ name: 'vault', arguments: {} })).rejects.toMatchObject({ code: ErrorCode.AccessDenied });
    } finally {
      await pair.close();
    }
    const all = [...client.records, ...server.records];
    const written = JSON.stringify(all);
    for (const secret of secrets) expect(written, secret).not.toContain(secret);

    // Both sides logged both calls with their payloads, so the check above saw them.
    for (const side of [client.records, server.records]) {
      const calls = side.filter((r) => r.method === 'tools/call');
      expect(calls.map((r) => [r.tool, r.outcome])).toEqual([['login', 'ok'], ['vault', 'error']]);
      expect(JSON.parse(calls[0]?.params ?? '')).toMatchObject({ arguments: { user: 'ada', password: '[REDACTED]', apiKey: '[REDACTED]' }, _meta: { Authorization: '[REDACTED]' } });
      expect(JSON.parse(calls[0]?.result ?? '')).toMatchObject({ structuredContent: { session: { access_token: '[REDACTED]' } }, _meta: { 'session-token': '[REDACTED]' } });
      expect(JSON.parse(calls[1]?.error ?? '')).toMatchObject({ data: { client_secret: '[REDACTED]', hints: [{ 'Set-Cookie': '[REDACTED]' }] } });
    }
    expect(client.records.find((r) => r.tool === 'login')?.requestId).toBe(server.records.find((r) => r.tool === 'login')?.requestId);
  });

  it('links progress notifications to the request they report on', async () => {
    const client = collect();
    const pair = await connectPair({ clientChain: [client.interceptor] });
    try {
      await pair.client.callTool({ name: 'progress', arguments: { steps: 2 } }, undefined, { onprogress: () => {} });
    } finally {
      await pair.close();
    }
    const call = client.records.find((r) => r.method === 'tools/call');
    const progress = client.records.filter((r) => r.method === 'notifications/progress');
    expect(progress).toHaveLength(2);
    expect(progress.every((r) => r.direction === 'inbound' && r.requestId === call?.requestId)).toBe(true);
  });
});
