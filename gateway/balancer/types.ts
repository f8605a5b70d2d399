// The balancer's plugin contract (after the Kubernetes inference extension's endpoint picker): filters drop
// candidates, scorers give each survivor a score in [0,1] (higher is better), weights combine them, and a
// picker chooses one. Plugins see nodes only through `Candidate`, so tests can use plain objects.
import type { Tier } from "#config/schema.ts";

export type Candidate = {
  readonly id: string;
  readonly tier: Tier;
  readonly models: readonly string[];
  readonly drained: boolean;
  readonly healthy: boolean;
  readonly breakerAdmits: boolean;
  readonly inflight: number;
  readonly queueDepth: number;
  readonly backoffUntil: number;
  /** Relative capacity from config (`nodes[].weight`): a node of weight 2 is expected to take twice the load. */
  readonly weight: number;
  /** Peak-EWMA latency as of `now`, or undefined before the node's first answer. */
  latencyMs(now: number): number | undefined;
};

export type PickContext = {
  model: string;
  tier: Tier;
  now: number;
  /** Nodes this request already tried (retries and hedges go elsewhere). */
  exclude: ReadonlySet<string>;
};

export type Filter = { readonly name: string; keep(candidate: Candidate, ctx: PickContext): boolean };

export type Scorer = { readonly name: string; score(candidates: readonly Candidate[], ctx: PickContext): number[] };

export type Picker = {
  readonly name: string;
  /** `scores[i]` is the weighted score of `candidates[i]`; empty when the strategy has no scorers. */
  pick<C extends Candidate>(candidates: readonly C[], scores: readonly number[], ctx: PickContext): C | undefined;
};

export type WeightedScorer = { scorer: Scorer; weight: number };

/** One named routing profile: what `routing.strategy` selects. */
export type Strategy = {
  readonly name: string;
  readonly filters: readonly Filter[];
  readonly scorers: readonly WeightedScorer[];
  readonly picker: Picker;
};

/** Random source in [0,1), injectable so picker tests are deterministic. */
export type Random = () => number;
