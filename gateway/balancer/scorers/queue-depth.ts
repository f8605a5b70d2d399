// Scores nodes by the queue depth they report (so load from other gateways counts too), min–max scaled.
import type { Scorer } from "../types.ts";
import { scaleLowerIsBetter } from "./min-max.ts";

export const queueDepthScorer: Scorer = {
  name: "queue-depth",
  score: (candidates) => scaleLowerIsBetter(candidates.map((c) => c.queueDepth)),
};
