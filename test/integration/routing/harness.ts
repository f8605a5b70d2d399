// Shared set-up for the routing suites: a real NodeRegistry and routing forwarder over real HTTP fake nodes,
// plus request builders and a poll-with-deadline helper (no sleeps as synchronisation).
import pino from "pino";
import { Registry } from "prom-client";
import { afterEach } from "vitest";
import { parseConfig } from "#config/load.ts";
import type { ConfigInput, SwitchyardConfig } from "#config/schema.ts";
import { NodeRegistry } from "#gateway/nodes/registry.ts";
import type { Forwarder, ForwardRequest, ForwardResult } from "#gateway/pipeline/types.ts";
import { createRoutingForwarder } from "#gateway/resilience/forwarder.ts";
import { type FakeNode, startFakeNode as startUntrackedFakeNode } from "#test/support/fake-node.ts";

export type NodeSpec = { id: string; url: string; tier?: "gpu" | "cpu"; models?: string[] };

export type Routing = {
  config: SwitchyardConfig;
  registry: NodeRegistry;
  forward: Forwarder;
  metrics: Registry;
  close(): Promise<void>;
};

// Whatever a test starts through this harness is closed after it (routing first, so its pools let go of the
// nodes), so the suites need no teardown of their own.
const openRoutings: Routing[] = [];
const openNodes: FakeNode[] = [];
afterEach(async () => {
  await Promise.all(openRoutings.splice(0).map((r) => r.close()));
  await Promise.all(openNodes.splice(0).map((n) => n.close()));
});

export async function startFakeNode(...args: Parameters<typeof startUntrackedFakeNode>): Promise<FakeNode> {
  const node = await startUntrackedFakeNode(...args);
  openNodes.push(node);
  return node;
}

export function startRouting(nodes: NodeSpec[], routing: ConfigInput["routing"] = {}): Routing {
  const config = parseConfig(
    {
      nodes: nodes.map((n) => ({ tier: "cpu", models: ["m"], ...n })),
      routing: { health: { intervalMs: 200, timeoutMs: 500 }, ...routing },
    },
    "test",
    {},
  );
  const metrics = new Registry();
  const logger = pino({ level: process.env.SWITCHYARD_TEST_LOGS ? "debug" : "silent" });
  const registry = new NodeRegistry({ nodes: config.nodes, routing: config.routing, logger, metricsRegistry: metrics });
  const forward = createRoutingForwarder({ registry, config, metricsRegistry: metrics, logger });
  const started: Routing = { config, registry, forward, metrics, close: () => registry.close(1000) };
  openRoutings.push(started);
  return started;
}

let counter = 0;

export function chat(overrides: Partial<ForwardRequest> = {}): ForwardRequest {
  const stream = overrides.stream ?? false;
  return {
    endpoint: "chat.completions",
    model: "m",
    body: { model: "m", messages: [{ role: "user", content: "hi" }], ...(stream ? { stream: true } : {}) },
    stream,
    caller: { tenant: "team-a", keyName: "test" },
    requestId: `req-${++counter}`,
    signal: new AbortController().signal,
    deadline: Date.now() + 10_000,
    headers: {},
    ...overrides,
  };
}

/** Drains a result: JSON body, or every stream event (throws if the stream breaks). */
export async function consume(result: ForwardResult): Promise<unknown[]> {
  if (result.kind === "json") return [result.body];
  const events: unknown[] = [];
  for await (const data of result.events) events.push(data);
  return events;
}

export { waitFor } from "#test/support/wait.ts";

export async function metricValue(
  metrics: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = metrics.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

/** Runs `count` requests with at most `concurrency` in flight; returns how many failed (with the errors). */
export async function runLoad(
  count: number,
  concurrency: number,
  send: (i: number) => Promise<unknown>,
): Promise<{ failures: unknown[] }> {
  const failures: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await send(i).catch((error: unknown) => failures.push(error));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { failures };
}
