import { afterEach, describe, expect, it } from "vitest";
import {
  breakerAdmits,
  breakerState,
  createNodeBreaker,
  isNodeFault,
  type NodeBreaker,
  runGuarded,
} from "#gateway/nodes/breaker.ts";
import { ClientClosedError, UpstreamError } from "#gateway/openai/errors.ts";
import type { ForwardResult } from "#gateway/pipeline/types.ts";

const ok: ForwardResult = { kind: "json", status: 200, body: {}, headers: {} };
const settings = {
  errorThresholdPercentage: 50,
  volumeThreshold: 4,
  rollingCountTimeoutMs: 10_000,
  resetTimeoutMs: 50,
};

type Runner = (breaker: NodeBreaker, task: () => Promise<ForwardResult>) => Promise<ForwardResult>;
const runners: Record<string, Runner> = {
  "breaker.fire": (breaker, task) => breaker.fire(task),
  runGuarded: (breaker, task) =>
    runGuarded(
      breaker,
      task,
      (result) => result,
      (error) => {
        throw error;
      },
    ),
};

// Every behaviour holds both for opossum's own fire() and for runGuarded(), the request path's cheaper equivalent.
describe.each(Object.entries(runners))("node breaker through %s", (_, run) => {
  async function fire(breaker: NodeBreaker, outcome: ForwardResult | Error): Promise<void> {
    await run(breaker, async () => {
      if (outcome instanceof Error) throw outcome;
      return outcome;
    }).catch(() => {});
  }

  const breakers: NodeBreaker[] = [];
  const make = () => {
    const breaker = createNodeBreaker("n", settings);
    breakers.push(breaker);
    return breaker;
  };
  afterEach(() => {
    for (const breaker of breakers.splice(0)) breaker.shutdown();
  });

  it("stays closed below the volume threshold even when every call fails", async () => {
    const breaker = make();
    for (let i = 0; i < 3; i++) await fire(breaker, new UpstreamError("boom"));
    expect(breakerState(breaker)).toBe("closed");
    await fire(breaker, new UpstreamError("boom"));
    expect(breakerState(breaker)).toBe("open");
    expect(breakerAdmits(breaker)).toBe(false);
  });

  it("does not count errors that are not the node's fault", async () => {
    const breaker = make();
    for (let i = 0; i < 10; i++) await fire(breaker, new UpstreamError("busy", { status: 429, nodeFault: false }));
    for (let i = 0; i < 10; i++) await fire(breaker, new ClientClosedError());
    for (let i = 0; i < 10; i++) await fire(breaker, ok);
    expect(breakerState(breaker)).toBe("closed");
    expect(isNodeFault(new UpstreamError("x"))).toBe(true);
    expect(isNodeFault(new Error("x"))).toBe(false);
  });

  it("goes half-open after resetTimeout, admits exactly one trial, and closes when it succeeds", async () => {
    const breaker = make();
    for (let i = 0; i < 4; i++) await fire(breaker, new UpstreamError("boom"));
    await new Promise<void>((resolve) => breaker.once("halfOpen", () => resolve()));
    expect(breakerState(breaker)).toBe("half-open");
    expect(breakerAdmits(breaker)).toBe(true);
    let finishTrial = (_: ForwardResult) => {};
    const trial = run(breaker, () => new Promise<ForwardResult>((resolve) => (finishTrial = resolve)));
    expect(breakerAdmits(breaker)).toBe(false);
    finishTrial(ok);
    await trial;
    expect(breakerState(breaker)).toBe("closed");
  });

  it("opens again when the half-open trial fails", async () => {
    const breaker = make();
    for (let i = 0; i < 4; i++) await fire(breaker, new UpstreamError("boom"));
    await new Promise<void>((resolve) => breaker.once("halfOpen", () => resolve()));
    await fire(breaker, new UpstreamError("still broken"));
    expect(breakerState(breaker)).toBe("open");
  });
});

describe("runGuarded", () => {
  it("counts in the breaker's window exactly what fire() counts, and opens at the same failure", async () => {
    const counts = async (run: Runner) => {
      const breaker = createNodeBreaker("n", { ...settings, volumeThreshold: 4 });
      const outcomes: Array<ForwardResult | Error> = [
        ok,
        ok,
        new UpstreamError("busy", { status: 429, nodeFault: false }),
        new UpstreamError("boom"),
        new UpstreamError("boom"),
        new UpstreamError("boom"),
        new UpstreamError("boom"),
      ];
      const states: string[] = [];
      for (const outcome of outcomes) {
        await run(breaker, async () => {
          if (outcome instanceof Error) throw outcome;
          return outcome;
        }).catch(() => {});
        states.push(breakerState(breaker));
      }
      const { fires, successes, failures } = breaker.stats;
      breaker.shutdown();
      return { fires, successes, failures, states };
    };
    const viaFire = await counts(runners["breaker.fire"]!);
    expect(await counts(runners.runGuarded!)).toEqual(viaFire);
    // 3 failures in 6 calls is 50%, not above the threshold; the fourth failure (4 in 7) opens it.
    expect(viaFire).toEqual({
      fires: 7,
      successes: 3,
      failures: 4,
      states: ["closed", "closed", "closed", "closed", "closed", "closed", "open"],
    });
  });

  it("rejects with the node's own error, also when the breaker opened while the attempt ran", async () => {
    const breaker = createNodeBreaker("n", settings);
    const error = new UpstreamError("boom");
    let fail = () => {};
    const attempt = runners.runGuarded!(
      breaker,
      () => new Promise<ForwardResult>((_, reject) => (fail = () => reject(error))),
    );
    breaker.open();
    fail();
    await expect(attempt).rejects.toBe(error);
    expect(breaker.stats.failures).toBe(1);
    breaker.shutdown();
  });
});
