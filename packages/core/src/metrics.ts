// The metrics registry of one chain: counters, gauges and fixed-bucket histograms, aggregated across exchanges,
// with a cap on series per metric so memory stays bounded however many methods or tools appear.

export type Labels = Readonly<Record<string, string | number | boolean>>;

/**
 * What interceptors record into (`ctx.metrics`). On a hot path, pass the same frozen labels object each time
 * (`Object.freeze({ method })`, made once): the registry then finds the series by identity, without keying the labels.
 */
export interface MetricsRecorder {
  /** Adds `by` (default 1) to a monotonic counter. */
  increment(name: string, labels?: Labels, by?: number): void;
  /** Adds `delta` (may be negative) to a gauge, e.g. requests in flight. */
  add(name: string, delta: number, labels?: Labels): void;
  /** Records one value into a histogram. */
  observe(name: string, value: number, labels?: Labels): void;
}

export interface CounterPoint {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
}

export interface HistogramPoint {
  readonly name: string;
  readonly labels: Labels;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  /** Upper bounds, ascending; `counts` has one more entry (the +Inf bucket). Counts are per bucket, not cumulative. */
  readonly bounds: readonly number[];
  readonly counts: readonly number[];
}

export interface MetricsSnapshot {
  readonly counters: readonly CounterPoint[];
  readonly gauges: readonly CounterPoint[];
  readonly histograms: readonly HistogramPoint[];
  /** Records that were folded into an `{ overflow: true }` series because a metric hit `maxSeriesPerMetric`. */
  readonly overflowed: number;
}

export interface MetricsRegistry extends MetricsRecorder {
  /** Fixes the bucket bounds of a histogram before its first value. */
  defineHistogram(name: string, bounds: readonly number[]): void;
  snapshot(): MetricsSnapshot;
  reset(): void;
}

export interface MetricsRegistryOptions {
  /** Distinct label sets kept per metric; more are folded into one `{ overflow: true }` series. @defaultValue 1000 */
  readonly maxSeriesPerMetric?: number;
  /** Histogram bounds when none were defined, in milliseconds. @defaultValue {@link DEFAULT_DURATION_BUCKETS_MS} */
  readonly defaultBuckets?: readonly number[];
}

export const DEFAULT_DURATION_BUCKETS_MS: readonly number[] = Object.freeze([
  1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
]);

const OVERFLOW_LABELS: Labels = Object.freeze({ overflow: true });

interface Series<V> {
  labels: Labels;
  value: V;
}

/** The series of one metric: by label key, and by identity for frozen label objects (see `series`). */
interface Metric<V> {
  readonly byKey: Map<string, Series<V>>;
  readonly byFrozenLabels: WeakMap<Labels, Series<V>>;
}

interface Histogram {
  count: number;
  sum: number;
  min: number;
  max: number;
  counts: number[];
}

const zero = (): number => 0;

export function createMetricsRegistry(options: MetricsRegistryOptions = {}): MetricsRegistry {
  const maxSeries = options.maxSeriesPerMetric ?? 1000;
  if (!Number.isSafeInteger(maxSeries) || maxSeries < 1) {
    throw new RangeError(`createMetricsRegistry: maxSeriesPerMetric must be a positive integer, got ${String(maxSeries)}`);
  }
  const defaultBuckets = validBounds(options.defaultBuckets ?? DEFAULT_DURATION_BUCKETS_MS, 'defaultBuckets');
  const counters = new Map<string, Metric<number>>();
  const gauges = new Map<string, Metric<number>>();
  const histograms = new Map<string, Metric<Histogram>>();
  const bounds = new Map<string, readonly number[]>();
  let overflowed = 0;

  /**
   * The series `labels` select. A frozen labels object cannot change, so the series it selected is remembered by
   * identity: callers that pass the same frozen object each time (the built-in interceptors do) skip building and
   * hashing the label key, the cost that dominates recording. Unfrozen labels are keyed afresh on every call.
   */
  function series<V>(family: Map<string, Metric<V>>, name: string, labels: Labels | undefined, init: (name: string) => V): Series<V> {
    let metric = family.get(name);
    if (metric === undefined) {
      metric = { byKey: new Map(), byFrozenLabels: new WeakMap() };
      family.set(name, metric);
    }
    if (typeof labels === 'object' && labels !== null) {
      const known = metric.byFrozenLabels.get(labels);
      if (known !== undefined) return known;
    }
    const byLabels = metric.byKey;
    const key = labelKey(labels);
    let entry = byLabels.get(key);
    if (entry === undefined) {
      if (byLabels.size >= maxSeries) {
        // Never remembered by identity: every record folded into the overflow series is counted.
        overflowed++;
        const overflowKey = labelKey(OVERFLOW_LABELS);
        entry = byLabels.get(overflowKey);
        if (entry === undefined) {
          entry = { labels: OVERFLOW_LABELS, value: init(name) };
          byLabels.set(overflowKey, entry);
        }
        return entry;
      }
      entry = { labels: labels === undefined ? {} : { ...labels }, value: init(name) };
      byLabels.set(key, entry);
    }
    if (typeof labels === 'object' && labels !== null && Object.isFrozen(labels)) metric.byFrozenLabels.set(labels, entry);
    return entry;
  }

  const newHistogram = (name: string): Histogram => {
    const b = bounds.get(name) ?? defaultBuckets;
    return { count: 0, sum: 0, min: Infinity, max: -Infinity, counts: new Array<number>(b.length + 1).fill(0) };
  };

  return {
    increment(name, labels, by = 1) {
      series(counters, name, labels, zero).value += by;
    },
    add(name, delta, labels) {
      series(gauges, name, labels, zero).value += delta;
    },
    observe(name, value, labels) {
      const h = series(histograms, name, labels, newHistogram).value;
      h.count++;
      h.sum += value;
      if (value < h.min) h.min = value;
      if (value > h.max) h.max = value;
      const b = bounds.get(name) ?? defaultBuckets;
      let i = 0;
      while (i < b.length && value > (b[i] as number)) i++;
      h.counts[i] = (h.counts[i] ?? 0) + 1;
    },
    defineHistogram(name, histogramBounds) {
      if (histograms.has(name)) throw new Error(`defineHistogram: histogram "${name}" already has values`);
      bounds.set(name, validBounds(histogramBounds, `bounds of "${name}"`));
    },
    snapshot() {
      const flat = (family: Map<string, Metric<number>>): CounterPoint[] =>
        [...family].flatMap(([name, metric]) => [...metric.byKey.values()].map((s) => ({ name, labels: s.labels, value: s.value })));
      return {
        counters: flat(counters),
        gauges: flat(gauges),
        histograms: [...histograms].flatMap(([name, metric]) =>
          [...metric.byKey.values()].map((s) => ({
            name,
            labels: s.labels,
            count: s.value.count,
            sum: s.value.sum,
            min: s.value.min,
            max: s.value.max,
            bounds: bounds.get(name) ?? defaultBuckets,
            counts: [...s.value.counts],
          })),
        ),
        overflowed,
      };
    },
    reset() {
      counters.clear();
      gauges.clear();
      histograms.clear();
      overflowed = 0;
    },
  };
}

function labelKey(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  if (keys.length > 1) keys.sort();
  let key = '';
  for (const k of keys) key += `${k}\u0000${String(labels[k])}\u0001`;
  return key;
}

function validBounds(values: readonly number[], what: string): readonly number[] {
  if (!Array.isArray(values) || values.length === 0) throw new RangeError(`metrics: ${what} must be a non-empty array of numbers`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || (i > 0 && v <= (values[i - 1] as number))) {
      throw new RangeError(`metrics: ${what} must be finite numbers in ascending order`);
    }
  }
  return Object.freeze([...values]);
}
