import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type TextMapPropagator } from '@opentelemetry/api';
import { circuitBreaker, concurrency, ErrorCode, InterceptorError, Priority, rateLimit, requestId, retry, type Interceptor } from '@mcp-interceptors/core';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectPair, type Pair } from '../../core/src/test-support/pair.js';
import { createTestMetrics, createTestTracing, registerGlobals } from './test-support/otel.js';
import { SpanKey, tracing } from './tracing.js';

const PROTOCOL = '2025-11-25';
const otel = createTestTracing();
let undo: () => void;
let pair: Pair | undefined;

beforeAll(() => {
  undo = registerGlobals();
});
afterAll(() => undo());
afterEach(async () => {
  await pair?.close();
  pair = undefined;
  otel.exporter.reset();
});

const traced = (options: Parameters<typeof tracing>[0] = {}): Interceptor => tracing({ tracerProvider: otel.provider, metrics: false, ...options });

/** A server-side interceptor behind tracing that answers tools/call with the given error. */
const rejecting = (code: number, data: { reason: string; [key: string]: unknown }): Interceptor => ({
  name: 'rejecter',
  priority: Priority.High,
  onRequest: (req) => {
    if (req.method === 'tools/call') throw new InterceptorError(code, 'Rejected', data);
  },
});

describe('tracing spans', () => {
  it('records a CLIENT and a SERVER span for tools/call with the MCP attribute set, parent and child in one trace', async () => {
    pair = await connectPair({ clientChain: [requestId(), traced()], serverChain: [traced()] });
    await pair.client.callTool({ name: 'echo', arguments: { text: 'hi' } });

    const client = otel.span('tools/call echo', SpanKind.CLIENT);
    const server = otel.span('tools/call echo', SpanKind.SERVER);
    const expected = {
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'echo',
      'gen_ai.operation.name': 'execute_tool',
      'mcp.protocol.version': PROTOCOL,
      'jsonrpc.request.id': '1',
      'mcpi.request.id': expect.stringMatching(/^[0-9a-f-]{36}$/),
    };
    expect(client.attributes).toEqual(expected);
    expect(server.attributes).toEqual(expected);
    // Both sides joined the same correlation id.
    expect(server.attributes['mcpi.request.id']).toBe(client.attributes['mcpi.request.id']);
    expect(client.status.code).toBe(SpanStatusCode.UNSET);
    expect(server.spanContext().traceId).toBe(client.spanContext().traceId);
    expect(server.parentSpanContext).toMatchObject({ spanId: client.spanContext().spanId, isRemote: true });
    expect(server.links).toEqual([]);
  });

  it('puts traceparent into params._meta on the wire', async () => {
    pair = await connectPair({ clientChain: [traced()] });
    await pair.client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    const call = pair.wire.serverReceived.find((m) => 'method' in m && m.method === 'tools/call') as { params: { _meta: Record<string, unknown> } };
    const client = otel.span('tools/call echo', SpanKind.CLIENT);
    expect(call.params._meta['traceparent']).toBe(`00-${client.spanContext().traceId}-${client.spanContext().spanId}-01`);
  });

  it('marks a tools/call whose result has isError with error.type tool_error and status ERROR', async () => {
    pair = await connectPair({ clientChain: [traced()], serverChain: [traced()] });
    const result = await pair.client.callTool({ name: 'fail', arguments: {} });
    expect(result.isError).toBe(true);
    for (const kind of [SpanKind.CLIENT, SpanKind.SERVER]) {
      const span = otel.span('tools/call fail', kind);
      expect(span.attributes).toEqual({
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'fail',
        'gen_ai.operation.name': 'execute_tool',
        'mcp.protocol.version': PROTOCOL,
        'jsonrpc.request.id': '1',
        'mcpi.request.id': expect.any(String),
        'error.type': 'tool_error',
      });
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR });
    }
  });

  it('marks a -32602 error response with error.type, rpc.response.status_code and the message as status', async () => {
    pair = await connectPair({ clientChain: [traced()], serverChain: [traced(), rejecting(ErrorCode.InvalidParams, { reason: 'INVALID_PARAMS' })] });
    await expect(pair.client.callTool({ name: 'echo', arguments: { text: 'hi' } })).rejects.toMatchObject({ code: -32602 });
    for (const kind of [SpanKind.CLIENT, SpanKind.SERVER]) {
      const span = otel.span('tools/call echo', kind);
      expect(span.attributes).toEqual({
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'echo',
        'gen_ai.operation.name': 'execute_tool',
        'mcp.protocol.version': PROTOCOL,
        'jsonrpc.request.id': '1',
        'mcpi.request.id': expect.any(String),
        'error.type': '-32602',
        'rpc.response.status_code': '-32602',
      });
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'Rejected' });
    }
    expect(pair.handlerCalls).toEqual([]);
  });

  it.each([
    ['cancelled by the caller', 'cancelled', (call: Promise<unknown>, abort: AbortController) => (abort.abort('stop'), call)],
    ['cut off by a closed connection', 'connection_closed', (call: Promise<unknown>) => (void pair?.clientTransport.close(), call)],
  ])('a request %s has error.type %s and no rpc.response.status_code (no response came)', async (_label, errorType, stop) => {
    pair = await connectPair({ clientChain: [traced()] });
    const abort = new AbortController();
    const call = pair.client.callTool({ name: 'slow', arguments: { ms: 5_000 } }, undefined, { signal: abort.signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(stop(call, abort)).rejects.toThrow();
    const span = otel.span('tools/call slow', SpanKind.CLIENT);
    expect(span.attributes['error.type']).toBe(errorType);
    expect(span.attributes).not.toHaveProperty('rpc.response.status_code');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('keeps the status code of a -32000 CONNECTION_CLOSED that came as a response (a proxy whose upstream closed)', async () => {
    pair = await connectPair({ clientChain: [traced()], serverChain: [rejecting(ErrorCode.ConnectionClosed, { reason: 'CONNECTION_CLOSED' })] });
    await expect(pair.client.callTool({ name: 'echo', arguments: { text: 'hi' } })).rejects.toThrow();
    const span = otel.span('tools/call echo', SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({ 'error.type': '-32000', 'rpc.response.status_code': '-32000' });
  });

  it('traces a notification on both sides, without a request id, the receiver a child of the sender', async () => {
    pair = await connectPair({ clientChain: [traced()], serverChain: [traced()], clientCapabilities: { roots: { listChanged: true } } });
    await pair.client.sendRootsListChanged();
    await new Promise((resolve) => setImmediate(resolve));
    const client = otel.span('notifications/roots/list_changed', SpanKind.CLIENT);
    const server = otel.span('notifications/roots/list_changed', SpanKind.SERVER);
    const expected = { 'mcp.method.name': 'notifications/roots/list_changed', 'mcp.protocol.version': PROTOCOL };
    expect(client.attributes).toEqual(expected);
    expect(server.attributes).toEqual(expected);
    expect(server.parentSpanContext?.spanId).toBe(client.spanContext().spanId);
    expect(server.spanContext().traceId).toBe(client.spanContext().traceId);
  });

  it('names resources/read by method only and records mcp.resource.uri on the span', async () => {
    const setup = (server: Pair['server']): void => {
      server.registerResource('readme', 'file:///readme.md', {}, async (uri) => ({ contents: [{ uri: uri.href, text: 'hello' }] }));
    };
    pair = await connectPair({ clientChain: [traced()], serverChain: [traced()], setup });
    await pair.client.readResource({ uri: 'file:///readme.md' });
    for (const kind of [SpanKind.CLIENT, SpanKind.SERVER]) {
      expect(otel.span('resources/read', kind).attributes).toEqual({
        'mcp.method.name': 'resources/read',
        'mcp.resource.uri': 'file:///readme.md',
        'mcp.protocol.version': PROTOCOL,
        'jsonrpc.request.id': '1',
        'mcpi.request.id': expect.any(String),
      });
    }
  });

  it('uses the resource URI as the span target when resourceUriAsTarget is set', async () => {
    const setup = (server: Pair['server']): void => {
      server.registerResource('readme', 'file:///readme.md', {}, async (uri) => ({ contents: [{ uri: uri.href, text: 'hello' }] }));
    };
    pair = await connectPair({ clientChain: [traced({ resourceUriAsTarget: true })], setup });
    await pair.client.readResource({ uri: 'file:///readme.md' });
    expect(otel.span('resources/read file:///readme.md', SpanKind.CLIENT).attributes['mcp.resource.uri']).toBe('file:///readme.md');
  });

  it('names prompts/get after the prompt', async () => {
    const setup = (server: Pair['server']): void => {
      server.registerPrompt('greet', {}, () => ({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }] }));
    };
    pair = await connectPair({ clientChain: [traced()], setup });
    await pair.client.getPrompt({ name: 'greet' });
    expect(otel.span('prompts/get greet', SpanKind.CLIENT).attributes).toMatchObject({ 'mcp.method.name': 'prompts/get', 'gen_ai.prompt.name': 'greet' });
  });

  it('records the negotiated protocol version on the initialize span', async () => {
    pair = await connectPair({ clientChain: [traced()], serverChain: [traced()] });
    expect(otel.span('initialize', SpanKind.CLIENT).attributes).toEqual({
      'mcp.method.name': 'initialize',
      'mcp.protocol.version': PROTOCOL,
      'jsonrpc.request.id': '0',
      'mcpi.request.id': expect.any(String),
    });
    expect(otel.span('initialize', SpanKind.SERVER).attributes['mcp.protocol.version']).toBe(PROTOCOL);
  });

  it('makes the client span a child of the caller\'s active span', async () => {
    pair = await connectPair({ clientChain: [traced()] });
    const app = otel.provider.getTracer('app').startSpan('app-operation');
    await context.with(trace.setSpan(context.active(), app), () => pair!.client.callTool({ name: 'echo', arguments: { text: 'x' } }));
    app.end();
    const client = otel.span('tools/call echo', SpanKind.CLIENT);
    expect(client.parentSpanContext?.spanId).toBe(app.spanContext().spanId);
    expect(client.spanContext().traceId).toBe(app.spanContext().traceId);
  });

  it('makes the server span active while the tool handler runs', async () => {
    let seen: string | undefined;
    const setup = (server: Pair['server']): void => {
      server.registerTool('whoami', {}, async () => {
        seen = trace.getActiveSpan()?.spanContext().spanId;
        return { content: [] };
      });
    };
    pair = await connectPair({ serverChain: [traced()], setup });
    await pair.client.callTool({ name: 'whoami', arguments: {} });
    expect(seen).toBe(otel.span('tools/call whoami', SpanKind.SERVER).spanContext().spanId);
  });

  it('parents the server span on the _meta context and links a different ambient span', async () => {
    pair = await connectPair({ serverChain: [traced()] });
    const remote = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true };
    const app = otel.provider.getTracer('app').startSpan('ambient');
    const meta: Record<string, unknown> = {};
    propagation.inject(trace.setSpanContext(ROOT_CONTEXT, remote), meta);
    await context.with(trace.setSpan(ROOT_CONTEXT, app), () =>
      pair!.client.request({ method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' }, _meta: meta } }, CallToolResultSchema),
    );
    app.end();
    const server = otel.span('tools/call echo', SpanKind.SERVER);
    expect(server.spanContext().traceId).toBe(remote.traceId);
    expect(server.parentSpanContext).toMatchObject({ spanId: remote.spanId, isRemote: true });
    expect(server.links.map((link) => link.context.spanId)).toEqual([app.spanContext().spanId]);
  });

  it('ignores malformed trace context in _meta and starts a new trace', async () => {
    pair = await connectPair({ serverChain: [traced()] });
    for (const traceparent of [42, 'garbage', '00-00000000000000000000000000000000-b7ad6b7169203331-01', { nested: true }]) {
      await context.with(ROOT_CONTEXT, () =>
        pair!.client.request({ method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' }, _meta: { traceparent } } }, CallToolResultSchema),
      );
    }
    const servers = otel.spans().filter((s) => s.name === 'tools/call echo');
    expect(servers).toHaveLength(4);
    for (const span of servers) expect(span.parentSpanContext).toBeUndefined();
    expect(new Set(servers.map((s) => s.spanContext().traceId)).size).toBe(4);
  });

  it('carries baggage to the server', async () => {
    let member: string | undefined;
    const setup = (server: Pair['server']): void => {
      server.registerTool('bag', {}, async () => {
        member = propagation.getBaggage(context.active())?.getEntry('tenant')?.value;
        return { content: [] };
      });
    };
    pair = await connectPair({ clientChain: [traced()], serverChain: [traced()], setup });
    const withBaggage = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ tenant: { value: 'acme corp' } }));
    await context.with(withBaggage, () => pair!.client.callTool({ name: 'bag', arguments: {} }));
    const call = pair.wire.serverReceived.find((m) => 'method' in m && m.method === 'tools/call') as { params: { _meta: Record<string, unknown> } };
    expect(call.params._meta['baggage']).toBe('tenant=acme%20corp');
    expect(member).toBe('acme corp');
  });

  it('leaves payloads off the span by default and records them when recordPayloads is set', async () => {
    pair = await connectPair({ clientChain: [traced()], serverChain: [traced({ recordPayloads: true, maxPayloadLength: 40 })] });
    await pair.client.callTool({ name: 'echo', arguments: { text: 'secret' } });
    const client = otel.span('tools/call echo', SpanKind.CLIENT);
    expect(Object.keys(client.attributes).filter((key) => key.startsWith('gen_ai.tool.call'))).toEqual([]);
    const server = otel.span('tools/call echo', SpanKind.SERVER);
    expect(server.attributes['gen_ai.tool.call.arguments']).toBe('{"text":"secret"}');
    expect(server.attributes['gen_ai.tool.call.result']).toBe('{"content":[{"type":"text","text":"secr…');
    expect((server.attributes['gen_ai.tool.call.result'] as string).length).toBe(40);
  });

  it('keeps the cause of a crashing hook on the span while the wire says Internal error', async () => {
    const crash: Interceptor = {
      name: 'crasher',
      onRequest: (req) => {
        if (req.method === 'tools/call') throw new Error('database on fire');
      },
    };
    pair = await connectPair({ serverChain: [traced(), crash] });
    await expect(pair.client.callTool({ name: 'echo', arguments: { text: 'x' } })).rejects.toMatchObject({ code: ErrorCode.InternalError, message: expect.not.stringContaining('fire') });
    const server = otel.span('tools/call echo', SpanKind.SERVER);
    expect(server.attributes['error.type']).toBe('-32603');
    expect(server.events.map((e) => [e.name, e.attributes?.['exception.message']])).toEqual([['exception', 'database on fire']]);
  });

  it('exposes the span to other interceptors under SpanKey', async () => {
    const seen: string[] = [];
    const reader: Interceptor = { name: 'reader', priority: Priority.Low, onRequest: (_req, ctx) => void seen.push(ctx.metadata.get(SpanKey)?.spanContext().spanId ?? 'none') };
    pair = await connectPair({ clientChain: [traced(), reader] });
    await pair.client.callTool({ name: 'echo', arguments: { text: 'x' } });
    expect(seen.at(-1)).toBe(otel.span('tools/call echo', SpanKind.CLIENT).spanContext().spanId);
  });

  it('leaves the context alone when activateContext is false (no around hook)', async () => {
    let seen: string | undefined;
    const setup = (server: Pair['server']): void => {
      server.registerTool('whoami', {}, async () => {
        seen = trace.getActiveSpan()?.spanContext().spanId;
        return { content: [] };
      });
    };
    const interceptor = traced({ activateContext: false });
    expect(interceptor.around).toBeUndefined();
    pair = await connectPair({ serverChain: [interceptor], setup });
    await context.with(ROOT_CONTEXT, () => pair!.client.callTool({ name: 'whoami', arguments: {} }));
    expect(seen).toBeUndefined();
    expect(otel.span('tools/call whoami', SpanKind.SERVER).attributes['mcp.method.name']).toBe('tools/call');
  });

  it('reads mcp.protocol.version per request from _meta (MCP 2026-07-28) ahead of the negotiated one', async () => {
    pair = await connectPair({ serverChain: [traced()] });
    const _meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' };
    await pair.client.request({ method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' }, _meta } }, CallToolResultSchema);
    expect(otel.span('tools/call echo', SpanKind.SERVER).attributes['mcp.protocol.version']).toBe('2026-07-28');
  });

  it('skips notification spans when notifications is false', async () => {
    pair = await connectPair({ clientChain: [traced({ notifications: false })], clientCapabilities: { roots: { listChanged: true } } });
    await pair.client.sendRootsListChanged();
    expect(otel.spans().map((s) => s.name)).toEqual(['initialize']);
  });
});

describe('tracing resilience events', () => {
  it.each([
    ['RATE_LIMITED', ErrorCode.RateLimited, 'mcpi.rate_limited', { 'mcpi.interceptor': 'rejecter', 'mcpi.retry_after_ms': 250 }],
    ['CIRCUIT_OPEN', ErrorCode.CircuitOpen, 'mcpi.circuit.rejected', { 'mcpi.interceptor': 'rejecter', 'mcpi.retry_after_ms': 250 }],
    ['CONCURRENCY_LIMITED', ErrorCode.ConcurrencyLimited, 'mcpi.bulkhead.rejected', { 'mcpi.interceptor': 'rejecter' }],
    ['TIMEOUT', ErrorCode.Timeout, 'mcpi.timeout', { 'mcpi.interceptor': 'rejecter' }],
  ])('adds an event for %s with error.type set to the code', async (reason, code, event, attributes) => {
    const data = reason === 'RATE_LIMITED' || reason === 'CIRCUIT_OPEN' ? { reason, retryAfterMs: 250 } : { reason };
    pair = await connectPair({ serverChain: [traced(), rejecting(code, data)] });
    await expect(pair.client.callTool({ name: 'echo', arguments: { text: 'x' } })).rejects.toMatchObject({ code });
    const server = otel.span('tools/call echo', SpanKind.SERVER);
    expect(server.attributes['error.type']).toBe(String(code));
    expect(server.events.map((e) => ({ name: e.name, attributes: e.attributes }))).toEqual([{ name: event, attributes }]);
  });
});

describe('tracing resilience events from the built-ins', () => {
  const eventsOf = (name: string) =>
    otel
      .spans()
      .filter((s) => s.name === name && s.kind === SpanKind.SERVER)
      .map((s) => s.events.map((e) => ({ name: e.name, attributes: e.attributes })));

  it('rate-limit', async () => {
    pair = await connectPair({ serverChain: [traced(), rateLimit({ rate: 0.001, burst: 1 })] });
    await pair.client.callTool({ name: 'echo', arguments: { text: '1' } });
    await expect(pair.client.callTool({ name: 'echo', arguments: { text: '2' } })).rejects.toMatchObject({ code: ErrorCode.RateLimited });
    expect(eventsOf('tools/call echo')).toEqual([[], [{ name: 'mcpi.rate_limited', attributes: { 'mcpi.interceptor': 'rate-limit', 'mcpi.retry_after_ms': expect.any(Number) } }]]);
  });

  it('circuit-breaker', async () => {
    pair = await connectPair({ serverChain: [traced(), circuitBreaker({ failureThreshold: 1, countToolErrors: true })] });
    await pair.client.callTool({ name: 'fail', arguments: {} });
    await expect(pair.client.callTool({ name: 'fail', arguments: {} })).rejects.toMatchObject({ code: ErrorCode.CircuitOpen });
    expect(eventsOf('tools/call fail')).toEqual([[], [{ name: 'mcpi.circuit.rejected', attributes: { 'mcpi.interceptor': 'circuit-breaker', 'mcpi.retry_after_ms': expect.any(Number) } }]]);
  });

  it('concurrency', async () => {
    pair = await connectPair({ serverChain: [traced(), concurrency({ maxConcurrent: 1, maxQueue: 0 })] });
    const first = pair.client.callTool({ name: 'slow', arguments: { ms: 50 } });
    await expect(pair.client.callTool({ name: 'slow', arguments: { ms: 1 } })).rejects.toMatchObject({ code: ErrorCode.ConcurrencyLimited });
    await first;
    expect(eventsOf('tools/call slow').flat()).toEqual([{ name: 'mcpi.bulkhead.rejected', attributes: { 'mcpi.interceptor': 'concurrency' } }]);
  });
});

describe('tracing and retry', () => {
  const flaky = (failures: number): Interceptor => {
    let left = failures;
    return {
      name: 'flaky',
      onRequest: (req) => {
        if (req.method === 'tools/list' && left-- > 0) throw new InterceptorError(ErrorCode.RateLimited, 'Slow down', { reason: 'RATE_LIMITED', retryAfterMs: 1 });
      },
    };
  };

  it('records one CLIENT span with an mcpi.retry event, and a SERVER span per attempt under it', async () => {
    pair = await connectPair({ clientChain: [traced(), retry({ baseDelayMs: 0, maxDelayMs: 5 })], serverChain: [traced(), flaky(1)] });
    await pair.client.listTools();
    const client = otel.span('tools/list', SpanKind.CLIENT);
    expect(client.status.code).toBe(SpanStatusCode.UNSET);
    expect(client.events.map((e) => ({ name: e.name, attributes: e.attributes }))).toEqual([{ name: 'mcpi.retry', attributes: { 'mcpi.retry.attempts': 2 } }]);
    const servers = otel.spans().filter((s) => s.name === 'tools/list' && s.kind === SpanKind.SERVER);
    expect(servers.map((s) => s.attributes['error.type'] ?? 'ok')).toEqual(['-31001', 'ok']);
    for (const server of servers) expect(server.parentSpanContext?.spanId).toBe(client.spanContext().spanId);
  });

  it('says when retry gave up', async () => {
    pair = await connectPair({ clientChain: [traced(), retry({ maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 5 })], serverChain: [flaky(5)] });
    await expect(pair.client.listTools()).rejects.toMatchObject({ code: ErrorCode.RateLimited });
    const client = otel.span('tools/list', SpanKind.CLIENT);
    expect(client.events.map((e) => ({ name: e.name, attributes: e.attributes }))).toEqual([
      { name: 'mcpi.rate_limited', attributes: { 'mcpi.interceptor': 'flaky', 'mcpi.retry_after_ms': 1 } },
      { name: 'mcpi.retry', attributes: { 'mcpi.retry.attempts': 2, 'mcpi.retry.gave_up': 'MAX_ATTEMPTS' } },
    ]);
  });
});

describe('tracing without a registered propagator', () => {
  it('still carries the trace across with the built-in W3C propagator', async () => {
    propagation.disable();
    try {
      pair = await connectPair({ clientChain: [traced()], serverChain: [traced()] });
      await pair.client.callTool({ name: 'echo', arguments: { text: 'hi' } });
      const client = otel.span('tools/call echo', SpanKind.CLIENT);
      expect(otel.span('tools/call echo', SpanKind.SERVER).parentSpanContext?.spanId).toBe(client.spanContext().spanId);
    } finally {
      undo();
      undo = registerGlobals();
    }
  });

  it('replaces a tracestate the caller left in _meta (it belongs to another trace) and leaves its object alone', async () => {
    pair = await connectPair({ clientChain: [traced()] });
    const meta = { traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`, tracestate: 'oldvendor=stale' };
    await pair.client.callTool({ name: 'echo', arguments: { text: 'hi' }, _meta: meta });
    const call = pair.wire.serverReceived.find((m) => 'method' in m && m.method === 'tools/call') as { params: { _meta: Record<string, unknown> } };
    const client = otel.span('tools/call echo', SpanKind.CLIENT);
    expect(call.params._meta['traceparent']).toBe(`00-${client.spanContext().traceId}-${client.spanContext().spanId}-01`);
    expect(call.params._meta).not.toHaveProperty('tracestate');
    expect(meta).toEqual({ traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`, tracestate: 'oldvendor=stale' });
  });

  it("leaves the caller's trace keys alone when the propagator writes no traceparent of its own", async () => {
    const custom: TextMapPropagator = { inject: (_ctx, carrier, setter) => setter.set(carrier, 'x-custom', 'yes'), extract: (ctx) => ctx, fields: () => ['x-custom'] };
    pair = await connectPair({ clientChain: [traced({ propagator: custom })] });
    const meta = { traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`, tracestate: 'vendor=kept' };
    await pair.client.callTool({ name: 'echo', arguments: { text: 'hi' }, _meta: meta });
    const call = pair.wire.serverReceived.find((m) => 'method' in m && m.method === 'tools/call') as { params: { _meta: Record<string, unknown> } };
    expect(call.params._meta).toMatchObject({ ...meta, 'x-custom': 'yes' });
  });

  it('a propagator that throws leaves the frame as the caller made it and still ends the span', async () => {
    const throwing: TextMapPropagator = {
      inject: (_ctx, carrier, setter) => {
        setter.set(carrier, 'traceparent', 'half-written');
        throw new Error('inject broke');
      },
      extract: (ctx) => ctx,
      fields: () => [],
    };
    pair = await connectPair({ clientChain: [traced({ propagator: throwing })] });
    const meta = { tracestate: 'vendor=kept' };
    await pair.client.callTool({ name: 'echo', arguments: { text: 'with meta' }, _meta: meta });
    await pair.client.callTool({ name: 'echo', arguments: { text: 'without' } });
    const calls = pair.wire.serverReceived.filter((m) => 'method' in m && m.method === 'tools/call') as Array<{ params: Record<string, unknown> }>;
    expect(calls[0]?.params['_meta']).toEqual(meta);
    expect(calls[1]?.params).not.toHaveProperty('_meta');
    // The spans started before inject failed were ended, not left open.
    expect(otel.exporter.getFinishedSpans().filter((span) => span.name === 'tools/call echo')).toHaveLength(2);
  });

  it('a propagator or tracer that throws costs the spans, never the traffic', async () => {
    const throwing: TextMapPropagator = {
      inject: () => {
        throw new Error('inject broke');
      },
      extract: () => {
        throw new Error('extract broke');
      },
      fields: () => [],
    };
    const brokenTracer = { getTracer: () => ({ startSpan: () => { throw new Error('startSpan broke'); }, startActiveSpan: () => undefined }) } as never;
    pair = await connectPair({ clientChain: [traced({ propagator: throwing })], serverChain: [traced({ tracerProvider: brokenTracer })], clientCapabilities: { roots: { listChanged: true } } });
    const result = await pair.client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    expect(result.content).toEqual([{ type: 'text', text: 'hi' }]);
    await pair.client.sendRootsListChanged();
    await new Promise((resolve) => setImmediate(resolve));
    expect(pair.wire.serverReceived.some((m) => 'method' in m && m.method === 'notifications/roots/list_changed')).toBe(true);
    expect(otel.exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER)).toEqual([]);
  });
  it('uses the propagator given in options', async () => {
    const fields: string[] = [];
    const custom: TextMapPropagator = {
      inject: (_ctx, carrier, setter) => setter.set(carrier, 'x-custom', 'yes'),
      extract: (ctx, carrier, getter) => (fields.push(String(getter.get(carrier, 'x-custom'))), ctx),
      fields: () => ['x-custom'],
    };
    pair = await connectPair({ clientChain: [traced({ propagator: custom })], serverChain: [traced({ propagator: custom })] });
    await pair.client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    const call = pair.wire.serverReceived.find((m) => 'method' in m && m.method === 'tools/call') as { params: { _meta: Record<string, unknown> } };
    expect(call.params._meta['x-custom']).toBe('yes');
    expect(call.params._meta['traceparent']).toBeUndefined();
    expect(fields).toContain('yes');
  });
});

describe('tracing metrics', () => {
  it('records mcp.client/server.operation.duration in seconds with the semconv buckets and no ids', async () => {
    const metrics = createTestMetrics();
    const withMetrics = (): Interceptor => tracing({ tracerProvider: otel.provider, meterProvider: metrics.provider });
    pair = await connectPair({ clientChain: [withMetrics()], serverChain: [withMetrics(), rejecting(ErrorCode.RateLimited, { reason: 'RATE_LIMITED' })] });
    await expect(pair.client.callTool({ name: 'echo', arguments: { text: 'x' } })).rejects.toMatchObject({ code: ErrorCode.RateLimited });
    await pair.client.listTools();
    const points = await metrics.histograms();
    const buckets = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];
    expect(points.map((p) => ({ ...p, sum: undefined }))).toEqual(
      expect.arrayContaining([
        { name: 'mcp.client.operation.duration', unit: 's', boundaries: buckets, count: 1, sum: undefined, attributes: { 'mcp.method.name': 'tools/list', 'mcp.protocol.version': PROTOCOL } },
        {
          name: 'mcp.client.operation.duration',
          unit: 's',
          boundaries: buckets,
          count: 1,
          sum: undefined,
          attributes: {
            'mcp.method.name': 'tools/call',
            'gen_ai.tool.name': 'echo',
            'gen_ai.operation.name': 'execute_tool',
            'mcp.protocol.version': PROTOCOL,
            'error.type': '-31001',
            'rpc.response.status_code': '-31001',
          },
        },
        { name: 'mcp.server.operation.duration', unit: 's', boundaries: buckets, count: 1, sum: undefined, attributes: { 'mcp.method.name': 'tools/list', 'mcp.protocol.version': PROTOCOL } },
      ]),
    );
    // initialize, tools/call and tools/list on each side; notifications are not operations with a duration here.
    expect(points.filter((p) => p.name === 'mcp.client.operation.duration')).toHaveLength(3);
    expect(points.filter((p) => p.name === 'mcp.server.operation.duration')).toHaveLength(3);
    for (const point of points) expect(point.sum).toBeLessThan(5);
  });

  it('records nothing when metrics is false', async () => {
    const metrics = createTestMetrics();
    pair = await connectPair({ clientChain: [tracing({ tracerProvider: otel.provider, meterProvider: metrics.provider, metrics: false })] });
    await pair.client.listTools();
    expect(await metrics.histograms()).toEqual([]);
  });
});

describe('tracing options', () => {
  it.each([
    [{ tracerProvider: {} }, TypeError, 'tracing.tracerProvider must be an object with getTracer(), got an object'],
    [{ meterProvider: 'x' }, TypeError, 'tracing.meterProvider must be an object with getMeter(), got "x"'],
    [{ propagator: { inject: () => {} } }, TypeError, 'tracing.propagator must be an object with inject() and extract(), got an object'],
    [{ metrics: 'yes' }, TypeError, 'tracing.metrics must be a boolean, got "yes"'],
    [{ notifications: 1 }, TypeError, 'tracing.notifications must be a boolean, got 1'],
    [{ recordPayloads: 'true' }, TypeError, 'tracing.recordPayloads must be a boolean, got "true"'],
    [{ maxPayloadLength: 0 }, RangeError, 'tracing.maxPayloadLength must be a positive integer, got 0'],
    [{ resourceUriAsTarget: null }, TypeError, 'tracing.resourceUriAsTarget must be a boolean, got null'],
    [{ activateContext: 'no' }, TypeError, 'tracing.activateContext must be a boolean, got "no"'],
    [{ priority: 9 }, RangeError, 'tracing.priority must be a Priority (Critical=0 … Lowest=4), got 9'],
  ])('rejects %j', (options, type, message) => {
    expect(() => tracing(options as never)).toThrow(type);
    expect(() => tracing(options as never)).toThrow(message);
  });

  it('rejects options that are not an object', () => {
    expect(() => tracing([] as never)).toThrow('tracing: options must be an object, got an array');
  });

  it('is outermost by default and reports itself in describe()', () => {
    const interceptor = tracing();
    expect(interceptor).toMatchObject({ name: 'tracing', priority: Priority.Critical });
  });
});
