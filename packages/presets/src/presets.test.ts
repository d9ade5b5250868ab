import { SpanKind } from '@opentelemetry/api';
import { createChain, errorHandling, ErrorCode, logging, Priority, type Interceptor, type LogRecord } from '@mcp-interceptors/core';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectPair, type Pair } from '../../core/src/test-support/pair.js';
import { BUILTINS } from './builtins.js';
import { validateJson } from './json-schema.js';
import { withPriority } from './member-plan.js';
import { development, http, preset, PRESET_NAMES, presetPlan, production, stdio } from './presets.js';
import { createTestTracing } from './test-support/otel.js';

const order = (list: Interceptor[]): string[] => createChain(list).describe().map((e) => `${e.name}:${e.priorityName}`);
let pair: Pair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
  vi.restoreAllMocks();
});

describe('preset members and order (the README tables)', () => {
  it.each([
    ['stdio', 'server', ['error-handling:Critical', 'request-id:Critical', 'validation:Critical', 'timeout:High', 'logging:Low', 'timing:Low', 'metrics:Low']],
    ['stdio', 'client', ['error-handling:Critical', 'request-id:Critical', 'validation:Critical', 'retry:High', 'timeout:High', 'logging:Low', 'timing:Low', 'metrics:Low']],
    [
      'http',
      'server',
      ['error-handling:Critical', 'request-id:Critical', 'payload-limit:Critical', 'validation:Critical', 'rate-limit:High', 'concurrency:High', 'timeout:High', 'logging:Low', 'timing:Low', 'metrics:Low'],
    ],
    ['http', 'client', ['error-handling:Critical', 'request-id:Critical', 'validation:Critical', 'retry:High', 'timeout:High', 'logging:Low', 'timing:Low', 'metrics:Low']],
    ['development', 'server', ['error-handling:Critical', 'request-id:Critical', 'tracing:Critical', 'validation:Critical', 'logging:Low', 'timing:Low', 'metrics:Low']],
    ['development', 'client', ['error-handling:Critical', 'request-id:Critical', 'tracing:Critical', 'validation:Critical', 'logging:Low', 'timing:Low', 'metrics:Low']],
    [
      'production',
      'server',
      [
        'error-handling:Critical',
        'request-id:Critical',
        'tracing:Critical',
        'payload-limit:Critical',
        'validation:Critical',
        'rate-limit:High',
        'circuit-breaker:High',
        'concurrency:High',
        'timeout:High',
        'logging:Low',
        'timing:Low',
        'metrics:Low',
      ],
    ],
    [
      'production',
      'client',
      ['error-handling:Critical', 'request-id:Critical', 'tracing:Critical', 'validation:Critical', 'retry:High', 'circuit-breaker:High', 'timeout:High', 'logging:Low', 'timing:Low', 'metrics:Low'],
    ],
  ] as const)('%s() on the %s side', (name, side, expected) => {
    expect(order(preset(name, { side }))).toEqual(expected);
  });

  it("sets only options a config file could set too (besides sinks), each valid by the member's schema", () => {
    for (const name of PRESET_NAMES) {
      for (const side of ['server', 'client'] as const) {
        for (const member of presetPlan(name, side)) {
          const json = Object.fromEntries(Object.entries(member.options ?? {}).filter(([, value]) => typeof value !== 'function'));
          const schema = BUILTINS.find((b) => b.name === member.name)?.options;
          expect(schema, member.name).toBeDefined();
          expect(validateJson(schema ?? {}, json), `${name}/${side}/${member.name}`).toEqual([]);
        }
      }
    }
  });

  it('defaults to the server side', () => {
    expect(order(production())).toEqual(order(production({ side: 'server' })));
  });
});

describe('preset overrides', () => {
  it("merges a member's options over the preset's defaults", async () => {
    const records: LogRecord[] = [];
    pair = await connectPair({ serverChain: http({ logging: { sink: (r) => void records.push(r) }, timing: false }) });
    await pair.client.callTool({ name: 'echo', arguments: { text: 'x' } });
    // The preset's level (info) still applies: the exchange is logged, without payloads.
    expect(records.find((r) => r.method === 'tools/call')).toMatchObject({ level: 'info', event: 'exchange', outcome: 'ok' });
    expect(records.find((r) => r.method === 'tools/call')?.params).toBeUndefined();

    records.length = 0;
    await pair.close();
    pair = await connectPair({ serverChain: http({ logging: { sink: (r) => void records.push(r), level: 'warn' }, timing: false }) });
    await pair.client.callTool({ name: 'echo', arguments: { text: 'x' } });
    expect(records).toEqual([]);
  });

  it('removes a member given false, and replaces one given an interceptor', () => {
    const mine = logging({ level: 'error' });
    const list = production({ rateLimit: false, circuitBreaker: false, logging: mine });
    expect(order(list)).not.toContain('rate-limit:High');
    expect(order(list)).not.toContain('circuit-breaker:High');
    expect(list).toContain(mine);
  });

  it('adds a member the preset does not have when given its options', async () => {
    pair = await connectPair({ serverChain: development({ rateLimit: { rate: 0.001, burst: 1 }, logging: false }) });
    await pair.client.callTool({ name: 'echo', arguments: { text: '1' } });
    await expect(pair.client.callTool({ name: 'echo', arguments: { text: '2' } })).rejects.toMatchObject({ code: ErrorCode.RateLimited });
    expect(pair.handlerCalls).toEqual(['echo:1']);
  });

  it("rate-limits what peers send, never the server's own requests", async () => {
    pair = await connectPair({ serverChain: production({ rateLimit: { rate: 0.001, burst: 1 }, logging: false, timing: false }) });
    pair.client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [] }));
    await pair.server.server.listRoots();
    await pair.server.server.listRoots();
    await pair.client.callTool({ name: 'echo', arguments: { text: '1' } });
    const refused = await pair.client.callTool({ name: 'echo', arguments: { text: '2' } }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: ErrorCode.RateLimited, data: { reason: 'RATE_LIMITED', interceptor: 'rate-limit' } });
  });

  it('passes member options through the factory, whose validation errors name the option', () => {
    expect(() => production({ rateLimit: { rate: -1 } })).toThrow(RangeError);
    expect(() => production({ rateLimit: { rate: -1 } })).toThrow(/^rateLimit\.rate must be/);
    expect(() => stdio({ timeout: { defaultMs: -5 } })).toThrow(/^timeout\.defaultMs/);
  });

  it.each([
    [{ rateLimt: {} }, 'production: unknown member "rateLimt"; members are requestId, validation, errorHandling, payloadLimit, tracing, rateLimit, accessPolicy'],
    [{ logging: 'loud' }, 'production.logging must be options (an object), false or an interceptor, got "loud"'],
    [{ side: 'both' }, 'production.side must be "server" or "client", got "both"'],
  ])('rejects %j', (options, message) => {
    expect(() => production(options as never)).toThrow(message);
  });

  it('rejects options that are not an object, and an unknown preset name', () => {
    expect(() => production('fast' as never)).toThrow('production: options must be an object, got "fast"');
    expect(() => preset('staging' as never)).toThrow('preset: name must be one of "stdio", "http", "development", "production", got "staging"');
  });
});

describe('stdio()', () => {
  it('never writes to stdout, whatever it logs (payloads, errors, slow requests)', async () => {
    const stdout = vi.spyOn(process.stdout, 'write');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const chain = (side: 'server' | 'client'): Interceptor[] => stdio({ side, logging: { level: 'debug', includePayloads: true }, timing: { slowThresholdMs: 0 } });
    pair = await connectPair({ serverChain: chain('server'), clientChain: chain('client') });
    await pair.client.callTool({ name: 'echo', arguments: { text: 'x' } });
    await pair.client.callTool({ name: 'fail', arguments: {} });
    await pair.client.getPrompt({ name: 'missing' }).catch(() => undefined);
    await pair.close();
    pair = undefined;
    expect(stdout).not.toHaveBeenCalled();
    const lines = stderr.mock.calls.map(([chunk]) => JSON.parse(String(chunk)) as LogRecord);
    expect(lines.some((r) => r.event === 'exchange' && r.method === 'tools/call' && r.params !== undefined)).toBe(true);
    expect(lines.some((r) => r.event === 'slow')).toBe(true);
  });
});

describe('production() end to end', () => {
  it('answers calls, masks internal errors and traces both sides into one trace', async () => {
    const otel = createTestTracing();
    const members = { tracing: { tracerProvider: otel.provider, metrics: false }, logging: false, timing: false } as const;
    pair = await connectPair({ serverChain: production(members), clientChain: production({ side: 'client', ...members }) });
    const result = await pair.client.callTool({ name: 'echo', arguments: { text: 'hello' } });
    expect(result.content).toEqual([{ type: 'text', text: 'hello' }]);
    const failed = await pair.client.callTool({ name: 'fail', arguments: {} });
    // Production masks the tool's own error text; the span still says tool_error.
    expect(JSON.stringify(failed.content)).not.toContain('tool exploded');
    const client = otel.spans().find((s) => s.name === 'tools/call echo' && s.kind === SpanKind.CLIENT);
    const server = otel.spans().find((s) => s.name === 'tools/call echo' && s.kind === SpanKind.SERVER);
    expect(server?.parentSpanContext?.spanId).toBe(client?.spanContext().spanId);
    expect(otel.spans().find((s) => s.name === 'tools/call fail' && s.kind === SpanKind.SERVER)?.attributes['error.type']).toBe('tool_error');
  });
});

describe('withPriority', () => {
  it('moves an interceptor to another band, sharing its hooks and extra methods', () => {
    const original = errorHandling();
    const moved = withPriority(original, Priority.Lowest);
    expect(moved.priority).toBe(Priority.Lowest);
    expect(original.priority).toBe(Priority.Critical);
    expect(moved.onResponse).toBe(original.onResponse);
    expect(moved.stats()).toEqual(original.stats());
    expect(createChain([moved, logging()]).describe().map((e) => e.name)).toEqual(['logging', 'error-handling']);
  });

  it('rejects a priority out of range', () => {
    expect(() => withPriority(logging(), 7 as Priority)).toThrow('withPriority: priority must be a Priority (Critical=0 … Lowest=4), got 7');
  });
});
