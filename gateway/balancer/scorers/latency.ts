// Scores nodes by predicted latency: peak-EWMA latency weighted by (in-flight + 1), divided by the node's
// configured weight (its relative capacity), min–max scaled.
import { meanObservedLatencyMs, predictedLatencyMs } from "../predicted-latency.ts";
import type { Scorer } from "../types.ts";
import { scaleLowerIsBetter } from "./min-max.ts";

export const latencyScorer: Scorer = {
  name: "latency",
  score(candidates, ctx) {
    const unobserved = meanObservedLatencyMs(candidates, ctx.now);
    return scaleLowerIsBetter(candidates.map((c) => predictedLatencyMs(c, ctx.now, unobserved) / c.weight));
  },
};
