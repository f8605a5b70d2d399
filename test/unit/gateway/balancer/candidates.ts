// Plain-object candidates for balancer tests: everything usable and idle unless a test says otherwise.
import type { Tier } from "#config/schema.ts";
import type { Candidate, PickContext } from "#gateway/balancer/types.ts";

/** Writable, so a test can change a node's state between picks. */
export type FakeCandidate = { -readonly [K in keyof Candidate]: Candidate[K] } & { latency?: number };

export function candidate(id: string, over: Partial<Omit<FakeCandidate, "latencyMs">> = {}): FakeCandidate {
  return {
    id,
    tier: "cpu" as Tier,
    models: ["m"],
    drained: false,
    healthy: true,
    breakerAdmits: true,
    inflight: 0,
    queueDepth: 0,
    backoffUntil: 0,
    weight: 1,
    ...over,
    latencyMs() {
      return this.latency;
    },
  };
}

export function context(over: Partial<PickContext> = {}): PickContext {
  return { model: "m", tier: "cpu", now: 1_000_000, exclude: new Set(), ...over };
}

/** A deterministic random source cycling through the given values. */
export function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}
