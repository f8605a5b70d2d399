// A node's health from active probes and passive signals (connections that fail on real traffic), with
// consecutive-result thresholds so one lost probe does not flap a node out of rotation.
export type HealthStatus = "unknown" | "healthy" | "unhealthy";

export type HealthThresholds = { healthyThreshold: number; unhealthyThreshold: number };

export class HealthState {
  #status: HealthStatus = "unknown";
  #successes = 0;
  #failures = 0;
  lastError: string | null = null;
  lastCheckedAt = 0;
  thresholds: HealthThresholds;
  readonly #onChange: (status: HealthStatus, previous: HealthStatus) => void;

  constructor(
    thresholds: HealthThresholds,
    onChange: (status: HealthStatus, previous: HealthStatus) => void = () => {},
  ) {
    this.thresholds = thresholds;
    this.#onChange = onChange;
  }

  get status(): HealthStatus {
    return this.#status;
  }

  /** Unknown counts as routable: retries cover a node that turns out dead before its first probe. */
  get routable(): boolean {
    return this.#status !== "unhealthy";
  }

  recordSuccess(now = Date.now()): void {
    this.lastCheckedAt = now;
    this.#failures = 0;
    this.#successes += 1;
    // A node nobody has judged yet needs one good answer; a node judged unhealthy must earn its way back.
    if (
      this.#status === "unknown" ||
      (this.#status === "unhealthy" && this.#successes >= this.thresholds.healthyThreshold)
    ) {
      this.#set("healthy");
    }
  }

  /**
   * A real request succeeded: proof of life for a node nobody has judged yet, and it ends a failure streak. Runs on
   * every answered request, so the clock is read only when the status changes.
   */
  recordTrafficSuccess(now?: number): void {
    this.#failures = 0;
    if (this.#status === "unknown") {
      this.lastCheckedAt = now ?? Date.now();
      this.#set("healthy");
    }
  }

  recordFailure(error: string, now = Date.now()): void {
    this.lastCheckedAt = now;
    this.lastError = error;
    this.#successes = 0;
    this.#failures += 1;
    if (
      this.#status === "unknown" ||
      (this.#status === "healthy" && this.#failures >= this.thresholds.unhealthyThreshold)
    ) {
      this.#set("unhealthy");
    }
  }

  #set(status: HealthStatus): void {
    const previous = this.#status;
    this.#status = status;
    if (previous !== status) this.#onChange(status, previous);
  }
}
