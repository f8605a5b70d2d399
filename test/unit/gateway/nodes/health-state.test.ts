import { describe, expect, it } from "vitest";
import { HealthState, type HealthStatus } from "#gateway/nodes/health-state.ts";

function tracked(healthyThreshold = 2, unhealthyThreshold = 3) {
  const changes: HealthStatus[] = [];
  const state = new HealthState({ healthyThreshold, unhealthyThreshold }, (status) => changes.push(status));
  return { state, changes };
}

describe("HealthState", () => {
  it("starts unknown and routable, and the first verdict decides at once", () => {
    const a = tracked();
    expect(a.state.status).toBe("unknown");
    expect(a.state.routable).toBe(true);
    a.state.recordFailure("refused");
    expect(a.state.status).toBe("unhealthy");
    const b = tracked();
    b.state.recordSuccess();
    expect(b.state.status).toBe("healthy");
  });

  it("needs unhealthyThreshold consecutive failures to go unhealthy", () => {
    const { state, changes } = tracked(2, 3);
    state.recordSuccess();
    state.recordFailure("x");
    state.recordFailure("x");
    state.recordSuccess(); // breaks the streak
    state.recordFailure("x");
    state.recordFailure("x");
    expect(state.status).toBe("healthy");
    state.recordFailure("boom");
    expect(state.status).toBe("unhealthy");
    expect(state.routable).toBe(false);
    expect(state.lastError).toBe("boom");
    expect(changes).toEqual(["healthy", "unhealthy"]);
  });

  it("needs healthyThreshold consecutive successes to come back", () => {
    const { state } = tracked(2, 1);
    state.recordFailure("x");
    state.recordSuccess();
    expect(state.status).toBe("unhealthy");
    state.recordSuccess();
    expect(state.status).toBe("healthy");
  });

  it("counts a real request's success as proof of life only for an unjudged node", () => {
    const fresh = tracked(3, 1);
    fresh.state.recordTrafficSuccess();
    expect(fresh.state.status).toBe("healthy");
    const sick = tracked(3, 1);
    sick.state.recordFailure("x");
    sick.state.recordTrafficSuccess();
    expect(sick.state.status).toBe("unhealthy");
  });
});
