import { describe, expect, it } from "vitest";
import { loadFromHeaders, loadFromHealthBody } from "#gateway/nodes/load-report.ts";

describe("load reports", () => {
  it("reads x-queue-depth and x-running-sequences headers", () => {
    expect(loadFromHeaders({ "x-queue-depth": "7", "x-running-sequences": ["3", "9"] })).toEqual({
      queueDepth: 7,
      runningSequences: 3,
    });
  });

  it("ignores missing, empty, negative and non-numeric values", () => {
    expect(loadFromHeaders({})).toEqual({});
    expect(loadFromHeaders({ "x-queue-depth": "", "x-running-sequences": "-1" })).toEqual({});
    expect(loadFromHeaders({ "x-queue-depth": "lots" })).toEqual({});
  });

  it("reads the health body at the top level or under `load`", () => {
    expect(loadFromHealthBody({ status: "ok", queueDepth: 4, runningSequences: 2 })).toEqual({
      queueDepth: 4,
      runningSequences: 2,
    });
    expect(loadFromHealthBody({ status: "ok", load: { queueDepth: 1 } })).toEqual({ queueDepth: 1 });
    expect(loadFromHealthBody("ok")).toEqual({});
    expect(loadFromHealthBody(null)).toEqual({});
  });
});
