import pino from "pino";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseConfig } from "#config/load.ts";
import type { NodeEntry } from "#config/schema.ts";
import { NodeRegistry } from "#gateway/nodes/registry.ts";

const config = parseConfig({}, "test", {});
const entry = (id: string, models = ["m"], port = 1): NodeEntry => ({
  id,
  url: `http://127.0.0.1:${port}`,
  tier: "cpu",
  models,
  weight: 1,
  maxConnections: 4,
});

describe("NodeRegistry", () => {
  let registry: NodeRegistry | undefined;
  const make = (nodes: NodeEntry[], metricsRegistry?: Registry) => {
    registry = new NodeRegistry({
      nodes,
      routing: config.routing,
      logger: pino({ level: "silent" }),
      probes: false,
      metricsRegistry,
    });
    return registry;
  };
  afterEach(async () => {
    await registry?.close(100);
    registry = undefined;
  });

  it("lists nodes, the union of their models, and a JSON-able snapshot", () => {
    const r = make([entry("a", ["m1", "m2"]), entry("b", ["m2", "m3"])]);
    expect(r.nodes().map((n) => n.id)).toEqual(["a", "b"]);
    expect(r.models()).toEqual(["m1", "m2", "m3"]);
    const snapshot = r.snapshot();
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
    expect(snapshot[0]).toMatchObject({
      id: "a",
      health: "unknown",
      breaker: "closed",
      drained: false,
      inflight: 0,
      latencyEwmaMs: null,
    });
  });

  it("is ready only when every model has a healthy, undrained node", () => {
    const r = make([entry("a", ["m1"]), entry("b", ["m2"])]);
    expect(r.readiness().ready).toBe(false);
    r.get("a")?.health.recordSuccess();
    r.get("b")?.health.recordSuccess();
    expect(r.readiness()).toEqual({
      ready: true,
      models: { m1: { healthy: 1, total: 1 }, m2: { healthy: 1, total: 1 } },
    });
    expect(r.drain("b")).toBe(true);
    expect(r.readiness().ready).toBe(false);
    expect(r.undrain("b")).toBe(true);
    expect(r.readiness().ready).toBe(true);
    expect(r.drain("zzz")).toBe(false);
  });

  it("keeps the state of nodes that stay across an update, adds new ones and retires removed ones", async () => {
    const r = make([entry("a"), entry("b")]);
    const a = r.get("a");
    a?.latency.observe(42);
    a?.health.recordSuccess();
    const b = r.get("b");
    b?.begin(); // a request still in flight on b
    r.update([entry("a", ["m", "m9"]), entry("c")]);
    expect(r.get("a")).toBe(a);
    expect(r.get("a")?.models).toEqual(["m", "m9"]);
    expect(r.get("a")?.latency.estimate()).toBeGreaterThan(40);
    expect(r.nodes().map((n) => n.id)).toEqual(["a", "c"]);
    expect(r.snapshot().find((n) => n.id === "b")).toMatchObject({ retiring: true, inflight: 1 });
    b?.end();
    await vi.waitFor(() => expect(r.snapshot().some((n) => n.id === "b")).toBe(false));
  });

  it("gives a node whose address changed a new pool but keeps its history", () => {
    const r = make([entry("a", ["m"], 1)]);
    const node = r.get("a");
    const pool = node?.pool;
    node?.latency.observe(10);
    r.update([entry("a", ["m"], 2)]);
    expect(r.get("a")).toBe(node);
    expect(node?.pool).not.toBe(pool);
    expect(node?.latency.observed).toBe(true);
  });

  it("exposes node gauges that follow the live state", async () => {
    const metrics = new Registry();
    const r = make([entry("a")], metrics);
    r.get("a")?.begin();
    r.drain("a");
    const text = await metrics.metrics();
    expect(text).toContain('switchyard_node_inflight_requests{node="a",tier="cpu"} 1');
    expect(text).toContain('switchyard_node_drained{node="a",tier="cpu"} 1');
    expect(text).toContain('switchyard_node_breaker_state{node="a",tier="cpu"} 0');
    r.get("a")?.end();
  });
});
