// Recent successful latencies per model, for the hedging delay (a quantile such as p95). A fixed ring per key,
// with the quantile recomputed only every few samples so the request path stays cheap.
const capacity = 512;
const recomputeEvery = 32;
/** Fewer samples than this and the quantile means little: no hedging yet. */
export const minSamples = 20;

type Ring = { values: Float64Array; size: number; next: number; sinceRecompute: number; cached: Map<number, number> };

export class LatencyWindows {
  readonly #rings = new Map<string, Ring>();

  record(key: string, ms: number): void {
    let ring = this.#rings.get(key);
    if (!ring) {
      ring = { values: new Float64Array(capacity), size: 0, next: 0, sinceRecompute: 0, cached: new Map() };
      this.#rings.set(key, ring);
    }
    ring.values[ring.next] = ms;
    ring.next = (ring.next + 1) % capacity;
    ring.size = Math.min(capacity, ring.size + 1);
    if (++ring.sinceRecompute >= recomputeEvery) {
      ring.sinceRecompute = 0;
      ring.cached.clear();
    }
  }

  /** The q-quantile of the recent latencies for `key`, or undefined with too few samples. */
  quantile(key: string, q: number): number | undefined {
    const ring = this.#rings.get(key);
    if (!ring || ring.size < minSamples) return undefined;
    let value = ring.cached.get(q);
    if (value === undefined) {
      const sorted = ring.values.slice(0, ring.size).sort();
      value = sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
      ring.cached.set(q, value);
    }
    return value;
  }
}
