// The metrics registry of one chain: counters, gauges and fixed-bucket histograms, aggregated across exchanges,
// with a cap on series per metric so memory stays bounded however many methods or tools appear.

export type Labels = Readonly<Record<string, string | number | boolean>>;

/** What interceptors record into (`ctx.metrics`). */
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

interface Histogram {
  count: number;
  sum: number;
  min: number;
  max: number;
  counts: number[];
}

export function createMetricsRegistry(options: MetricsRegistryOptions = {}): MetricsRegistry {
  const maxSeries = options.maxSeriesPerMetric ?? 1000;
  if (!Number.isSafeInteger(maxSeries) || maxSeries < 1) {
    throw new RangeError(`createMetricsRegistry: maxSeriesPerMetric must be a positive integer, got ${String(maxSeries)}`);
  }
  const defaultBuckets = validBounds(options.defaultBuckets ?? DEFAULT_DURATION_BUCKETS_MS, 'defaultBuckets');
  const counters = new Map<string, Map<string, Series<number>>>();
  const gauges = new Map<string, Map<string, Series<number>>>();
  const histograms = new Map<string, Map<string, Series<Histogram>>>();
  const bounds = new Map<string, readonly number[]>();
  let overflowed = 0;

  function series<V>(family: Map<string, Map<string, Series<V>>>, name: string, labels: Labels | undefined, init: () => V): Series<V> {
    let byLabels = family.get(name);
    if (byLabels === undefined) {
      byLabels = new Map();
      family.set(name, byLabels);
    }
    const key = labelKey(labels);
    let entry = byLabels.get(key);
    if (entry !== undefined) return entry;
    if (byLabels.size >= maxSeries) {
      overflowed++;
      const overflowKey = labelKey(OVERFLOW_LABELS);
      entry = byLabels.get(overflowKey);
      if (entry === undefined) {
        entry = { labels: OVERFLOW_LABELS, value: init() };
        byLabels.set(overflowKey, entry);
      }
      return entry;
    }
    entry = { labels: labels === undefined ? {} : { ...labels }, value: init() };
    byLabels.set(key, entry);
    return entry;
  }

  return {
    increment(name, labels, by = 1) {
      series(counters, name, labels, () => 0).value += by;
    },
    add(name, delta, labels) {
      series(gauges, name, labels, () => 0).value += delta;
    },
    observe(name, value, labels) {
      const b = bounds.get(name) ?? defaultBuckets;
      const h = series(histograms, name, labels, () => ({ count: 0, sum: 0, min: Infinity, max: -Infinity, counts: new Array<number>(b.length + 1).fill(0) })).value;
      h.count++;
      h.sum += value;
      if (value < h.min) h.min = value;
      if (value > h.max) h.max = value;
      let i = 0;
      while (i < b.length && value > (b[i] as number)) i++;
      h.counts[i] = (h.counts[i] ?? 0) + 1;
    },
    defineHistogram(name, histogramBounds) {
      if (histograms.has(name)) throw new Error(`defineHistogram: histogram "${name}" already has values`);
      bounds.set(name, validBounds(histogramBounds, `bounds of "${name}"`));
    },
    snapshot() {
      const flat = (family: Map<string, Map<string, Series<number>>>): CounterPoint[] =>
        [...family].flatMap(([name, byLabels]) => [...byLabels.values()].map((s) => ({ name, labels: s.labels, value: s.value })));
      return {
        counters: flat(counters),
        gauges: flat(gauges),
        histograms: [...histograms].flatMap(([name, byLabels]) =>
          [...byLabels.values()].map((s) => ({
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
