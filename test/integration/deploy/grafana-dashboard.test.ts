// Guards deploy/grafana/switchyard-dashboard.json against drift: every metric it queries is registered by a
// real gateway or by the model node's metrics factory, with the right type (only histograms have _bucket,
// _sum and _count), and every label it filters or groups by is one that metric has.
import { readFileSync } from "node:fs";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNodeMetrics } from "#backends/metrics.ts";
import type { RunningGateway } from "#gateway/server.ts";
import { type FakeNode, startFakeNode } from "#test/support/fake-node.ts";
import { startTestGateway } from "#test/support/gateway.ts";

type Known = Map<string, { type: string; labels: Set<string> }>;
type Dashboard = { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };

const dashboard = JSON.parse(readFileSync("deploy/grafana/switchyard-dashboard.json", "utf8")) as Dashboard;
const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
// Labels Prometheus adds to every series, and histogram buckets' own label.
const scrapeLabels = new Set(["job", "instance"]);

let node: FakeNode;
let gateway: RunningGateway;
const known: Known = new Map();

function collect(registry: Registry): void {
  for (const metric of registry.getMetricsAsArray()) {
    const labels = "labelNames" in metric && Array.isArray(metric.labelNames) ? (metric.labelNames as string[]) : [];
    known.set(metric.name, { type: String(metric.type), labels: new Set(labels) });
  }
}

beforeAll(async () => {
  node = await startFakeNode("n1");
  gateway = await startTestGateway({ nodes: [{ id: "n1", url: node.url, models: ["m1"] }] });
  collect(gateway.runtime.services.metrics);
  const nodeRegistry = new Registry();
  createNodeMetrics(nodeRegistry, () => []);
  collect(nodeRegistry);
});
afterAll(async () => {
  await gateway.close();
  await node.close();
});

/** `name` or `name_bucket|_sum|_count` → the registered metric, or a description of what is wrong. */
function resolve(name: string): { type: string; labels: Set<string> } | string {
  const exact = known.get(name);
  if (exact) return exact.type === "histogram" ? `${name} is a histogram: query its _bucket, _sum or _count` : exact;
  const base = /^(.*)_(bucket|sum|count)$/.exec(name);
  const histogram = base && known.get(base[1]!);
  if (histogram?.type === "histogram") {
    return { type: "histogram", labels: new Set([...histogram.labels, ...(base![2] === "bucket" ? ["le"] : [])]) };
  }
  return `${name} is not registered by the gateway or the model node`;
}

describe("deploy/grafana/switchyard-dashboard.json", () => {
  it("queries only metrics the code registers, with their real types and labels", () => {
    const problems: string[] = [];
    for (const { panel, expr } of queries) {
      const used = new Set<string>();
      for (const match of expr.matchAll(/\b(switchyard_[a-z0-9_]+)(\{([^}]*)\})?/g)) {
        const metric = resolve(match[1]!);
        if (typeof metric === "string") {
          problems.push(`${panel}: ${metric}`);
          continue;
        }
        for (const label of metric.labels) used.add(label);
        for (const [, label] of (match[3] ?? "").matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)) {
          if (!metric.labels.has(label!) && !scrapeLabels.has(label!))
            problems.push(`${panel}: ${match[1]} has no label "${label}"`);
        }
      }
      for (const [, list] of expr.matchAll(/\bby \(([^)]*)\)/g)) {
        for (const label of list!.split(",").map((l) => l.trim())) {
          if (!used.has(label) && !scrapeLabels.has(label))
            problems.push(`${panel}: groups by "${label}", which its metrics lack`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("covers what an operator needs to see", () => {
    const text = queries.map((q) => q.expr).join("\n");
    for (const metric of [
      "switchyard_http_requests_total", // request rate, errors, refusals by tenant
      "switchyard_http_request_duration_seconds_bucket", // p50 / p99
      "switchyard_node_time_to_first_token_seconds_bucket", // TTFT
      "switchyard_node_generated_tokens_total", // tokens/s
      'switchyard_cache_requests_total{job=~"$gateway_job",result="hit"}', // cache hit ratio
      'switchyard_ratelimit_decisions_total{job=~"$gateway_job",result="limited"}', // rate-limit refusals
      "switchyard_node_breaker_state", // breaker states
      "switchyard_balancer_picks_total", // per-tier traffic
      "switchyard_node_batch_size_sum", // batch sizes
      "switchyard_node_queue_depth", // queue depth
      "switchyard_config_version",
    ]) {
      expect(text).toContain(metric);
    }
  });
});
