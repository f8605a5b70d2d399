import { afterEach, describe, expect, it } from "vitest";
import {
  breakerAdmits,
  breakerState,
  createNodeBreaker,
  isNodeFault,
  type NodeBreaker,
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

async function fire(breaker: NodeBreaker, outcome: ForwardResult | Error): Promise<void> {
  await breaker
    .fire(async () => {
      if (outcome instanceof Error) throw outcome;
      return outcome;
    })
    .catch(() => {});
}

describe("node breaker", () => {
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
    const trial = breaker.fire(() => new Promise<ForwardResult>((resolve) => (finishTrial = resolve)));
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
