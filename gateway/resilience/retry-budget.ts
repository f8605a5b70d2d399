// Retry budget (as in Finagle): retries may add at most `budgetRatio` of the recent request rate, plus
// `minPerSecond` so low traffic can still fail over. Stops a struggling pool from being hit by a retry storm.
import type { SwitchyardConfig } from "#config/schema.ts";

type Settings = Pick<SwitchyardConfig["routing"]["retries"], "budgetRatio" | "minPerSecond">;

const bucketMs = 1000;

export class RetryBudget {
  readonly #settings: Settings;
  readonly #windowBuckets: number;
  readonly #requests: number[];
  readonly #retries: number[];
  #bucketStart = 0;
  #head = 0;

  constructor(settings: Settings, windowMs = 10_000) {
    this.#settings = settings;
    this.#windowBuckets = Math.max(1, Math.round(windowMs / bucketMs));
    this.#requests = new Array<number>(this.#windowBuckets).fill(0);
    this.#retries = new Array<number>(this.#windowBuckets).fill(0);
  }

  /** Records one client request (each deposits `budgetRatio` of a retry). */
  deposit(now = Date.now()): void {
    this.#advance(now);
    this.#requests[this.#head] = (this.#requests[this.#head] ?? 0) + 1;
  }

  /** Takes one retry (or hedge) from the budget; false when the budget is spent. */
  tryWithdraw(now = Date.now()): boolean {
    this.#advance(now);
    const requests = sum(this.#requests);
    const retries = sum(this.#retries);
    const allowed =
      this.#settings.budgetRatio * requests + this.#settings.minPerSecond * this.#windowBuckets * (bucketMs / 1000);
    if (retries + 1 > allowed) return false;
    this.#retries[this.#head] = (this.#retries[this.#head] ?? 0) + 1;
    return true;
  }

  #advance(now: number): void {
    if (this.#bucketStart === 0) this.#bucketStart = now;
    let steps = Math.floor((now - this.#bucketStart) / bucketMs);
    if (steps <= 0) return;
    this.#bucketStart += steps * bucketMs;
    steps = Math.min(steps, this.#windowBuckets);
    for (let i = 0; i < steps; i++) {
      this.#head = (this.#head + 1) % this.#windowBuckets;
      this.#requests[this.#head] = 0;
      this.#retries[this.#head] = 0;
    }
  }
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
