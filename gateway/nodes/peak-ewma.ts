// Peak-EWMA latency estimate (as in Finagle and linkerd): jumps straight up to a slower observation, drifts
// down towards faster ones with time constant `decayMs`, and fades while the node is idle, so a node that was
// once slow is tried again later instead of being starved forever on a stale number.
export class PeakEwma {
  readonly decayMs: number;
  #value = 0;
  #updatedAt = 0;
  #observed = false;

  constructor(decayMs: number) {
    this.decayMs = decayMs;
  }

  get observed(): boolean {
    return this.#observed;
  }

  observe(latencyMs: number, now = Date.now()): void {
    const sample = Math.max(0, latencyMs);
    if (!this.#observed || sample >= this.#value) {
      this.#value = sample;
    } else {
      const keep = Math.exp(-Math.max(0, now - this.#updatedAt) / this.decayMs);
      this.#value = this.#value * keep + sample * (1 - keep);
    }
    this.#observed = true;
    this.#updatedAt = now;
  }

  /** An attempt stopped before it finished took at least `latencyMs`: it may raise the estimate, never lower it. */
  observeAtLeast(latencyMs: number, now = Date.now()): void {
    if (latencyMs > (this.estimate(now) ?? 0)) this.observe(latencyMs, now);
  }

  /** The estimate in milliseconds as of `now`, or undefined before the first observation. */
  estimate(now = Date.now()): number | undefined {
    if (!this.#observed) return undefined;
    return this.#value * Math.exp(-Math.max(0, now - this.#updatedAt) / this.decayMs);
  }
}
