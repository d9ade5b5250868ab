// timing: how long each request exchange took, as typed metadata and a histogram, with a warning past a threshold.
import type { Clock } from '../clock.js';
import type { Direction, InterceptorContext } from '../context.js';
import { clockOption, endOf, LabelCap, MCP_METHODS, observeRequests, toolNameOf } from '../internal/exchange-end.js';
import { isoTime } from '../internal/iso-time.js';
import { LabelCache } from '../internal/label-cache.js';
import { fn, optionsObject, positiveInt } from '../internal/options.js';
import { Priority, type Interceptor } from '../interceptor.js';
import { createKey, type MetadataKey } from '../metadata.js';
import type { Side } from '../session.js';
import { emitRecord, stderrSink, type LogRecord, type LogSink } from './logging.js';

/** The duration of the exchange in milliseconds, set when its response passes timing. */
export const DurationMs: MetadataKey<number> = createKey<number>('timing.durationMs');

/** Histogram of exchange durations in milliseconds, labelled `{ side, direction, method }`. */
export const EXCHANGE_DURATION_METRIC = 'mcp.exchange.duration_ms';

export interface TimingOptions {
  /** A request taking longer than this (ms) produces a `warn` record. `Infinity` turns warnings off. @defaultValue 1000 */
  readonly slowThresholdMs?: number;
  /** Called with the warning record of each slow request. Errors it throws are ignored. @defaultValue none */
  readonly onSlow?: (record: LogRecord, ctx: InterceptorContext) => void;
  /** Where warning records go. @defaultValue `stderrSink` when no `onSlow` is given, else none */
  readonly sink?: LogSink;
  /** Distinct non-MCP method names labelled in the histogram; later ones are labelled `other`. @defaultValue 100 */
  readonly maxMethods?: number;
  /** The time source. @defaultValue the chain's clock (`ctx.clock`) */
  readonly clock?: Clock;
}

/**
 * Times every request exchange (from when it reaches timing to when its response comes back), stores the duration
 * under {@link DurationMs}, records it in the `mcp.exchange.duration_ms` histogram, and reports requests slower
 * than `slowThresholdMs` as `warn` records (`event: 'slow'`) to `sink` and `onSlow`. Never rejects a request.
 *
 * @example
 * const chain = createChain([timing({ slowThresholdMs: 500, onSlow: (r) => console.error(r.method, r.durationMs) })]);
 */
export function timing(options: TimingOptions = {}): Interceptor {
  optionsObject('timing', options);
  const slowThresholdMs = thresholdOption(options.slowThresholdMs);
  const onSlow = fn<NonNullable<TimingOptions['onSlow']>>('timing.onSlow', options.onSlow);
  const sink = fn<LogSink>('timing.sink', options.sink) ?? (onSlow === undefined ? stderrSink : undefined);
  const methods = new LabelCap(positiveInt('timing.maxMethods', options.maxMethods, 100), MCP_METHODS);
  const fixedClock = clockOption('timing.clock', options.clock);
  const clockOf = (ctx: InterceptorContext): Clock => fixedClock ?? ctx.clock;
  // Frozen `{ side, direction, method }` per method label (bounded by `maxMethods`), reused on every record.
  const route = (side: Side, direction: Direction): LabelCache<string> => new LabelCache((method) => ({ side, direction, method }), Infinity);
  const histogramLabels = {
    client: { inbound: route('client', 'inbound'), outbound: route('client', 'outbound') },
    server: { inbound: route('server', 'inbound'), outbound: route('server', 'outbound') },
  };

  const hooks = observeRequests({
    clock: clockOf,
    onEnd(response, ctx, durationMs, started) {
      ctx.metadata.set(DurationMs, durationMs);
      ctx.metrics.observe(EXCHANGE_DURATION_METRIC, durationMs, histogramLabels[ctx.side][ctx.direction].get(methods.label(ctx.method)));
      if (!(durationMs > slowThresholdMs)) return;
      const end = endOf(response);
      const tool = toolNameOf(ctx.method, started.request?.params);
      const record: LogRecord = {
        time: isoTime(clockOf(ctx).now()),
        level: 'warn',
        event: 'slow',
        side: ctx.side,
        direction: ctx.direction,
        kind: 'request',
        method: ctx.method,
        ...(ctx.jsonrpcId === undefined ? {} : { id: ctx.jsonrpcId }),
        requestId: ctx.requestId,
        durationMs,
        thresholdMs: slowThresholdMs,
        outcome: end.outcome,
        ...(tool === undefined ? {} : { tool }),
      };
      if (sink !== undefined) emitRecord(sink, record);
      if (onSlow !== undefined) {
        try {
          onSlow(record, ctx);
        } catch {
          // A user hook never breaks a request.
        }
      }
    },
  });

  return { name: 'timing', priority: Priority.Low, ...hooks };
}

function thresholdOption(value: unknown): number {
  if (value === undefined) return 1000;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new RangeError(`timing.slowThresholdMs must be a non-negative number (or Infinity), got ${typeof value === 'number' ? value : typeof value}`);
  }
  return value;
}
