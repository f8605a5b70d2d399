// The balancer: walks the request's tier policy, filters each tier's nodes, spills to the next tier only when
// the current one is saturated or has no usable node, then scores and picks with the configured strategy.
import type { SwitchyardConfig, Tier } from "#config/schema.ts";
import { inTier } from "./filters/in-tier.ts";
import type { BalancerMetrics } from "./metrics.ts";
import { tierPolicy, tierSaturated } from "./tiers.ts";
import type { Candidate, PickContext, Strategy } from "./types.ts";

export type PickQuery = { model: string; tenant: string; exclude: ReadonlySet<string>; now?: number };
export type Pick<C extends Candidate> = { node: C; tier: Tier; spilled: boolean };
export type Balancer<C extends Candidate> = { readonly strategy: string; pick(query: PickQuery): Pick<C> | undefined };

const timingSample = 16;

export type BalancerOptions<C extends Candidate> = {
  /** The nodes to choose from: a new array whenever the set of nodes or a node's tier changes (the registry's is). */
  candidates: () => readonly C[];
  routing: SwitchyardConfig["routing"];
  strategy: Strategy;
  metrics?: BalancerMetrics;
};

export function createBalancer<C extends Candidate>(opts: BalancerOptions<C>): Balancer<C> {
  const { strategy, routing, metrics } = opts;
  const filters = strategy.filters;
  const tierOrder = tierPolicy(routing.tiers);
  // Plain loops rather than filter()/every() with closures: this runs for every request, once per tier tried.
  const usable = (all: readonly C[], ctx: PickContext): C[] => {
    const kept: C[] = [];
    for (let i = 0; i < all.length; i++) {
      const candidate = all[i]!;
      let keep = true;
      for (let f = 0; keep && f < filters.length; f++) keep = filters[f]!.keep(candidate, ctx);
      if (keep) kept.push(candidate);
    }
    return kept;
  };
  // With the tier filter in the chain, a tier none of the nodes belongs to has no candidates: it is skipped without
  // running the chain (a CPU-only fleet would otherwise filter every node for the default policy's GPU tier first).
  const tierFiltered = filters.includes(inTier);
  let tiersOf: { nodes: readonly C[]; tiers: ReadonlySet<Tier> } | undefined;
  const tiersPresent = (all: readonly C[]): ReadonlySet<Tier> => {
    if (tiersOf?.nodes !== all) tiersOf = { nodes: all, tiers: new Set(all.map((c) => c.tier)) };
    return tiersOf.tiers;
  };

  function chooseTier(
    query: PickQuery,
    order: readonly Tier[],
    now: number,
  ): { ctx: PickContext; candidates: C[] } | undefined {
    const all = opts.candidates();
    const present = tierFiltered ? tiersPresent(all) : undefined;
    let fallback: { ctx: PickContext; candidates: C[] } | undefined;
    for (let i = 0; i < order.length; i++) {
      if (present && !present.has(order[i] as Tier)) continue;
      const ctx: PickContext = { model: query.model, tier: order[i] as Tier, now, exclude: query.exclude };
      const candidates = usable(all, ctx);
      if (!candidates.length) continue;
      // The last usable tier, with none saturated before it, is the answer whether or not it is saturated itself
      // (a single-tier policy, or a GPU tier without nodes): its saturation is not worked out for nothing.
      const last = i === order.length - 1;
      if ((last && !fallback) || !tierSaturated(candidates, routing.spill, now)) return { ctx, candidates };
      fallback ??= { ctx, candidates };
    }
    // Every usable tier is saturated: better to queue on the preferred one than to spill for nothing.
    return fallback;
  }

  // Stage timings are sampled (one pick in `timingSample`): cheap enough to leave on, still a fair picture.
  let picks = 0;
  return {
    strategy: strategy.name,
    pick(query) {
      const now = query.now ?? Date.now();
      const timed = metrics !== undefined && ++picks % timingSample === 0;
      const t0 = timed ? performance.now() : 0;
      const order = tierOrder(query.model, query.tenant);
      const chosen = chooseTier(query, order, now);
      const t1 = timed ? performance.now() : 0;
      if (!chosen) {
        metrics?.noCandidate.inc({ model: query.model });
        return undefined;
      }
      const scores = combineScores(strategy, chosen.candidates, chosen.ctx);
      const t2 = timed ? performance.now() : 0;
      const node = strategy.picker.pick(chosen.candidates, scores, chosen.ctx);
      if (!node) return undefined;
      const first = order[0];
      const tier = chosen.ctx.tier;
      if (metrics) {
        if (timed) {
          metrics.stageSeconds.observe({ stage: "filter" }, (t1 - t0) / 1000);
          metrics.stageSeconds.observe({ stage: "score" }, (t2 - t1) / 1000);
          metrics.stageSeconds.observe({ stage: "pick" }, (performance.now() - t2) / 1000);
        }
        metrics.picks.incWith(1, strategy.name, tier, node.id);
        if (first && tier !== first) metrics.spills.inc({ from: first, to: tier });
      }
      return { node, tier, spilled: tier !== first };
    },
  };
}

/** Weighted mean of the scorers' [0,1] scores; empty when the strategy has no scorers. */
export function combineScores(strategy: Strategy, candidates: readonly Candidate[], ctx: PickContext): number[] {
  if (!strategy.scorers.length || candidates.length <= 1) return [];
  const totals = new Array<number>(candidates.length).fill(0);
  let weightSum = 0;
  for (const { scorer, weight } of strategy.scorers) {
    const scores = scorer.score(candidates, ctx);
    for (let i = 0; i < totals.length; i++) totals[i] = (totals[i] ?? 0) + weight * (scores[i] ?? 0);
    weightSum += weight;
  }
  return weightSum > 0 ? totals.map((total) => total / weightSum) : totals;
}
