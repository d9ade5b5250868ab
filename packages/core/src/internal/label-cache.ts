// Frozen metric label objects, built once per distinct value, so the metrics registry finds each series by identity
// instead of rebuilding and hashing its label key on every record (see `createMetricsRegistry`).
import type { Labels } from '../metrics.js';

/**
 * Labels per value of one varying label, built by `make` the first time a value is seen and frozen. Bounded: past
 * `max` values, labels are built afresh each time (unfrozen, so the registry keys them the slow way, as before).
 */
export class LabelCache<V> {
  private readonly map = new Map<V, Labels>();

  constructor(
    private readonly make: (value: V) => Labels,
    private readonly max: number,
  ) {}

  get(value: V): Labels {
    const known = this.map.get(value);
    if (known !== undefined) return known;
    const labels = this.make(value);
    if (this.map.size < this.max) this.map.set(value, Object.freeze(labels));
    return labels;
  }
}
