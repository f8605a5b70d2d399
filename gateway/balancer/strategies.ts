// The strategies `routing.strategy` can name, each a profile of filters, weighted scorers and a picker.
// The table is built per balancer (no global map), so an app or a test can add its own profiles.
import { defaultFilters } from "./filters/default-chain.ts";
import { bestScorePicker } from "./pickers/best-score.ts";
import { powerOfTwoPicker } from "./pickers/power-of-two.ts";
import { roundRobinPicker } from "./pickers/round-robin.ts";
import { inflightScorer } from "./scorers/inflight.ts";
import { latencyScorer } from "./scorers/latency.ts";
import { queueDepthScorer } from "./scorers/queue-depth.ts";
import type { Random, Strategy } from "./types.ts";

export type StrategyFactory = (random: Random) => Strategy;
export type StrategyTable = ReadonlyMap<string, StrategyFactory>;

export function builtInStrategies(): Map<string, StrategyFactory> {
  return new Map<string, StrategyFactory>([
    [
      "latency",
      (random) => ({
        name: "latency",
        filters: defaultFilters,
        scorers: [
          { scorer: latencyScorer, weight: 3 },
          { scorer: queueDepthScorer, weight: 1 },
        ],
        picker: powerOfTwoPicker(random),
      }),
    ],
    ["round-robin", () => ({ name: "round-robin", filters: defaultFilters, scorers: [], picker: roundRobinPicker() })],
    [
      "least-inflight",
      (random) => ({
        name: "least-inflight",
        filters: defaultFilters,
        scorers: [{ scorer: inflightScorer, weight: 1 }],
        picker: bestScorePicker(random),
      }),
    ],
  ]);
}

export function buildStrategy(
  name: string,
  table: StrategyTable = builtInStrategies(),
  random: Random = Math.random,
): Strategy {
  const factory = table.get(name);
  if (!factory) throw new Error(`unknown routing strategy "${name}" (known: ${[...table.keys()].join(", ")})`);
  return factory(random);
}
