// Draining one of two real model nodes behind the real gateway loses no request: streams already on the node
// finish with [DONE], requests it refuses (503) or can no longer take fail over to the other node, and the
// gateway's prober takes the draining node out of rotation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningModelNode } from "#backends/node.ts";
import type { RunningGateway } from "#gateway/server.ts";
import { authHeaders, startTestGateway } from "#test/support/gateway.ts";
import { longCompletion, openStream, startDemoNode } from "./support.ts";

let draining: RunningModelNode;
let staying: RunningModelNode;
let gateway: RunningGateway;

beforeAll(async () => {
  [draining, staying] = await Promise.all([
    startDemoNode({ decoderBatching: { maxRunningSequences: 2 } }),
    startDemoNode({ decoderBatching: { maxRunningSequences: 2 } }),
  ]);
  gateway = await startTestGateway({
    nodes: [
      { id: "draining", url: draining.url, models: ["demo-gpt"] },
      { id: "staying", url: staying.url, models: ["demo-gpt"] },
    ],
    routing: { strategy: "round-robin", health: { intervalMs: 50, timeoutMs: 1_000 } },
    cache: { store: "off" },
  });
});
afterAll(async () => {
  await gateway?.close({ graceMs: 1_000 });
  await Promise.all([draining?.close({ graceMs: 0 }), staying?.close({ graceMs: 0 })]);
});

async function shortCompletion(): Promise<number> {
  const response = await fetch(`${gateway.url}/v1/completions`, {
    method: "POST",
    headers: authHeaders(),
    body: longCompletion(8, false),
  });
  await response.arrayBuffer();
  return response.status;
}

/** `total` requests, `concurrency` at a time; returns every status. */
async function burst(total: number, concurrency: number): Promise<number[]> {
  const statuses: number[] = [];
  let sent = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < total) {
        sent += 1;
        statuses.push(await shortCompletion());
      }
    }),
  );
  return statuses;
}

/** Retries the gateway made after a node fault (a 503 from the draining node, or its closed port). */
async function retries(): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`, { headers: authHeaders() })).text();
  let total = 0;
  for (const line of text.split("\n"))
    if (line.startsWith("switchyard_routing_retries_total{") && line.includes('reason="node_error"'))
      total += Number(line.slice(line.lastIndexOf(" ") + 1));
  return total;
}

describe("draining a node behind the gateway", () => {
  it("loses no request while one node drains and goes away", async () => {
    await expect.poll(() => gateway.runtime.readiness().models["demo-gpt"]?.healthy, { timeout: 5_000 }).toBe(2);
    const streams = Array.from({ length: 6 }, () =>
      openStream(`${gateway.url}/v1/completions`, longCompletion(480), authHeaders()),
    );
    // Round-robin spreads the streams, so some are running or queued on the node about to drain.
    const onDraining = () => draining.registry.load().reduce((n, l) => n + l.running + l.queueDepth, 0);
    await expect.poll(onDraining, { timeout: 5_000, interval: 1 }).toBeGreaterThan(0);

    const closing = draining.close({ graceMs: 30_000 });
    const duringDrain = await burst(20, 4);
    const outcomes = await Promise.all(streams.map((s) => s.outcome));
    await closing;
    const afterClose = await burst(10, 2);

    expect(duringDrain.every((s) => s === 200)).toBe(true);
    for (const outcome of outcomes) expect(outcome).toMatchObject({ status: 200, done: true });
    expect(afterClose.every((s) => s === 200)).toBe(true);
    // Some requests did meet the draining node and were retried elsewhere.
    expect(await retries()).toBeGreaterThan(0);
    // The prober read the draining node's 503 /health as unhealthy.
    expect(gateway.runtime.services.nodes.get("draining")?.health.status).toBe("unhealthy");
  });
});
