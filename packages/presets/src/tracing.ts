// tracing(): one span per MCP message per the OpenTelemetry MCP semantic conventions: CLIENT when we send, SERVER when
// we receive, named `{method} {tool|prompt}`; trace context carried in `params._meta`; resilience outcomes as events.
import {
  context,
  diag,
  isSpanContextValid,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type MeterProvider,
  type Span,
  type SpanOptions,
  type TextMapPropagator,
  type TracerProvider,
} from '@opentelemetry/api';
import { continuationAround, createKey, type Downstream, ErrorCode, Priority, RetryAttemptsKey, type Interceptor, type InterceptorContext, type JsonObject, type JsonRpcNotification, type JsonRpcRequest, type JsonRpcResponse, type MetadataKey } from '@mcp-interceptors/core';
import { boolean, optionsObject, positiveInt, priority as priorityOption, withMethods } from './internal/options.js';
import { metaGetter, metaSetter, resolvePropagator, TRACEPARENT, TRACESTATE, type MetaPropagator } from './meta-propagation.js';
import { operationHistograms } from './operation-metrics.js';
import { outcomeEvents, retryEvent } from './outcome-events.js';
import * as sc from './semconv.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

export interface TracingOptions {
  /** Where spans go. @defaultValue the global provider (`trace.getTracerProvider()`), which an SDK registers */
  readonly tracerProvider?: TracerProvider;
  /** Where the duration histograms go. @defaultValue the global meter provider, looked up as each operation starts and ends */
  readonly meterProvider?: MeterProvider;
  /**
   * Injects and extracts `traceparent`/`tracestate`/`baggage` in `params._meta`.
   * @defaultValue the global propagator when one is registered, else a built-in W3C trace-context + baggage one
   */
  readonly propagator?: TextMapPropagator;
  /** Record `mcp.client.operation.duration` / `mcp.server.operation.duration` for requests. @defaultValue true */
  readonly metrics?: boolean;
  /** Give notifications a span of their own (and carry trace context in theirs too). @defaultValue true */
  readonly notifications?: boolean;
  /**
   * Opt-in: `gen_ai.tool.call.arguments` and `gen_ai.tool.call.result` on `tools/call` spans, as JSON. They may hold
   * personal data or secrets.
   * @defaultValue false
   */
  readonly recordPayloads?: boolean;
  /** Longest payload attribute, in characters; longer JSON is cut and ends with `…`. @defaultValue 4096 */
  readonly maxPayloadLength?: number;
  /** Name `resources/*` spans `{method} {uri}` and put `mcp.resource.uri` on the histograms (high cardinality). @defaultValue false */
  readonly resourceUriAsTarget?: boolean;
  /** Make the span the active context while the rest of the chain and, on a server, the handler run. @defaultValue true */
  readonly activateContext?: boolean;
  /**
   * Outermost by default, so rejections by rate-limit, circuit-breaker and concurrency are traced, and a `retry()`
   * (High) inside it gives one CLIENT span per call with an `mcpi.retry` event. A retry placed outside it (a lower
   * priority, or earlier at the same one) makes each attempt a span of its own instead.
   * @defaultValue Priority.Critical
   */
  readonly priority?: Priority;
}

/** The span of the current exchange, for interceptors that want its trace id (logging, for one). */
export const SpanKey: MetadataKey<Span> = createKey<Span>('otel.span');
const StartedKey = createKey<Started>('tracing.started');

const RESOURCE_METHODS = new Set(['resources/read', 'resources/subscribe', 'resources/unsubscribe', 'notifications/resources/updated']);
/** MCP 2026-07-28 removed sessions; `mcp.session.id` is only for older peers. */
const STATELESS_FROM = '2026-07-28';

interface Started {
  readonly span: Span;
  readonly context: Context;
  /** Attributes of the duration histogram: the span's minus ids and opt-in ones. */
  readonly metricAttributes: Attributes | undefined;
}

/**
 * Traces every MCP message through the chain with `@opentelemetry/api` only: a CLIENT span for each request or
 * notification we send (its context injected into `params._meta`), a SERVER span for each we receive (its parent
 * extracted from `params._meta`, an ambient span different from it added as a link). Error responses set status
 * ERROR and `error.type`; `isError` tool results set `error.type=tool_error`; rejections by rate-limit,
 * circuit-breaker, concurrency and timeout, and retries, become span events. Without a registered SDK (and no
 * `tracerProvider`) every call is a no-op.
 *
 * @example
 * const chain = createChain([tracing({ tracerProvider: provider }), rateLimit({ perSecond: 50 })]);
 */
export function tracing(options: TracingOptions = {}): Interceptor {
  optionsObject('tracing', options);
  const tracerProvider = withMethods<TracerProvider>('tracing.tracerProvider', options.tracerProvider, ['getTracer']) ?? trace.getTracerProvider();
  const meterProvider = withMethods<MeterProvider>('tracing.meterProvider', options.meterProvider, ['getMeter']);
  const configuredPropagator = withMethods<MetaPropagator>('tracing.propagator', options.propagator, ['inject', 'extract']);
  const histograms = boolean('tracing.metrics', options.metrics, true) ? operationHistograms(meterProvider) : undefined;
  const traceNotifications = boolean('tracing.notifications', options.notifications, true);
  const recordPayloads = boolean('tracing.recordPayloads', options.recordPayloads, false);
  const maxPayloadLength = positiveInt('tracing.maxPayloadLength', options.maxPayloadLength, 4096);
  const uriAsTarget = boolean('tracing.resourceUriAsTarget', options.resourceUriAsTarget, false);
  const activate = boolean('tracing.activateContext', options.activateContext, true);
  const priority = priorityOption('tracing.priority', options.priority, Priority.Critical);
  // A ProxyTracer when this is the global provider: it starts delegating once an SDK registers.
  const tracer = tracerProvider.getTracer(PACKAGE_NAME, PACKAGE_VERSION);

  const truncate = (value: unknown): string => {
    const json = JSON.stringify(value) ?? 'null';
    return json.length <= maxPayloadLength ? json : `${json.slice(0, maxPayloadLength - 1)}…`;
  };

  function start(frame: JsonRpcRequest | JsonRpcNotification, ctx: InterceptorContext): Started {
    const outbound = ctx.direction === 'outbound';
    const method = frame.method;
    const params = frame.params;
    const meta = asObject(params?.['_meta']);
    const attributes: Attributes = { [sc.ATTR_MCP_METHOD_NAME]: method };
    let target: string | undefined;
    if (method === 'tools/call') {
      target = stringField(params, 'name');
      if (target !== undefined) {
        attributes[sc.ATTR_GEN_AI_TOOL_NAME] = target;
        attributes[sc.ATTR_GEN_AI_OPERATION_NAME] = sc.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL;
      }
    } else if (method === 'prompts/get') {
      target = stringField(params, 'name');
      if (target !== undefined) attributes[sc.ATTR_GEN_AI_PROMPT_NAME] = target;
    }
    const uri = RESOURCE_METHODS.has(method) ? stringField(params, 'uri') : undefined;
    if (uri !== undefined && uriAsTarget) {
      target = uri;
      attributes[sc.ATTR_MCP_RESOURCE_URI] = uri;
    }
    const version = stringField(meta, sc.META_PROTOCOL_VERSION) ?? ctx.session.protocolVersion;
    if (version !== undefined) attributes[sc.ATTR_MCP_PROTOCOL_VERSION] = version;
    addTransport(attributes, ctx.session.transport);

    const metricAttributes = histograms !== undefined && ctx.kind === 'request' && histograms.live() ? { ...attributes } : undefined;
    // Ids and per-resource values stay off the histograms (cardinality).
    if (uri !== undefined && !uriAsTarget) attributes[sc.ATTR_MCP_RESOURCE_URI] = uri;
    if (ctx.jsonrpcId !== undefined) {
      attributes[sc.ATTR_JSONRPC_REQUEST_ID] = String(ctx.jsonrpcId);
      attributes[sc.ATTR_MCPI_REQUEST_ID] = ctx.requestId;
    }
    const sessionId = ctx.session.sessionId;
    if (sessionId !== undefined && (version === undefined || version < STATELESS_FROM)) attributes[sc.ATTR_MCP_SESSION_ID] = sessionId;
    if (recordPayloads && method === 'tools/call' && params?.['arguments'] !== undefined) attributes[sc.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS] = truncate(params['arguments']);

    const active = context.active();
    let parent = active;
    let links: Link[] | undefined;
    const propagator = resolvePropagator(configuredPropagator);
    if (!outbound && meta !== undefined) {
      parent = propagator.extract(active, meta, metaGetter);
      const remote = trace.getSpanContext(parent);
      const ambient = trace.getSpanContext(active);
      // The peer's context is the parent; a different ambient span (an HTTP server span, say) becomes a link.
      if (remote !== undefined && ambient !== undefined && remote.spanId !== ambient.spanId && isSpanContextValid(ambient)) links = [{ context: ambient }];
    }
    const spanOptions: SpanOptions = { kind: outbound ? SpanKind.CLIENT : SpanKind.SERVER, attributes, startTime: ctx.startTime };
    if (links !== undefined) spanOptions.links = links;
    const span = tracer.startSpan(target === undefined ? method : `${method} ${target}`, spanOptions, parent);
    const spanContext = trace.setSpan(parent, span);
    if (outbound) {
      // Into a fresh object first: a propagator that throws leaves the frame as it was.
      const injected: JsonObject = {};
      try {
        propagator.inject(spanContext, injected, metaSetter);
      } catch (error) {
        span.end();
        throw error;
      }
      for (const key in injected) {
        const carrier = ensureMeta(frame);
        // A `tracestate` the caller left in `_meta` belongs to the trace of the traceparent replaced now.
        if (key === TRACEPARENT && !(TRACESTATE in injected)) delete carrier[TRACESTATE];
        carrier[key] = injected[key] as string;
      }
    }
    return { span, context: spanContext, metricAttributes };
  }

  /** `start`, or undefined when the tracer or propagator throws: telemetry never fails the traffic it observes. */
  function tryStart(frame: JsonRpcRequest | JsonRpcNotification, ctx: InterceptorContext): Started | undefined {
    try {
      return start(frame, ctx);
    } catch (error) {
      diag.error(`${PACKAGE_NAME} tracing: no span for ${frame.method}, the tracer or propagator threw`, error);
      return undefined;
    }
  }

  function finish(started: Started, response: JsonRpcResponse, ctx: InterceptorContext): void {
    const { span, metricAttributes } = started;
    if ('error' in response) {
      // Only an exchange our side aborted can end with a response our chain made up; the same code from the wire is
      // the peer's answer.
      const ended = ctx.signal.aborted ? localEnd(response.error) : undefined;
      if (ended !== undefined) {
        // Made up by our chain (no response came): no status code to report, only why it ended.
        setOutcome(span, metricAttributes, sc.ATTR_ERROR_TYPE, ended);
      } else {
        const code = String(response.error.code);
        setOutcome(span, metricAttributes, sc.ATTR_ERROR_TYPE, code);
        setOutcome(span, metricAttributes, sc.ATTR_RPC_RESPONSE_STATUS_CODE, code);
      }
      span.setStatus({ code: SpanStatusCode.ERROR, message: response.error.message });
      outcomeEvents(span, response.error.data);
    } else {
      const result = response.result;
      if (ctx.method === 'tools/call') {
        if (result['isError'] === true) {
          setOutcome(span, metricAttributes, sc.ATTR_ERROR_TYPE, sc.ERROR_TYPE_VALUE_TOOL_ERROR);
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        if (recordPayloads) span.setAttribute(sc.ATTR_GEN_AI_TOOL_CALL_RESULT, truncate(result));
      } else if (ctx.method === 'initialize' && typeof result['protocolVersion'] === 'string') {
        setOutcome(span, metricAttributes, sc.ATTR_MCP_PROTOCOL_VERSION, result['protocolVersion']);
      }
    }
    retryEvent(span, ctx.metadata.get(RetryAttemptsKey));
    const end = ctx.clock.now();
    span.end(end);
    if (metricAttributes !== undefined) histograms?.record(ctx.direction === 'outbound' ? 'client' : 'server', Math.max(0, end - ctx.startTime) / 1000, metricAttributes);
  }

  return {
    name: 'tracing',
    priority,
    onRequest(request, ctx) {
      const started = tryStart(request, ctx);
      if (started === undefined) return;
      ctx.metadata.set(StartedKey, started);
      ctx.metadata.set(SpanKey, started.span);
    },
    // Only to make the span current below; without it the chain skips an `around` step.
    ...(activate
      ? {
          around: continuationAround((_request, ctx, downstream) => {
            const started = ctx.metadata.get(StartedKey);
            if (started === undefined) downstream.pass();
            else context.with(started.context, passBelow, undefined, downstream);
          }),
        }
      : {}),
    onResponse(response, ctx) {
      const started = ctx.metadata.get(StartedKey);
      if (started === undefined) return;
      try {
        finish(started, response, ctx);
      } catch (error) {
        diag.error(`${PACKAGE_NAME} tracing: the span of ${ctx.method} could not be ended`, error);
      }
    },
    onNotification(notification, ctx) {
      if (!traceNotifications) return;
      tryStart(notification, ctx)?.span.end(ctx.clock.now());
    },
    onError(error, ctx) {
      // A hook that crashed: the wire says "Internal error", the span keeps the cause.
      if (error.cause !== undefined) ctx.metadata.get(SpanKey)?.recordException(error.cause instanceof Error ? error.cause : String(error.cause));
    },
  };
}

/** Runs what lies below, answering with its response; a plain function, so `context.with` has nothing to bind. */
function passBelow(downstream: Downstream): void {
  downstream.pass();
}

/**
 * `error.type` of an error response our own chain made up because no response came (the exchange was cancelled, or
 * the connection closed first); undefined for a response from the wire or from an interceptor.
 */
function localEnd(error: { readonly code: number; readonly data?: unknown }): string | undefined {
  const reason = typeof error.data === 'object' && error.data !== null ? (error.data as { reason?: unknown }).reason : undefined;
  if (error.code === ErrorCode.Cancelled && reason === 'CANCELLED') return sc.ERROR_TYPE_VALUE_CANCELLED;
  if (error.code === ErrorCode.ConnectionClosed && reason === 'CONNECTION_CLOSED') return sc.ERROR_TYPE_VALUE_CONNECTION_CLOSED;
  return undefined;
}

/** An attribute the response decides: on the span and, for requests, on the duration histogram. */
function setOutcome(span: Span, metricAttributes: Attributes | undefined, key: string, value: string): void {
  span.setAttribute(key, value);
  if (metricAttributes !== undefined) metricAttributes[key] = value;
}

function addTransport(attributes: Attributes, transport: string): void {
  switch (transport) {
    case 'stdio':
      attributes[sc.ATTR_NETWORK_TRANSPORT] = sc.NETWORK_TRANSPORT_VALUE_PIPE;
      return;
    case 'http':
    case 'sse':
      attributes[sc.ATTR_NETWORK_TRANSPORT] = sc.NETWORK_TRANSPORT_VALUE_TCP;
      attributes[sc.ATTR_NETWORK_PROTOCOL_NAME] = 'http';
      return;
    case 'websocket':
      attributes[sc.ATTR_NETWORK_TRANSPORT] = sc.NETWORK_TRANSPORT_VALUE_TCP;
      attributes[sc.ATTR_NETWORK_PROTOCOL_NAME] = 'websocket';
      return;
    default:
    // in-memory and unknown transports have no semconv value.
  }
}

function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

function stringField(object: JsonObject | undefined, key: string): string | undefined {
  const value = object?.[key];
  return typeof value === 'string' ? value : undefined;
}

/** The frame's `_meta`, created when missing (the frame is the chain's own copy; `_meta` is copied one level). */
function ensureMeta(frame: JsonRpcRequest | JsonRpcNotification): JsonObject {
  const params = (frame.params ??= {});
  const meta = asObject(params['_meta']);
  if (meta !== undefined) return meta;
  const created: JsonObject = {};
  params['_meta'] = created;
  return created;
}
