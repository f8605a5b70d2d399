// W3C Trace Context: which traceparent/tracestate pairs are passed on to a node. Examples from the spec.
import { describe, expect, it } from "vitest";
import { copyTraceContext, validTraceparent } from "#gateway/http/trace-context.ts";

const valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("trace context", () => {
  it("accepts the spec's traceparent forms and refuses malformed ones", () => {
    expect(validTraceparent(valid)).toBe(true);
    expect(validTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")).toBe(true);
    // A later version may carry more fields, which a version-00 reader accepts; version 00 itself may not.
    expect(validTraceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-comes-next")).toBe(true);
    expect(validTraceparent(`${valid}-extra`)).toBe(false);
    expect(validTraceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).toBe(false);
    expect(validTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).toBe(false);
    expect(validTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")).toBe(false);
    expect(validTraceparent(valid.toUpperCase())).toBe(false);
    expect(validTraceparent("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01")).toBe(false);
    expect(validTraceparent("")).toBe(false);
  });

  it("copies tracestate only beside a valid traceparent, and only within the spec's 512 characters", () => {
    const copied = (from: Record<string, string>) => {
      const to: Record<string, string> = { "x-request-id": "r1" };
      copyTraceContext(from, to);
      return to;
    };
    expect(copied({ traceparent: valid, tracestate: "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7" })).toEqual({
      "x-request-id": "r1",
      traceparent: valid,
      tracestate: "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7",
    });
    expect(copied({ traceparent: "nonsense", tracestate: "congo=t61rcWkgMzE" })).toEqual({ "x-request-id": "r1" });
    expect(copied({ tracestate: "congo=t61rcWkgMzE" })).toEqual({ "x-request-id": "r1" });
    expect(copied({ traceparent: valid, tracestate: `a=${"x".repeat(511)}` })).toEqual({
      "x-request-id": "r1",
      traceparent: valid,
    });
    expect(copied({ traceparent: valid, tracestate: "a=b\u0000" })).toEqual({
      "x-request-id": "r1",
      traceparent: valid,
    });
  });
});
