import { describe, expect, it } from "vitest";
import { inflightScorer } from "#gateway/balancer/scorers/inflight.ts";
import { latencyScorer } from "#gateway/balancer/scorers/latency.ts";
import { scaleLowerIsBetter } from "#gateway/balancer/scorers/min-max.ts";
import { queueDepthScorer } from "#gateway/balancer/scorers/queue-depth.ts";
import { candidate, context } from "./candidates.ts";

describe("min-max scaling", () => {
  it("gives the lowest 1, the highest 0 and the rest in proportion", () => {
    expect(scaleLowerIsBetter([10, 20, 30])).toEqual([1, 0.5, 0]);
  });
  it("gives everyone a neutral 0.5 when all are equal", () => {
    expect(scaleLowerIsBetter([7, 7])).toEqual([0.5, 0.5]);
    expect(scaleLowerIsBetter([])).toEqual([]);
  });
});

describe("latency scorer", () => {
  it("ranks by peak-EWMA latency × (in-flight + 1)", () => {
    const scores = latencyScorer.score(
      [
        candidate("a", { latency: 10, inflight: 3 }),
        candidate("b", { latency: 30, inflight: 0 }),
        candidate("c", { latency: 10, inflight: 0 }),
      ],
      context(),
    );
    // costs 40, 30, 10
    expect(scores).toEqual([0, 1 / 3, 1]);
  });

  it("divides the predicted latency by the node's weight (its relative capacity)", () => {
    const scores = latencyScorer.score(
      [candidate("big", { latency: 10, inflight: 3, weight: 4 }), candidate("small", { latency: 10, inflight: 1 })],
      context(),
    );
    // costs 40 / 4 = 10 and 20 / 1 = 20: the big node is still the better choice with more in flight
    expect(scores).toEqual([1, 0]);
  });

  it("assumes a node without observations is average, not free", () => {
    const scores = latencyScorer.score(
      [candidate("new"), candidate("a", { latency: 10 }), candidate("b", { latency: 30 })],
      context(),
    );
    expect(scores).toEqual([0.5, 1, 0]);
  });
});

describe("queue-depth scorer", () => {
  it("prefers the node reporting the shortest queue, neutral when all report the same", () => {
    expect(
      queueDepthScorer.score([candidate("a", { queueDepth: 8 }), candidate("b", { queueDepth: 0 })], context()),
    ).toEqual([0, 1]);
    expect(
      queueDepthScorer.score([candidate("a", { queueDepth: 3 }), candidate("b", { queueDepth: 3 })], context()),
    ).toEqual([0.5, 0.5]);
  });
});

describe("inflight scorer", () => {
  it("prefers the node with the fewest requests in flight", () => {
    expect(
      inflightScorer.score(
        [candidate("a", { inflight: 2 }), candidate("b", { inflight: 0 }), candidate("c", { inflight: 1 })],
        context(),
      ),
    ).toEqual([0, 1, 0.5]);
  });

  it("counts in-flight requests per unit of weight", () => {
    expect(
      inflightScorer.score([candidate("a", { inflight: 4, weight: 4 }), candidate("b", { inflight: 2 })], context()),
    ).toEqual([1, 0]);
  });
});
