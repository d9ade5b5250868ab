// metrics: request counts per method and outcome, errors per code, a latency histogram and an in-flight gauge,
// recorded into the chain's registry with bounded label values, plus helpers that read a snapshot back.
import type { Clock } from '../clock.js';
import type { Direction, InterceptorContext } from '../context.js';
import { clockOption, endOf, LabelCap, MCP_METHODS, observeRequests, toolNameOf, type Outcome } from '../internal/exchange-end.js';
import { LabelCache } from '../internal/label-cache.js';
import { optionsObject, positiveInt } from '../internal/options.js';
import { Priority, type Interceptor } from '../interceptor.js';
import type { Labels, MetricsSnapshot } from '../metrics.js';

/** Counter of finished requests, labelled `{ method, direction, outcome, tool? }` (`tool` on `tools/call`). */
export const REQUESTS_METRIC = 'mcp.requests';
/** Counter of error responses, labelled `{ method, direction, code }` (`code` is `tool_error` for tool errors). */
export const ERRORS_METRIC = 'mcp.errors';
/** Histogram of request durations in ms (the registry's fixed buckets), labelled `{ method, direction, outcome }`. */
export const REQUEST_DURATION_METRIC = 'mcp.request.duration_ms';
/** Gauge of requests in flight, labelled `{ method, direction }`. */
export const IN_FLIGHT_METRIC = 'mcp.requests.in_flight';
/** Counter of notifications, labelled `{ method, direction }`. */
export const NOTIFICATIONS_METRIC = 'mcp.notifications';

export interface MetricsOptions {
  /** Distinct method names labelled besides MCP's own; later ones are labelled `other`. @defaultValue 100 */
  readonly maxMethods?: number;
  /** Distinct tool names labelled; later ones are labelled `other`. @defaultValue 100 */
  readonly maxTools?: number;
  /** The time source for durations. @defaultValue the chain's clock (`ctx.clock`) */
  readonly clock?: Clock;
}

/**
 * Records every request exchange (including those rejected above it) and notification into the chain's metrics
 * registry (`chain.metrics.snapshot()`). Label values are bounded: at most `maxMethods` methods beyond MCP's and
 * `maxTools` tools, the rest counted as `other`, so memory stays bounded whatever a peer sends.
 *
 * @example
 * const chain = createChain([metrics()]);
 * // later
 * console.error(metricsSummary(chain.metrics.snapshot()));
 */
export function metrics(options: MetricsOptions = {}): Interceptor {
  optionsObject('metrics', options);
  const methods = new LabelCap(positiveInt('metrics.maxMethods', options.maxMethods, 100), MCP_METHODS);
  const tools = new LabelCap(positiveInt('metrics.maxTools', options.maxTools, 100));
  const fixedClock = clockOption('metrics.clock', options.clock);

  // Frozen label objects per method label and direction (bounded by the caps above), reused on every record.
  const byMethod: Record<Direction, Map<string, MethodLabels>> = { inbound: new Map(), outbound: new Map() };
  const labelsOf = (ctx: InterceptorContext): MethodLabels => {
    const method = methods.label(ctx.method);
    const known = byMethod[ctx.direction].get(method);
    if (known !== undefined) return known;
    const made = new MethodLabels(method, ctx.direction, tools);
    byMethod[ctx.direction].set(method, made);
    return made;
  };

  const hooks = observeRequests({
    clock: (ctx: InterceptorContext) => fixedClock ?? ctx.clock,
    onStart(_request, ctx) {
      ctx.metrics.add(IN_FLIGHT_METRIC, 1, labelsOf(ctx).method);
    },
    onEnd(response, ctx, durationMs, started) {
      const labels = labelsOf(ctx);
      if (started.at !== undefined) ctx.metrics.add(IN_FLIGHT_METRIC, -1, labels.method);
      const end = endOf(response);
      const tool = toolNameOf(ctx.method, started.request?.params);
      ctx.metrics.increment(REQUESTS_METRIC, tool === undefined ? labels.outcome[end.outcome] : labels.tool(end.outcome, tool));
      if (end.outcome === 'error') ctx.metrics.increment(ERRORS_METRIC, labels.errors.get(end.code ?? 'tool_error'));
      ctx.metrics.observe(REQUEST_DURATION_METRIC, durationMs, labels.outcome[end.outcome]);
    },
  });

  return {
    name: 'metrics',
    priority: Priority.Low,
    ...hooks,
    onNotification(_notification, ctx) {
      ctx.metrics.increment(NOTIFICATIONS_METRIC, labelsOf(ctx).method);
    },
  };
}

/** Distinct error codes per method and direction with labels kept; rarer ones are labelled afresh each time. */
const MAX_CACHED_CODES = 32;

/** The label sets one method label and direction records under (key order as the snapshot shows them). */
class MethodLabels {
  /** `{ method, direction }`: in-flight gauge and notifications. */
  readonly method: Labels;
  /** `{ method, direction, outcome }`: requests without a tool, and durations. */
  readonly outcome: Readonly<Record<Outcome, Labels>>;
  /** `{ method, direction, code }`. */
  readonly errors: LabelCache<number | string>;
  private byTool: Record<Outcome, LabelCache<string>> | undefined;

  constructor(
    private readonly name: string,
    private readonly direction: Direction,
    private readonly tools: LabelCap,
  ) {
    const method = name;
    this.method = Object.freeze({ method, direction });
    const outcome = (o: Outcome): Labels => Object.freeze({ method, direction, outcome: o });
    this.outcome = { ok: outcome('ok'), error: outcome('error'), cancelled: outcome('cancelled') };
    this.errors = new LabelCache((code) => ({ method, direction, code }), MAX_CACHED_CODES);
  }

  /** `{ method, direction, outcome, tool }`, the tool name bounded by `maxTools`. */
  tool(outcome: Outcome, tool: string): Labels {
    if (this.byTool === undefined) {
      const { name: method, direction } = this;
      // Unbounded here because the cap bounds it: `maxTools` names plus `other`.
      const perOutcome = (o: Outcome): LabelCache<string> => new LabelCache((t) => ({ method, direction, outcome: o, tool: t }), Infinity);
      this.byTool = { ok: perOutcome('ok'), error: perOutcome('error'), cancelled: perOutcome('cancelled') };
    }
    return this.byTool[outcome].get(this.tools.label(tool));
  }
}

export interface SuccessRateFilter {
  readonly method?: string;
  readonly direction?: Direction;
}

/**
 * The share of finished requests that succeeded: ok / (ok + error), cancelled ones left out. Undefined when no
 * request has finished.
 *
 * @example successRate(chain.metrics.snapshot(), { method: 'tools/call' }) // 0.98
 */
export function successRate(snapshot: MetricsSnapshot, filter: SuccessRateFilter = {}): number | undefined {
  let ok = 0;
  let failed = 0;
  for (const point of snapshot.counters) {
    if (point.name !== REQUESTS_METRIC) continue;
    if (filter.method !== undefined && point.labels['method'] !== filter.method) continue;
    if (filter.direction !== undefined && point.labels['direction'] !== filter.direction) continue;
    if (point.labels['outcome'] === 'ok') ok += point.value;
    else if (point.labels['outcome'] === 'error') failed += point.value;
  }
  return ok + failed === 0 ? undefined : ok / (ok + failed);
}

export interface MethodSummary {
  readonly method: string;
  readonly direction: Direction;
  readonly requests: number;
  readonly ok: number;
  readonly errors: number;
  readonly cancelled: number;
  readonly successRate: number | undefined;
  readonly meanMs: number | undefined;
  readonly maxMs: number | undefined;
}

export interface MetricsSummary {
  readonly requests: number;
  readonly ok: number;
  readonly errors: number;
  readonly cancelled: number;
  readonly inFlight: number;
  readonly successRate: number | undefined;
  /** Per method and direction, busiest first. */
  readonly methods: readonly MethodSummary[];
}

/**
 * Reads what {@link metrics} recorded back out of a snapshot: totals, success rate, and per-method counts and latency.
 *
 * @example console.error(JSON.stringify(metricsSummary(chain.metrics.snapshot())));
 */
export function metricsSummary(snapshot: MetricsSnapshot): MetricsSummary {
  type Row = { method: string; direction: Direction; ok: number; errors: number; cancelled: number; count: number; sum: number; max: number };
  const rows = new Map<string, Row>();
  const row = (labels: Labels): Row | undefined => {
    const method = labels['method'];
    const direction = labels['direction'];
    if (typeof method !== 'string' || (direction !== 'inbound' && direction !== 'outbound')) return undefined;
    const key = `${direction} ${method}`;
    let found = rows.get(key);
    if (found === undefined) rows.set(key, (found = { method, direction, ok: 0, errors: 0, cancelled: 0, count: 0, sum: 0, max: -Infinity }));
    return found;
  };
  for (const point of snapshot.counters) {
    if (point.name !== REQUESTS_METRIC) continue;
    const r = row(point.labels);
    if (r === undefined) continue;
    const outcome = point.labels['outcome'];
    if (outcome === 'ok') r.ok += point.value;
    else if (outcome === 'error') r.errors += point.value;
    else if (outcome === 'cancelled') r.cancelled += point.value;
  }
  for (const point of snapshot.histograms) {
    if (point.name !== REQUEST_DURATION_METRIC) continue;
    const r = row(point.labels);
    if (r === undefined) continue;
    r.count += point.count;
    r.sum += point.sum;
    r.max = Math.max(r.max, point.max);
  }
  const methods: MethodSummary[] = [...rows.values()]
    .map((r) => ({
      method: r.method,
      direction: r.direction,
      requests: r.ok + r.errors + r.cancelled,
      ok: r.ok,
      errors: r.errors,
      cancelled: r.cancelled,
      successRate: r.ok + r.errors === 0 ? undefined : r.ok / (r.ok + r.errors),
      meanMs: r.count === 0 ? undefined : r.sum / r.count,
      maxMs: r.count === 0 ? undefined : r.max,
    }))
    .sort((a, b) => b.requests - a.requests || a.method.localeCompare(b.method));
  const total = (pick: (m: MethodSummary) => number): number => methods.reduce((n, m) => n + pick(m), 0);
  const ok = total((m) => m.ok);
  const errors = total((m) => m.errors);
  let inFlight = 0;
  for (const point of snapshot.gauges) if (point.name === IN_FLIGHT_METRIC) inFlight += point.value;
  return {
    requests: total((m) => m.requests),
    ok,
    errors,
    cancelled: total((m) => m.cancelled),
    inFlight,
    successRate: ok + errors === 0 ? undefined : ok / (ok + errors),
    methods,
  };
}
