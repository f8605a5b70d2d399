// Scores nodes by the requests this gateway has in flight on them per unit of configured weight, min–max scaled.
import type { Scorer } from "../types.ts";
import { scaleLowerIsBetter } from "./min-max.ts";

export const inflightScorer: Scorer = {
  name: "inflight",
  score: (candidates) => scaleLowerIsBetter(candidates.map((c) => c.inflight / c.weight)),
};
