import { describe, expect, it } from "vitest";
import {
  CircuitOpenError,
  ClientClosedError,
  GatewayError,
  UpstreamError,
  UpstreamTimeoutError,
} from "#gateway/openai/errors.ts";
import { AttemptCancelledError, AttemptTimeoutError } from "#gateway/resilience/errors.ts";
import { isConnectionFailure, isRetryable, retryAfterMs, toGatewayError } from "#gateway/resilience/failure.ts";

describe("failure classification", () => {
  it("retries node faults, busy nodes, open breakers and attempt timeouts", () => {
    expect(isRetryable(new UpstreamError("x"))).toBe(true);
    expect(isRetryable(new UpstreamError("busy", { status: 429, nodeFault: false }))).toBe(true);
    expect(isRetryable(new CircuitOpenError("n"))).toBe(true);
    expect(isRetryable(new AttemptTimeoutError("n", "slow"))).toBe(true);
  });

  it("does not retry deadlines, clients that left, cancelled hedges or non-node errors", () => {
    expect(isRetryable(new UpstreamTimeoutError())).toBe(false);
    expect(isRetryable(new ClientClosedError())).toBe(false);
    expect(isRetryable(new AttemptCancelledError())).toBe(false);
    expect(isRetryable(new UpstreamError("aborted", { nodeFault: false }))).toBe(false);
    expect(isRetryable(new GatewayError(400, "bad"))).toBe(false);
  });

  it("blames unknown errors on the node", () => {
    const error = toGatewayError(new TypeError("socket hang up"), "n1");
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).nodeFault).toBe(true);
  });

  it("recognises connection-level failures through the cause chain", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(isConnectionFailure(new UpstreamError("unreachable", { cause: refused }))).toBe(true);
    expect(isConnectionFailure(new UpstreamError("answered 500"))).toBe(false);
  });

  it("reads Retry-After as seconds or as an HTTP date, capped", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs(new UpstreamError("x", { headers: { "retry-after": "3" } }), now)).toBe(3000);
    expect(
      retryAfterMs(new UpstreamError("x", { headers: { "retry-after": "Thu, 01 Jan 2026 00:00:10 GMT" } }), now),
    ).toBe(10_000);
    expect(retryAfterMs(new UpstreamError("x", { headers: { "retry-after": "99999" } }), now)).toBe(300_000);
    expect(retryAfterMs(new UpstreamError("x"), now)).toBeUndefined();
  });
});
