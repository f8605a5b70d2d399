import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { HotCounter, HotHistogram } from "#gateway/metrics/hot-metrics.ts";

const buckets = [0.001, 0.01, 0.1, 1];

/** The same updates against prom-client's own metrics and against the hot ones. */
function record(kind: "prom" | "hot") {
  const registry = new Registry();
  const registers = [registry];
  const counter =
    kind === "prom"
      ? new Counter({ name: "t_requests_total", help: "h", labelNames: ["route", "status"] as const, registers })
      : new HotCounter({ name: "t_requests_total", help: "h", labelNames: ["route", "status"] as const, registers });
  const plain =
    kind === "prom"
      ? new Counter({ name: "t_plain_total", help: "p", registers })
      : new HotCounter({ name: "t_plain_total", help: "p", registers });
  const histogram =
    kind === "prom"
      ? new Histogram({ name: "t_seconds", help: "s", labelNames: ["tier"] as const, buckets, registers })
      : new HotHistogram({ name: "t_seconds", help: "s", labelNames: ["tier"] as const, buckets, registers });
  counter.inc({ route: "/v1/chat", status: "200" });
  counter.inc({ status: "200", route: "/v1/chat" }, 2);
  counter.inc({ route: "/v1/embeddings", status: "429" });
  counter.inc({ route: 'we"ird\\', status: "500" });
  plain.inc();
  plain.inc(4);
  for (const v of [0.0005, 0.001, 0.05, 0.5, 7]) histogram.observe({ tier: "gpu" }, v);
  histogram.observe({ tier: "cpu" }, 0.02);
  return registry;
}

describe("hot metrics", () => {
  it("scrape exactly as prom-client's Counter and Histogram do after the same updates", async () => {
    expect(await record("hot").metrics()).toBe(await record("prom").metrics());
  });

  it("read back through get() in prom-client's shape", async () => {
    const counter = new HotCounter({ name: "t_total", help: "h", labelNames: ["result"] as const });
    counter.inc({ result: "hit" });
    counter.inc({ result: "hit" });
    counter.inc({ result: "miss" }, 3);
    expect((await counter.get()).values).toEqual([
      { labels: { result: "hit" }, value: 2 },
      { labels: { result: "miss" }, value: 3 },
    ]);
  });

  it("refuse labels they were not declared with, and non-numbers", () => {
    const counter = new HotCounter({ name: "t_total", help: "h", labelNames: ["result"] as const });
    expect(() => counter.inc({ nope: "x" } as never)).toThrow(/nope/);
    const histogram = new HotHistogram({ name: "t_s", help: "h", buckets });
    expect(() => histogram.observe(Number.NaN)).toThrow(TypeError);
  });

  it("start over on reset, as the registry's resetMetrics() expects", async () => {
    const registry = new Registry();
    const counter = new HotCounter({ name: "t_total", help: "h", registers: [registry] });
    counter.inc(5);
    registry.resetMetrics();
    expect((await counter.get()).values).toEqual([]);
  });

  it("count label values given in order into the same series as label objects, past the combinations they remember", async () => {
    const byObject = new HotCounter({ name: "t_total", help: "h", labelNames: ["route", "status"] as const });
    const byValues = new HotCounter({ name: "t_total", help: "h", labelNames: ["route", "status"] as const });
    const seconds = new HotHistogram({ name: "t_s", help: "h", labelNames: ["tier"] as const, buckets });
    const secondsByObject = new HotHistogram({ name: "t_s", help: "h", labelNames: ["tier"] as const, buckets });
    // Twelve routes in turn: more combinations than the positional updates keep, so most updates look slots up.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 12; i++) {
        byObject.inc({ route: `/r${i}`, status: "200" }, i + 1);
        // A status given as a number lands in the series of its text, as prom-client's labels do.
        byValues.incWith(i + 1, `/r${i}`, round === 1 ? 200 : "200");
        secondsByObject.observe({ tier: i % 2 ? "gpu" : "cpu" }, i / 100);
        seconds.observeWith(i / 100, i % 2 ? "gpu" : "cpu");
      }
    }
    byValues.incWith(1);
    byObject.inc({});
    expect((await byValues.get()).values).toEqual((await byObject.get()).values);
    expect((await seconds.get()).values).toEqual((await secondsByObject.get()).values);
    expect((await byValues.get()).values.find((v) => v.labels.route === "/r3")?.value).toBe(12);
  });

  it("refuse more label values than labels, and forget remembered combinations on reset", async () => {
    const counter = new HotCounter({ name: "t_total", help: "h", labelNames: ["result"] as const });
    expect(() => counter.incWith(1, "hit", "extra")).toThrow(/1 labels/);
    expect(() => counter.incWith(1, "hit", undefined, "extra")).toThrow(/1 labels/);
    counter.incWith(2, "hit");
    counter.reset();
    counter.incWith(1, "hit");
    expect((await counter.get()).values).toEqual([{ labels: { result: "hit" }, value: 1 }]);
  });
});
