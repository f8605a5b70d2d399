// Everything the gateway knows about one node: its config entry and connection pool, in-flight count,
// peak-EWMA latency, self-reported load, health, breaker, drain state and Retry-After back-off.
import type { Pool } from "undici";
import type { NodeEntry, Tier } from "#config/schema.ts";
import { type BreakerState, breakerAdmits, breakerState, type NodeBreaker } from "./breaker.ts";
import type { HealthState, HealthStatus } from "./health-state.ts";
import type { LoadReport } from "./load-report.ts";
import type { PeakEwma } from "./peak-ewma.ts";

/** JSON-able view of a node for the admin API and metrics. */
export type NodeSnapshot = {
  id: string;
  url: string;
  tier: Tier;
  models: string[];
  health: HealthStatus;
  lastHealthError: string | null;
  breaker: BreakerState;
  drained: boolean;
  /** Removed from the config; kept until its in-flight requests finish. */
  retiring: boolean;
  inflight: number;
  latencyEwmaMs: number | null;
  queueDepth: number;
  runningSequences: number;
  loadReportedAt: number | null;
  backoffUntil: number | null;
};

export type UpstreamNodeParts = {
  entry: NodeEntry;
  pool: Pool;
  breaker: NodeBreaker;
  latency: PeakEwma;
  health: HealthState;
};

export class UpstreamNode {
  entry: NodeEntry;
  pool: Pool;
  readonly breaker: NodeBreaker;
  readonly latency: PeakEwma;
  readonly health: HealthState;
  inflight = 0;
  queueDepth = 0;
  runningSequences = 0;
  loadReportedAt = 0;
  drained = false;
  retiring = false;
  /** Epoch ms before which the node asked (Retry-After) not to be sent new requests. */
  backoffUntil = 0;
  #idleWaiters: Array<() => void> = [];

  constructor(parts: UpstreamNodeParts) {
    this.entry = parts.entry;
    this.pool = parts.pool;
    this.breaker = parts.breaker;
    this.latency = parts.latency;
    this.health = parts.health;
  }

  get id(): string {
    return this.entry.id;
  }
  get tier(): Tier {
    return this.entry.tier;
  }
  get weight(): number {
    return this.entry.weight;
  }
  get models(): readonly string[] {
    return this.entry.models;
  }
  get healthy(): boolean {
    return this.health.routable;
  }
  get breakerAdmits(): boolean {
    return breakerAdmits(this.breaker);
  }

  latencyMs(now: number): number | undefined {
    return this.latency.estimate(now);
  }

  /** Runs on every response: a response that reports no load reads no clock. */
  recordLoad(report: LoadReport, now?: number): void {
    if (report.queueDepth === undefined && report.runningSequences === undefined) return;
    if (report.queueDepth !== undefined) this.queueDepth = report.queueDepth;
    if (report.runningSequences !== undefined) this.runningSequences = report.runningSequences;
    this.loadReportedAt = now ?? Date.now();
  }

  begin(): void {
    this.inflight += 1;
  }

  end(): void {
    this.inflight = Math.max(0, this.inflight - 1);
    if (this.inflight === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
  }

  /** Resolves once no request is in flight (used before closing a retiring node's pool). */
  whenIdle(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  snapshot(now = Date.now()): NodeSnapshot {
    const latency = this.latency.estimate(now);
    return {
      id: this.id,
      url: this.entry.url,
      tier: this.tier,
      models: [...this.models],
      health: this.health.status,
      lastHealthError: this.health.lastError,
      breaker: breakerState(this.breaker),
      drained: this.drained,
      retiring: this.retiring,
      inflight: this.inflight,
      latencyEwmaMs: latency === undefined ? null : Math.round(latency * 100) / 100,
      queueDepth: this.queueDepth,
      runningSequences: this.runningSequences,
      loadReportedAt: this.loadReportedAt || null,
      backoffUntil: this.backoffUntil > now ? this.backoffUntil : null,
    };
  }
}
