import { describe, expect, it } from "vitest";
import { breakerAdmits } from "#gateway/balancer/filters/breaker-admits.ts";
import { defaultFilters } from "#gateway/balancer/filters/default-chain.ts";
import { healthy } from "#gateway/balancer/filters/healthy.ts";
import { inTier } from "#gateway/balancer/filters/in-tier.ts";
import { notBackingOff } from "#gateway/balancer/filters/not-backing-off.ts";
import { notDrained } from "#gateway/balancer/filters/not-drained.ts";
import { notExcluded } from "#gateway/balancer/filters/not-excluded.ts";
import { servesModel } from "#gateway/balancer/filters/serves-model.ts";
import { candidate, context } from "./candidates.ts";

describe("filters", () => {
  const ctx = context();

  it("serves-model keeps nodes that serve the requested model", () => {
    expect(servesModel.keep(candidate("a", { models: ["m", "x"] }), ctx)).toBe(true);
    expect(servesModel.keep(candidate("a", { models: ["x"] }), ctx)).toBe(false);
  });

  it("in-tier keeps nodes of the tier being tried", () => {
    expect(inTier.keep(candidate("a", { tier: "gpu" }), context({ tier: "gpu" }))).toBe(true);
    expect(inTier.keep(candidate("a", { tier: "cpu" }), context({ tier: "gpu" }))).toBe(false);
  });

  it("not-excluded drops nodes this request already tried", () => {
    expect(notExcluded.keep(candidate("a"), context({ exclude: new Set(["a"]) }))).toBe(false);
    expect(notExcluded.keep(candidate("b"), context({ exclude: new Set(["a"]) }))).toBe(true);
  });

  it("not-drained drops drained nodes", () => {
    expect(notDrained.keep(candidate("a", { drained: true }), ctx)).toBe(false);
    expect(notDrained.keep(candidate("a"), ctx)).toBe(true);
  });

  it("healthy drops unhealthy nodes", () => {
    expect(healthy.keep(candidate("a", { healthy: false }), ctx)).toBe(false);
    expect(healthy.keep(candidate("a"), ctx)).toBe(true);
  });

  it("breaker-admits drops nodes whose breaker refuses traffic", () => {
    expect(breakerAdmits.keep(candidate("a", { breakerAdmits: false }), ctx)).toBe(false);
    expect(breakerAdmits.keep(candidate("a"), ctx)).toBe(true);
  });

  it("not-backing-off drops nodes until their Retry-After time", () => {
    expect(notBackingOff.keep(candidate("a", { backoffUntil: ctx.now + 1 }), ctx)).toBe(false);
    expect(notBackingOff.keep(candidate("a", { backoffUntil: ctx.now }), ctx)).toBe(true);
  });

  it("the default chain contains every filter, each under its own name", () => {
    expect(defaultFilters.map((f) => f.name).sort()).toEqual(
      ["breaker-admits", "healthy", "in-tier", "not-backing-off", "not-drained", "not-excluded", "serves-model"].sort(),
    );
  });
});
